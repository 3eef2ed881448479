"""Intake: a citizen's report becomes a complaint that is never lost.

The complaint, its first timeline event and (with an Idempotency-Key) the idempotency record are
written in one conditional transaction before the 201; only then is the routing message sent.
If that send fails the citizen still gets the 201: the complaint carries a due time ten minutes
on, and the escalation check's sweeper sends it to routing again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from aduan.domain import free_text
from aduan.domain.allowance import FIELDS, Allowance, Quota, retry_after
from aduan.domain.deadlines import ROUTING_GRACE, ClockKind, start_clock
from aduan.domain.destinations import DEFAULT_COUNTRY_CODES, phone_problem
from aduan.domain.effects import agency_calendar
from aduan.domain.errors import Conflict, IdempotencyMismatch, RateLimited, ValidationFailed
from aduan.domain.models import (
    Actor,
    Channel,
    Classification,
    Complaint,
    Language,
    Location,
    Privacy,
    Reporter,
    Role,
    TimelineEvent,
)
from aduan.domain.ports import ComplaintRepository, Idempotency, IntakeReference, MessageQueue
from aduan.domain.tracking import (
    access_code_hash,
    new_access_code,
    new_tracking_id,
    seal_access_code,
    unseal_access_code,
)
from aduan.domain.workdays import WIT, WorkCalendar

IDEMPOTENCY_TTL = timedelta(hours=24)

Text = Annotated[str, StringConstraints(strip_whitespace=True)]


def normalise_phone(text: str) -> str:
    """An Indonesian phone number in E.164 (+62...), from the ways people write it."""
    import phonenumbers  # deferred: only reports with a phone number need it

    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("62"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PydanticCustomError("invalid_phone", "not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str:
    """An address that one mailbox receives, checked by email-validator's reading of the RFCs: no
    query (`?bcc=`), display name, quoted local part, IP literal or reserved domain, and an ASCII
    local part (SES takes no SMTPUTF8); lower case, its domain in ASCII."""
    # Deferred: email-validator costs ~30 ms at import, and only reports with an email need it.
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise PydanticCustomError("invalid_email", "not a valid email address") from None
    return checked.ascii_email.lower() if checked.ascii_email else checked.normalized.lower()


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReporterInput(_Input):
    name: Annotated[Text, Field(max_length=100), free_text.one_line()] | None = None
    phone: Annotated[Text, Field(max_length=32)] | None = None
    email: Annotated[Text, Field(max_length=254)] | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalise_phone(value) if value else None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value) if value else None

    @model_validator(mode="after")
    def _reachable(self, info: ValidationInfo) -> ReporterInput:
        # A report by WhatsApp reaches its reporter there, number shown or not (`submit_complaint`).
        if not (self.phone or self.email or (info.context or {}).get("whatsapp")):
            raise PydanticCustomError("contact_required", "a phone number or an email is needed")
        return self


class LocationInput(_Input):
    region_code: Annotated[Text, Field(pattern=r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")] | None = None
    address: Annotated[Text, Field(max_length=500), free_text.one_line()] | None = None
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None


class ComplaintInput(_Input):
    """A report as the web form (or an SMS, or Open311) sends it."""

    # Free text: no control or bidi characters, and invisible ones do not count (domain/free_text.py).
    title: Annotated[Text, Field(min_length=10, max_length=150), free_text.one_line(min_visible=10)]
    description: Annotated[Text, Field(min_length=30, max_length=4000), free_text.paragraphs(min_visible=30)]
    classification: Classification = Classification.COMPLAINT
    category: Annotated[Text, Field(max_length=40)] | None = None
    location: LocationInput = LocationInput()
    incident_date: date | None = None
    reporter: ReporterInput
    privacy: Privacy = Privacy.PUBLIC
    language: Language = Language.ID

    @field_validator("incident_date")
    @classmethod
    def _not_in_future(cls, value: date | None, info: ValidationInfo) -> date | None:
        # "Today" is the latest today anywhere in Indonesia (WIT), so nobody is refused for today.
        now = (info.context or {}).get("now") or datetime.now(UTC)
        if value and value > WorkCalendar(WIT).local_date(now):
            raise PydanticCustomError("date_future", "the incident date is in the future")
        return value


@dataclass(frozen=True)
class Receipt:
    """What the citizen gets back: the tracking ID and, once, the secret access code."""

    tracking_id: str
    access_code: str
    status: str
    created_at: str
    replayed: bool = False

    def public(self) -> dict[str, Any]:
        from aduan.domain.tracking import display_form

        return {
            "tracking_id": self.tracking_id,
            "tracking_id_display": display_form(self.tracking_id),
            "access_code": self.access_code,
            "status": self.status,
            "created_at": self.created_at,
        }


def request_fingerprint(document: Any) -> str:
    """A stable hash of a request body, to tell a retry from a different request under one key."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


