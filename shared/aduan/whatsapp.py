"""A citizen's WhatsApp message, end to end: texts mean what they mean by SMS; a photo or a PDF
with a caption files a report with it (or adds it to the report a `BALAS <id>` caption names),
through the attachment pipeline; anything Aduan cannot read is answered politely, and never
blocks the queue behind it.

Each message is acted on once per `wamid`, however often Meta delivers it (Meta retries for seven
days): the worker remembers what it acted on for eight, and within a day the SMS use case's own
records make a redelivery between acting and remembering change nothing too. The sender's latest
message opens the 24-hour window inside which a reply may be free text (`aduan.delivery`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from aduan.attachment import receive_file
from aduan.changes import queue
from aduan.domain import evidence, sms_commands
from aduan.domain.destinations import DEFAULT_COUNTRY_CODES
from aduan.domain.errors import DomainError, InvalidTrackingId, MediaUnavailable, NotFound
from aduan.domain.models import Channel, Location
from aduan.domain.notifications import Channel as NotificationChannel
from aduan.domain.notifications import Notification, delivery_event, notification_id, to_sender
from aduan.domain.ports import ComplaintRepository, Conversations, EvidenceBucket, MediaSource, MessageQueue
from aduan.domain.reference import ReferenceData
from aduan.domain.sms_commands import InboundText
from aduan.domain.tracking import display_form
from aduan.domain.whatsapp_messages import (
    BUTTON,
    DOCUMENT,
    IMAGE,
    LOCATION,
    STATUS_RANK,
    TEXT,
    DeliveryStatus,
    DraftDue,
    InboundMessage,
    Media,
    draft_due,
    is_permanent,
)
from aduan.domain.workdays import iso
from aduan.sms_intake import find_own, receive_sms

PLACE_WAIT = timedelta(minutes=30)  # how long a report waits for the place it was asked for (as deployed)
SQS_LONGEST_DELAY = 900


def receive_whatsapp(
    item: InboundMessage | DeliveryStatus | DraftDue,
    *,
    now: datetime,
    reference: ReferenceData,
    complaints: ComplaintRepository,
    conversations: Conversations,
    routing: MessageQueue,
    notifications: MessageQueue,
    access_key: bytes,
    destinations: Sequence[str] = DEFAULT_COUNTRY_CODES,
    media: MediaSource | None = None,
    bucket: EvidenceBucket | None = None,
    later: MessageQueue | None = None,
    place_wait: timedelta = PLACE_WAIT,
) -> str:
    """Act on one webhook item; returns what it was (for the log: never the text or the sender).
    `media` and `bucket` take a file in (a deployment without them answers a file as unreadable);
    `later` (the WhatsApp queue itself) brings a report whose place was asked for back when the
    wait is over (without it, a report is filed as it comes, as by SMS)."""
    as_sms: dict[str, Any] = {
        "now": now,
        "reference": reference,
        "complaints": complaints,
        "routing": routing,
        "notifications": notifications,
        "access_key": access_key,
        "destinations": destinations,
    }
    if isinstance(item, DeliveryStatus):
        return _status(item, complaints, conversations, notifications, now)
    if isinstance(item, DraftDue):
        return _draft_due(item, conversations, later, place_wait, as_sms)
    if conversations.seen(item.message_id):
        return "replayed"
    # Meta's time of the message, never later than ours: the window is Meta's to close.
    conversations.opened(item.sender, min(item.sent_at or now, now))
    text = InboundText(
        sender=item.sender,
        to="",
        body=item.text,
        message_id=item.message_id,
        channel=Channel.WHATSAPP,
        phone=item.phone,
    )
    # Only a text or a location can answer "where?": nothing else reads the draft.
    answers = item.kind in (TEXT, BUTTON, LOCATION) and later is not None
    draft = conversations.draft(item.sender, now) if answers else None
    if item.kind in (TEXT, BUTTON):
        outcome = _text(item, text, draft, conversations, later, place_wait, as_sms)
    elif item.kind == LOCATION and item.place and draft:
        place = item.place
        words = " ".join(part for part in (place.name, place.address) if part) or None
        location = Location(lat=place.lat, lon=place.lon, address=_one_line(words) if words else None)
        outcome = _file_draft(draft, item.sender, location, conversations, as_sms)
    elif item.kind == LOCATION:
        _answer(item, notifications, "location_without_report")
        outcome = "location:alone"
    elif item.kind in (IMAGE, DOCUMENT) and item.media and media and bucket:
        outcome = _file(item, item.media, text, as_sms, media, bucket)
    else:
        _answer(item, notifications, "whatsapp_unreadable")
        outcome = f"unreadable:{item.kind}"
    conversations.remember(item.message_id, now)
    return outcome


def _text(
    item: InboundMessage,
    text: InboundText,
    draft: dict[str, Any] | None,
    conversations: Conversations,
    later: MessageQueue | None,
    place_wait: timedelta,
    as_sms: dict[str, Any],
) -> str:
    """A text: the answer to "where?" when a report waits for its place (anything but a command);
    a report that names no place waits for one (asked once); anything else as by SMS."""
    command = sms_commands.parse(item.text)
    if draft is not None and isinstance(command, sms_commands.Report | sms_commands.Help):
        location = Location(address=_one_line(item.text))
        return _file_draft(draft, item.sender, location, conversations, as_sms)
    if (
        later is not None
        and isinstance(command, sms_commands.Report)
        and not _names_a_place(command.text, as_sms)
    ):
        waiting = {
            "message_id": item.message_id,
            "text": item.text,
            "phone": item.phone,
            "at": iso(as_sms["now"]),
        }
        if conversations.hold(item.sender, waiting, as_sms["now"]):
            later.send(draft_due(item.sender, item.message_id), delay_seconds=_delay(place_wait))
            _answer(item, as_sms["notifications"], "ask_place")
            return "asked_place"
    return receive_sms(text, **as_sms)


def _names_a_place(report: str, as_sms: dict[str, Any]) -> bool:
    """Whether routing would place the report from its words alone (a district, a regency)."""
    from aduan.domain.routing_decision import decide

    decision = decide(sms_commands.title_from(report), report, None, None, None, as_sms["reference"])
    return decision.region_code is not None


def _file_draft(
    draft: dict[str, Any],
    sender: str,
    location: Location | None,
    conversations: Conversations,
    as_sms: dict[str, Any],
) -> str:
    """The waiting report filed (with the place the citizen gave, if any) under its own message's
    ID: the answer, the wait's end and any redelivery of either file one complaint."""
    filed = InboundText(
        sender=sender,
        to="",
        body=str(draft["text"]),
        message_id=str(draft["message_id"]),
        channel=Channel.WHATSAPP,
        phone=draft.get("phone"),
        location=location,
    )
    outcome = receive_sms(filed, **as_sms)
    conversations.release(sender, str(draft["message_id"]))
    return f"{outcome}:{'placed' if location else 'unplaced'}"


