"""Working days: Monday to Friday less Indonesia's national holidays, in an agency's own time zone.

Working time runs only on working days (all 24 hours of them); a deadline falls at the end of a
working day. Holidays come from the `holidays` package (country ID), through a shipped table.
"""

from __future__ import annotations

import json
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# Indonesia's three time zones, by their Indonesian names.
WIB = "Asia/Jakarta"
WITA = "Asia/Makassar"
WIT = "Asia/Jayapura"

DAY = timedelta(days=1)
_LAST_SECOND = time(23, 59, 59)


# Indonesia's holidays as shipped with the package: computed from the `holidays` package by
# `make holidays` (tests check they agree), because importing that package costs ~60 ms of cold start.
HOLIDAY_TABLE = Path(__file__).parents[1] / "data" / "holidays_id.json"


def holiday_table(first_year: int, last_year: int) -> dict[str, Any]:
    """The table of Indonesian holidays per category, from the `holidays` package (build time)."""
    import holidays

    table: dict[str, Any] = {"years": [first_year, last_year]}
    for category in ("public", "government"):
        days = holidays.country_holidays("ID", years=range(first_year, last_year + 1), categories=(category,))
        table[category] = sorted(day.isoformat() for day in days)
    return table


class _HolidaySet:
    """Holidays of the shipped table; years outside it are computed by the package on demand."""

    def __init__(self, categories: tuple[str, ...]) -> None:
        self._categories = categories
        table = json.loads(HOLIDAY_TABLE.read_text())
        self._first, self._last = table["years"]
        self._days = {date.fromisoformat(day) for category in categories for day in table[category]}
        self._fallback: Container[date] | None = None

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if self._first <= day.year <= self._last:
            return day in self._days
        if self._fallback is None:
            import holidays

            self._fallback = holidays.country_holidays("ID", categories=self._categories)
        return day in self._fallback


@cache
def national_holidays(categories: tuple[str, ...] = ("public",)) -> Container[date]:
    """Indonesia's holidays: `public` is the national public holidays; add `government` for cuti
    bersama (joint leave days)."""
    return _HolidaySet(categories)


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


_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def short_date(instant: datetime, zone_name: str, language: str) -> str:
    """`24 Mar 2026` in the given zone: how a deadline is written in an SMS."""
    local = instant.astimezone(ZoneInfo(zone_name))
    months = _MONTHS.get(str(language), _MONTHS["id"])
    return f"{local.day} {months[local.month - 1]} {local.year}"


def as_utc(instant: datetime) -> datetime:
    """Normalise an aware datetime to UTC; naive datetimes are refused (time is never ambiguous here)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant in Aduan carries its time zone")
    return instant.astimezone(UTC)


def iso(instant: datetime) -> str:
    """Sortable UTC text form used in keys and indexes: 2026-03-09T16:59:59Z."""
    return as_utc(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["DAY", "WIB", "WIT", "WITA", "WorkCalendar", "as_utc", "iso", "national_holidays"]
