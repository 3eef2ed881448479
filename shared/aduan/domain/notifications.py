"""Notifications: who is told what. A notification names its recipient by role (the citizen, an
agency's contact, whoever texted) rather than by address: queues and logs carry no phone numbers
or emails; the delivery use case looks the address up when it sends. The words are in
`aduan.domain.notification_texts`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aduan.domain.models import Actor, Complaint, Language, Role, TimelineEvent
from aduan.domain.models import Channel as ReportChannel
from aduan.domain.ports import Directory
from aduan.domain.tracking import display_form


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    WEBHOOK = "webhook"
    WHATSAPP = "whatsapp"


SECRET_VALUES = frozenset({"access_code"})  # values no stored copy may keep after delivery


class Notification(BaseModel):
    """One message to one recipient on one channel, with an ID stable across redeliveries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    template: str
    channel: Channel
    recipient: str  # "citizen", "agency:<id>", or "sender" (whoever texted, for SMS answers)
    tracking_id: str | None = None
    language: Language = Language.ID
    values: dict[str, Any] = Field(default_factory=dict)
    reply_to: str | None = None  # only for recipient "sender": the number (or WhatsApp ID) that wrote

    @property
    def carries_secret(self) -> bool:
        """True for a receipt with the access code: nothing may keep it once it is settled."""
        return not SECRET_VALUES.isdisjoint(self.values)


def notification_id(cause: str, template: str, recipient: str, channel: Channel) -> str:
    """Stable: the same cause always yields the same ID, so a redelivered message is recognised."""
    return hashlib.sha256(f"{cause}|{template}|{recipient}|{channel}".encode()).hexdigest()[:32]


def for_citizen(complaint: Complaint, template: str, cause: str, **values: Any) -> Notification:
    """A notification to the reporter, on the channel they used: WhatsApp for a WhatsApp report,
    SMS for an SMS report, email when they gave one on the web, SMS otherwise."""
    reporter = complaint.reporter
    by_sms = complaint.channel is ReportChannel.SMS or not reporter.email
    if complaint.channel is ReportChannel.WHATSAPP and reporter.whatsapp:
        channel = Channel.WHATSAPP
    else:
        channel = Channel.SMS if by_sms and reporter.phone else Channel.EMAIL
    return Notification(
        id=notification_id(cause, template, "citizen", channel),
        template=template,
        channel=channel,
        recipient="citizen",
        tracking_id=complaint.tracking_id,
        language=complaint.language,
        values={"tracking_id": display_form(complaint.tracking_id), **values},
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
                    values={"tracking_id": display_form(tracking_id), **values},
                )
            )
    return notifications


def to_sender(
    address: str,
    template: str,
    cause: str,
    language: Language = Language.ID,
    channel: Channel = Channel.SMS,
    **values: Any,
) -> Notification:
    """An answer to whoever texted (a CEK from a number that is not the reporter's, a help text),
    on the channel they wrote on: `address` is their number, or their WhatsApp ID."""
    return Notification(
        id=notification_id(cause, template, "sender", channel),
        template=template,
        channel=channel,
        recipient="sender",
        reply_to=address,
        language=language,
        values=values,
    )


def delivery_event(
    notification: Notification, at: datetime, outcome: str, channel: Channel | None = None, **data: Any
) -> TimelineEvent:
    """What the timeline keeps of a delivery attempt or a channel's later word on it (never public):
    the notification, its template, its channel and recipient (a role, never an address), the outcome."""
    return TimelineEvent(
        at=at,
        type="notification",
        actor=Actor(role=Role.SYSTEM),
        public=False,
        data={
            "notification_id": notification.id,
            "template": notification.template,
            "channel": channel or notification.channel,
            "recipient": notification.recipient,
            **data,
            "outcome": outcome,
        },
    )
