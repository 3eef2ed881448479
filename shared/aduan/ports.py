"""The small interfaces that use cases take and adapters fulfil (the DynamoDB store, in-memory fakes)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aduan.models import Complaint, ComplaintSummary, Status, TimelineEvent


@dataclass(frozen=True)
class Idempotency:
    """What a request with an Idempotency-Key answered, kept for a day to answer its retries."""

    key: str
    fingerprint: str
    response: dict[str, Any]
    expires_at: datetime


class MessageQueue(Protocol):
    """A queue between two steps."""

    def send(self, message: dict[str, Any], *, delay_seconds: int = 0) -> None: ...


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
    ) -> None:
        """Store a new complaint with its first event (and idempotency record, and the messages to
        send about it) in one transaction; Conflict with details `item` = `complaint` or
        `idempotency` naming what already exists."""

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
        self, complaint: Complaint, events: Sequence[TimelineEvent], *, next_due_at: datetime | None
    ) -> Complaint:
        """Write a changed complaint if nobody changed it since `complaint.version` was read; Conflict
        otherwise. Returns it with the new version. `next_due_at` None takes it out of the due index."""

    def due(self, now: datetime) -> Iterator[str]:
        """Tracking IDs of complaints with a step due at or before `now`, across every shard."""

    def inbox(self, agency_id: str, status: Status, *, limit: int = 50, cursor: str | None = None) -> Page:
        """An agency's complaints in one status, newest first."""

    def filed_between(
        self, agency_id: str, status: Status, start: datetime, end: datetime
    ) -> list[ComplaintSummary]:
        """An agency's complaints in one status filed in [start, end)."""

    def by_reporter_phone(self, phone_e164: str) -> list[str]:
        """Tracking IDs of a reporter's complaints, newest first."""