def submit_complaint(
    data: ComplaintInput,
    *,
    channel: Channel,
    now: datetime,
    reference: IntakeReference,
    complaints: ComplaintRepository,
    routing: MessageQueue,
    notifications: MessageQueue,
    access_key: bytes,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    destinations: Sequence[str] = DEFAULT_COUNTRY_CODES,
    allowance: Allowance | None = None,
    client: str | None = None,
    whatsapp: str | None = None,
) -> Receipt:
    """Accept a report durably, hand it to routing and acknowledge it to the citizen (with the
    tracking ID and the access code); a retried key returns the first receipt, and sends nothing.
    The reporter's phone must be one Aduan may text (`destinations`: country codes); with an
    `allowance`, the complaint counts against its phone's, email's and `client`'s day, and is
    refused (RateLimited) when one of them is used up. `access_key` is the pepper the access code
    is hashed under (and its copy in the idempotency record sealed with). `whatsapp`: the
    reporter's WhatsApp ID, for a report that came by WhatsApp (never from a client's body)."""
    _check_reference(data, reference, destinations)
    quotas = (
        allowance.quotas(phone=data.reporter.phone, email=data.reporter.email, client=client, now=now)
        if allowance
        else []
    )
    # No read first: the key's record is part of the creating transaction, so a retry costs one
    # failed conditional write and one read, and a first submission costs nothing extra.
    from aduan.domain.notifications import for_citizen

    for _attempt in range(3):  # a fresh tracking ID collides about once in 10^13
        receipt, complaint, event = _new_complaint(data, channel, now, reference, access_key, whatsapp)
        record = None
        if idempotency_key:
            # A retry gets the first receipt, code included; the record keeps the code sealed.
            sealed = seal_access_code(receipt.access_code, access_key, idempotency_key)
            answer = {**receipt.public(), "access_code": sealed}
            record = Idempotency(idempotency_key, fingerprint, answer, now + IDEMPOTENCY_TTL)
        cause = f"received:{complaint.tracking_id}"
        received = for_citizen(
            complaint, "received", cause, access_code=receipt.access_code, privacy=complaint.privacy.value
        )
        acknowledgement = received.model_dump(mode="json")
        try:
            complaints.create(
                complaint,
                event,
                next_due_at=now + ROUTING_GRACE,
                idempotency=record,
                outbox=[acknowledgement],
                quotas=quotas,
            )
            break
        except Conflict as conflict:
            if conflict.details.get("item") == "quota":
                replayed = complaints.idempotent_response(idempotency_key) if idempotency_key else None
                if replayed is not None:  # a replay counts nothing, even once the day is used up
                    return _replay(replayed, fingerprint, access_key)
                raise _used_up(str(conflict.details.get("subject")), quotas, now) from conflict
            if conflict.details.get("item") != "complaint" and idempotency_key:
                return _replay_after_race(complaints, idempotency_key, fingerprint, access_key)
            if conflict.details.get("item") != "complaint":
                raise
    else:  # pragma: no cover - three collisions in a row
        raise Conflict("could not issue a tracking ID")
    # Accepted is accepted: the acknowledgement is also in the complaint's outbox. If its send
    # fails, the routing message asks routing to send the outbox again; if that send fails too,
    # the sweeper re-sends the routing message (with the same request) after ROUTING_GRACE.
    acknowledged = _send_or_log(notifications, acknowledgement, complaint)
    routing_message: dict[str, Any] = {"type": "complaint.submitted", "tracking_id": complaint.tracking_id}
    if not acknowledged:
        routing_message["outbox"] = True
    _send_or_log(routing, routing_message, complaint)
    return receipt


