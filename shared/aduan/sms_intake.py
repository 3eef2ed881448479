"""A citizen's text message, end to end: a new report, a status check, a reply or a request for
more privacy.

Every answer goes out as a notification (through the queue, delivered once), so the citizen's
phone, the outbox and the timeline all agree on what was said. Each text is acted on once per
gateway message ID, however often the gateway delivers it: a report through intake's idempotency
record, a reply or a privacy change through a record written with the change (its answers are
sent again on a replay, with their first IDs), and an answer that changes nothing through the
answer's own ID, fixed by the message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from aduan.changes import queue
from aduan.citizen import FollowUp, act_as_citizen, raise_privacy
from aduan.domain import sms_commands
from aduan.domain.api_texts import status_text
from aduan.domain.deadlines import due_text
from aduan.domain.destinations import DEFAULT_COUNTRY_CODES
from aduan.domain.errors import (
    Conflict,
    DomainError,
    InvalidTrackingId,
    InvalidTransition,
    NotFound,
    PrivacyNotRaised,
    RateLimited,
)
from aduan.domain.models import Channel, Complaint, Language, Status
from aduan.domain.notifications import Channel as NotificationChannel
from aduan.domain.notifications import Notification, for_citizen, to_sender
from aduan.domain.ports import ComplaintRepository, Idempotency, MessageQueue
from aduan.domain.privacy import MESSAGE_DEFAULT
from aduan.domain.reference import ReferenceData
from aduan.domain.sms_commands import InboundText
from aduan.domain.tracking import display_form, parse_tracking_id
from aduan.intake import IDEMPOTENCY_TTL, ComplaintInput, submit_complaint

# A message's ID is the gateway's: the prefix keeps an SMS's and a WhatsApp message's apart.
CAUSE_PREFIX = {Channel.SMS: "sms", Channel.WHATSAPP: "wa"}


def receive_sms(
    message: InboundText,
    *,
    now: datetime,
    reference: ReferenceData,
    complaints: ComplaintRepository,
    routing: MessageQueue,
    notifications: MessageQueue,
    access_key: bytes,
    destinations: Sequence[str] = DEFAULT_COUNTRY_CODES,
) -> str:
    """Act on one inbound SMS, once per `message_id`; returns what it was (for the log: never the
    text or the number). `access_key`: the pepper a report's access code is hashed under."""
    if not message.message_id:  # the door refuses such a webhook (400): without it, nothing is once
        raise ValueError("an inbound SMS without a message ID")
    command = sms_commands.parse(message.body)
    cause = f"{CAUSE_PREFIX[message.channel]}:{message.message_id}"
    if isinstance(command, sms_commands.Report):
        return _report(
            message,
            command,
            cause,
            now,
            reference,
            complaints,
            routing,
            notifications,
            access_key,
            destinations,
        )
    if isinstance(command, sms_commands.Help):
        template = "help_reply" if command.reason == "reply_without_text" else "help_too_short"
        queue(notifications, [_to_sender(message, template, cause)])
        return f"help:{command.reason}"
    try:
        complaint = find_own(command.tracking_id, message.reporter_lookup, complaints)
    except InvalidTrackingId as error:
        template = "typo" if error.details.get("reason") == "check" else "not_found"
        answer = _to_sender(message, template, cause, tracking_id=command.tracking_id or "")
        queue(notifications, [answer])
        return "unknown_id"
    except NotFound:
        answer = _to_sender(message, "not_found", cause, tracking_id=command.tracking_id or "")
        queue(notifications, [answer])
        return "not_found"
    if isinstance(command, sms_commands.Check):
        values = status_values(complaint, reference)
        queue(notifications, [for_citizen(complaint, "status", cause, **values)])
        return "status"
    if _answer_again(cause, complaints, notifications):
        return "replayed"
    try:
        if isinstance(command, sms_commands.PrivacyChange):
            return _raise_privacy(
                message, command, complaint, cause, now, reference, complaints, notifications
            )
        return _reply(message, command, complaint, cause, now, reference, complaints, notifications)
    except Conflict as conflict:
        if conflict.details.get("item") != "idempotency":
            raise
        # The same text, delivered twice at once: the other delivery acted on it.
        _answer_again(cause, complaints, notifications)
        return "replayed"


def _reply(
    message: InboundText,
    command: sms_commands.Reply,
    complaint: Complaint,
    cause: str,
    now: datetime,
    reference: ReferenceData,
    complaints: ComplaintRepository,
    notifications: MessageQueue,
) -> str:
    """`BALAS`: a reply, a reopen or a rating, recorded with this text's record; a complaint that
    takes no reply any more (closed, archived, the reply window over) gets an answer saying so."""
    request = _follow_up(command.text, complaint)
    confirmation = for_citizen(complaint, "reply_received", cause)
    try:
        act_as_citizen(
            request,
            complaint,
            complaints=complaints,
            reference=reference,
            notifications=notifications,
            now=now,
            idempotency=_record(cause, request.kind, [confirmation], now),
        )
    except RateLimited:
        return "capped"  # today's messages on it are used up; an answer would be one text more
    except InvalidTransition:
        current = complaints.get(complaint.tracking_id)
        status = status_text(current.status, current.language)
        refusal = _to_sender(
            message,
            "reply_refused",
            cause,
            current.language,
            tracking_id=display_form(current.tracking_id),
            status=status,
        )
        queue(notifications, [refusal])
        return "reply_refused"
    queue(notifications, [confirmation])
    return request.kind


