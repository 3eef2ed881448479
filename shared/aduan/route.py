"""Routing (disposisi): a submitted complaint is assigned to its agency, or sent to triage.

The transition is conditional on the complaint still being `submitted`, so a redelivered
message changes nothing twice; it only re-sends the routing's notifications, whose stable IDs
make the notification worker skip what was already delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aduan.citizen import calendar_for, next_due_at
from aduan.deadlines import ClockKind, due_text, start_clock
from aduan.errors import Conflict
from aduan.lifecycle import Action, apply
from aduan.models import Actor, Complaint, Location, Role, Status, TimelineEvent
from aduan.notifications import Notification
from aduan.notify import for_agency, for_citizen
from aduan.ports import ComplaintRepository, MessageQueue
from aduan.reference import ReferenceData
from aduan.routing import decide
from aduan.workdays import WorkCalendar

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
        changed, event, calendar = _routed(complaint, reference, now)
        _notify(changed, reference, notifications)
        try:
            saved = complaints.save(changed, [event], next_due_at=next_due_at(changed, calendar))
        except Conflict:
            continue  # the sweeper, an operator or another delivery wrote first: look again
        return Routed(saved.status.value, saved)
    raise Conflict("the complaint kept changing; the message will come back")


def _routed(
    complaint: Complaint, reference: ReferenceData, now: datetime
) -> tuple[Complaint, TimelineEvent, WorkCalendar]:
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
    data = {
        "agency_id": decision.holder_id,
        "category": decision.category,
        "region_code": decision.region_code,
        "reason_id": decision.reason_id,
        "reason_en": decision.reason_en,
    }
    changes: dict[str, object] = {"category": decision.category or complaint.category, "location": location}
    if decision.confident and decision.agency_id:
        agency = reference.agency(decision.agency_id)
        calendar = WorkCalendar(agency.timezone if agency else reference.timezone_for(location.region_code))
        changes |= {
            "agency_id": decision.agency_id,
            "coordinator_id": reference.coordinator_of(decision.agency_id).id,
            "clock": start_clock(ClockKind.RESPONSE, now, calendar),
            "escalation_level": 0,
        }
        changed, event = apply(complaint, Action.ASSIGN, SYSTEM, now, changes=changes, data=data)
        return changed, event, calendar
    # Not confident: the coordinator of the region found (or the national administrator) triages;
    # the verification clock started at submission keeps running.
    changes |= {"agency_id": decision.coordinator_id, "coordinator_id": decision.coordinator_id}
    changed, event = apply(complaint, Action.TRIAGE, SYSTEM, now, changes=changes, data=data)
    return changed, event, calendar_for(changed, reference)


def _notify(complaint: Complaint, reference: ReferenceData, notifications: MessageQueue) -> None:
    cause = f"routed:{complaint.tracking_id}"
    holder = complaint.agency_id or reference.national.id
    values = {"agency": reference.agency_name(holder), "due": due_text(complaint.clock, complaint.language)}
    planned: list[Notification] = []
    if complaint.status is Status.ASSIGNED:
        planned.append(for_citizen(complaint, "assigned", cause, **values))
        category = reference.category_name(complaint.category or "lainnya", "id")
        planned += for_agency(
            holder, reference, "new_assignment", cause, complaint.tracking_id, category=category, **values
        )
    else:
        planned += for_agency(holder, reference, "triage", cause, complaint.tracking_id, **values)
    for notification in planned:
        notifications.send(notification.model_dump(mode="json"))
