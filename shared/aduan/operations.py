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
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aduan.changes import write_change
from aduan.domain import effects, evidence
from aduan.domain.deadlines import ResponseTrack
from aduan.domain.errors import Conflict, Forbidden, NotFound, TextHeld, ValidationFailed
from aduan.domain.lifecycle import Action, apply, in_scope
from aduan.domain.models import (
    OPEN_STATUSES,
    Actor,
    AgencyKind,
    ArchiveReason,
    Complaint,
    Language,
    Role,
    Status,
)
from aduan.domain.ports import ComplaintRepository, EvidenceBucket, MessageQueue
from aduan.domain.privacy import held_reasons
from aduan.domain.reference import ReferenceData
from aduan.domain.views import inbox_row, operator_view

# The actions an operator's request may name (lifecycle.OPERATOR_ACTIONS, spelled out for pydantic).
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


class ActionRequest(BaseModel):
    """An operator's action, as the console (or any client) posts it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: OperatorAction
    version: int | None = Field(default=None, ge=0)  # the version the operator saw
    text: str | None = Field(default=None, min_length=1, max_length=4000)
    reason: str | None = Field(default=None, min_length=1, max_length=500)
    agency_id: str | None = Field(default=None, min_length=1, max_length=100)
    # Send words that were held (a link, a request for a NIK) to an anonymous or confidential reporter.
    confirm: bool = False


def _reachable(complaint: Complaint, actor: Actor) -> None:
    if not in_scope(actor, complaint):
        raise NotFound("no complaint with this tracking ID")


def view_complaint(
    tracking_id: str,
    actor: Actor,
    *,
    complaints: ComplaintRepository,
    reference: ReferenceData,
    language: Language,
    timeline_before: str | None = None,
    bucket: EvidenceBucket | Callable[[], EvidenceBucket] | None = None,
) -> dict[str, Any]:
    """What an operator in scope sees, with the newest events (older ones: `timeline_before`) and
    the attachments with links from `bucket` (or the accessor that builds it, called only when
    there is a stored attachment to link)."""
    complaint, timeline, earlier = complaints.get_with_recent_timeline(tracking_id, timeline_before)
    _reachable(complaint, actor)
    links = evidence.links(bucket, complaint.tracking_id) if bucket is not None else None
    view = operator_view(complaint, timeline, actor, reference, language, links)
    return view | {"timeline_before": earlier}


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
    effect = _effect(action, request, complaint, actor, reference, now)
    changed, event = apply(complaint, action, actor, now, changes=effect.changes, data=effect.data)
    return write_change(
        changed,
        [event],
        effect.notifications,
        complaints=complaints,
        notifications=notifications,
        reference=reference,
    )


def _effect(
    action: Action,
    request: ActionRequest,
    complaint: Complaint,
    actor: Actor,
    reference: ReferenceData,
    now: datetime,
) -> effects.Effect:
    """The request's fields, checked, to the row of the effects table the action names."""
    cause = f"{action.value}:{complaint.tracking_id}:v{complaint.version}"
    if action in (Action.ASSIGN, Action.VERIFY, Action.TRANSFER):
        target = _target_agency(request, complaint, actor, reference)
        return effects.assignment(complaint, target, reference, now, cause)
    if action is Action.RETURN:
        reason = _required(request.reason, "reason")
        return effects.return_to_coordinator(complaint, reason, reference, now, cause)
    if action is Action.REQUEST_INFO:
        question, confirmed = _to_reporter(request, complaint)
        return _noting(effects.information_request(complaint, question, reference, now, cause), confirmed)
    if action is Action.RESPOND:
        text, confirmed = _to_reporter(request, complaint)
        return _noting(effects.response(complaint, text, reference, now, cause), confirmed)
    if action is Action.ARCHIVE:
        reason = _required(request.reason, "reason")
        if reason not in set(ArchiveReason):
            raise _invalid("reason", "enum", expected=", ".join(ArchiveReason))
        return effects.archive(complaint, reason, cause)
    if action is Action.MARK_DISPUTE:
        return effects.extension(complaint, ResponseTrack.DISPUTE, reference)
    if action is Action.MARK_FIELD_EXAM:
        return effects.extension(complaint, ResponseTrack.FIELD_EXAM, reference)
    if action is Action.FLAG_OMBUDSMAN:
        return effects.ombudsman_flag()
    return effects.Effect()  # acknowledge: the status is the whole change


