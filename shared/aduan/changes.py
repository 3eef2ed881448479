"""How every use case writes a change to a complaint, in one order: its notifications are queued
first, then the complaint and its events in one write conditional on the version read, with the
time its next step falls due. The notifications' IDs are fixed by their cause, so a write that
fails (a conflict, a crash) is retried and queues the same IDs: delivery sends each once, and
nothing is lost in between."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from aduan.domain.effects import calendar_for, next_due_at
from aduan.domain.models import Complaint, TimelineEvent
from aduan.domain.notifications import Notification
from aduan.domain.ports import Calendars, ComplaintRepository, Idempotency, MessageQueue


def queue(notifications: MessageQueue, planned: Iterable[Notification]) -> None:
    """Put each notification on the notification queue."""
    for notification in planned:
        notifications.send(notification.model_dump(mode="json"))


def write_change(
    changed: Complaint,
    events: Sequence[TimelineEvent],
    planned: Iterable[Notification] = (),
    *,
    complaints: ComplaintRepository,
    notifications: MessageQueue,
    reference: Calendars,
    due: datetime | None = None,
    idempotency: Idempotency | None = None,
) -> Complaint:
    """Queue `planned`, then save the change (`save_change`)."""
    queue(notifications, planned)
    return save_change(
        changed, events, complaints=complaints, reference=reference, due=due, idempotency=idempotency
    )


def save_change(
    changed: Complaint,
    events: Sequence[TimelineEvent],
    *,
    complaints: ComplaintRepository,
    reference: Calendars,
    due: datetime | None = None,
    idempotency: Idempotency | None = None,
) -> Complaint:
    """Save a change that tells nobody; Conflict when someone wrote first. The due-index time is
    the clock's next step, or `due` when that is sooner (the sweeper's next look). An
    `idempotency` record is written with it (Conflict `idempotency` when its key was used)."""
    following = next_due_at(changed, calendar_for(changed, reference))
    if due is not None:
        following = min(following, due) if following else due
    return complaints.save(changed, events, next_due_at=following, idempotency=idempotency)
