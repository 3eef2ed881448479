"""What a citizen does after reporting: track the complaint, and reply on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from aduan.deadlines import next_step, resume
from aduan.errors import Conflict, NotFound
from aduan.lifecycle import Action, apply
from aduan.models import Actor, Complaint, Language, Privacy, Role, Status
from aduan.ports import ComplaintRepository
from aduan.tracking import access_code_matches, parse_tracking_id
from aduan.views import Names, public_view
from aduan.workdays import WorkCalendar


def track_complaint(
    text: str,
    access_code: str | None,
    *,
    complaints: ComplaintRepository,
    names: Names,
    language: Language,
) -> dict[str, Any]:
    """The public view of a complaint. A confidential one without its access code is NotFound,
    indistinguishable from a tracking ID that does not exist."""
    tracking_id = parse_tracking_id(text)
    complaint, timeline = complaints.get_with_timeline(tracking_id)
    with_code = bool(access_code) and access_code_matches(
        tracking_id, access_code or "", complaint.access_code_hash
    )
    if complaint.privacy is Privacy.CONFIDENTIAL and not with_code:
        raise NotFound("no complaint with this tracking ID")
    return public_view(complaint, timeline, names, language, with_access_code=with_code)


class CitizenReply(BaseModel):
    """A citizen's message on their complaint (the web's reply form or `BALAS` by SMS)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=2000)


class HasTimezone(Protocol):
    def timezone_for(self, region_code: str | None) -> str: ...


def calendar_for(complaint: Complaint, reference: HasTimezone) -> WorkCalendar:
    """The working-day calendar a complaint's clocks run on (its region's time zone)."""
    if complaint.clock is not None:
        return WorkCalendar(complaint.clock.timezone)
    return WorkCalendar(reference.timezone_for(complaint.location.region_code))


def next_due_at(complaint: Complaint, calendar: WorkCalendar) -> datetime | None:
    step = next_step(complaint.clock, calendar)
    return step[1] if step else None


def reply_as_citizen(
    reply: CitizenReply,
    complaint: Complaint,
    *,
    complaints: ComplaintRepository,
    now: datetime,
    reference: HasTimezone,
) -> Complaint:
    """Record the citizen's message: it answers an information request (and restarts the paused
    clock with the time that was left) or is a comment on the complaint."""
    for _attempt in range(3):
        calendar = calendar_for(complaint, reference)
        changes: dict[str, object] = {}
        action = Action.COMMENT
        if complaint.status is Status.WAITING_ON_CITIZEN:
            action = Action.PROVIDE_INFO
            if complaint.clock is not None:
                changes["clock"] = resume(complaint.clock, now, calendar)
        changed, event = apply(
            complaint, action, Actor(role=Role.CITIZEN), now, changes=changes, data={"text": reply.text}
        )
        try:
            return complaints.save(changed, [event], next_due_at=next_due_at(changed, calendar))
        except Conflict:
            # Routing or an operator changed it meanwhile: the reply still belongs on it.
            complaint = complaints.get(complaint.tracking_id)
    raise Conflict("the complaint kept changing; send the reply again")
