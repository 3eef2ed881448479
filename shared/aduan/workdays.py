"""Working days: Monday to Friday less Indonesia's national holidays, in an agency's own time zone.

Working time runs only on working days (all 24 hours of them); a deadline falls at the end of a
working day. Holidays come from the `holidays` package (country ID), loaded on first use.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

# Indonesia's three time zones, by their Indonesian names.
WIB = "Asia/Jakarta"
WITA = "Asia/Makassar"
WIT = "Asia/Jayapura"

DAY = timedelta(days=1)
_LAST_SECOND = time(23, 59, 59)


@cache
def national_holidays(categories: tuple[str, ...] = ("public",)) -> Container[date]:
    """Indonesia's holidays for any year asked about (the package fills years in as they are queried).

    `public` is the national public holidays; add `government` for cuti bersama (joint leave days).
    """
    import holidays  # deferred: about 60 ms of import that only deadline arithmetic needs

    calendar: Container[date] = holidays.country_holidays("ID", categories=categories)
    return calendar


@dataclass(frozen=True)
class WorkCalendar:
    """Working-day arithmetic for one time zone and one set of holidays."""

    zone_name: str = WIB
    holidays: Container[date] = field(default_factory=national_holidays)
    extra_holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays and day not in self.extra_holidays

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (the day itself not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        while count:
            day += DAY
            if self.is_working_day(day):
                count -= 1
        return day

    def end_of_day(self, day: date) -> datetime:
        """The last second of `day` in this time zone, as a UTC instant."""
        return datetime.combine(day, _LAST_SECOND, self.zone).astimezone(UTC)

    def deadline(self, start: datetime, working_days: int) -> datetime:
        """End of the `working_days`-th working day after the local date of `start`."""
        return self.end_of_day(self.add_working_days(self.local_date(start), working_days))

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two instants, in seconds (negative when `end` is before `start`)."""
        if end < start:
            return -self.working_seconds(end, start)
        total = 0.0
        for day_start, day_end in self._working_spans(start):
            if day_start >= end:
                break
            total += (min(day_end, end) - day_start).total_seconds()
        return total

    def after_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of working time have passed since `start`."""
        remaining = max(seconds, 0.0)
        for day_start, day_end in self._working_spans(start):
            span = (day_end - day_start).total_seconds()
            if remaining <= span:
                return (day_start + timedelta(seconds=remaining)).astimezone(UTC)
            remaining -= span
        raise AssertionError("unreachable: working spans never end")  # pragma: no cover

    def before_working_seconds(self, end: datetime, seconds: float) -> datetime:
        """The instant `seconds` of working time before `end`."""
        remaining = max(seconds, 0.0)
        zone = self.zone
        day = end.astimezone(zone).date()
        finish = end.astimezone(zone)
        while True:
            midnight = datetime.combine(day, time(0), zone)
            if self.is_working_day(day):
                span = (finish - midnight).total_seconds()
                if remaining <= span:
                    return (finish - timedelta(seconds=remaining)).astimezone(UTC)
                remaining -= span
            day -= DAY
            finish = midnight

    def _working_spans(self, start: datetime) -> Iterable[tuple[datetime, datetime]]:
        """Local working-day spans from `start` on, the first one clipped to begin at `start`."""
        zone = self.zone
        day = start.astimezone(zone).date()
        begin = start.astimezone(zone)
        while True:
            next_midnight = datetime.combine(day + DAY, time(0), zone)
            if self.is_working_day(day):
                yield begin, next_midnight
            day += DAY
            begin = next_midnight


def as_utc(instant: datetime) -> datetime:
    """Normalise an aware datetime to UTC; naive datetimes are refused (time is never ambiguous here)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant in Aduan carries its time zone")
    return instant.astimezone(UTC)


def iso(instant: datetime) -> str:
    """Sortable UTC text form used in keys and indexes: 2026-03-09T16:59:59Z."""
    return as_utc(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["DAY", "WIB", "WIT", "WITA", "WorkCalendar", "as_utc", "iso", "national_holidays"]
