"""What agency operators, coordinators and the national administrator do with complaints.

Every action goes through the lifecycle table (role, agency scope, current status) and one
conditional write on the version the operator saw: a second operator acting on a stale version
gets Conflict (409), never a lost update. A complaint outside the caller's scope is NotFound, so
the API does not tell outsiders what exists. Reporter identity is shown only where the role may
see it: never to an agency or coordinator when the report is anonymous or confidential.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from aduan.citizen import calendar_for, next_due_at
from aduan.deadlines import ClockKind, ResponseTrack, due_text, extend, pause, start_clock
from aduan.errors import Conflict, Forbidden, InvalidTransition, NotFound
from aduan.lifecycle import Action, allowed_actions, apply, in_scope
from aduan.messages import status_text
from aduan.models import OPEN_STATUSES, Actor, ArchiveReason, Complaint, Language, Role, Status, TimelineEvent
from aduan.notifications import Notification
from aduan.notify import for_agency, for_citizen
from aduan.ports import ComplaintRepository, MessageQueue
from aduan.reference import ReferenceData
from aduan.tracking import display_form
from aduan.views import event_text
from aduan.workdays import WorkCalendar

OperatorAction = Literal[
    "verify",
    "assign",
    "transfer",
    "return",
    "acknowledge",
    "request_info",
    "respond",
    "archive",
    "mark_dispute",
    "mark_field_exam",
    "flag_ombudsman",
]
OPERATOR_ACTIONS = get_args(OperatorAction)


class ActionRequest(BaseModel):
    """An operator's action, as the console (or any client) posts it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: OperatorAction
    version: int | None = Field(default=None, ge=0)  # the version the operator saw
    text: str | None = Field(default=None, min_length=1, max_length=4000)
    reason: str | None = Field(default=None, min_length=1, max_length=500)
    agency_id: str | None = Field(default=None, min_length=1, max_length=100)


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    """The caller, from the JWT authorizer's claims (role and agency are attributes they cannot edit)."""
    role = str(claims.get("custom:role", ""))
    if role not in (Role.OPERATOR, Role.COORDINATOR, Role.NATIONAL):
        raise Forbidden("this account has no operator role")
    return Actor(
        role=Role(role),
        agency_id=str(claims.get("custom:agency_id") or "") or None,
        user_id=str(claims.get("cognito:username") or claims.get("sub") or ""),
    )


def _reachable(complaint: Complaint, actor: Actor) -> None:
    if not in_scope(actor, complaint):
        raise NotFound("no complaint with this tracking ID")


def may_see_identity(complaint: Complaint, actor: Actor) -> bool:
    """The national administrator always; an agency or coordinator only for a public report."""
    return actor.role is Role.NATIONAL or not complaint.privacy.hides_identity_from_agency


def operator_view(
    complaint: Complaint,
    timeline: list[TimelineEvent],
    actor: Actor,
    reference: ReferenceData,
    language: Language,
) -> dict[str, Any]:
    """Everything an operator works with: the full timeline, the allowed actions, identity if allowed."""
    view: dict[str, Any] = {
        "tracking_id": complaint.tracking_id,
        "tracking_id_display": display_form(complaint.tracking_id),
        "title": complaint.title,
        "description": complaint.description,
        "classification": complaint.classification,
        "category": (
            {"code": complaint.category, "name": reference.category_name(complaint.category, language)}
            if complaint.category
            else None
        ),
        "location": complaint.location.model_dump(mode="json"),
        "incident_date": complaint.incident_date,
        "status": complaint.status,
        "status_text": status_text(complaint.status, language),
        "privacy": complaint.privacy,
        "channel": complaint.channel,
        "language": complaint.language,
        "agency": (
            {"id": complaint.agency_id, "name": reference.agency_name(complaint.agency_id)}
            if complaint.agency_id
            else None
        ),
        "coordinator_id": complaint.coordinator_id,
        "due_at": complaint.clock.due_at if complaint.clock and complaint.clock.due_at else None,
        "clock": complaint.clock.model_dump(mode="json") if complaint.clock else None,
        "escalation_level": complaint.escalation_level,
        "ombudsman_flag": complaint.ombudsman_flag,
        "rating": complaint.rating,
        "version": complaint.version,
        "created_at": complaint.created_at,
        "reporter": complaint.reporter.model_dump(mode="json")
        if may_see_identity(complaint, actor)
        else None,
        "allowed_actions": [
            a.value for a in allowed_actions(complaint, actor) if a.value in OPERATOR_ACTIONS
        ],
        "timeline": [
            {
                "type": event.type,
                "at": event.at,
                "text": event_text(event, complaint, reference, language),
                "actor": event.actor.model_dump(mode="json"),
                "public": event.public,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "data": event.data,
            }
            for event in timeline
        ],
    }
    return view


def view_complaint(
    tracking_id: str,
    actor: Actor,
    *,
    complaints: ComplaintRepository,
    reference: ReferenceData,
    language: Language,
) -> dict[str, Any]:
    complaint, timeline = complaints.get_with_timeline(tracking_id)
    _reachable(complaint, actor)
    return operator_view(complaint, timeline, actor, reference, language)


