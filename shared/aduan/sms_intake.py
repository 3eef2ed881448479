"""A citizen's text message, end to end: a new report, a status check or a reply.

Every answer goes out as a notification (through the queue, delivered once), so the citizen's
phone, the outbox and the timeline all agree on what was said.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from aduan.changes import queue
from aduan.citizen import FollowUp, act_as_citizen
from aduan.domain import sms_commands
from aduan.domain.api_texts import status_text
from aduan.domain.deadlines import due_text
from aduan.domain.errors import DomainError, InvalidTrackingId, NotFound
from aduan.domain.models import Channel, Complaint, Status
from aduan.domain.notifications import for_citizen, to_sender
from aduan.domain.ports import ComplaintRepository, MessageQueue
from aduan.domain.reference import ReferenceData
from aduan.domain.sms_commands import InboundSms
from aduan.domain.tracking import display_form, parse_tracking_id
from aduan.intake import ComplaintInput, submit_complaint


def receive_sms(
    message: InboundSms,
    *,
    now: datetime,
    reference: ReferenceData,
    complaints: ComplaintRepository,
    routing: MessageQueue,
    notifications: MessageQueue,
) -> str:
    """Act on one inbound SMS; returns what it was (for the log: never the text or the number)."""
    command = sms_commands.parse(message.body)
    cause = f"sms:{message.message_id}"
    if isinstance(command, sms_commands.Report):
        return _report(message, command, cause, now, reference, complaints, routing, notifications)
    if isinstance(command, sms_commands.Help):
        template = "help_reply" if command.reason == "reply_without_text" else "help_too_short"
        queue(notifications, [to_sender(message.sender, template, cause)])
        return f"help:{command.reason}"
    try:
        complaint = _find(command.tracking_id, message.sender, complaints)
    except InvalidTrackingId as error:
        template = "typo" if error.details.get("reason") == "check" else "not_found"
        answer = to_sender(message.sender, template, cause, tracking_id=command.tracking_id or "")
        queue(notifications, [answer])
        return "unknown_id"
    except NotFound:
        answer = to_sender(message.sender, "not_found", cause, tracking_id=command.tracking_id or "")
        queue(notifications, [answer])
        return "not_found"
    if isinstance(command, sms_commands.Check):
        values = status_values(complaint, reference)
        queue(notifications, [for_citizen(complaint, "status", cause, **values)])
        return "status"
    request = _follow_up(command.text, complaint)
    act_as_citizen(
        request, complaint, complaints=complaints, reference=reference, notifications=notifications, now=now
    )
    queue(notifications, [for_citizen(complaint, "reply_received", cause)])
    return request.kind


def _follow_up(text: str, complaint: Complaint) -> FollowUp:
    """`BELUM` on a responded complaint reopens it; `NILAI 4` rates the response; anything else is a reply."""
    words = text.lower().split()
    if complaint.status is Status.RESPONDED and words and words[0] in ("belum", "not"):
        return FollowUp(kind="reopen", text=text)
    if len(words) >= 2 and words[0] in ("nilai", "rate") and words[1] in ("1", "2", "3", "4", "5"):
        return FollowUp(kind="rate", rating=int(words[1]), text=" ".join(words[2:]) or None)
    return FollowUp(kind="reply", text=text)


def _find(text: str | None, sender: str, complaints: ComplaintRepository) -> Complaint:
    """The sender's complaint by ID, or their latest; someone else's number learns nothing."""
    if text is None:
        latest = complaints.by_reporter_phone(sender)
        if not latest:
            raise NotFound("no complaint from this number")
        return complaints.get(latest[0])
    complaint = complaints.get(parse_tracking_id(text))
    if complaint.reporter.phone != sender:
        raise NotFound("not this sender's complaint")
    return complaint


def _report(
    message: InboundSms,
    command: sms_commands.Report,
    cause: str,
    now: datetime,
    reference: ReferenceData,
    complaints: ComplaintRepository,
    routing: MessageQueue,
    notifications: MessageQueue,
) -> str:
    text = command.text[:4000]
    try:
        data = ComplaintInput.model_validate(
            {
                "title": sms_commands.title_from(text),
                "description": text,
                "reporter": {"phone": message.sender},
            },
            context={"now": now},
        )
        receipt = submit_complaint(
            data,
            channel=Channel.SMS,
            now=now,
            reference=reference,
            complaints=complaints,
            routing=routing,
            notifications=notifications,
            idempotency_key=cause,
        )
    except (ValidationError, DomainError):
        queue(notifications, [to_sender(message.sender, "help_too_short", cause)])
        return "refused"
    return "replayed" if receipt.replayed else "report"


def status_values(complaint: Complaint, reference: ReferenceData) -> dict[str, str]:
    """What a status answer says: the status, the agency holding it and the running deadline."""
    agency = reference.agency_name(complaint.agency_id) if complaint.agency_id else ""
    return {
        "tracking_id": display_form(complaint.tracking_id),
        "status": status_text(complaint.status, complaint.language),
        "agency": f"{agency}. " if agency else "",
        "due": due_text(complaint.clock, complaint.language),
    }
