"""What a citizen does after reporting: track the complaint, and reply on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aduan.changes import save_change, write_change
from aduan.domain import effects, evidence, privacy
from aduan.domain.errors import Conflict, NotFound, ValidationFailed
from aduan.domain.lifecycle import Action, apply
from aduan.domain.models import Actor, Complaint, Language, Privacy, Role, Status
from aduan.domain.ports import (
    Calendars,
    ComplaintRepository,
    EvidenceBucket,
    Idempotency,
    MessageQueue,
    Names,
)
from aduan.domain.tracking import access_code_matches, parse_tracking_id
from aduan.domain.views import public_view

if TYPE_CHECKING:
    from aduan.domain.reference import ReferenceData as Reference


def track_complaint(
    text: str,
    access_code: str | None,
    *,
    complaints: ComplaintRepository,
    names: Names,
    language: Language,
    access_key: bytes | Callable[[], bytes],
    timeline_before: str | None = None,
    bucket: EvidenceBucket | Callable[[], EvidenceBucket] | None = None,
) -> dict[str, Any]:
    """The public view of a complaint, with its newest events (older ones: `timeline_before`). A
    confidential one without its access code is NotFound, indistinguishable from a tracking ID that
    does not exist. `access_key` is the codes' pepper (a callable is called only when a code is
    presented: a public read fetches no secret). With the code, the attachments come with links
    from `bucket` (or the accessor that builds it, called only then); without, only their count."""
    tracking_id = parse_tracking_id(text)
    complaint, timeline, earlier = complaints.get_with_recent_timeline(tracking_id, timeline_before)
    with_code = bool(access_code) and access_code_matches(
        tracking_id,
        access_code or "",
        complaint.access_code_hash,
        access_key() if callable(access_key) else access_key,
    )
    if complaint.privacy is Privacy.CONFIDENTIAL and not with_code:
        raise NotFound("no complaint with this tracking ID")
    links = evidence.links(bucket, tracking_id) if with_code and bucket is not None else None
    view = public_view(complaint, timeline, names, language, with_access_code=with_code, links=links)
    return view | {"timeline_before": earlier}


class CitizenReply(BaseModel):
    """A citizen's message on their complaint (the web's reply form or `BALAS` by SMS)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=2000)


def reply_as_citizen(
    reply: CitizenReply,
    complaint: Complaint,
    *,
    complaints: ComplaintRepository,
    now: datetime,
    reference: Calendars,
    idempotency: Idempotency | None = None,
) -> Complaint:
    """Record the citizen's message: it answers an information request (and restarts the paused
    clock with the time that was left) or is a comment on the complaint."""
    for _attempt in range(3):
        action = Action.PROVIDE_INFO if complaint.status is Status.WAITING_ON_CITIZEN else Action.COMMENT
        effect = effects.citizen_message(complaint, reply.text, reference, now)
        changed, event = apply(
            complaint, action, Actor(role=Role.CITIZEN), now, changes=effect.changes, data=effect.data
        )
        try:
            return save_change(
                changed, [event], complaints=complaints, reference=reference, idempotency=idempotency
            )
        except Conflict as conflict:
            if conflict.details.get("item") != "complaint":
                raise  # this very message was recorded already: the caller answers as before
            # Routing or an operator changed it meanwhile: the reply still belongs on it.
            complaint = complaints.get(complaint.tracking_id)
    raise Conflict("the complaint kept changing; send the reply again")


def raise_privacy(
    tracking_id: str,
    requested: Privacy,
    *,
    complaints: ComplaintRepository,
    reference: Calendars,
    now: datetime,
    idempotency: Idempotency | None = None,
) -> Complaint:
    """Hide more of a complaint at its reporter's request (the caller identified the reporter):
    only ever a raise, within its window (`aduan.domain.privacy`), else PrivacyNotRaised."""
    for _attempt in range(3):
        complaint, timeline = complaints.get_with_timeline(tracking_id)
        privacy.check_raise(complaint, timeline, requested, now)
        changed, event = apply(
            complaint,
            Action.RAISE_PRIVACY,
            Actor(role=Role.CITIZEN),
            now,
            changes={"privacy": requested},
            data={"from": complaint.privacy.value, "to": requested.value},
        )
        try:
            return save_change(
                changed, [event], complaints=complaints, reference=reference, idempotency=idempotency
            )
        except Conflict as conflict:
            if conflict.details.get("item") != "complaint":
                raise
            # Changed meanwhile (an operator's first action may have closed the window): look again.
    raise Conflict("the complaint kept changing; send it again")


class FollowUp(BaseModel):
    """What a citizen posts on their complaint with the access code: a reply, a reopen ("it is
    not solved"), or a rating of the response."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["reply", "reopen", "rate"] = "reply"
    text: str | None = Field(default=None, min_length=1, max_length=2000)
    rating: int | None = Field(default=None, ge=1, le=5)


def follow_up(
    text_id: str,
    access_code: str | None,
    request: FollowUp,
    *,
    complaints: ComplaintRepository,
    reference: Reference,
    notifications: MessageQueue,
    now: datetime,
    access_key: bytes,
) -> Complaint:
    """A citizen's reply, reopen or rating; the access code (checked under the pepper
    `access_key`) is what proves it is the reporter."""
    tracking_id = parse_tracking_id(text_id)
    complaint = complaints.get(tracking_id)
    if not access_code or not access_code_matches(
        tracking_id, access_code, complaint.access_code_hash, access_key
    ):
        raise NotFound("no complaint with this tracking ID")
    return act_as_citizen(
        request, complaint, complaints=complaints, reference=reference, notifications=notifications, now=now
    )


def act_as_citizen(
    request: FollowUp,
    complaint: Complaint,
    *,
    complaints: ComplaintRepository,
    reference: Reference,
    notifications: MessageQueue,
    now: datetime,
    idempotency: Idempotency | None = None,
) -> Complaint:
    """Apply a follow-up from a citizen already identified (access code, or the reporter's phone);
    with `idempotency`, its record is written with the change (Conflict `idempotency` when the
    same request was applied already)."""
    if request.kind == "reply":
        if not request.text:
            raise ValidationFailed([("text", "missing", {})])
        return reply_as_citizen(
            CitizenReply(text=request.text),
            complaint,
            complaints=complaints,
            now=now,
            reference=reference,
            idempotency=idempotency,
        )
    citizen = Actor(role=Role.CITIZEN)
    if request.kind == "rate":
        if request.rating is None:
            raise ValidationFailed([("rating", "bad_rating", {})])
        data = {"rating": request.rating, "comment": request.text or ""}
        changed, event = apply(
            complaint, Action.RATE, citizen, now, changes={"rating": request.rating}, data=data
        )
        return save_change(
            changed, [event], complaints=complaints, reference=reference, idempotency=idempotency
        )
    # Reopen: the response did not solve it, within the reply window only.
    cause = f"reopen:{complaint.tracking_id}:v{complaint.version}"
    effect = effects.reopen(complaint, request.text or "", reference, now, cause)
    changed, event = apply(complaint, Action.REOPEN, citizen, now, changes=effect.changes, data=effect.data)
    return write_change(
        changed,
        [event],
        effect.notifications,
        complaints=complaints,
        notifications=notifications,
        reference=reference,
        idempotency=idempotency,
    )