def act(
    tracking_id: str,
    request: ActionRequest,
    actor: Actor,
    *,
    complaints: ComplaintRepository,
    reference: ReferenceData,
    notifications: MessageQueue,
    now: datetime,
) -> Complaint:
    """Take one operator action; Conflict when the complaint changed since `request.version`."""
    complaint = complaints.get(tracking_id)
    _reachable(complaint, actor)
    if request.version is not None and request.version != complaint.version:
        raise Conflict("someone changed this complaint; reload it", item="complaint")
    action = Action(request.action)
    changes, data, planned = _effects(action, request, complaint, actor, reference, now)
    changed, event = apply(complaint, action, actor, now, changes=changes, data=data)
    for notification in planned:
        notifications.send(notification.model_dump(mode="json"))
    return complaints.save(
        changed, [event], next_due_at=next_due_at(changed, calendar_for(changed, reference))
    )


def _effects(
    action: Action,
    request: ActionRequest,
    complaint: Complaint,
    actor: Actor,
    reference: ReferenceData,
    now: datetime,
) -> tuple[dict[str, Any], dict[str, Any], list[Notification]]:
    """What an action changes besides the status, what the event records, and who is told."""
    cause = f"{action.value}:{complaint.tracking_id}:v{complaint.version}"
    calendar = calendar_for(complaint, reference)
    agency_name = reference.agency_name(complaint.agency_id)
    if action in (Action.ASSIGN, Action.VERIFY, Action.TRANSFER):
        target = _target_agency(request, complaint, actor, reference)
        agency = reference.agency(target)
        calendar = WorkCalendar(agency.timezone) if agency else calendar
        clock = start_clock(ClockKind.RESPONSE, now, calendar)
        values = {"agency": reference.agency_name(target), "due": due_text(clock, complaint.language)}
        changes = {
            "agency_id": target,
            "coordinator_id": reference.coordinator_of(target).id,
            "clock": clock,
            "escalation_level": 0,
        }
        planned = [for_citizen(complaint, "assigned", cause, **values)]
        category = reference.category_name(complaint.category or "lainnya", "id")
        planned += for_agency(
            target, reference, "new_assignment", cause, complaint.tracking_id, category=category, **values
        )
        return changes, {"agency_id": target, "from_agency_id": complaint.agency_id}, planned
    if action is Action.RETURN:
        reason = _required(request.reason, "reason")
        coordinator = reference.coordinator_of(complaint.agency_id or "").id
        clock = start_clock(ClockKind.VERIFICATION, now, calendar)
        values = {
            "agency": reference.agency_name(coordinator),
            "due": due_text(clock, complaint.language),
        }
        planned = for_agency(coordinator, reference, "triage", cause, complaint.tracking_id, **values)
        changes = {
            "agency_id": coordinator,
            "coordinator_id": coordinator,
            "clock": clock,
            "escalation_level": 0,
        }
        return (
            changes,
            {"from_agency_id": complaint.agency_id, "agency_id": coordinator, "reason": reason},
            planned,
        )
    if action is Action.REQUEST_INFO:
        question = _required(request.text, "text")
        changes = {"clock": pause(complaint.clock, now, calendar)} if complaint.clock else {}
        planned = [for_citizen(complaint, "info_requested", cause, agency=agency_name, question=question)]
        return changes, {"question": question}, planned
    if action is Action.RESPOND:
        response = _required(request.text, "text")
        window = start_clock(ClockKind.REPLY_WINDOW, now, calendar)
        planned = [for_citizen(complaint, "responded", cause, agency=agency_name, response=response)]
        responded: dict[str, Any] = {"clock": window, "escalation_level": 0}
        if complaint.first_response_at is None:
            due = complaint.clock.due_at if complaint.clock else None
            responded |= {"first_response_at": now, "answered_on_time": due is None or now <= due}
        return responded, {"response": response}, planned
    if action is Action.ARCHIVE:
        reason = _required(request.reason, "reason")
        if reason not in set(ArchiveReason):
            raise _invalid("reason", "enum", expected=", ".join(ArchiveReason))
        return {"clock": None}, {"reason": reason}, [for_citizen(complaint, "closed", cause)]
    if action in (Action.MARK_DISPUTE, Action.MARK_FIELD_EXAM):
        track = ResponseTrack.DISPUTE if action is Action.MARK_DISPUTE else ResponseTrack.FIELD_EXAM
        running = complaint.clock
        if (
            running is None
            or running.kind is not ClockKind.RESPONSE
            or running.track is not ResponseTrack.STANDARD
        ):
            raise InvalidTransition("the response clock can be extended once", action=action.value)
        extended = extend(running, track, calendar)
        return {"clock": extended}, {"days": extended.working_days, "track": track.value}, []
    if action is Action.FLAG_OMBUDSMAN:
        return {"ombudsman_flag": True}, {}, []
    return {}, {}, []  # acknowledge: the status is the whole change


