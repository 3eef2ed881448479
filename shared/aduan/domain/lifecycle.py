"""The complaint lifecycle: which action may move which status, and who may take it.

The table below is the whole rule set (DESIGN §1 "Statuses"). `authorize` checks an actor's
role, its scope over the complaint (its agency, or the coordinator above it) and the current
status; `apply` takes the action and returns the changed complaint with its timeline event.
Clock changes belong to the use cases, which know the agency's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from aduan.domain.errors import Forbidden, InvalidTransition
from aduan.domain.models import OPEN_STATUSES, Actor, Complaint, Role, Status, TimelineEvent


class Action(StrEnum):
    ASSIGN = "assign"  # disposisi: forward to an agency
    VERIFY = "verify"  # a coordinator confirms the report and forwards it to the agency proposed
    TRIAGE = "triage"  # no rule could route it: a person must
    TRANSFER = "transfer"  # to another agency
    RETURN = "return"  # bukan wewenang: not our authority, back to triage
    ACKNOWLEDGE = "acknowledge"
    REQUEST_INFO = "request_info"  # pauses the response clock
    PROVIDE_INFO = "provide_info"  # the citizen answers; the clock resumes
    RESPOND = "respond"  # tindak lanjut: the follow-up
    REOPEN = "reopen"  # the citizen says the response did not solve it
    CLOSE = "close"
    RATE = "rate"
    COMMENT = "comment"
    RAISE_PRIVACY = "raise_privacy"  # the reporter hides more (aduan.domain.privacy: when it may)
    ARCHIVE = "archive"
    ESCALATE = "escalate"
    MARK_DISPUTE = "mark_dispute"
    MARK_FIELD_EXAM = "mark_field_exam"
    FLAG_OMBUDSMAN = "flag_ombudsman"


# What an operator's request may name (POST /ops/complaints/{id}/actions); the rest are the
# citizen's and the system's.
OPERATOR_ACTIONS = frozenset(
    {
        Action.VERIFY,
        Action.ASSIGN,
        Action.TRANSFER,
        Action.RETURN,
        Action.ACKNOWLEDGE,
        Action.REQUEST_INFO,
        Action.RESPOND,
        Action.ARCHIVE,
        Action.MARK_DISPUTE,
        Action.MARK_FIELD_EXAM,
        Action.FLAG_OMBUDSMAN,
    }
)


@dataclass(frozen=True)
class Rule:
    sources: frozenset[Status]
    roles: frozenset[Role]
    target: Status | None  # None: the status stays as it is
    event: str  # the timeline event's type code


def _rule(
    sources: set[Status] | frozenset[Status],
    roles: set[Role],
    target: Status | None,
    event: str,
) -> Rule:
    return Rule(frozenset(sources), frozenset(roles), target, event)


S, R = Status, Role
UNROUTED = {S.SUBMITTED, S.NEEDS_TRIAGE}
WITH_AGENCY = {S.ASSIGNED, S.IN_PROGRESS}
DISPATCHERS = {R.COORDINATOR, R.NATIONAL}

RULES: dict[Action, Rule] = {
    Action.ASSIGN: _rule(UNROUTED, {R.SYSTEM, *DISPATCHERS}, S.ASSIGNED, "assigned"),
    Action.VERIFY: _rule(UNROUTED, DISPATCHERS, S.ASSIGNED, "verified"),
    Action.TRIAGE: _rule({S.SUBMITTED}, {R.SYSTEM}, S.NEEDS_TRIAGE, "needs_triage"),
    Action.TRANSFER: _rule(WITH_AGENCY, {R.OPERATOR, *DISPATCHERS}, S.ASSIGNED, "transferred"),
    Action.RETURN: _rule(WITH_AGENCY, {R.OPERATOR}, S.NEEDS_TRIAGE, "returned"),
    Action.ACKNOWLEDGE: _rule({S.ASSIGNED}, {R.OPERATOR}, S.IN_PROGRESS, "acknowledged"),
    Action.REQUEST_INFO: _rule(WITH_AGENCY, {R.OPERATOR}, S.WAITING_ON_CITIZEN, "info_requested"),
    Action.PROVIDE_INFO: _rule({S.WAITING_ON_CITIZEN}, {R.CITIZEN}, S.IN_PROGRESS, "info_provided"),
    Action.RESPOND: _rule(WITH_AGENCY, {R.OPERATOR}, S.RESPONDED, "responded"),
    Action.REOPEN: _rule({S.RESPONDED}, {R.CITIZEN}, S.IN_PROGRESS, "reopened"),
    Action.CLOSE: _rule({S.RESPONDED}, {R.CITIZEN, R.SYSTEM}, S.CLOSED, "closed"),
    Action.RATE: _rule({S.RESPONDED, S.CLOSED}, {R.CITIZEN}, None, "rated"),
    Action.COMMENT: _rule(OPEN_STATUSES, {R.CITIZEN}, None, "commented"),
    Action.RAISE_PRIVACY: _rule(OPEN_STATUSES, {R.CITIZEN}, None, "privacy_raised"),
    Action.ARCHIVE: _rule(OPEN_STATUSES, DISPATCHERS, S.ARCHIVED, "archived"),
    Action.ESCALATE: _rule({*UNROUTED, *WITH_AGENCY}, {R.SYSTEM}, None, "escalated"),
    Action.MARK_DISPUTE: _rule(WITH_AGENCY, {R.OPERATOR, R.COORDINATOR}, None, "clock_extended"),
    Action.MARK_FIELD_EXAM: _rule(WITH_AGENCY, {R.OPERATOR, R.COORDINATOR}, None, "clock_extended"),
    Action.FLAG_OMBUDSMAN: _rule(frozenset(Status), {R.NATIONAL, R.SYSTEM}, None, "ombudsman_flagged"),
}


def in_scope(actor: Actor, complaint: Complaint) -> bool:
    """Whether the actor's agency reaches the complaint: an operator only its own agency's
    complaints, a coordinator those it holds or that sit with an agency under it."""
    if actor.role is Role.OPERATOR:
        return actor.agency_id is not None and actor.agency_id == complaint.agency_id
    if actor.role is Role.COORDINATOR:
        held = (complaint.agency_id, complaint.coordinator_id)
        return actor.agency_id is not None and actor.agency_id in held
    # The national administrator and the system reach everything; a citizen actor exists only
    # after the access code (or the reporter's phone) was checked.
    return True


def authorize(complaint: Complaint, action: Action, actor: Actor) -> Rule:
    """The rule for `action` if `actor` may take it on `complaint` now; a domain error otherwise."""
    rule = RULES[action]
    if actor.role not in rule.roles:
        raise Forbidden(f"a {actor.role} may not {action}", action=action.value, role=actor.role.value)
    if not in_scope(actor, complaint):
        raise Forbidden("this complaint is outside your agency", action=action.value)
    if complaint.status not in rule.sources:
        raise InvalidTransition(
            f"cannot {action} a complaint that is {complaint.status}",
            action=action.value,
            status=complaint.status.value,
        )
    return rule


def apply(
    complaint: Complaint,
    action: Action,
    actor: Actor,
    at: datetime,
    *,
    public: bool = True,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> tuple[Complaint, TimelineEvent]:
    """Take `action`: the complaint with its new status (and `changes`), and the timeline event.

    The version is not touched here: the store bumps it in the same conditional write.
    """
    rule = authorize(complaint, action, actor)
    target = rule.target or complaint.status
    changed = complaint.model_copy(update={**(changes or {}), "status": target, "updated_at": at})
    event = TimelineEvent(
        at=at,
        type=rule.event,
        actor=actor,
        from_status=complaint.status,
        to_status=target,
        public=public,
        data=data or {},
    )
    return changed, event


def allowed_actions(complaint: Complaint, actor: Actor) -> list[Action]:
    """What `actor` may do with `complaint` now: the buttons an operator's console shows."""
    allowed = []
    for action in Action:
        try:
            authorize(complaint, action, actor)
        except (Forbidden, InvalidTransition):
            continue
        allowed.append(action)
    return allowed
