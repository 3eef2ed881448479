"""Deliver a notification exactly once: claim it, send it, settle it, and record the attempt.

Retries: a transient failure releases the claim and raises RetryLater, so the queue brings the
message back (the handler lengthens the wait each time); a permanent failure is recorded once
and never retried; a notification already settled is a duplicate delivery and is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aduan.models import Actor, Complaint, Language, Role, TimelineEvent
from aduan.models import Channel as ReportChannel
from aduan.notifications import (
    Channel,
    DeliveryFailed,
    Notification,
    notification_id,
    render_email,
    render_sms,
)

LEASE_SECONDS = 120  # longer than the notification function's timeout


class RetryLater(Exception):
    """Not delivered this time, for a reason that may pass: let the queue bring it back (after
    `delay` seconds when given, else after the handler's growing backoff)."""

    def __init__(self, reason: str, delay: int | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> str: ...


class EmailSender(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str: ...


class WebhookSender(Protocol):
    def send(self, url: str, payload: dict[str, Any]) -> str: ...


class Ledger(Protocol):
    def claim(self, notification_id: str, now: datetime, lease_seconds: int) -> str: ...

    def settle(self, notification_id: str, outcome: str) -> None: ...

    def release(self, notification_id: str) -> None: ...


class Timeline(Protocol):
    def get(self, tracking_id: str) -> Complaint: ...

    def append_event(self, tracking_id: str, event: TimelineEvent, event_id: str) -> None: ...


class Directory(Protocol):
    def agency_contacts(self, agency_id: str, channel: str) -> list[str]: ...


@dataclass(frozen=True)
class Channels:
    sms: SmsSender
    email: EmailSender
    webhook: WebhookSender


def for_citizen(complaint: Complaint, template: str, cause: str, **values: Any) -> Notification:
    """A notification to the reporter, on the channel they used: SMS for an SMS report, email
    when they gave one on the web, SMS otherwise."""
    reporter = complaint.reporter
    by_sms = complaint.channel is ReportChannel.SMS or not reporter.email
    channel = Channel.SMS if by_sms and reporter.phone else Channel.EMAIL
    return Notification(
        id=notification_id(cause, template, "citizen", channel),
        template=template,
        channel=channel,
        recipient="citizen",
        tracking_id=complaint.tracking_id,
        language=complaint.language,
        values={"tracking_id": _display(complaint.tracking_id), **values},
    )


def for_agency(
    agency_id: str, directory: Directory, template: str, cause: str, tracking_id: str, **values: Any
) -> list[Notification]:
    """One notification per contact of an agency (each operator's number and email, its webhook):
    a per-contact ID, so a retry never texts the same operator twice."""
    notifications = []
    for channel in (Channel.SMS, Channel.EMAIL, Channel.WEBHOOK):
        for index, _address in enumerate(directory.agency_contacts(agency_id, channel)):
            recipient = f"agency:{agency_id}:{index}"
            notifications.append(
                Notification(
                    id=notification_id(cause, template, recipient, channel),
                    template=template,
                    channel=channel,
                    recipient=recipient,
                    tracking_id=tracking_id,
                    values={"tracking_id": _display(tracking_id), **values},
                )
            )
    return notifications


def to_sender(
    phone: str, template: str, cause: str, language: Language = Language.ID, **values: Any
) -> Notification:
    """An SMS answer to whoever texted (a CEK from a number that is not the reporter's, a help text)."""
    return Notification(
        id=notification_id(cause, template, "sender", Channel.SMS),
        template=template,
        channel=Channel.SMS,
        recipient="sender",
        reply_to=phone,
        language=language,
        values=values,
    )


def _display(tracking_id: str) -> str:
    from aduan.tracking import display_form

    return display_form(tracking_id)


def deliver(
    notification: Notification,
    *,
    ledger: Ledger,
    complaints: Timeline,
    directory: Directory,
    channels: Channels,
    now: datetime,
    attempt: int = 1,
) -> str:
    """Send `notification` unless it was settled already; returns the outcome."""
    state = ledger.claim(notification.id, now, LEASE_SECONDS)
    if state == "done":
        return "duplicate"
    if state == "busy":
        # Come back once the holder's lease has ended (it finished or died): a backoff shorter than
        # the lease would spend the message's receives on "busy" and send it to the DLQ unsent.
        raise RetryLater("another worker holds this notification", delay=LEASE_SECONDS)
    try:
        _send(notification, complaints, directory, channels)
    except DeliveryFailed as failure:
        if failure.permanent:
            ledger.settle(notification.id, f"failed: {failure.reason}")
            _record(notification, complaints, now, attempt, f"failed_permanently: {failure.reason}")
            return "failed_permanently"
        ledger.release(notification.id)
        _record(notification, complaints, now, attempt, f"retrying: {failure.reason}")
        raise RetryLater(failure.reason) from failure
    ledger.settle(notification.id, "sent")
    _record(notification, complaints, now, attempt, "sent")
    return "sent"


def _send(notification: Notification, complaints: Timeline, directory: Directory, channels: Channels) -> None:
    address = _address(notification, complaints, directory)
    values = notification.values
    if notification.channel is Channel.SMS:
        channels.sms.send(address, render_sms(notification.template, notification.language, values))
    elif notification.channel is Channel.EMAIL:
        channels.email.send(address, *render_email(notification.template, notification.language, values))
    else:
        payload = {"event": notification.template, "notification_id": notification.id, **values}
        channels.webhook.send(address, payload)


def _address(notification: Notification, complaints: Timeline, directory: Directory) -> str:
    recipient = notification.recipient
    if recipient == "sender" and notification.reply_to:
        return notification.reply_to
    if recipient == "citizen" and notification.tracking_id:
        reporter = complaints.get(notification.tracking_id).reporter
        address = reporter.phone if notification.channel is Channel.SMS else reporter.email
    elif recipient.startswith("agency:"):
        _, agency_id, index = [*recipient.split(":"), "0"][:3]
        contacts = directory.agency_contacts(agency_id, notification.channel)
        address = contacts[int(index)] if int(index) < len(contacts) else None
    else:
        address = None
    if not address:
        raise DeliveryFailed("no_address", permanent=True)
    return address


def _record(
    notification: Notification, complaints: Timeline, now: datetime, attempt: int, outcome: str
) -> None:
    if notification.tracking_id is None:
        return
    event = TimelineEvent(
        at=now,
        type="notification",
        actor=Actor(role=Role.SYSTEM),
        public=False,
        data={
            "notification_id": notification.id,
            "template": notification.template,
            "channel": notification.channel,
            "recipient": notification.recipient,  # a role, never an address
            "attempt": attempt,
            "outcome": outcome,
        },
    )
    complaints.append_event(notification.tracking_id, event, f"N{notification.id}#{attempt}")