def _draft_due(
    due: DraftDue,
    conversations: Conversations,
    later: MessageQueue | None,
    place_wait: timedelta,
    as_sms: dict[str, Any],
) -> str:
    """The wait for a report's place is over: file it without one, unless it was filed meanwhile.
    SQS delays a message 15 minutes at most: a wait still short of half an hour goes round again."""
    draft = conversations.draft(due.sender, as_sms["now"])
    if draft is None or draft.get("message_id") != due.message_id:
        return "draft:filed_before"
    waited = as_sms["now"] - datetime.fromisoformat(str(draft["at"]).replace("Z", "+00:00"))
    if waited < place_wait and later is not None:
        later.send(draft_due(due.sender, due.message_id), delay_seconds=_delay(place_wait - waited))
        return "draft:waiting"
    return _file_draft(draft, due.sender, None, conversations, as_sms)


def _delay(wait: timedelta) -> int:
    return max(1, min(SQS_LONGEST_DELAY, math.ceil(wait.total_seconds())))


def _one_line(words: str) -> str:
    """A place as the citizen wrote it, as an address: one line, at most the address's length."""
    return " ".join(words.split())[:500]


def _file(
    item: InboundMessage,
    sent: Media,
    text: InboundText,
    as_sms: dict[str, Any],
    media: MediaSource,
    bucket: EvidenceBucket,
) -> str:
    """A photo or PDF: to the report its `BALAS <id>` caption names (the sender's own), or to the
    report its caption files; a caption that is neither gets a hint, and nothing is fetched."""
    complaints: ComplaintRepository = as_sms["complaints"]
    notifications: MessageQueue = as_sms["notifications"]
    target = sms_commands.reply_target(item.text)
    if target is not None:
        try:
            tracking_id = find_own(target, text.reporter_lookup, complaints).tracking_id
        except (InvalidTrackingId, NotFound):
            _answer(item, notifications, "not_found", tracking_id=target)
            return "file:not_found"
    elif isinstance(sms_commands.parse(item.text), sms_commands.Report):
        filed = receive_sms(text, **as_sms)
        record = complaints.idempotent_response(f"wa:{item.message_id}")
        if record is None:  # refused (and answered) by intake
            return f"file:{filed}"
        tracking_id = str(record.response["tracking_id"])
    else:
        _answer(item, notifications, "caption_needed")
        return "file:caption_needed"
    if sent.mime_type not in evidence.ALLOWED_TYPES:
        _answer(item, notifications, "file_refused")
        return "file:refused_type"
    try:
        body, content_type = media.media(sent.media_id, max_bytes=evidence.MAX_BYTES)
        receive_file(
            tracking_id,
            body,
            content_type if content_type in evidence.ALLOWED_TYPES else sent.mime_type,
            attachment_id=hashlib.sha256(item.message_id.encode()).hexdigest()[:16],  # fixed by the message
            complaints=complaints,
            reference=as_sms["reference"],
            bucket=bucket,
            now=as_sms["now"],
        )
    except MediaUnavailable as failure:
        if not failure.permanent:
            raise  # Meta may answer in a moment: the queue brings the message back
        _answer(item, notifications, "file_refused")
        return f"file:unavailable:{failure.reason}"
    except DomainError as refusal:  # five files already, today's forms used up, an archived report
        _answer(item, notifications, "file_refused")
        return f"file:refused:{refusal.code}"
    _answer(item, notifications, "evidence_received", tracking_id=display_form(tracking_id))
    return "file"


