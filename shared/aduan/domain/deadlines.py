"""Deadline clocks and the SLA policy: what falls due when, in an agency's working days.

Three clocks (DESIGN §1): verification (3 working days), response (5, or 14 for a dispute,
60 with a field examination) and the citizen's reply window (10). A clock has steps: the
response clock warns at 80% and escalates at breach (level 1), breach + 2 (level 2) and
breach + 5 working days (level 3); the verification clock escalates to the coordinator at
breach and to the national administrator 2 working days later; the reply window auto-closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer

from aduan.domain.workdays import DAY, WorkCalendar, as_utc, short_date

# Stored and sent as fixed-width UTC text, so that text order is time order (index sort keys).
UtcDatetime = Annotated[
    datetime,
    AfterValidator(as_utc),
    PlainSerializer(lambda instant: instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), when_used="json"),
]


class ClockKind(StrEnum):
    VERIFICATION = "verification"
    RESPONSE = "response"
    REPLY_WINDOW = "reply_window"


class ResponseTrack(StrEnum):
    STANDARD = "standard"
    DISPUTE = "dispute"  # sengketa: the agency marks it, once
    FIELD_EXAM = "field_exam"  # needs a field examination


class Step(StrEnum):
    WARNING = "warning"
    LEVEL_1 = "level_1"
    LEVEL_2 = "level_2"
    LEVEL_3 = "level_3"
    AUTO_CLOSE = "auto_close"

    @property
    def level(self) -> int:
        """The escalation level a step raises the complaint to (0 for warning and auto-close)."""
        return {Step.LEVEL_1: 1, Step.LEVEL_2: 2, Step.LEVEL_3: 3}.get(self, 0)


@dataclass(frozen=True)
class SlaPolicy:
    """KemenPAN-RB's service levels, in working days."""

    verification_days: int = 3
    standard_response_days: int = 5
    dispute_response_days: int = 14
    field_exam_response_days: int = 60
    reply_window_days: int = 10
    warning_at: float = 0.8
    level_2_after: int = 2
    level_3_after: int = 5

    def response_days(self, track: ResponseTrack) -> int:
        return {
            ResponseTrack.STANDARD: self.standard_response_days,
            ResponseTrack.DISPUTE: self.dispute_response_days,
            ResponseTrack.FIELD_EXAM: self.field_exam_response_days,
        }[track]

    def length(self, kind: ClockKind, track: ResponseTrack = ResponseTrack.STANDARD) -> int:
        if kind is ClockKind.VERIFICATION:
            return self.verification_days
        if kind is ClockKind.REPLY_WINDOW:
            return self.reply_window_days
        return self.response_days(track)


POLICY = SlaPolicy()
ROUTING_GRACE = timedelta(minutes=10)  # after this, a still-`submitted` complaint is sent to routing again


class Clock(BaseModel):
    """A running (or paused) deadline. `due_at` is None while paused; `remaining_seconds` then holds
    the working time that was left."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClockKind
    working_days: int
    timezone: str
    started_at: UtcDatetime
    due_at: UtcDatetime | None
    track: ResponseTrack = ResponseTrack.STANDARD
    paused_at: UtcDatetime | None = None
    remaining_seconds: float | None = None
    steps_done: tuple[Step, ...] = ()

    @property
    def running(self) -> bool:
        return self.due_at is not None


def start_clock(
    kind: ClockKind,
    at: datetime,
    calendar: WorkCalendar,
    track: ResponseTrack = ResponseTrack.STANDARD,
    policy: SlaPolicy = POLICY,
) -> Clock:
    """A new clock started at `at`, due at the end of its last working day."""
    days = policy.length(kind, track)
    return Clock(
        kind=kind,
        working_days=days,
        timezone=calendar.zone_name,
        started_at=at,
        due_at=calendar.deadline(at, days),
        track=track,
    )


def schedule(clock: Clock, calendar: WorkCalendar, policy: SlaPolicy = POLICY) -> list[tuple[Step, datetime]]:
    """Every step of a running clock with the instant it falls due, in order."""
    if clock.due_at is None:
        return []
    due = clock.due_at
    due_day = calendar.local_date(due)

    def after_breach(days: int) -> datetime:
        return calendar.end_of_day(calendar.add_working_days(due_day, days))

    if clock.kind is ClockKind.RESPONSE:
        warning_lead = (1 - policy.warning_at) * clock.working_days * DAY.total_seconds()
        return [
            (Step.WARNING, calendar.before_working_seconds(due, warning_lead)),
            (Step.LEVEL_1, due),
            (Step.LEVEL_2, after_breach(policy.level_2_after)),
            (Step.LEVEL_3, after_breach(policy.level_3_after)),
        ]
    if clock.kind is ClockKind.VERIFICATION:
        return [(Step.LEVEL_2, due), (Step.LEVEL_3, after_breach(policy.level_2_after))]
    return [(Step.AUTO_CLOSE, due)]


def next_step(clock: Clock | None, calendar: WorkCalendar) -> tuple[Step, datetime] | None:
    """The first step not yet taken, or None when nothing more can fall due (or the clock is paused)."""
    if clock is None:
        return None
    return next(((step, at) for step, at in schedule(clock, calendar) if step not in clock.steps_done), None)


def due_steps(clock: Clock | None, calendar: WorkCalendar, now: datetime) -> list[Step]:
    """Steps not yet taken whose time has come by `now`, in order."""
    if clock is None:
        return []
    return [step for step, at in schedule(clock, calendar) if step not in clock.steps_done and at <= now]


def due_text(clock: Clock | None, language: str) -> str:
    """A running clock's deadline as an SMS says it (`24 Mar 2026`, in the clock's own zone), or `-`."""
    if clock is None or clock.due_at is None:
        return "-"
    return short_date(clock.due_at, clock.timezone, language)


def mark_done(clock: Clock, step: Step) -> Clock:
    return clock.model_copy(update={"steps_done": (*clock.steps_done, step)})


def pause(clock: Clock, at: datetime, calendar: WorkCalendar) -> Clock:
    """Stop the clock (waiting on the citizen), keeping the working time that was left."""
    if clock.due_at is None:
        return clock
    remaining = max(calendar.working_seconds(at, clock.due_at), 0.0)
    return clock.model_copy(update={"due_at": None, "paused_at": as_utc(at), "remaining_seconds": remaining})


def resume(clock: Clock, at: datetime, calendar: WorkCalendar) -> Clock:
    """Restart a paused clock with the time that was left, due at the end of that working day."""
    if clock.due_at is not None:
        return clock
    end = calendar.after_working_seconds(at, clock.remaining_seconds or 0.0)
    # A deadline at 23:59:59 leaves its last second unused; do not let it spill into the next day.
    due = calendar.end_of_day(calendar.local_date(end - timedelta(seconds=1)))
    return clock.model_copy(update={"due_at": due, "paused_at": None, "remaining_seconds": None})


def extend(clock: Clock, track: ResponseTrack, calendar: WorkCalendar, policy: SlaPolicy = POLICY) -> Clock:
    """Lengthen a response clock to the dispute or field-examination length, keeping what was used."""
    extra = policy.response_days(track) - clock.working_days
    update: dict[str, object] = {"track": track, "working_days": clock.working_days + extra}
    if clock.due_at is not None:
        new_day = calendar.add_working_days(calendar.local_date(clock.due_at), extra)
        update["due_at"] = calendar.end_of_day(new_day)
    else:
        update["remaining_seconds"] = (clock.remaining_seconds or 0.0) + extra * DAY.total_seconds()
    return clock.model_copy(update=update)
