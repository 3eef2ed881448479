"""What each action and each escalation step changes besides the status, and who is told.

This module is the table "What actions do" of docs/architecture.md, in code: one function a row.
Each returns an `Effect`: the complaint's changed fields (for `lifecycle.apply`), what the event
records, and the notifications to queue. The use cases (routing, operations, citizen, escalation)
read, authorize, apply an effect and write; none decides what an action does on its own.

It also holds the one rule for the calendar a clock runs on: the agency's own time zone, else the
region's (`agency_calendar`), and a running clock keeps the zone it started in (`calendar_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aduan.domain.allowance import one_more_today
from aduan.domain.deadlines import (
    Clock,
    ClockKind,
    ResponseTrack,
    Step,
    due_text,
    extend,
    mark_done,
    next_step,
    start_clock,
)
from aduan.domain.deadlines import pause as pause_clock
from aduan.domain.deadlines import resume as resume_clock
from aduan.domain.errors import InvalidTransition
from aduan.domain.models import Complaint, Status
from aduan.domain.notifications import Notification, for_agency, for_citizen
from aduan.domain.ports import Calendars
from aduan.domain.reference import ReferenceData
from aduan.domain.workdays import WorkCalendar


@dataclass(frozen=True)
class Effect:
    """An action's consequences: fields changed, the event's data, the notifications to queue."""

    changes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    notifications: list[Notification] = field(default_factory=list)


# -- calendars -------------------------------------------------------------------------------------


def agency_calendar(agency_id: str | None, region_code: str | None, reference: Calendars) -> WorkCalendar:
    """The calendar a new clock at an agency runs on: the agency's time zone, else its region's."""
    agency = reference.agency(agency_id) if agency_id else None
    return WorkCalendar(agency.timezone if agency else reference.timezone_for(region_code))


def calendar_for(complaint: Complaint, reference: Calendars) -> WorkCalendar:
    """The calendar a complaint's clocks run on: a running clock's own zone, else its holder's."""
    if complaint.clock is not None:
        return WorkCalendar(complaint.clock.timezone)
    return agency_calendar(complaint.agency_id, complaint.location.region_code, reference)


def next_due_at(complaint: Complaint, calendar: WorkCalendar) -> datetime | None:
    """When the complaint's next step falls due (its due-index time), or None when no clock runs."""
    step = next_step(complaint.clock, calendar)
    return step[1] if step else None


# -- the rows of the table -------------------------------------------------------------------------


def assignment(
    complaint: Complaint, agency_id: str, reference: ReferenceData, now: datetime, cause: str
) -> Effect:
    """assign, verify, transfer, and routing's own assignment; the citizen is told (assigned), and
    the agency (new assignment). A first assignment starts a response clock in the new agency's
    time zone, at level 0. A transfer (an agency held it, its response clock running) keeps what is
    owed: the escalation level, and the running clock (its deadline and the steps taken) unless a
    fresh one would fall due sooner, so that passing a late complaint on never hides the lateness."""
    calendar = agency_calendar(agency_id, complaint.location.region_code, reference)
    fresh = start_clock(ClockKind.RESPONSE, now, calendar)
    transfer = complaint.clock is not None and complaint.clock.kind is ClockKind.RESPONSE
    clock = _sooner(complaint.clock, fresh) if transfer else fresh
    kept = clock is complaint.clock
    values = {"agency": reference.agency_name(agency_id), "due": due_text(clock, complaint.language)}
    category = reference.category_name(complaint.category or "lainnya", "id")
    data: dict[str, Any] = {"agency_id": agency_id, "from_agency_id": complaint.agency_id}
    if kept:
        data["deadline_kept"] = True
    return Effect(
        changes={
            "agency_id": agency_id,
            "coordinator_id": reference.coordinator_of(agency_id).id,
            "clock": clock,
            # What a late agency owed moves on, whether it transferred or returned it.
            "escalation_level": complaint.escalation_level
            if transfer or complaint.breached_response_due
            else 0,
        },
        data=data,
        notifications=[
            for_citizen(complaint, "assigned", cause, **values),
            *for_agency(
                agency_id,
                reference,
                "new_assignment",
                cause,
                complaint.tracking_id,
                category=category,
                **values,
            ),
        ],
    )


