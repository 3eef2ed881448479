"""The domain's nouns as pydantic models: complaints, reporters, agencies, timeline events."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aduan.domain.deadlines import Clock, UtcDatetime


class Classification(StrEnum):
    COMPLAINT = "complaint"  # pengaduan
    ASPIRATION = "aspiration"  # aspirasi
    INFORMATION_REQUEST = "information_request"  # permintaan informasi


class Privacy(StrEnum):
    PUBLIC = "public"
    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"  # rahasia

    @property
    def hides_identity_from_agency(self) -> bool:
        return self is not Privacy.PUBLIC


class Language(StrEnum):
    ID = "id"
    EN = "en"


class Channel(StrEnum):
    WEB = "web"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    OPEN311 = "open311"


class Status(StrEnum):
    SUBMITTED = "submitted"
    NEEDS_TRIAGE = "needs_triage"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CITIZEN = "waiting_on_citizen"
    RESPONDED = "responded"
    CLOSED = "closed"
    ARCHIVED = "archived"


OPEN_STATUSES = frozenset(Status) - {Status.CLOSED, Status.ARCHIVED}


class ArchiveReason(StrEnum):
    DUPLICATE = "duplicate"
    TOO_GENERAL = "too_general"
    NOT_PUBLIC_SERVICE = "not_public_service"
    SPAM = "spam"
    INCOMPLETE = "incomplete"


class AgencyKind(StrEnum):
    NATIONAL = "national"  # KemenPAN-RB, the national administrator
    COORDINATOR = "coordinator"  # a regional government's or ministry's Diskominfo
    AGENCY = "agency"  # an instansi that follows complaints up


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reporter(_Model):
    """Who reported: never shown publicly, and hidden from the agency unless the report is public."""

    name: str | None = None
    phone: str | None = None  # E.164, normalised at intake
    email: str | None = None
    # How WhatsApp names the reporter to us: the wa_id (digits), or the business-scoped user ID
    # of someone whose number WhatsApp hides; set only by the WhatsApp channel.
    whatsapp: str | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Reporter:
        if not (self.phone or self.email or self.whatsapp):
            raise ValueError(
                "a phone number, an email or WhatsApp is needed to tell the citizen what happens"
            )
        return self

    @property
    def lookup(self) -> str | None:
        """What finds a reporter's complaints by text (`CEK` without an ID): the number, or for a
        WhatsApp user who hides it, the WhatsApp ID; none for an email-only reporter."""
        if self.phone:
            return self.phone
        return f"whatsapp:{self.whatsapp}" if self.whatsapp else None


class Location(_Model):
    region_code: str | None = None  # Kemendagri code, e.g. 36.03 for Kabupaten Tangerang
    address: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Category(_Model):
    code: str
    name_id: str
    name_en: str


class Agency(_Model):
    id: str
    name: str
    kind: AgencyKind
    parent_id: str | None = None
    region_code: str | None = None
    timezone: str = "Asia/Jakarta"
    categories: tuple[str, ...] = ()
    sms_numbers: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    webhook_url: str | None = None  # public https only (aduan.domain.webhooks, checked at load)
    # Which key signs its webhooks: raised to rotate this agency's key alone (docs/operations.md).
    webhook_key_version: int = Field(default=1, ge=1)


class Role(StrEnum):
    CITIZEN = "citizen"
    OPERATOR = "operator"  # admin penghubung of one agency
    COORDINATOR = "coordinator"  # admin koordinator
    NATIONAL = "national"  # national administrator
    SYSTEM = "system"  # routing, escalation, auto-close


class Actor(_Model):
    """Who acts: a role, and for operators and coordinators the agency they work for."""

    role: Role
    agency_id: str | None = None
    user_id: str | None = None


class AttachmentState(StrEnum):
    PENDING = "pending"  # an upload form was given; its bytes have not been checked yet
    ADDED = "added"  # checked and stored under evidence/
    REJECTED = "rejected"  # refused, with a reason (or never uploaded in time)


class Attachment(_Model):
    """A photo or document on a complaint (`aduan.domain.evidence`): asked for, then added or
    rejected once the attachment worker has read its bytes. Never the file's name: it often holds
    the citizen's own ("KTP_Siti.jpg")."""

    attachment_id: str
    content_type: str  # as declared when the upload was asked for
    size: int = Field(ge=1)  # as declared
    state: AttachmentState = AttachmentState.PENDING
    uploaded_by: Actor  # the citizen, or the operator (with their agency and user ID)
    requested_at: UtcDatetime
    expires_at: UtcDatetime  # the upload form's end: a pending one past it no longer holds a slot
    stored_type: str | None = None  # what the bytes turned out to be, as stored
    stored_size: int | None = None
    width: int | None = None
    height: int | None = None
    has_thumbnail: bool = False
    reason: str | None = None  # why it was rejected