def _status(
    item: DeliveryStatus,
    complaints: ComplaintRepository,
    conversations: Conversations,
    notifications: MessageQueue,
    now: datetime,
) -> str:
    """Meta's word on a message Aduan sent, as a delivery event of its notification, only when it
    moves the message on (a late `delivered` after `read` changes nothing). A `failed` that trying
    again cannot cure (131026, 131047 reported later) sends the notification by SMS instead, once."""
    rank = STATUS_RANK.get(item.status)
    about = conversations.advanced(item.message_id, item.status, rank) if rank else None
    if about is None:
        return f"status:{item.status}:unchanged"
    sent = Notification.model_validate({k: v for k, v in about.items() if k != "carried_secret"})
    codes = f" ({', '.join(str(code) for code in item.error_codes)})" if item.error_codes else ""
    # At Meta's time: a redelivered status writes the same event.
    event = delivery_event(
        sent, item.at or now, f"whatsapp {item.status}{codes}", NotificationChannel.WHATSAPP
    )
    if sent.tracking_id:
        complaints.append_event(sent.tracking_id, event, f"N{sent.id}#wa-{item.status}")
    undeliverable = any(is_permanent(code, 400) for code in item.error_codes)
    if (
        item.status == "failed"
        and undeliverable
        and sent.recipient == "citizen"
        and not about.get("carried_secret")
    ):
        by_sms = sent.model_copy(
            update={
                "id": notification_id(
                    f"instead:{sent.id}", sent.template, "citizen", NotificationChannel.SMS
                ),
                "channel": NotificationChannel.SMS,
            }
        )
        queue(notifications, [by_sms])
        return "status:failed:by_sms"
    return f"status:{item.status}"


def _answer(item: InboundMessage, notifications: MessageQueue, template: str, **values: Any) -> None:
    """An answer by WhatsApp to whoever sent `item`, its ID fixed by the message (sent once)."""
    cause = f"wa:{item.message_id}"
    queue(
        notifications,
        [to_sender(item.sender, template, cause, channel=NotificationChannel.WHATSAPP, **values)],
    )
