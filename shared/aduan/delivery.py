"""Delivery: a notification is sent at most once and retried until it is.

Claim it in the ledger (a lease), send it, settle it, and record the attempt in the complaint's
timeline. A transient failure releases the claim and raises RetryLater, so that the queue brings
the message back after `retry_delay`; a permanent failure is recorded once and never retried; a
notification already settled is a duplicate delivery and is skipped. The whole retry policy (the
lease, the backoff, the poison rule) is in this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from aduan.domain.destinations import DEFAULT_COUNTRY_CODES, may_text
from aduan.domain.errors import DeliveryFailed, RetryLater
from aduan.domain.notification_texts import render_email, render_sms, render_whatsapp, whatsapp_template
from aduan.domain.notifications import SECRET_VALUES, Channel, Notification, delivery_event
from aduan.domain.ports import Channels, Conversations, Directory, Ledger, Timeline

LEASE_SECONDS = 120  # longer than the notification function's timeout
MAX_BACKOFF_SECONDS = 900  # SQS's longest visibility change that still keeps a retry prompt
# WhatsApp's customer-service window: free text within 24 hours of the citizen's latest message,
# less a margin for the time between our clock and Meta's (a text Meta finds late is refused, 131047).
WHATSAPP_WINDOW = timedelta(hours=24) - timedelta(minutes=5)


def retry_delay(attempt: int, base_seconds: int, reason: RetryLater | None = None) -> int:
    """How long the queue holds a message back before its next attempt: the reason's own delay
    (a busy claim waits out its lease), else base x 2^(attempt-1) seconds, at most 15 minutes."""
    if reason is not None and reason.delay is not None:
        return reason.delay
    return min(base_seconds * int(2 ** max(attempt - 1, 0)), MAX_BACKOFF_SECONDS)


def read_notification(body: str) -> Notification:
    """The notification a queue message carries; pydantic's ValidationError when it is poison."""
    return Notification.model_validate_json(body)


def deliver(
    notification: Notification,
    *,
    ledger: Ledger,
    complaints: Timeline,
    directory: Directory,
    channels: Channels,
    now: datetime,
    attempt: int = 1,
    sms_country_codes: Sequence[str] = DEFAULT_COUNTRY_CODES,
    conversations: Conversations | None = None,
) -> str:
    """Send `notification` unless it was settled already; returns the outcome. A text to a number
    outside `sms_country_codes` is never sent: it fails for good (`destination_not_allowed`). A
    WhatsApp message goes as free text inside the window `conversations` knows, else as its
    approved template; one WhatsApp refuses for good goes by SMS instead, once (recorded)."""
    state = ledger.claim(notification.id, now, LEASE_SECONDS)
    if state == "done":
        _forget_secrets(notification, complaints)  # a crash after settling left them: finish
        return "duplicate"
    if state == "busy":
        # Come back once the holder's lease has ended (it finished or died): a backoff shorter than
        # the lease would spend the message's receives on "busy" and send it to the DLQ unsent.
        raise RetryLater("another worker holds this notification", delay=LEASE_SECONDS)
    try:
        outcome = _send(notification, complaints, directory, channels, sms_country_codes, conversations, now)
    except DeliveryFailed as failure:
        if failure.permanent:
            ledger.settle(notification.id, f"failed: {failure.reason}")
            _record(notification, complaints, now, attempt, f"failed_permanently: {failure.reason}")
            _forget_secrets(notification, complaints)
            return "failed_permanently"
        ledger.release(notification.id)
        _record(notification, complaints, now, attempt, f"retrying: {failure.reason}")
        raise RetryLater(failure.reason) from failure
    ledger.settle(notification.id, outcome)
    _record(notification, complaints, now, attempt, outcome)
    _forget_secrets(notification, complaints)
    return "sent"


