"""Evidence on a complaint (DESIGN §4.1): how many attachments it may hold, what an upload request
may ask for, where each file lives in the bucket, and who may add one.

A file goes through two prefixes. The upload form puts it at `quarantine/<tracking_id>/<id>`,
which nothing but the attachment worker reads; the worker stores what it re-encoded at
`evidence/<tracking_id>/<id>` (and a thumbnail beside it) and deletes the original. A key is
parsed back only if it is exactly of that form: anything else in an S3 event is ignored.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from aduan.domain import free_text, tracking
from aduan.domain.allowance import one_more_today
from aduan.domain.errors import InvalidTransition, ValidationFailed
from aduan.domain.models import Actor, Attachment, AttachmentState, Complaint, Role, Status
from aduan.domain.ports import EvidenceBucket

# What Aduan takes (DESIGN §4.1), here rather than in `aduan.domain.files` (which checks the bytes
# against these and imports them): files.py loads Pillow at import, which the HTTP doors that
# check a request must not pay for at cold start.
ALLOWED_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf")
MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
# Upload forms a citizen may ask for on one complaint in one day (Jakarta's): five files and as
# many second tries (a form left unused, a photo refused). Operators sign in and are audited.
CITIZEN_FORMS_PER_DAY = 10
UPLOAD_WINDOW = timedelta(minutes=15)  # how long an upload form is valid
# How long a pending attachment past its form's end is kept for an event that comes late (an upload
# made in time, a queue behind): an hour of forms is at most twenty entries on the item.
LATE_GRACE = timedelta(hours=1)
LINK_SECONDS = 300  # how long a link to a stored file is valid
MAX_FILENAME = 255

QUARANTINE = "quarantine/"
EVIDENCE = "evidence/"
THUMBNAIL_SUFFIX = ".thumb.jpg"

_ID = re.compile(r"[0-9a-f]{16}")
_QUARANTINE_KEY = re.compile(r"quarantine/([^/]{1,20})/([^/]{1,20})")


def _allowed_type(value: str) -> str:
    if value not in ALLOWED_TYPES:
        raise PydanticCustomError(
            "attachment_type", "not a type Aduan takes", {"expected": ", ".join(sorted(ALLOWED_TYPES))}
        )
    return value


def _allowed_size(value: int) -> int:
    if value > MAX_BYTES:
        raise PydanticCustomError(
            "attachment_too_large", "the file is too large", {"limit": MAX_BYTES // (1024 * 1024)}
        )
    return value


class AttachmentRequest(BaseModel):
    """What a client says of a file before uploading it. The file name is checked (a name the
    citizen's own device gave) and never stored: it often holds the citizen's name."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    filename: Annotated[str, Field(min_length=1, max_length=MAX_FILENAME), free_text.one_line(1)]
    # The limits are checked by validators that name them in the reader's words; the schema says
    # them too, for clients and the fuzzers that read docs/openapi.json.
    content_type: Annotated[
        str, Field(json_schema_extra={"enum": list(ALLOWED_TYPES)}), AfterValidator(_allowed_type)
    ]
    size: Annotated[int, Field(ge=1, json_schema_extra={"maximum": MAX_BYTES}), AfterValidator(_allowed_size)]


# -- where a file lives ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadKey:
    """A quarantine key parsed back: whose complaint, which attachment."""

    tracking_id: str
    attachment_id: str


def new_attachment_id() -> str:
    """16 random lowercase hex digits: unguessable, and safe in a key and a URL."""
    return secrets.token_hex(8)


def quarantine_key(tracking_id: str, attachment_id: str) -> str:
    return f"{QUARANTINE}{tracking_id}/{attachment_id}"


def evidence_key(tracking_id: str, attachment_id: str) -> str:
    return f"{EVIDENCE}{tracking_id}/{attachment_id}"


def thumbnail_key(tracking_id: str, attachment_id: str) -> str:
    return f"{EVIDENCE}{tracking_id}/{attachment_id}{THUMBNAIL_SUFFIX}"


def parse_upload_key(key: str) -> UploadKey | None:
    """The complaint and attachment of a quarantine key, or None for any other key (a crafted
    one, another prefix, a tracking ID with a wrong check symbol): never an error."""
    found = _QUARANTINE_KEY.fullmatch(key)
    if found is None:
        return None
    tracking_id, attachment_id = found.groups()
    if tracking.problem(tracking_id) is not None or tracking.canonical_form(tracking_id) != tracking_id:
        return None
    if not _ID.fullmatch(attachment_id):
        return None
    return UploadKey(tracking_id, attachment_id)


# -- how many, and who ---------------------------------------------------------------------------


def holds_a_slot(attachment: Attachment, now: datetime) -> bool:
    """Added ones, and pending ones whose upload form is still valid; a rejected one, or a pending
    one past its form's end, frees its slot."""
    if attachment.state is AttachmentState.ADDED:
        return True
    return attachment.state is AttachmentState.PENDING and attachment.expires_at > now


def slots_taken(attachments: Iterable[Attachment], now: datetime) -> int:
    return sum(1 for attachment in attachments if holds_a_slot(attachment, now))


def check_room(complaint: Complaint, now: datetime) -> None:
    """ValidationFailed (naming `attachments`) when the complaint holds its five already."""
    if slots_taken(complaint.attachments, now) >= MAX_ATTACHMENTS:
        raise ValidationFailed([("attachments", "too_many_attachments", {"limit": MAX_ATTACHMENTS})])


def counted_form(complaint: Complaint, actor: Actor, now: datetime) -> dict[str, Any]:
    """The changes that count one more of the citizen's forms today (none for staff); RateLimited,
    naming `attachments`, past today's cap."""
    if actor.role is not Role.CITIZEN:
        return {}
    day, asked = one_more_today(
        complaint.upload_forms_on,
        complaint.upload_forms,
        CITIZEN_FORMS_PER_DAY,
        "upload_forms",
        "attachments",
        now,
    )
    return {"upload_forms_on": day, "upload_forms": asked}


def check_open_to_evidence(complaint: Complaint) -> None:
    """An archived complaint (spam, a duplicate...) takes no more files: 409, as any action its
    status does not allow."""
    if complaint.status is Status.ARCHIVED:
        raise InvalidTransition(
            "an archived complaint takes no attachments", action="attach", status=complaint.status.value
        )


def kept(attachments: Iterable[Attachment], now: datetime) -> tuple[Attachment, ...]:
    """The attachments a complaint keeps when it takes a new one: rejected ones (their story is in
    the timeline) and pending ones an hour past their form's end are dropped, so that asking again
    and again cannot grow the item without bound. An upload whose event comes later still is
    deleted unrecorded."""
    return tuple(
        attachment
        for attachment in attachments
        if attachment.state is AttachmentState.ADDED
        or (attachment.state is AttachmentState.PENDING and attachment.expires_at + LATE_GRACE > now)
    )


def pending(complaint: Complaint, attachment_id: str) -> Attachment | None:
    """The attachment if it is still waiting for its bytes; None if it is added, rejected or gone."""
    for attachment in complaint.attachments:
        if attachment.attachment_id == attachment_id:
            return attachment if attachment.state is AttachmentState.PENDING else None
    return None


def late_without_room(complaint: Complaint, attachment: Attachment, now: datetime) -> bool:
    """A pending attachment whose form's end passed before its bytes were read (a late event, its
    upload made in time): it is still added unless its slot has been given to another meanwhile
    (then it is rejected as `expired`)."""
    if attachment.expires_at > now:
        return False
    others = [a for a in complaint.attachments if a.attachment_id != attachment.attachment_id]
    return slots_taken(others, now) >= MAX_ATTACHMENTS


def added(complaint: Complaint) -> list[Attachment]:
    """The attachments that may be shown: checked and stored."""
    return [a for a in complaint.attachments if a.state is AttachmentState.ADDED]


def links(
    bucket: EvidenceBucket | Callable[[], EvidenceBucket], tracking_id: str
) -> Callable[[Attachment], tuple[str, str | None]]:
    """What a view calls for each stored attachment: presigned GETs of the file and its thumbnail
    (None for a PDF), valid five minutes. `bucket` may be the accessor that builds it: it is
    built only when a view lists a stored attachment."""

    def link(attachment: Attachment) -> tuple[str, str | None]:
        built = bucket() if callable(bucket) else bucket
        url = built.link(evidence_key(tracking_id, attachment.attachment_id), LINK_SECONDS)
        thumbnail = (
            built.link(thumbnail_key(tracking_id, attachment.attachment_id), LINK_SECONDS)
            if attachment.has_thumbnail
            else None
        )
        return url, thumbnail

    return link
