"""Routing (disposisi): a submitted complaint is assigned to its agency, or sent to triage.

The transition is conditional on the complaint still being `submitted`, so a redelivered
message changes nothing twice; it only re-sends the routing's notifications, whose stable IDs
make the notification worker skip what was already delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aduan.changes import write_change
from aduan.domain.effects import assignment, triage
from aduan.domain.errors import Conflict
from aduan.domain.lifecycle import Action, apply
from aduan.domain.models import Actor, Complaint, Location, Role, Status, TimelineEvent
from aduan.domain.notifications import Notification
from aduan.domain.ports import ComplaintRepository, MessageQueue
from aduan.domain.reference import ReferenceData
from aduan.domain.routing_decision import decide

SYSTEM = Actor(role=Role.SYSTEM, user_id="routing")


@dataclass(frozen=True)
class Routed:
    outcome: str
    complaint: Complaint


def route_complaint(
    tracking_id: str,
    *,
    complaints: ComplaintRepository,
    reference: ReferenceData,
    notifications: MessageQueue,
    now: datetime,
    resend_outbox: bool = False,
) -> Routed:
    """Assign or triage one complaint (outcome `assigned`, `needs_triage` or `already_routed`).

    The notifications are queued before the write: if the write then fails, the retry queues the
    same IDs again and the notification worker delivers each once; nothing is lost in between.
    With `resend_outbox` (intake could not queue the acknowledgement, or the sweeper re-sent the
    complaint), the messages stored with the complaint are queued again first."""
    if resend_outbox:
        for message in complaints.outbox(tracking_id):
            notifications.send(message)
    for _attempt in range(3):
        complaint = complaints.get(tracking_id)
        if complaint.status is not Status.SUBMITTED:
            return Routed("already_routed", complaint)
        changed, event, planned = _routed(complaint, reference, now)
        try:
            saved = write_change(
                changed,
                [event],
                planned,
                complaints=complaints,
                notifications=notifications,
                reference=reference,
            )
        except Conflict:
            continue  # the sweeper, an operator or another delivery wrote first: look again
        return Routed(saved.status.value, saved)
    raise Conflict("the complaint kept changing; the message will come back")


def _routed(
    complaint: Complaint, reference: ReferenceData, now: datetime
) -> tuple[Complaint, TimelineEvent, list[Notification]]:
    decision = decide(
        complaint.title,
        complaint.description,
        complaint.location.address,
        complaint.category,
        complaint.location.region_code,
        reference,
    )
    location = complaint.location
    if decision.region_code and not location.region_code:
        location = Location(**{**location.model_dump(), "region_code": decision.region_code})
    placed = complaint.model_copy(
        update={"category": decision.category or complaint.category, "location": location}
    )
    cause = f"routed:{complaint.tracking_id}"
    if decision.confident and decision.agency_id:
        action, effect = Action.ASSIGN, assignment(placed, decision.agency_id, reference, now, cause)
    else:
        action, effect = Action.TRIAGE, triage(placed, decision.coordinator_id, reference, cause)
    data = {
        "agency_id": decision.holder_id,
        "category": decision.category,
        "region_code": decision.region_code,
        "reason_id": decision.reason_id,
        "reason_en": decision.reason_en,
    }
    changes = {"category": placed.category, "location": location, **effect.changes}
    changed, event = apply(complaint, action, SYSTEM, now, changes=changes, data=data)
    return changed, event, effect.notifications