def _target_agency(
    request: ActionRequest, complaint: Complaint, actor: Actor, reference: ReferenceData
) -> str:
    target = _required(request.agency_id, "agency_id")
    agency = reference.agency(target)
    if agency is None:
        raise _invalid("agency_id", "unknown_agency")
    coordinator = reference.coordinator_of(target).id
    if actor.role is Role.COORDINATOR and coordinator != actor.agency_id:
        raise Forbidden("a coordinator assigns only to agencies under it")
    if actor.role is Role.OPERATOR and coordinator != complaint.coordinator_id:
        raise Forbidden("transfer only to an agency under the same coordinator")
    if target == complaint.agency_id:
        raise _invalid("agency_id", "same_agency")
    return target


def _required(value: str | None, field: str) -> str:
    if not value:
        raise _invalid(field, "missing")
    return value


def _invalid(field: str, code: str, **values: Any) -> Exception:
    from aduan.intake import ValidationFailed

    return ValidationFailed([(field, code, values)])


# -- the inbox ---------------------------------------------------------------------------------------


def inbox(
    actor: Actor,
    *,
    complaints: ComplaintRepository,
    language: Language,
    now: datetime,
    status: Status | None = None,
    overdue: bool = False,
    due_within_days: int | None = None,
    order: Literal["newest", "urgent"] = "newest",
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """The complaints the caller's agency holds, by status (every open status when none is given).

    The cursor is opaque: which status it had reached and where in it."""
    if actor.agency_id is None:
        raise Forbidden("this account belongs to no agency")
    statuses = [status] if status else [s for s in Status if s in OPEN_STATUSES]
    position: dict[str, Any] = json.loads(base64.urlsafe_b64decode(cursor)) if cursor else {"s": 0, "k": None}
    rows: list[dict[str, Any]] = []
    index: int = int(position["s"])
    key: str | None = position["k"]
    while index < len(statuses) and len(rows) < limit:
        page = complaints.inbox(actor.agency_id, statuses[index], limit=limit - len(rows), cursor=key)
        for summary in page.complaints:
            due = summary.clock.due_at if summary.clock and summary.clock.due_at else None
            late = due is not None and due < now
            if overdue and not late:
                continue
            if due_within_days is not None and (due is None or due > now + timedelta(days=due_within_days)):
                continue
            rows.append(
                {
                    "tracking_id": summary.tracking_id,
                    "tracking_id_display": display_form(summary.tracking_id),
                    "title": summary.title,
                    "category": summary.category,
                    "status": summary.status,
                    "status_text": status_text(summary.status, language),
                    "privacy": summary.privacy,
                    "due_at": due,
                    "overdue": late,
                    "escalation_level": summary.escalation_level,
                    "created_at": summary.created_at,
                    "version": summary.version,
                }
            )
        key = page.cursor
        if key is None:
            index += 1
    if order == "urgent":
        rows.sort(key=lambda row: (row["due_at"] is None, row["due_at"] or now))
    following = None
    if index < len(statuses):
        following = base64.urlsafe_b64encode(json.dumps({"s": index, "k": key}).encode()).decode()
    return {"complaints": rows, "cursor": following}


# -- statistics ------------------------------------------------------------------------------------


def statistics(
    actor: Actor,
    *,
    complaints: ComplaintRepository,
    reference: ReferenceData,
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    """The figures of SP4N-LAPOR!'s monthly reports, for complaints filed in [start, end): counts by
    status, agency and category, median days to the first response, the share answered within the
    deadline, escalations by level and the average rating. A coordinator sees the agencies under it,
    the national administrator every agency. Read from the inbox index, one query per agency and
    status: never a Scan."""
    if actor.role not in (Role.COORDINATOR, Role.NATIONAL):
        raise Forbidden("statistics are for coordinators and the national administrator")
    agencies = [
        agency.id
        for agency in reference.agencies
        if actor.role is Role.NATIONAL
        or agency.id == actor.agency_id
        or reference.coordinator_of(agency.id).id == actor.agency_id
    ]
    rows = [
        row
        for agency_id in agencies
        for status in Status
        for row in complaints.filed_between(agency_id, status, start, end)
    ]
    by: dict[str, dict[str, int]] = {"status": {}, "agency": {}, "category": {}, "escalation_level": {}}
    for row in rows:
        for name, value in (
            ("status", row.status.value),
            ("agency", row.agency_id or "-"),
            ("category", row.category or "-"),
            ("escalation_level", str(row.escalation_level)),
        ):
            by[name][value] = by[name].get(value, 0) + 1
    waits = sorted(
        (row.first_response_at - row.created_at).total_seconds() / 86400
        for row in rows
        if row.first_response_at
    )
    answered = [row.answered_on_time for row in rows if row.answered_on_time is not None]
    ratings = [row.rating for row in rows if row.rating]
    return {
        "from": start,
        "to": end,
        "complaints": len(rows),
        "by_status": by["status"],
        "by_agency": by["agency"],
        "by_category": by["category"],
        "escalations_by_level": {level: n for level, n in by["escalation_level"].items() if level != "0"},
        "median_days_to_first_response": waits[len(waits) // 2] if waits else None,
        "answered_within_deadline": sum(answered) / len(answered) if answered else None,
        "average_rating": sum(ratings) / len(ratings) if ratings else None,
    }