def _target_agency(
    request: ActionRequest, complaint: Complaint, actor: Actor, reference: ReferenceData
) -> str:
    target = _required(request.agency_id, "agency_id")
    agency = reference.agency(target)
    if agency is None:
        raise _invalid("agency_id", "unknown_agency")
    # Only an agency follows a complaint up: "assigned" to a coordinator (or national), it would sit
    # where no operator can respond, on a fresh clock (coordinator_of a coordinator is itself, so
    # the scope checks below would let an operator pass it up to its own coordinator).
    if agency.kind is not AgencyKind.AGENCY:
        raise _invalid("agency_id", "not_an_agency")
    coordinator = reference.coordinator_of(target).id
    if actor.role is Role.COORDINATOR and coordinator != actor.agency_id:
        raise Forbidden("a coordinator assigns only to agencies under it")
    if actor.role is Role.OPERATOR and coordinator != complaint.coordinator_id:
        raise Forbidden("transfer only to an agency under the same coordinator")
    if target == complaint.agency_id:
        raise _invalid("agency_id", "same_agency")
    return target


def _to_reporter(request: ActionRequest, complaint: Complaint) -> tuple[str, list[str]]:
    """The words an operator sends the reporter, and the warnings confirmed past: held (TextHeld)
    when they could make an anonymous or confidential reporter known, unless the operator confirms."""
    text = _required(request.text, "text")
    reasons = held_reasons(text, complaint.privacy)
    if reasons and not request.confirm:
        raise TextHeld([("text", reason, {}) for reason in reasons])
    return text, reasons


def _noting(effect: effects.Effect, confirmed: list[str]) -> effects.Effect:
    """The timeline keeps which warnings the operator confirmed past."""
    return replace(effect, data={**effect.data, "confirmed_warnings": confirmed}) if confirmed else effect


def _required(value: str | None, field: str) -> str:
    if not value:
        raise _invalid(field, "missing")
    return value


def _invalid(field: str, code: str, **values: Any) -> Exception:
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
    index, key = _position(cursor, len(statuses))
    rows: list[dict[str, Any]] = []
    while index < len(statuses) and len(rows) < limit:
        page = complaints.inbox(actor.agency_id, statuses[index], limit=limit - len(rows), cursor=key)
        for summary in page.complaints:
            due = summary.clock.due_at if summary.clock and summary.clock.due_at else None
            late = due is not None and due < now
            if overdue and not late:
                continue
            if due_within_days is not None and (due is None or due > now + timedelta(days=due_within_days)):
                continue
            rows.append(inbox_row(summary, language, late))
        key = page.cursor
        if key is None:
            index += 1
    if order == "urgent":
        rows.sort(key=lambda row: (row["due_at"] is None, row["due_at"] or now))
    following = None
    if index < len(statuses):
        following = base64.urlsafe_b64encode(json.dumps({"s": index, "k": key}).encode()).decode()
    return {"complaints": rows, "cursor": following}


def _position(cursor: str | None, statuses: int) -> tuple[int, str | None]:
    """Where a page starts: the status the inbox had reached and the store's cursor within it. The
    cursor comes back from a client: anything but one `inbox` wrote for the same filter is refused
    (422 naming `cursor`), and the store checks its own part (`k`) the same way."""
    if not cursor:
        return 0, None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, RecursionError):  # not base64, not UTF-8, not JSON, or nested past the parser
        position = None
    if isinstance(position, dict) and set(position) == {"s", "k"}:
        index, key = position["s"], position["k"]
        if type(index) is int and 0 <= index < statuses and (key is None or isinstance(key, str)):
            return index, key
    raise _invalid("cursor", "invalid_cursor")


# -- statistics ------------------------------------------------------------------------------------

# The days a report period may start and end on (GET /ops/stats?from=&to=): Aduan holds nothing
# filed before 2000, and no period reaches past 2099 (9999-12-31 has no day after it to end on).
FIRST_REPORT_DAY = date(2000, 1, 1)
LAST_REPORT_DAY = date(2099, 12, 31)


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
    if end <= start:
        raise _invalid("to", "date_order")
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