class TimelineEvent(_Model):
    """One entry of a complaint's audit trail, kept forever."""

    at: UtcDatetime
    type: str
    actor: Actor
    from_status: Status | None = None
    to_status: Status | None = None
    public: bool = True
    data: dict[str, Any] = Field(default_factory=dict)


class Complaint(_Model):
    """A laporan, with its lifecycle state."""

    tracking_id: str
    title: str
    description: str
    classification: Classification = Classification.COMPLAINT
    category: str | None = None
    location: Location = Location()
    incident_date: date | None = None
    reporter: Reporter
    privacy: Privacy = Privacy.PUBLIC
    language: Language = Language.ID
    channel: Channel = Channel.WEB
    access_code_hash: str
    status: Status = Status.SUBMITTED
    agency_id: str | None = None  # who holds it now: the agency, or the coordinator triaging it
    coordinator_id: str | None = None  # the coordinator answerable for it (the agency's parent)
    clock: Clock | None = None
    escalation_level: int = Field(default=0, ge=0, le=3)
    ombudsman_flag: bool = False
    rating: int | None = Field(default=None, ge=1, le=5)
    first_response_at: UtcDatetime | None = None  # the first follow-up, for the statistics
    answered_on_time: bool | None = None  # whether that follow-up met its deadline
    # A response deadline an agency let pass before returning it: the next agency's answer is
    # measured against it too, so a return never erases a breach from the statistics.
    breached_response_due: UtcDatetime | None = None
    # The citizen's messages on it today (a Jakarta date), so that no one fills its timeline.
    citizen_messages_on: str | None = None
    citizen_messages: int = Field(default=0, ge=0)
    # The upload forms the citizen asked for on it today (a Jakarta date): a rejected file frees its
    # slot, so without a cap a loop of forms and garbage would keep the attachment worker busy.
    upload_forms_on: str | None = None
    upload_forms: int = Field(default=0, ge=0)
    # Photos and documents, in the order they were asked for (an item written before has none).
    attachments: tuple[Attachment, ...] = ()
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int = Field(default=0, ge=0)


class ComplaintSummary(BaseModel):
    """A row of an agency's inbox: what the inbox index carries, no reporter identity."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    tracking_id: str
    title: str
    category: str | None = None
    status: Status
    agency_id: str | None = None
    privacy: Privacy
    clock: Clock | None = None
    escalation_level: int = 0
    rating: int | None = None
    first_response_at: UtcDatetime | None = None
    answered_on_time: bool | None = None
    created_at: UtcDatetime
    version: int


class FiledComplaint(BaseModel):
    """What the statistics count of a complaint: read from the inbox index with only these
    attributes projected, since a month of a regency is thousands of rows."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    status: Status
    agency_id: str | None = None
    category: str | None = None
    escalation_level: int = 0
    rating: int | None = None
    first_response_at: UtcDatetime | None = None
    answered_on_time: bool | None = None
    created_at: UtcDatetime
