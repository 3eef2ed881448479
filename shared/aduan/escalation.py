"""Escalation: deadlines that nobody can forget.

The scheduled check (`aduan.escalation_check`) queues each complaint whose next step's time has
come. `escalate` (the worker) re-reads the complaint and takes every step that is due, in one
conditional write: the 80 % warning, levels 1-3 of the
response clock, the verification clock's escalation, the reply window's auto-close, and the
sweeper's re-send of a complaint whose routing message was lost.

Notifications are queued before the write, with IDs fixed by the step: a retry after a failed
write sends nothing twice (the notification worker skips settled IDs), and a failed send makes
the message come back with nothing lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aduan.changes import write_change
from aduan.domain.deadlines import ROUTING_GRACE, Step, due_steps
from aduan.domain.effects import auto_close, calendar_for, escalation_step
from aduan.domain.errors import Conflict
from aduan.domain.lifecycle import Action, apply
from aduan.domain.models import Actor, Complaint, Role, Status, TimelineEvent
from aduan.domain.notifications import Notification
from aduan.domain.ports import ComplaintRepository, MessageQueue
from aduan.domain.reference import ReferenceData

SYSTEM = Actor(role=Role.SYSTEM, user_id="escalation")


@dataclass(frozen=True)
class Escalated:
    """The steps taken for one complaint, and the agency that held it (for the metrics)."""

    steps: list[str]
    agency_id: str | None


def escalate(
    tracking_id: str,
    now: datetime,
    *,
    complaints: ComplaintRepository,
    reference: ReferenceData,
    notifications: MessageQueue,
    routing: MessageQueue,
) -> Escalated:
    """Take every step due by `now` (none when nothing was due)."""
    for _attempt in range(3):
        complaint = complaints.get(tracking_id)
        try:
            return _escalate_once(complaint, now, complaints, reference, notifications, routing)
        except Conflict:
            continue  # an operator or another check acted: look again at what is still due
    raise Conflict("the complaint kept changing; the message will come back")


def _escalate_once(
    complaint: Complaint,
    now: datetime,
    complaints: ComplaintRepository,
    reference: ReferenceData,
    notifications: MessageQueue,
    routing: MessageQueue,
) -> Escalated:
    calendar = calendar_for(complaint, reference)
    taken: list[str] = []
    events: list[TimelineEvent] = []
    planned: list[Notification] = []
    changed = complaint
    reroute = complaint.status is Status.SUBMITTED and now >= complaint.created_at + ROUTING_GRACE
    if reroute:
        taken.append("rerouted")
    for step in due_steps(complaint.clock, calendar, now):
        changed, event, messages = _take(step, changed, now, reference)
        events.append(event)
        planned += messages
        taken.append(step.value)
    if not taken:
        return Escalated([], complaint.agency_id)
    sweep = now + ROUTING_GRACE if changed.status is Status.SUBMITTED else None
    write_change(
        changed,
        events,
        planned,
        complaints=complaints,
        notifications=notifications,
        reference=reference,
        due=sweep,
    )
    if reroute:  # after the write, so that routing never races the sweeper's own write
        # Whether intake queued the acknowledgement is not known here: routing sends the outbox
        # again, and the notification worker delivers each message once.
        routing.send({"type": "complaint.submitted", "tracking_id": complaint.tracking_id, "outbox": True})
    return Escalated(taken, complaint.agency_id)


def _take(
    step: Step, complaint: Complaint, now: datetime, reference: ReferenceData
) -> tuple[Complaint, TimelineEvent, list[Notification]]:
    clock = complaint.clock
    assert clock is not None  # due steps come from a running clock
    cause = f"escalation:{complaint.tracking_id}:{clock.started_at.isoformat()}:{step}"
    if step is Step.AUTO_CLOSE:
        effect = auto_close(complaint, cause)
        changed, event = apply(complaint, Action.CLOSE, SYSTEM, now, changes=effect.changes, data=effect.data)
        return changed, event, effect.notifications
    effect = escalation_step(step, complaint, reference, cause)
    changed, event = apply(
        complaint,
        Action.ESCALATE,
        SYSTEM,
        now,
        changes=effect.changes,
        data=effect.data,
        public=step is not Step.WARNING,  # escalations are public; the warning is the agency's own
    )
    if step is Step.WARNING:
        event = event.model_copy(update={"type": "warned"})
    return changed, event, effect.notifications
