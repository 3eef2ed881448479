"""Every small interface that use cases take and adapters fulfil: the DynamoDB store and the SQS,
SNS, SES and webhook adapters in `aduan.aws`, and the in-memory fakes in `tests/fakes.py`.

Models are imported for type checking only, so that a function that needs no model (the deadline
check) can take these ports without loading pydantic.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from aduan.domain.allowance import Quota
    from aduan.domain.models import Agency, Complaint, ComplaintSummary, Language, Status, TimelineEvent


# -- complaints ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Idempotency:
    """What a request with an Idempotency-Key answered, kept for a day to answer its retries."""

    key: str
    fingerprint: str
    response: dict[str, Any]
    expires_at: datetime


@dataclass(frozen=True)
class Page:
    """One page of an inbox and the opaque cursor of the next one (None at the end)."""

    complaints: list[ComplaintSummary]
    cursor: str | None


class ComplaintRepository(Protocol):
    """Where complaints and their timelines live. Every state change is conditional on `version`."""

    def create(
        self,
        complaint: Complaint,
        event: TimelineEvent,
        *,
        next_due_at: datetime | None,
        idempotency: Idempotency | None = None,
        outbox: Sequence[dict[str, Any]] = (),
        quotas: Sequence[Quota] = (),
    ) -> None:
        """Store a new complaint with its first event (and idempotency record, and the messages to
        send about it) in one transaction, raising each of `quotas` by one; Conflict with details
        `item` = `complaint` or `idempotency` naming what already exists, or `quota` (and its
        `subject`) for a quota already at its limit. A failed transaction counts nothing."""

    def outbox(self, tracking_id: str) -> list[dict[str, Any]]:
        """The messages stored with the complaint when it was created ([] when none)."""

    def idempotent_response(self, key: str) -> Idempotency | None:
        """The record an earlier request with this key left, if it has not expired."""

    def get_with_timeline(self, tracking_id: str) -> tuple[Complaint, list[TimelineEvent]]:
        """The complaint and its timeline in one read; NotFound if there is no such complaint."""

    def get(self, tracking_id: str) -> Complaint:
        """The complaint, or NotFound."""

    def timeline(self, tracking_id: str) -> list[TimelineEvent]:
        """Every event of the complaint, oldest first."""

    def save(
        self,
        complaint: Complaint,
        events: Sequence[TimelineEvent],
        *,
        next_due_at: datetime | None,
        idempotency: Idempotency | None = None,
    ) -> Complaint:
        """Write a changed complaint if nobody changed it since `complaint.version` was read; Conflict
        otherwise. Returns it with the new version. `next_due_at` None takes it out of the due index.
        With `idempotency`, its record is written in the same transaction, and a key that exists
        already is a Conflict with details `item` = `idempotency` (nothing written)."""

    def append_event(self, tracking_id: str, event: TimelineEvent, event_id: str) -> None:
        """Add an event that changes no state (a delivery attempt); the same `event_id` twice is one."""

    def due(self, now: datetime) -> Iterator[str]:
        """Tracking IDs of complaints with a step due at or before `now`, across every shard."""

    def inbox(self, agency_id: str, status: Status, *, limit: int = 50, cursor: str | None = None) -> Page:
        """An agency's complaints in one status, newest first; ValidationFailed (naming `cursor`)
        for a cursor this store did not give for this agency and status."""

    def filed_between(
        self, agency_id: str, status: Status, start: datetime, end: datetime
    ) -> list[ComplaintSummary]:
        """An agency's complaints in one status filed in [start, end)."""

    def by_reporter_phone(self, phone_e164: str) -> list[str]:
        """Tracking IDs of a reporter's complaints, newest first."""


class Timeline(Protocol):
    """What delivery needs of the store: the reporter's contact, and a place for each attempt."""

    def get(self, tracking_id: str) -> Complaint: ...

    def append_event(self, tracking_id: str, event: TimelineEvent, event_id: str) -> None: ...


class DueIndex(Protocol):
    """The sparse index of complaints with a step due, read shard by shard (the deadline check)."""

    shards: int

    def due_in_shard(self, shard: int, now: datetime) -> Iterator[str]: ...


# -- queues ----------------------------------------------------------------------------------------


class MessageQueue(Protocol):
    """A queue between two steps."""

    def send(self, message: dict[str, Any], *, delay_seconds: int = 0) -> None: ...


class RetryQueue(MessageQueue, Protocol):
    """A queue whose consumer can hold a received message back before its next attempt."""

    def hold_back(self, receipt_handle: str, seconds: int) -> None: ...


class BatchQueue(Protocol):
    """A queue that takes up to ten messages a call; returns the ones it refused."""

    def send_batch(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


# -- delivery --------------------------------------------------------------------------------------


class Ledger(Protocol):
    """At-most-once delivery: a notification is claimed (a lease) before it is sent, settled after."""

    def claim(self, notification_id: str, now: datetime, lease_seconds: int) -> str:
        """`claimed`, `done` (settled before) or `busy` (another worker's lease is live)."""

    def settle(self, notification_id: str, outcome: str) -> None:
        """Sent, or failed for good: never sent again."""

    def release(self, notification_id: str) -> None:
        """Give the claim back after a transient failure, so that the retry may send it."""


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> str: ...


class EmailSender(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str: ...


class WebhookSender(Protocol):
    def send(self, url: str, payload: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class Channels:
    """The three ways a notification leaves Aduan."""

    sms: SmsSender
    email: EmailSender
    webhook: WebhookSender


# -- operators -------------------------------------------------------------------------------------


class SignIn(Protocol):
    """The user pool: a token for an operator's username and password, None when they are wrong."""

    def sign_in(self, username: str, password: str) -> dict[str, Any] | None: ...


# -- reference data, as each use case needs it ----------------------------------------------------


class Directory(Protocol):
    """Who an agency's notifications go to."""

    def agency_contacts(self, agency_id: str, channel: str) -> list[str]: ...


class Names(Protocol):
    """Names of agencies and categories, in the reader's language."""

    def agency_name(self, agency_id: str | None) -> str: ...

    def category_name(self, code: str, language: Language) -> str: ...


class Calendars(Protocol):
    """Which time zone a clock runs in: the agency's own, else the region's."""

    def agency(self, agency_id: str) -> Agency | None: ...

    def timezone_for(self, region_code: str | None) -> str: ...


class IntakeReference(Calendars, Protocol):
    """What intake needs of the reference data."""

    def category_exists(self, code: str) -> bool: ...

    def region_exists(self, code: str) -> bool: ...

    def agency_name(self, agency_id: str | None) -> str: ...
