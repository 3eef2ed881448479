"""Every (status, action, role): the allowed ones succeed, every other raises a domain error."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from aduan.domain.errors import DomainError, Forbidden, InvalidTransition
from aduan.domain.lifecycle import Action, allowed_actions, apply
from aduan.domain.models import Actor, Role, Status
from tests.factories import complaint

AGENCY = "kab-tangerang.disdukcapil"
COORDINATOR = "kab-tangerang"
NOW = datetime(2026, 3, 17, 2, 0, tzinfo=UTC)

OPEN = "submitted needs_triage assigned in_progress waiting_on_citizen responded"
ALL = OPEN + " closed archived"

# The specification, written out from DESIGN §1 independently of aduan.domain.lifecycle.RULES:
# action: (statuses it may start from, roles that may take it, status it leads to or "same").
SPEC: dict[str, tuple[str, str, str]] = {
    "assign": ("submitted needs_triage", "system coordinator national", "assigned"),
    "verify": ("submitted needs_triage", "coordinator national", "assigned"),
    "triage": ("submitted", "system", "needs_triage"),
    "transfer": ("assigned in_progress", "operator coordinator national", "assigned"),
    "return": ("assigned in_progress", "operator", "needs_triage"),
    "acknowledge": ("assigned", "operator", "in_progress"),
    "request_info": ("assigned in_progress", "operator", "waiting_on_citizen"),
    "provide_info": ("waiting_on_citizen", "citizen", "in_progress"),
    "respond": ("assigned in_progress", "operator", "responded"),
    "reopen": ("responded", "citizen", "in_progress"),
    "close": ("responded", "citizen system", "closed"),
    "rate": ("responded closed", "citizen", "same"),
    "comment": (OPEN, "citizen", "same"),
    "raise_privacy": (OPEN, "citizen", "same"),
    "archive": (OPEN, "coordinator national", "archived"),
    "escalate": ("submitted needs_triage assigned in_progress", "system", "same"),
    "mark_dispute": ("assigned in_progress", "operator coordinator", "same"),
    "mark_field_exam": ("assigned in_progress", "operator coordinator", "same"),
    "flag_ombudsman": (ALL, "national system", "same"),
}

ACTORS = {
    Role.CITIZEN: Actor(role=Role.CITIZEN),
    Role.OPERATOR: Actor(role=Role.OPERATOR, agency_id=AGENCY, user_id="op.disdukcapil"),
    Role.COORDINATOR: Actor(role=Role.COORDINATOR, agency_id=COORDINATOR, user_id="coord.kab-tangerang"),
    Role.NATIONAL: Actor(role=Role.NATIONAL, agency_id="kemenpanrb", user_id="admin.nasional"),
    Role.SYSTEM: Actor(role=Role.SYSTEM),
}


def test_the_spec_names_every_action() -> None:
    assert set(SPEC) == {action.value for action in Action}


@pytest.mark.parametrize(
    ("status", "action", "role"),
    list(itertools.product(Status, Action, Role)),
    ids=lambda value: str(value),
)
def test_status_action_role(status: Status, action: Action, role: Role) -> None:
    sources, roles, target = SPEC[action.value]
    case = complaint(status=status, agency_id=AGENCY, coordinator_id=COORDINATOR)
    allowed = status.value in sources.split() and role.value in roles.split()

    if not allowed:
        with pytest.raises(DomainError) as raised:
            apply(case, action, ACTORS[role], NOW)
        expected = InvalidTransition if role.value in roles.split() else Forbidden
        assert type(raised.value) is expected
        return

    changed, event = apply(case, action, ACTORS[role], NOW)
    expected_status = status if target == "same" else Status(target)
    assert changed.status is expected_status
    assert (event.from_status, event.to_status) == (status, expected_status)
    assert event.actor == ACTORS[role]
    assert event.at == NOW
    assert changed.updated_at == NOW
    assert changed.version == case.version  # the store bumps it, in the same conditional write


@pytest.mark.parametrize("action", [Action.ACKNOWLEDGE, Action.RESPOND, Action.RETURN, Action.REQUEST_INFO])
def test_an_operator_of_another_agency_may_not_touch_the_complaint(action: Action) -> None:
    case = complaint(status=Status.ASSIGNED, agency_id=AGENCY, coordinator_id=COORDINATOR)
    outsider = Actor(role=Role.OPERATOR, agency_id="kab-tangerang.pupr")
    with pytest.raises(Forbidden):
        apply(case, action, outsider, NOW)


def test_a_coordinator_reaches_only_complaints_under_it() -> None:
    case = complaint(status=Status.NEEDS_TRIAGE, agency_id=COORDINATOR, coordinator_id=COORDINATOR)
    other = Actor(role=Role.COORDINATOR, agency_id="kota-tangerang")
    with pytest.raises(Forbidden):
        apply(case, Action.ASSIGN, other, NOW)
    changed, _ = apply(case, Action.ASSIGN, ACTORS[Role.COORDINATOR], NOW)
    assert changed.status is Status.ASSIGNED


def test_an_operator_without_an_agency_reaches_nothing() -> None:
    case = complaint(status=Status.ASSIGNED, agency_id=AGENCY)
    with pytest.raises(Forbidden):
        apply(case, Action.ACKNOWLEDGE, Actor(role=Role.OPERATOR), NOW)


def test_the_console_shows_an_operator_only_what_it_may_do() -> None:
    case = complaint(status=Status.ASSIGNED, agency_id=AGENCY, coordinator_id=COORDINATOR)
    assert set(allowed_actions(case, ACTORS[Role.OPERATOR])) == {
        Action.TRANSFER,
        Action.RETURN,
        Action.ACKNOWLEDGE,
        Action.REQUEST_INFO,
        Action.RESPOND,
        Action.MARK_DISPUTE,
        Action.MARK_FIELD_EXAM,
    }