def _earliest(*times: datetime | None) -> datetime | None:
    known = [at for at in times if at is not None]
    return min(known) if known else None


def _sooner(running: Clock | None, fresh: Clock) -> Clock:
    """The running clock if it falls due no later than a fresh one would, else the fresh one."""
    if running is None or running.due_at is None or fresh.due_at is None:
        return fresh
    return running if running.due_at <= fresh.due_at else fresh


def triage(complaint: Complaint, holder_id: str, reference: ReferenceData, cause: str) -> Effect:
    """Routing was not confident: the region's coordinator (or national) holds it and is told; the
    verification clock started at submission keeps running."""
    values = {
        "agency": reference.agency_name(holder_id),
        "due": due_text(complaint.clock, complaint.language),
    }
    return Effect(
        changes={"agency_id": holder_id, "coordinator_id": holder_id},
        notifications=for_agency(holder_id, reference, "triage", cause, complaint.tracking_id, **values),
    )


def return_to_coordinator(
    complaint: Complaint, reason: str, reference: ReferenceData, now: datetime, cause: str
) -> Effect:
    """return (bukan wewenang): a new verification clock, held by the coordinator, who is told. A
    late agency cannot dodge by returning it: the level stays, and the deadline it let pass stays
    the one the first answer is measured against."""
    coordinator = reference.coordinator_of(complaint.agency_id or "").id
    clock = start_clock(ClockKind.VERIFICATION, now, calendar_for(complaint, reference))
    values = {"agency": reference.agency_name(coordinator), "due": due_text(clock, complaint.language)}
    running = complaint.clock
    missed = running.due_at if running and running.kind is ClockKind.RESPONSE else None
    return Effect(
        changes={
            "agency_id": coordinator,
            "coordinator_id": coordinator,
            "clock": clock,
            "escalation_level": complaint.escalation_level,
            "breached_response_due": _earliest(
                complaint.breached_response_due, missed if missed and missed < now else None
            ),
        },
        data={"from_agency_id": complaint.agency_id, "agency_id": coordinator, "reason": reason},
        notifications=for_agency(coordinator, reference, "triage", cause, complaint.tracking_id, **values),
    )


def information_request(
    complaint: Complaint, question: str, reference: ReferenceData, now: datetime, cause: str
) -> Effect:
    """request_info: the clock pauses (its working time kept); the citizen gets the question."""
    changes = (
        {"clock": pause_clock(complaint.clock, now, calendar_for(complaint, reference))}
        if complaint.clock
        else {}
    )
    agency = reference.agency_name(complaint.agency_id)
    return Effect(
        changes=changes,
        data={"question": question},
        notifications=[for_citizen(complaint, "info_requested", cause, agency=agency, question=question)],
    )


# A citizen's replies and comments on one complaint in one day (Jakarta's): enough for any
# conversation with an agency, few enough that no timeline grows past what a view can carry.
CITIZEN_MESSAGES_PER_DAY = 10


def citizen_message(complaint: Complaint, text: str, reference: Calendars, now: datetime) -> Effect:
    """provide_info (the answer to a question: the paused clock resumes with the time it had left)
    or comment (no change): the officer reads it in the timeline. RateLimited past today's cap."""
    day, sent = one_more_today(
        complaint.citizen_messages_on,
        complaint.citizen_messages,
        CITIZEN_MESSAGES_PER_DAY,
        "citizen_messages",
        "text",
        now,
    )
    changes: dict[str, Any] = {"citizen_messages_on": day, "citizen_messages": sent}
    if complaint.status is Status.WAITING_ON_CITIZEN and complaint.clock is not None:
        changes["clock"] = resume_clock(complaint.clock, now, calendar_for(complaint, reference))
    return Effect(changes=changes, data={"text": text})


