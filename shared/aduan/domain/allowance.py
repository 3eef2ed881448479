"""How many complaints one destination and one client may file in a day.

Every accepted complaint sends its reporter two messages at once (received, then assigned or
triaged) and more as it is handled, to the phone number and the email address the reporter typed.
Whoever can file complaints can therefore make Aduan text anyone, so each day has an allowance:
at most `per_destination` complaints to one phone number or one email address (whoever sends them,
from however many addresses), and at most `per_client` complaints from one client address (to
however many destinations). The day is Jakarta's (WIB has no summer time), so an allowance is
used up until the next midnight WIB.

Counts are kept by the complaint store in the same transaction that creates the complaint: a
refused complaint counts nothing, and a replay of an Idempotency-Key fails that transaction on
its idempotency record, so it counts nothing twice.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from aduan.domain.errors import RateLimited

JAKARTA = timezone(timedelta(hours=7), "WIB")
KEPT_FOR = timedelta(days=1)  # a day's counts outlive the day by one, then TTL removes them

# The kinds of thing counted, and the request field each one names in a refusal.
PHONE, EMAIL, CLIENT = "phone", "email", "client"
FIELDS = {PHONE: "reporter.phone", EMAIL: "reporter.email"}


@dataclass(frozen=True)
class Quota:
    """One count to raise by one as a complaint is created, refused when it has reached `limit`.
    `value` is what is counted; the store keeps only a keyed hash of it."""

    subject: str  # PHONE, EMAIL or CLIENT
    value: str
    day: str  # the Jakarta date, 2026-03-16
    limit: int
    expires_at: datetime


@dataclass(frozen=True)
class Allowance:
    """Complaints a day per destination (phone number or email address) and per client address."""

    per_destination: int = 5
    per_client: int = 20

    def quotas(
        self, *, phone: str | None, email: str | None, client: str | None, now: datetime
    ) -> list[Quota]:
        """The counts one new complaint raises: its phone, its email and its client's address."""
        day = jakarta_day(now)
        expires_at = next_midnight(now) + KEPT_FOR
        counted = [
            (PHONE, phone, self.per_destination),
            (EMAIL, email_key(email) if email else None, self.per_destination),
            (CLIENT, client_key(client) if client else None, self.per_client),
        ]
        return [Quota(subject, value, day, limit, expires_at) for subject, value, limit in counted if value]


def jakarta_day(now: datetime) -> str:
    return now.astimezone(JAKARTA).date().isoformat()


def next_midnight(now: datetime) -> datetime:
    """The next midnight WIB after `now`, in UTC: when a day's allowance is whole again."""
    local = now.astimezone(JAKARTA)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), JAKARTA)
    return midnight.astimezone(UTC)


def one_more_today(
    on: str | None, used: int, limit: int, subject: str, field: str, now: datetime
) -> tuple[str, int]:
    """A count kept on a complaint for one Jakarta day (`on`, `used`) after one more: today's date
    and the new count. RateLimited, naming `field`, once today's `limit` is reached."""
    day = jakarta_day(now)
    so_far = used if on == day else 0
    if so_far >= limit:
        raise RateLimited(subject, limit, retry_after(now), field=field)
    return day, so_far + 1


def retry_after(now: datetime) -> int:
    """Whole seconds until the allowance is whole again (the Retry-After of a refusal)."""
    return max(1, int((next_midnight(now) - now).total_seconds() + 0.999))


def email_key(email: str) -> str:
    """One mailbox, however it is written: case, and a `+tag` that delivers to the same box."""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}"


def client_key(address: str) -> str:
    """One client: its IPv4 address, or the /64 network of an IPv6 one (one subscriber's line gets
    a whole /64, and could otherwise count as 2^64 clients)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
