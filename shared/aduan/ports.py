"""The small interfaces that use cases take and adapters fulfil (the DynamoDB store, in-memory fakes)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aduan.models import Complaint, ComplaintSummary, Status, TimelineEvent


@dataclass(frozen=True)
class Page:
    """One page of an inbox and the opaque cursor of the next one (None at the end)."""

    complaints: list[ComplaintSummary]
    cursor: str | None


class ComplaintRepository(Protocol):
    """Where complaints and their timelines live. Every state change is conditional on `version`."""

    def create(self, complaint: Complaint, event: TimelineEvent, *, next_due_at: datetime | None) -> None:
        """Store a new complaint with its first event; Conflict if the tracking ID exists."""

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

    def by_reporter_phone(self, phone_e164: str) -> list[str]:
        """Tracking IDs of a reporter's complaints, newest first."""