def response(complaint: Complaint, text: str, reference: ReferenceData, now: datetime, cause: str) -> Effect:
    """respond: the 10-day reply window starts, the level goes back to 0, the first response's time
    and punctuality are kept for statistics; the citizen gets the response."""
    changes: dict[str, Any] = {
        "clock": start_clock(ClockKind.REPLY_WINDOW, now, calendar_for(complaint, reference)),
        "escalation_level": 0,
    }
    if complaint.first_response_at is None:
        due = _earliest(complaint.clock.due_at if complaint.clock else None, complaint.breached_response_due)
        changes |= {"first_response_at": now, "answered_on_time": due is None or now <= due}
    agency = reference.agency_name(complaint.agency_id)
    return Effect(
        changes=changes,
        data={"response": text},
        notifications=[for_citizen(complaint, "responded", cause, agency=agency, response=text)],
    )


def extension(complaint: Complaint, track: ResponseTrack, reference: Calendars) -> Effect:
    """mark_dispute, mark_field_exam: the standard response clock extended once, to 14 or 60 days."""
    running = complaint.clock
    if (
        running is None
        or running.kind is not ClockKind.RESPONSE
        or running.track is not ResponseTrack.STANDARD
    ):
        raise InvalidTransition("the response clock can be extended once", action=f"mark_{track.value}")
    extended = extend(running, track, calendar_for(complaint, reference))
    return Effect(changes={"clock": extended}, data={"days": extended.working_days, "track": track.value})


def archive(complaint: Complaint, reason: str, cause: str) -> Effect:
    """archive: the clock stops; the citizen is told it was closed."""
    return Effect(
        changes={"clock": None},
        data={"reason": reason},
        notifications=[for_citizen(complaint, "closed", cause)],
    )


def ombudsman_flag() -> Effect:
    """flag_ombudsman: flagged for the Ombudsman's oversight; nobody is told by message."""
    return Effect(changes={"ombudsman_flag": True})


def reopen(complaint: Complaint, text: str, reference: ReferenceData, now: datetime, cause: str) -> Effect:
    """reopen (the citizen: not solved), within the reply window only: a new response clock at the
    agency, level back to 0; the agency is told."""
    window = complaint.clock
    if complaint.status is Status.RESPONDED and (
        window is None or window.due_at is None or window.due_at < now
    ):
        raise InvalidTransition("the reply window has closed", reason="reply_window_closed")
    clock = start_clock(
        ClockKind.RESPONSE,
        now,
        agency_calendar(complaint.agency_id, complaint.location.region_code, reference),
    )
    due = due_text(clock, complaint.language)
    return Effect(
        changes={"clock": clock, "escalation_level": 0},
        data={"text": text},
        notifications=for_agency(
            complaint.agency_id or "", reference, "reopened", cause, complaint.tracking_id, due=due
        ),
    )


def auto_close(complaint: Complaint, cause: str) -> Effect:
    """The reply window passed without a reply: closed (reason `no_reply`); the citizen is told."""
    return Effect(
        changes={"clock": None},
        data={"reason": "no_reply"},
        notifications=[for_citizen(complaint, "closed", cause)],
    )


def escalation_step(step: Step, complaint: Complaint, reference: ReferenceData, cause: str) -> Effect:
    """One step of a clock (DESIGN §1 "Escalation tiers"): the warning and level 1 go to the agency,
    level 2 to its coordinator, level 3 to national with the Ombudsman flag. Recorded as done on the
    clock, so that it is taken once."""
    clock = complaint.clock
    assert clock is not None  # due steps come from a running clock
    holder = complaint.agency_id or reference.national.id
    coordinator = complaint.coordinator_id or reference.coordinator_for(complaint.location.region_code).id
    recipient = {
        Step.WARNING: holder,
        Step.LEVEL_1: holder,
        Step.LEVEL_2: coordinator,
        Step.LEVEL_3: reference.national.id,
    }[step]
    changes: dict[str, Any] = {"clock": mark_done(clock, step)}
    if step.level:
        changes["escalation_level"] = max(complaint.escalation_level, step.level)
    if step is Step.LEVEL_3:
        changes["ombudsman_flag"] = True
    values = {"agency": reference.agency_name(holder), "due": due_text(clock, complaint.language)}
    return Effect(
        changes=changes,
        data={
            "step": step.value,
            "level": step.level,
            "clock": clock.kind.value,
            "agency_id": holder,
            "coordinator_id": coordinator,
            "recipient_id": recipient,
        },
        notifications=for_agency(recipient, reference, step.value, cause, complaint.tracking_id, **values),
    )