def _send(
    notification: Notification,
    complaints: Timeline,
    directory: Directory,
    channels: Channels,
    sms_country_codes: Sequence[str],
    conversations: Conversations | None,
    now: datetime,
) -> str:
    """Send it on its channel; the outcome to record (`sent`, or how a WhatsApp message went)."""
    address = _address(notification, complaints, directory)
    values = notification.values
    if notification.channel is Channel.WHATSAPP:
        try:
            return _send_whatsapp(notification, address, channels, conversations, now)
        except DeliveryFailed as failure:
            phone = _fallback_phone(notification, complaints)
            if failure.permanent and phone and may_text(phone, sms_country_codes):
                channels.sms.send(phone, render_sms(notification.template, notification.language, values))
                return f"sent: sms instead of whatsapp ({failure.reason})"
            raise
    if notification.channel is Channel.SMS and not may_text(address, sms_country_codes):
        # Whatever let the number in (an SMS sender, an agency's contact), it is not texted.
        raise DeliveryFailed("destination_not_allowed", permanent=True)
    if notification.channel is Channel.SMS:
        channels.sms.send(address, render_sms(notification.template, notification.language, values))
    elif notification.channel is Channel.EMAIL:
        channels.email.send(address, *render_email(notification.template, notification.language, values))
    else:
        payload = {"event": notification.template, "notification_id": notification.id, **values}
        agency_id = _agency_of(notification)
        agency = directory.agency(agency_id)  # the address came from it: it exists
        version = agency.webhook_key_version if agency else 1
        channels.webhook.send(address, payload, agency_id=agency_id, key_version=version)
    return "sent"


def _send_whatsapp(
    notification: Notification,
    address: str,
    channels: Channels,
    conversations: Conversations | None,
    now: datetime,
) -> str:
    if channels.whatsapp is None:
        raise DeliveryFailed("whatsapp_not_configured", permanent=True)
    last = conversations.last_message(address) if conversations else None
    template, language, values = notification.template, notification.language, notification.values
    if last is not None and now - last < WHATSAPP_WINDOW:
        message_id = channels.whatsapp.send_text(address, render_whatsapp(template, language, values))
        outcome = "sent: whatsapp text"
    else:
        approved = whatsapp_template(template, language, values)
        if approved is None:
            raise DeliveryFailed("outside_window_without_template", permanent=True)
        message_id = channels.whatsapp.send_template(address, *approved)
        outcome = f"sent: whatsapp template {approved[0]}"
    if conversations is not None and notification.tracking_id:
        # What Meta's status webhooks (delivered, read, failed) will be about; never a secret.
        kept = {name: value for name, value in values.items() if name not in SECRET_VALUES}
        about = notification.model_copy(update={"values": kept}).model_dump(mode="json")
        conversations.sent(message_id, about | {"carried_secret": notification.carries_secret}, now)
    return outcome


def _fallback_phone(notification: Notification, complaints: Timeline) -> str | None:
    """Where a WhatsApp message goes by SMS: the reporter's number, or the number that wrote."""
    if notification.recipient == "citizen" and notification.tracking_id:
        return complaints.get(notification.tracking_id).reporter.phone
    sender = notification.reply_to or ""
    return f"+{sender}" if sender.isdigit() else None


def _agency_of(notification: Notification) -> str:
    """The agency of a recipient `agency:<id>:<n>`: whose contact it is, whose key signs it."""
    return notification.recipient.split(":")[1]


def _address(notification: Notification, complaints: Timeline, directory: Directory) -> str:
    recipient = notification.recipient
    if recipient == "sender" and notification.reply_to:
        return notification.reply_to
    if recipient == "citizen" and notification.tracking_id:
        reporter = complaints.get(notification.tracking_id).reporter
        address = {Channel.SMS: reporter.phone, Channel.WHATSAPP: reporter.whatsapp}.get(
            notification.channel, reporter.email
        )
    elif recipient.startswith("agency:"):
        agency_id, index = _agency_of(notification), [*recipient.split(":"), "0"][2]
        contacts = directory.agency_contacts(agency_id, notification.channel)
        address = contacts[int(index)] if int(index) < len(contacts) else None
    else:
        address = None
    if not address:
        raise DeliveryFailed("no_address", permanent=True)
    return address


def _forget_secrets(notification: Notification, complaints: Timeline) -> None:
    """A settled receipt leaves the complaint's outbox, which held it (and its access code) only in
    case its first send was lost; the queue deletes its own copy once the worker returns."""
    if notification.carries_secret and notification.tracking_id:
        complaints.drop_from_outbox(notification.tracking_id, notification.id)


def _record(
    notification: Notification, complaints: Timeline, now: datetime, attempt: int, outcome: str
) -> None:
    if notification.tracking_id is None:
        return
    event = delivery_event(notification, now, outcome, attempt=attempt)
    complaints.append_event(notification.tracking_id, event, f"N{notification.id}#{attempt}")