def _raise_privacy(
    message: InboundText,
    command: sms_commands.PrivacyChange,
    complaint: Complaint,
    cause: str,
    now: datetime,
    reference: ReferenceData,
    complaints: ComplaintRepository,
    notifications: MessageQueue,
) -> str:
    """`RAHASIA <id>` / `ANONIM <id>` from the reporter's number: raised (and told so), or an answer
    saying why not (never lowered; only within the window)."""
    confirmation = for_citizen(complaint, "privacy_raised", cause, privacy=command.privacy.value)
    try:
        raise_privacy(
            complaint.tracking_id,
            command.privacy,
            complaints=complaints,
            reference=reference,
            now=now,
            idempotency=_record(cause, "privacy_raised", [confirmation], now),
        )
    except PrivacyNotRaised as refused:
        reason = str(refused.details.get("reason"))
        template = "privacy_window_closed" if reason == "window_closed" else "privacy_not_raised"
        current = complaints.get(complaint.tracking_id)
        answer = _to_sender(
            message,
            template,
            cause,
            current.language,
            tracking_id=display_form(current.tracking_id),
            privacy=current.privacy.value,
        )
        queue(notifications, [answer])
        return f"privacy_{reason}"
    queue(notifications, [confirmation])
    return "privacy_raised"


def _record(cause: str, outcome: str, answers: list[Notification], now: datetime) -> Idempotency:
    """What a text that changed a complaint answered, kept a day to answer the gateway's retries."""
    response = {"outcome": outcome, "answers": [answer.model_dump(mode="json") for answer in answers]}
    return Idempotency(cause, "", response, now + IDEMPOTENCY_TTL)


def _answer_again(cause: str, complaints: ComplaintRepository, notifications: MessageQueue) -> bool:
    """A text acted on before: send its answers again (their IDs are those of the first time, so
    each is delivered once: the first send may have been the one that failed)."""
    record = complaints.idempotent_response(cause)
    if record is None:
        return False
    queue(notifications, [Notification.model_validate(answer) for answer in record.response["answers"]])
    return True


def _follow_up(text: str, complaint: Complaint) -> FollowUp:
    """`BELUM` on a responded complaint reopens it; `NILAI 4` rates the response (once there is
    one: before, it is a reply); anything else is a reply."""
    words = re.findall(r"\w+", text.lower())  # "Belum, KTP ..." and "nilai: 4" as people type them
    if complaint.status is Status.RESPONDED and words and words[0] in ("belum", "not"):
        return FollowUp(kind="reopen", text=text)
    rated = complaint.status in (Status.RESPONDED, Status.CLOSED)
    if rated and len(words) >= 2 and words[0] in ("nilai", "rate") and words[1] in ("1", "2", "3", "4", "5"):
        return FollowUp(kind="rate", rating=int(words[1]), text=" ".join(words[2:]) or None)
    return FollowUp(kind="reply", text=text)


def find_own(text: str | None, sender: str, complaints: ComplaintRepository) -> Complaint:
    """The sender's complaint by ID, or their latest (`sender`: their `Reporter.lookup`); someone
    else's number learns nothing."""
    if text is None:
        latest = complaints.by_reporter(sender)
        if not latest:
            raise NotFound("no complaint from this number")
        return complaints.get(latest[0])
    complaint = complaints.get(parse_tracking_id(text))
    if complaint.reporter.lookup != sender:
        raise NotFound("not this sender's complaint")
    return complaint


def _report(
    message: InboundText,
    command: sms_commands.Report,
    cause: str,
    now: datetime,
    reference: ReferenceData,
    complaints: ComplaintRepository,
    routing: MessageQueue,
    notifications: MessageQueue,
    access_key: bytes,
    destinations: Sequence[str],
) -> str:
    text = command.text[:4000]
    whatsapp = message.sender if message.channel is Channel.WHATSAPP else None
    phone = message.phone if whatsapp else message.sender
    try:
        data = ComplaintInput.model_validate(
            {
                "title": sms_commands.title_from(text),
                "description": text,
                "reporter": {"phone": phone},
                "privacy": command.privacy or MESSAGE_DEFAULT,
                **({"location": message.location.model_dump(exclude_none=True)} if message.location else {}),
            },
            context={"now": now, "whatsapp": whatsapp},
        )
        receipt = submit_complaint(
            data,
            channel=message.channel,
            whatsapp=whatsapp,
            now=now,
            reference=reference,
            complaints=complaints,
            routing=routing,
            notifications=notifications,
            access_key=access_key,
            idempotency_key=cause,
            destinations=destinations,
        )
    except (ValidationError, DomainError):
        queue(notifications, [_to_sender(message, "help_too_short", cause)])
        return "refused"
    return "replayed" if receipt.replayed else "report"


def _to_sender(
    message: InboundText, template: str, cause: str, language: Language = Language.ID, **values: Any
) -> Notification:
    """An answer on the channel the text came by, to whoever sent it."""
    channel = NotificationChannel.WHATSAPP if message.channel is Channel.WHATSAPP else NotificationChannel.SMS
    return to_sender(message.sender, template, cause, language, channel, **values)


def status_values(complaint: Complaint, reference: ReferenceData) -> dict[str, str]:
    """What a status answer says: the status, the agency holding it and the running deadline."""
    agency = reference.agency_name(complaint.agency_id) if complaint.agency_id else ""
    return {
        "tracking_id": display_form(complaint.tracking_id),
        "status": status_text(complaint.status, complaint.language),
        "agency": f"{agency}. " if agency else "",
        "due": due_text(complaint.clock, complaint.language),
    }
