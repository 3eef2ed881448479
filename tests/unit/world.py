"""The world a story happens in: the real seed, a fake for every adapter, and the steps citizens,
workers and operators take, each at an explicit time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aduan.citizen import FollowUp, follow_up
from aduan.delivery import deliver
from aduan.domain.models import Actor, Channel, Complaint, Role
from aduan.domain.notifications import Notification
from aduan.domain.ports import Channels
from aduan.domain.reference import ReferenceData
from aduan.domain.sms_commands import InboundText
from aduan.domain.whatsapp_messages import InboundMessage
from aduan.intake import ComplaintInput, Receipt, submit_complaint
from aduan.operations import ActionRequest, act
from aduan.routing import Routed, route_complaint
from aduan.sms_intake import receive_sms
from aduan.whatsapp import receive_whatsapp
from tests.factories import ACCESS_KEY, seed
from tests.fakes import (
    FakeComplaintStore,
    FakeConversations,
    FakeEmail,
    FakeEvidenceBucket,
    FakeLedger,
    FakeMedia,
    FakeQueue,
    FakeSms,
    FakeWebhook,
    FakeWhatsApp,
    channels,
)

DISDUKCAPIL = "kab-tangerang.disdukcapil"
KAB_TANGERANG = "kab-tangerang"
OPERATOR = Actor(role=Role.OPERATOR, agency_id=DISDUKCAPIL, user_id="op.disdukcapil")
SITI = "+6281234567890"
GATEWAY = "+6281100000000"  # the SMS gateway's number

E_KTP_IN_CIKUPA: dict[str, Any] = {
    "title": "KTP elektronik belum jadi setelah tiga bulan",
    "description": "Saya merekam e-KTP di Kecamatan Cikupa pada bulan Desember, sampai sekarang belum jadi.",
    "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
}


@dataclass
class World:
    reference: ReferenceData = field(default_factory=seed)
    complaints: FakeComplaintStore = field(default_factory=FakeComplaintStore)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    routing: FakeQueue = field(default_factory=FakeQueue)
    notifications: FakeQueue = field(default_factory=FakeQueue)
    sms: FakeSms = field(default_factory=FakeSms)
    email: FakeEmail = field(default_factory=FakeEmail)
    webhook: FakeWebhook = field(default_factory=FakeWebhook)
    whatsapp: FakeWhatsApp = field(default_factory=FakeWhatsApp)
    conversations: FakeConversations = field(default_factory=FakeConversations)
    media: FakeMedia = field(default_factory=FakeMedia)
    whatsapp_queue: FakeQueue = field(default_factory=FakeQueue)
    bucket: FakeEvidenceBucket = field(default_factory=FakeEvidenceBucket)

    @property
    def channels(self) -> Channels:
        return channels(self.sms, self.email, self.webhook, self.whatsapp)

    def report(self, now: datetime, key: str | None = None, **fields: Any) -> Receipt:
        """A citizen's web report (the e-KTP one from Cikupa unless `fields` say otherwise)."""
        self.complaints.now = lambda: now  # an idempotency record expires on the store's clock
        data = ComplaintInput.model_validate({**E_KTP_IN_CIKUPA, **fields}, context={"now": now})
        return submit_complaint(
            data,
            channel=Channel.WEB,
            now=now,
            reference=self.reference,
            complaints=self.complaints,
            routing=self.routing,
            notifications=self.notifications,
            access_key=ACCESS_KEY,
            idempotency_key=key,
        )

    def route(self, tracking_id: str, now: datetime, *, resend_outbox: bool = False) -> Routed:
        return route_complaint(
            tracking_id,
            complaints=self.complaints,
            reference=self.reference,
            notifications=self.notifications,
            now=now,
            resend_outbox=resend_outbox,
        )

    def assigned(self, now: datetime, **fields: Any) -> Complaint:
        """A report routed to its agency, with every message of the way delivered."""
        receipt = self.report(now, **fields)
        complaint = self.route(receipt.tracking_id, now).complaint
        self.deliver_queued(now)
        return complaint

    def text(
        self, sender: str, body: str, message_id: str, now: datetime, destinations: tuple[str, ...] = ("62",)
    ) -> str:
        """A citizen's text message to the gateway's number, as the SMS webhook hands it on."""
        self.complaints.now = lambda: now  # the idempotency record's expiry is read on the store's clock
        return receive_sms(
            InboundText(sender=sender, to=GATEWAY, body=body, message_id=message_id),
            now=now,
            reference=self.reference,
            complaints=self.complaints,
            routing=self.routing,
            notifications=self.notifications,
            access_key=ACCESS_KEY,
            destinations=destinations,
        )

    def follow_up(self, tracking_id: str, access_code: str, request: FollowUp, now: datetime) -> Complaint:
        """The citizen's reply, reopen or rating on the web, with the access code."""
        return follow_up(
            tracking_id,
            access_code,
            request,
            complaints=self.complaints,
            reference=self.reference,
            notifications=self.notifications,
            now=now,
            access_key=ACCESS_KEY,
        )

    def act(
        self, complaint: Complaint, action: str, now: datetime, actor: Actor = OPERATOR, **fields: Any
    ) -> Complaint:
        """An operator's action on the version they saw."""
        request = ActionRequest(action=action, version=complaint.version, **fields)
        return act(
            complaint.tracking_id,
            request,
            actor,
            complaints=self.complaints,
            reference=self.reference,
            notifications=self.notifications,
            now=now,
        )

    def queued(self) -> list[Notification]:
        """Every notification queued so far, delivered or not."""
        return [Notification.model_validate(message) for message in self.notifications.sent]

    def deliver_queued(self, now: datetime) -> list[str]:
        """The notification worker takes every message queued since it last looked."""
        return [
            deliver(
                Notification.model_validate(message),
                ledger=self.ledger,
                complaints=self.complaints,
                directory=self.reference,
                channels=self.channels,
                now=now,
                conversations=self.conversations,
            )
            for message in self.notifications.receive()
        ]

    def message(self, item: InboundMessage, now: datetime) -> str:
        """A citizen's WhatsApp message, as the WhatsApp worker takes it from the queue."""
        self.complaints.now = lambda: now
        return receive_whatsapp(
            item,
            now=now,
            reference=self.reference,
            complaints=self.complaints,
            conversations=self.conversations,
            routing=self.routing,
            notifications=self.notifications,
            access_key=ACCESS_KEY,
            media=self.media,
            bucket=self.bucket,
            later=self.whatsapp_queue,
        )


def story(world: World, tracking_id: str) -> list[str]:
    """The public events of a complaint's timeline, oldest first (delivery attempts are not public)."""
    return [event.type for event in world.complaints.timeline(tracking_id) if event.public]


def templates(notifications: list[Notification]) -> list[tuple[str, str]]:
    """(template, recipient) of each notification, in the order queued."""
    return [(notification.template, notification.recipient) for notification in notifications]
