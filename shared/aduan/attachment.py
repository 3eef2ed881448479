"""Evidence on a complaint (DESIGN §4.1): an upload form for the citizen (with the access code) or
an operator in scope, and the attachment worker's check of each uploaded file.

The conditional write is the gate. Asking for a form appends a pending attachment in one write on
the version read; checking a file moves it from pending to added or rejected in one write with its
timeline event. A redelivered S3 event, two workers on one file, or a worker killed between
storing the result and deleting the original all find it no longer pending: they delete the
original and stop, so each upload ends in exactly one `attachment_added` or
`attachment_rejected`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aduan.changes import save_change
from aduan.domain import evidence
from aduan.domain.errors import Conflict, Forbidden, NotFound
from aduan.domain.lifecycle import in_scope
from aduan.domain.models import Actor, Attachment, AttachmentState, Complaint, Role, TimelineEvent
from aduan.domain.ports import Calendars, ComplaintRepository, EvidenceBucket
from aduan.domain.tracking import access_code_matches, parse_tracking_id

if TYPE_CHECKING:
    from aduan.domain.files import Stored

# Writes tried before the caller is told to try again (409), or the record comes back. Each lost
# write means another won, so k requests at once on one complaint all get through within k tries:
# six covers a file for each of its five slots arriving at once with a record of the worker's.
ATTEMPTS = 6
UPLOADERS = frozenset({Role.CITIZEN, Role.OPERATOR, Role.COORDINATOR, Role.NATIONAL})


def request_upload(
    text_id: str,
    request: evidence.AttachmentRequest,
    actor: Actor,
    *,
    complaints: ComplaintRepository,
    reference: Calendars,
    bucket: EvidenceBucket,
    now: datetime,
    access_code: str | None = None,
    access_key: bytes | Callable[[], bytes] = b"",
) -> dict[str, Any]:
    """An upload form for one more file: `{"attachment_id", "upload": {"url", "fields"},
    "expires_at"}`. A citizen proves it is the reporter with the access code (checked under the
    pepper `access_key`); a missing or wrong code, like a complaint outside an operator's scope,
    is NotFound. A sixth file is ValidationFailed naming `attachments`, a citizen's eleventh form
    of the day RateLimited naming it; an archived complaint is InvalidTransition."""
    tracking_id = parse_tracking_id(text_id)
    attachment_id = evidence.new_attachment_id()
    attachment = _add_pending(
        tracking_id,
        attachment_id,
        request.content_type,
        request.size,
        actor,
        lambda complaint: _authorise(complaint, actor, access_code, access_key),
        complaints=complaints,
        reference=reference,
        now=now,
    )
    # The policy takes no more than the size declared: a larger file is S3's to refuse.
    form = bucket.upload_form(
        evidence.quarantine_key(tracking_id, attachment_id),
        request.content_type,
        request.size,
        int(evidence.UPLOAD_WINDOW.total_seconds()),
    )
    return {"attachment_id": attachment_id, "upload": form, "expires_at": attachment.expires_at}


def receive_file(
    tracking_id: str,
    body: bytes,
    content_type: str,
    *,
    attachment_id: str,
    complaints: ComplaintRepository,
    reference: Calendars,
    bucket: EvidenceBucket,
    now: datetime,
) -> str:
    """A file the reporter sent another way than a form (a WhatsApp photo): a pending attachment,
    then the bytes in quarantine, where the attachment worker checks them as it checks an upload.
    `attachment_id` is fixed by the message, so a redelivery adds nothing twice; the caller has
    kept to `evidence.ALLOWED_TYPES` and `MAX_BYTES`. `queued`, or `done_before` once the worker
    has settled it; the errors of `request_upload`."""
    actor = Actor(role=Role.CITIZEN)
    complaint = complaints.get(tracking_id)
    known = next((a for a in complaint.attachments if a.attachment_id == attachment_id), None)
    if known is not None and known.state is not AttachmentState.PENDING:
        return "done_before"
    if known is None:
        _add_pending(
            tracking_id,
            attachment_id,
            content_type,
            len(body),
            actor,
            lambda _: None,  # the caller knows it is the reporter (their WhatsApp ID)
            complaints=complaints,
            reference=reference,
            now=now,
        )
    bucket.store(evidence.quarantine_key(tracking_id, attachment_id), body, content_type)
    return "queued"


def _add_pending(
    tracking_id: str,
    attachment_id: str,
    content_type: str,
    size: int,
    actor: Actor,
    authorise: Callable[[Complaint], None],
    *,
    complaints: ComplaintRepository,
    reference: Calendars,
    now: datetime,
) -> Attachment:
    """One write on the version read: a pending attachment, and the citizen's count of the day."""
    for _attempt in range(ATTEMPTS):
        complaint = complaints.get(tracking_id)
        authorise(complaint)
        evidence.check_open_to_evidence(complaint)
        evidence.check_room(complaint, now)
        counted = evidence.counted_form(complaint, actor, now)
        attachment = Attachment(
            attachment_id=attachment_id,
            content_type=content_type,
            size=size,
            uploaded_by=actor,
            requested_at=now,
            expires_at=now + evidence.UPLOAD_WINDOW,
        )
        attachments = (*evidence.kept(complaint.attachments, now), attachment)
        try:
            save_change(
                complaint.model_copy(update={"attachments": attachments, **counted}),
                [],
                complaints=complaints,
                reference=reference,
            )
        except Conflict as conflict:
            if conflict.details.get("item") != "complaint":
                raise
            continue  # changed meanwhile (another file, an operator's action): count again
        return attachment
    raise Conflict("the complaint kept changing; ask again", item="complaint")


