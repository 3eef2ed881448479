"""Deadlines in working days on real 2026 dates, in the agency's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aduan.domain.deadlines import (
    ClockKind,
    ResponseTrack,
    Step,
    due_steps,
    extend,
    mark_done,
    next_step,
    pause,
    resume,
    schedule,
    start_clock,
)
from aduan.domain.workdays import WIB, WIT, WITA, WorkCalendar, national_holidays

JAKARTA = WorkCalendar(WIB)


def wib(day: date) -> datetime:
    """The end of `day` in WIB (UTC+7), as a UTC instant."""
    return datetime(day.year, day.month, day.day, 16, 59, 59, tzinfo=UTC)


def test_five_working_days_skip_the_weekend() -> None:
    thursday = datetime(2026, 2, 5, 3, 0, tzinfo=UTC)  # Thu 10:00 WIB
    assert JAKARTA.deadline(thursday, 5) == wib(date(2026, 2, 12))  # Fri, Mon, Tue, Wed, Thu


def test_nyepi_and_eid_al_fitr_2026_are_not_working_days() -> None:
    assert not JAKARTA.is_working_day(date(2026, 3, 19))  # Nyepi, Thursday
    assert not JAKARTA.is_working_day(date(2026, 3, 21))  # Idul Fitri 1447 H
    monday = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
    # Tue 17, Wed 18, (Nyepi 19), Fri 20, (Idul Fitri 21-22, a weekend), Mon 23, Tue 24.
    assert JAKARTA.deadline(monday, 5) == wib(date(2026, 3, 24))


def test_cuti_bersama_around_eid_al_fitr_can_be_counted_as_holidays_too() -> None:
    with_joint_leave = WorkCalendar(WIB, national_holidays(("public", "government")))
    monday = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
    # Joint leave 18, 20, 23, 24 March: Tue 17, Wed 25, Thu 26, Fri 27, Mon 30.
    assert with_joint_leave.deadline(monday, 5) == wib(date(2026, 3, 30))


def test_an_extra_holiday_set_as_data_moves_deadlines_computed_after_it() -> None:
    regional_election = WorkCalendar(WIB, extra_holidays=frozenset({date(2026, 2, 10)}))
    thursday = datetime(2026, 2, 5, 3, 0, tzinfo=UTC)
    assert regional_election.deadline(thursday, 5) == wib(date(2026, 2, 13))


def test_the_same_assignment_falls_due_at_different_instants_in_wib_wita_and_wit() -> None:
    assigned = datetime(2026, 2, 5, 3, 0, tzinfo=UTC)
    deadlines = {zone: WorkCalendar(zone).deadline(assigned, 5) for zone in (WIB, WITA, WIT)}
    assert deadlines == {
        WIB: datetime(2026, 2, 12, 16, 59, 59, tzinfo=UTC),
        WITA: datetime(2026, 2, 12, 15, 59, 59, tzinfo=UTC),
        WIT: datetime(2026, 2, 12, 14, 59, 59, tzinfo=UTC),
    }


def test_late_evening_in_jakarta_is_already_tomorrow_in_jayapura() -> None:
    assigned = datetime(2026, 2, 5, 16, 30, tzinfo=UTC)  # Thu 23:30 WIB, Fri 01:30 WIT
    assert WorkCalendar(WIB).deadline(assigned, 5) == wib(date(2026, 2, 12))
    assert WorkCalendar(WIT).deadline(assigned, 5) == datetime(2026, 2, 13, 14, 59, 59, tzinfo=UTC)


def test_christmas_and_its_joint_leave_day() -> None:
    wednesday = datetime(2026, 12, 23, 3, 0, tzinfo=UTC)
    assert JAKARTA.deadline(wednesday, 3) == wib(date(2026, 12, 29))  # Thu 24, (Fri 25), Mon 28, Tue 29


def test_working_time_counts_only_working_days() -> None:
    friday_noon = datetime(2026, 2, 6, 5, 0, tzinfo=UTC)
    monday_noon = friday_noon + timedelta(days=3)
    assert JAKARTA.working_seconds(friday_noon, monday_noon) == timedelta(days=1).total_seconds()
    assert JAKARTA.after_working_seconds(friday_noon, timedelta(days=1).total_seconds()) == monday_noon
    assert JAKARTA.before_working_seconds(monday_noon, timedelta(days=1).total_seconds()) == friday_noon


def test_the_response_ladder_warning_then_three_levels() -> None:
    monday = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
    clock = start_clock(ClockKind.RESPONSE, monday, JAKARTA)
    assert schedule(clock, JAKARTA) == [
        (Step.WARNING, wib(date(2026, 3, 23))),  # one of five working days left: 80% used
        (Step.LEVEL_1, wib(date(2026, 3, 24))),  # breach
        (Step.LEVEL_2, wib(date(2026, 3, 26))),  # breach + 2 working days
        (Step.LEVEL_3, wib(date(2026, 3, 31))),  # breach + 5 working days
    ]


def test_steps_fall_due_once_each_in_order() -> None:
    clock = start_clock(ClockKind.RESPONSE, datetime(2026, 3, 16, 3, 0, tzinfo=UTC), JAKARTA)
    assert due_steps(clock, JAKARTA, wib(date(2026, 3, 23)) - timedelta(seconds=1)) == []
    late = wib(date(2026, 3, 25))
    assert due_steps(clock, JAKARTA, late) == [Step.WARNING, Step.LEVEL_1]
    clock = mark_done(mark_done(clock, Step.WARNING), Step.LEVEL_1)
    assert due_steps(clock, JAKARTA, late) == []
    assert next_step(clock, JAKARTA) == (Step.LEVEL_2, wib(date(2026, 3, 26)))


def test_verification_escalates_to_the_coordinator_then_national() -> None:
    clock = start_clock(ClockKind.VERIFICATION, datetime(2026, 2, 5, 3, 0, tzinfo=UTC), JAKARTA)
    assert schedule(clock, JAKARTA) == [
        (Step.LEVEL_2, wib(date(2026, 2, 10))),
        (Step.LEVEL_3, wib(date(2026, 2, 12))),
    ]


def test_the_reply_window_closes_after_ten_working_days() -> None:
    clock = start_clock(ClockKind.REPLY_WINDOW, datetime(2026, 2, 5, 3, 0, tzinfo=UTC), JAKARTA)
    # Fri 6 .. Thu 19 less Mon 16 (joint leave is not counted by default) and Tue 17 (Imlek).
    assert schedule(clock, JAKARTA) == [(Step.AUTO_CLOSE, wib(date(2026, 2, 20)))]


def test_waiting_on_the_citizen_pauses_the_clock_and_keeps_the_time_left() -> None:
    monday = datetime(2026, 2, 2, 3, 0, tzinfo=UTC)
    clock = start_clock(ClockKind.RESPONSE, monday, JAKARTA)
    assert clock.due_at == wib(date(2026, 2, 9))
    tuesday_evening = wib(date(2026, 2, 3))  # one working day used, four left
    paused = pause(clock, tuesday_evening, JAKARTA)
    assert paused.due_at is None
    assert next_step(paused, JAKARTA) is None
    assert paused.remaining_seconds == pytest.approx(4 * 86400)
    # The citizen answers on Monday 23 February at 10:00: four working days left from then.
    resumed = resume(paused, datetime(2026, 2, 23, 3, 0, tzinfo=UTC), JAKARTA)
    assert resumed.due_at == wib(date(2026, 2, 27))


@pytest.mark.parametrize(
    ("track", "due"),
    [(ResponseTrack.DISPUTE, date(2026, 2, 23)), (ResponseTrack.FIELD_EXAM, date(2026, 4, 30))],
)
def test_a_dispute_or_field_examination_lengthens_the_response_clock(track: ResponseTrack, due: date) -> None:
    clock = start_clock(ClockKind.RESPONSE, datetime(2026, 2, 2, 3, 0, tzinfo=UTC), JAKARTA)
    extended = extend(clock, track, JAKARTA)
    assert extended.track is track
    assert extended.due_at == wib(due)


def test_the_shipped_holiday_table_matches_the_holidays_package() -> None:
    import json

    from aduan.domain.workdays import HOLIDAY_TABLE, holiday_table

    shipped = json.loads(HOLIDAY_TABLE.read_text())
    assert shipped == holiday_table(*shipped["years"]), "run `make holidays`"


def test_years_beyond_the_table_come_from_the_package() -> None:
    assert date(2060, 8, 17) in national_holidays()  # Independence Day
    assert date(2060, 8, 18) not in national_holidays()