def _send_or_log(queue: MessageQueue, message: dict[str, Any], complaint: Complaint) -> bool:
    try:
        queue.send(message)
    except Exception:
        from aduan.observability import logger

        logger.warning(
            "message not sent",
            extra={"tracking_id": complaint.tracking_id, "type": message.get("type", "notification")},
        )
        return False
    return True


def _check_reference(data: ComplaintInput, reference: IntakeReference, destinations: Sequence[str]) -> None:
    problems: list[tuple[str, str, dict[str, Any]]] = []
    phone = data.reporter.phone and phone_problem(data.reporter.phone, destinations)
    if phone:  # a number Aduan must not text (premium, satellite, another country, a landline)
        problems.append(
            ("reporter.phone", phone, {"allowed": ", ".join(f"+{code}" for code in destinations)})
        )
    if data.category and not reference.category_exists(data.category):
        problems.append(("category", "unknown_category", {}))
    if data.location.region_code and not reference.region_exists(data.location.region_code):
        problems.append(("location.region_code", "unknown_region", {}))
    if problems:
        raise ValidationFailed(problems)


def _used_up(subject: str, quotas: Sequence[Quota], now: datetime) -> RateLimited:
    limit = next((quota.limit for quota in quotas if quota.subject == subject), 0)
    return RateLimited(subject, limit, retry_after(now), field=FIELDS.get(subject))


def _new_complaint(
    data: ComplaintInput,
    channel: Channel,
    now: datetime,
    reference: IntakeReference,
    access_key: bytes,
    whatsapp: str | None,
) -> tuple[Receipt, Complaint, TimelineEvent]:
    tracking_id = new_tracking_id()
    access_code = new_access_code()
    calendar = agency_calendar(None, data.location.region_code, reference)  # no agency holds it yet
    complaint = Complaint(
        tracking_id=tracking_id,
        title=data.title,
        description=data.description,
        classification=data.classification,
        category=data.category,
        location=Location(**data.location.model_dump()),
        incident_date=data.incident_date,
        reporter=Reporter(**data.reporter.model_dump(), whatsapp=whatsapp),
        privacy=data.privacy,
        language=data.language,
        channel=channel,
        access_code_hash=access_code_hash(tracking_id, access_code, access_key),
        clock=start_clock(ClockKind.VERIFICATION, now, calendar),
        created_at=now,
        updated_at=now,
    )
    event = TimelineEvent(
        at=now,
        type="submitted",
        actor=Actor(role=Role.CITIZEN),
        to_status=complaint.status,
        data={"channel": channel},
    )
    receipt = Receipt(tracking_id, access_code, complaint.status.value, complaint.created_at.isoformat())
    return receipt, complaint, event


def _replay(record: Idempotency, fingerprint: str, access_key: bytes) -> Receipt:
    if record.fingerprint and fingerprint and record.fingerprint != fingerprint:
        raise IdempotencyMismatch("this Idempotency-Key was used for a different report")
    response = record.response
    return Receipt(
        response["tracking_id"],
        unseal_access_code(response["access_code"], access_key, record.key),
        response["status"],
        response["created_at"],
        replayed=True,
    )


def _replay_after_race(
    complaints: ComplaintRepository, key: str, fingerprint: str, access_key: bytes
) -> Receipt:
    """The other request with this key won the race: answer with what it answered."""
    import time

    for pause in (0.0, 0.05, 0.1, 0.2, 0.4):
        time.sleep(pause)
        record = complaints.idempotent_response(key)
        if record is not None:
            return _replay(record, fingerprint, access_key)
    raise Conflict("a request with this Idempotency-Key is still being processed; retry")