def _authorise(
    complaint: Complaint, actor: Actor, access_code: str | None, access_key: bytes | Callable[[], bytes]
) -> None:
    if actor.role not in UPLOADERS:
        raise Forbidden(f"a {actor.role} adds no attachments")
    if actor.role is Role.CITIZEN:
        key = access_key() if callable(access_key) else access_key
        if not access_code or not access_code_matches(
            complaint.tracking_id, access_code, complaint.access_code_hash, key
        ):
            raise NotFound("no complaint with this tracking ID")
    elif not in_scope(actor, complaint):
        raise NotFound("no complaint with this tracking ID")


# -- the attachment worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Processed:
    """What became of one uploaded object: `added`, `rejected`, `done_before` (a redelivery),
    `unknown` (no such complaint or attachment: the object is deleted) or `ignored` (not a
    quarantine key of Aduan's: left alone)."""

    outcome: str
    tracking_id: str | None = None
    attachment_id: str | None = None
    reason: str | None = None


def process_upload(
    key: str,
    size: int,
    *,
    complaints: ComplaintRepository,
    reference: Calendars,
    bucket: EvidenceBucket,
    now: datetime,
) -> Processed:
    """Check one uploaded object (S3's `key` and `size`), store what may be kept, record the
    outcome once, and delete the original."""
    upload = evidence.parse_upload_key(key)
    if upload is None:
        return Processed("ignored")
    tracking_id, attachment_id = upload.tracking_id, upload.attachment_id
    try:
        complaint = complaints.get(tracking_id)
    except NotFound:
        bucket.discard(key)
        return Processed("unknown", tracking_id, attachment_id)
    attachment = evidence.pending(complaint, attachment_id)
    if attachment is None:
        bucket.discard(key)
        known = any(a.attachment_id == attachment_id for a in complaint.attachments)
        return Processed("done_before" if known else "unknown", tracking_id, attachment_id)
    outcome = _examined(key, size, complaint, attachment, bucket, now)
    stored = outcome.stored
    if stored is not None:
        bucket.store(evidence.evidence_key(tracking_id, attachment_id), stored.body, stored.content_type)
        if stored.thumbnail is not None:
            bucket.store(evidence.thumbnail_key(tracking_id, attachment_id), stored.thumbnail, "image/jpeg")
    processed = _record(
        complaint, attachment_id, outcome, complaints=complaints, reference=reference, now=now
    )
    bucket.discard(key)  # after the write: a worker killed before it leaves the original to the retry
    return processed


@dataclass(frozen=True)
class _Outcome:
    """The verdict on an upload: what is kept of it, or why it is refused."""

    stored: Stored | None = None
    reason: str | None = None

    @property
    def state(self) -> AttachmentState:
        return AttachmentState.ADDED if self.stored is not None else AttachmentState.REJECTED


def _examined(
    key: str, size: int, complaint: Complaint, attachment: Attachment, bucket: EvidenceBucket, now: datetime
) -> _Outcome:
    """The verdict on the object's bytes (read no further than one byte past the limit)."""
    from aduan.domain.files import Refused, examine  # Pillow: loaded by the worker only

    if evidence.late_without_room(complaint, attachment, now):
        return _Outcome(reason="expired")
    if size > evidence.MAX_BYTES:  # S3's policy refuses it; never read what is too large
        return _Outcome(reason="too_large")
    body = bucket.read(key, evidence.MAX_BYTES + 1)
    if body is None:
        return _Outcome(reason="missing")
    verdict = examine(body, attachment.content_type)
    if isinstance(verdict, Refused):
        return _Outcome(reason=verdict.reason)
    return _Outcome(stored=verdict)


def _record(
    complaint: Complaint,
    attachment_id: str,
    outcome: _Outcome,
    *,
    complaints: ComplaintRepository,
    reference: Calendars,
    now: datetime,
) -> Processed:
    """One write: the attachment added or rejected, with its timeline event, if it is still pending."""
    tracking_id = complaint.tracking_id
    for _attempt in range(ATTEMPTS):
        attachment = evidence.pending(complaint, attachment_id)
        if attachment is None:  # another delivery of this object got there first
            return Processed("done_before", tracking_id, attachment_id)
        settled, event = _settled(complaint, attachment, outcome, now)
        attachments = tuple(settled if a.attachment_id == attachment_id else a for a in complaint.attachments)
        try:
            save_change(
                complaint.model_copy(update={"attachments": attachments, "updated_at": now}),
                [event],
                complaints=complaints,
                reference=reference,
            )
        except Conflict as conflict:
            if conflict.details.get("item") != "complaint":
                raise
            complaint = complaints.get(tracking_id)
            continue
        return Processed(outcome.state.value, tracking_id, attachment_id, outcome.reason)
    raise Conflict("the complaint kept changing; the event comes back", item="complaint")


def _settled(
    complaint: Complaint, attachment: Attachment, outcome: _Outcome, now: datetime
) -> tuple[Attachment, TimelineEvent]:
    stored = outcome.stored
    if stored is not None:
        changes: dict[str, Any] = {
            "state": AttachmentState.ADDED,
            "stored_type": stored.content_type,
            "stored_size": len(stored.body),
            "width": stored.width,
            "height": stored.height,
            "has_thumbnail": stored.thumbnail is not None,
        }
        data: dict[str, Any] = {
            "attachment_id": attachment.attachment_id,
            "content_type": stored.content_type,
        }
        kind = "attachment_added"
    else:
        changes = {"state": AttachmentState.REJECTED, "reason": outcome.reason}
        data = {"attachment_id": attachment.attachment_id, "reason": outcome.reason}
        kind = "attachment_rejected"
    event = TimelineEvent(
        at=now,
        type=kind,
        actor=attachment.uploaded_by,
        from_status=complaint.status,
        to_status=complaint.status,
        data=data,
    )
    return attachment.model_copy(update=changes), event
