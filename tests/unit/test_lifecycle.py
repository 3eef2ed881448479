"""Every (status, action, role): the allowed ones succeed, every other raises a domain error.

What is allowed is written from DESIGN §1, each row citing its line, plus the decisions Aduan
made where DESIGN is silent, in a table of their own; the code's table must be exactly both."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aduan.domain.errors import DomainError, Forbidden, InvalidTransition
from aduan.domain.lifecycle import RULES, Action, allowed_actions, apply
from aduan.domain.models import Actor, Role, Status
from tests.factories import complaint

AGENCY = "kab-tangerang.disdukcapil"
COORDINATOR = "kab-tangerang"
NOW = datetime(2026, 3, 17, 2, 0, tzinfo=UTC)

OPEN = "submitted needs_triage assigned in_progress waiting_on_citizen responded"
ALL = OPEN + " closed archived"


@dataclass(frozen=True)
class Row:
    """Who may take `action` from which statuses, and the status it leads to ("same": unchanged)."""

    action: str
    sources: str
    roles: str
    target: str
    because: str  # in SPEC the DESIGN line it is written from; in the decisions, why Aduan chose it


# The specification, written from DESIGN §1 line by line (not from aduan.domain.lifecycle.RULES):
# each row grants what the quoted line says, and nothing DESIGN does not say.
SPEC: tuple[Row, ...] = (
    Row("triage", "submitted", "system", "needs_triage",
        "§1 Statuses: '`submitted` → `needs_triage` (no rule could route it)'; §1 Routing: 'not "
        "confident → `needs_triage`'"),
    Row("assign", "submitted", "system", "assigned",
        "§1 Statuses: '`submitted` → ... `assigned` (forwarded to an agency)'; §1 Routing: "
        "'Confident → `assigned` with the response deadline'"),
    Row("assign", "submitted needs_triage", "coordinator", "assigned",
        "§1 People, coordinator: 'verifies incoming reports, forwards them to the right agency "
        "under it'; §1 Routing: '`needs_triage` for the coordinator of the region found'"),
    Row("assign", "needs_triage", "national", "assigned",
        "§1 People, national administrator: 'triages what no rule can route'"),
    Row("verify", "submitted needs_triage", "coordinator", "assigned",
        "§1 People, coordinator: 'verifies incoming reports, forwards them'; §1: 'the report is "
        "verified and forwarded (\"disposisi\") to the agency that is responsible'"),
    Row("acknowledge", "assigned", "operator", "in_progress",
        "§1 People, operator: 'acknowledges'; §1 Statuses: '`assigned` ... → `in_progress` "
        "(acknowledged)'"),
    Row("request_info", "in_progress", "operator", "waiting_on_citizen",
        "§1 People, operator: 'asks the citizen for more information'; §1 Statuses: "
        "'`in_progress` (acknowledged) ⇄ `waiting_on_citizen` (information requested ...)'"),
    Row("provide_info", "waiting_on_citizen", "citizen", "in_progress",
        "§1 People, citizen: 'replies'; §1 Statuses: '`in_progress` ⇄ `waiting_on_citizen`'"),
    # The chain '`in_progress` ⇄ `waiting_on_citizen` → `responded`' is read as a response from
    # `in_progress`: while waiting, the operator has asked and waits for the answer.
    Row("respond", "in_progress", "operator", "responded",
        "§1 People, operator: 'responds'; §1 Statuses: '... ⇄ `waiting_on_citizen` ... → "
        "`responded` (follow-up posted)'"),
    Row("return", "assigned", "operator", "needs_triage",
        "§1 Statuses: '`assigned` → `needs_triage` (\"bukan wewenang\", not our authority)'; §1 "
        "People, coordinator: 'takes back \"not our authority\" returns' (the agency returns it)"),
    Row("reopen", "responded", "citizen", "in_progress",
        "§1 Statuses: '`responded` → `in_progress` when the citizen reopens within the reply "
        "window'; §1 People, citizen: 'reopens'"),
    Row("close", "responded", "system", "closed",
        "§1 Statuses: '`responded` (follow-up posted) → `closed`'; §1 Deadlines: 'citizen reply "
        "window | responded | 10 working days | auto-close (`closed`, reason `no_reply`)'"),
    Row("rate", "responded", "citizen", "same",
        "§1 People, citizen: 'rates the follow-up'; §1 Statuses: '`responded` (follow-up posted)'"),
    Row("archive", OPEN, "coordinator national", "archived",
        "§1 Statuses: 'any open status → `archived` by a coordinator or the national "
        "administrator with a reason'"),
    Row("escalate", "submitted needs_triage", "system", "same",
        "§1 Deadlines: 'verification | submitted / needs_triage / returned | 3 working days | "
        "escalate to the coordinator, then national' (an event, no status of its own)"),
    Row("escalate", "assigned in_progress", "system", "same",
        "§1 Deadlines: 'response | assigned | 5 working days ... | escalation tiers below'; 'The "
        "response clock pauses while `waiting_on_citizen`'"),
    Row("mark_dispute", "assigned in_progress", "operator", "same",
        "§1 Deadlines, response clock: '14 when the agency marks it a dispute'"),
    Row("mark_field_exam", "assigned in_progress", "operator", "same",
        "§1 Deadlines, response clock: '60 when it needs a field examination' (marked as the "
        "dispute is, by the agency)"),
    Row("flag_ombudsman", ALL, "national", "same",
        "§1 People, national administrator: 'may flag a case for Ombudsman oversight' (no status "
        "named: any case)"),
    Row("flag_ombudsman", "assigned in_progress", "system", "same",
        "§1 Deadlines: 'level 3 at breach + 5 working days: ... the complaint is flagged for "
        "Ombudsman oversight'"),
)  # fmt: skip

# What Aduan decided where DESIGN §1 is silent, each with its reason; docs/architecture.md
# ("Lifecycle", "Choices where the brief is silent") lists the same decisions.
DECISIONS_WHERE_DESIGN_IS_SILENT: tuple[Row, ...] = (
    Row("assign", "needs_triage", "system", "assigned",
        "DESIGN gives the system only the first routing; the table lets it assign a triaged "
        "complaint too (no use case does: routing acts on `submitted` only)"),
    Row("assign", "submitted", "national", "assigned",
        "the national administrator may forward what a coordinator may, before routing ran"),
    Row("verify", "submitted needs_triage", "national", "assigned",
        "the national administrator may do what a coordinator does, for regions without one"),
    Row("transfer", "assigned in_progress", "operator coordinator national", "assigned",
        "DESIGN names the transfer ('`assigned` to another agency') but not who takes it: the "
        "agency that finds it is another's, and those who dispatch; from `in_progress` too"),
    Row("return", "in_progress", "operator", "needs_triage",
        "an agency may find out it is not its authority after acknowledging"),
    Row("request_info", "assigned", "operator", "waiting_on_citizen",
        "straight from the inbox: acknowledging is implied, as an inbox is worked"),
    Row("respond", "assigned", "operator", "responded",
        "straight from the inbox: acknowledging is implied, as an inbox is worked"),
    Row("close", "responded", "citizen", "closed",
        "the citizen may accept the response before the reply window ends (no door offers it yet: "
        "the replies route takes reply, reopen and rate)"),
    Row("rate", "closed", "citizen", "same",
        "the auto-close comes 10 working days after the response; the citizen may rate later"),
    Row("comment", OPEN, "citizen", "same",
        "DESIGN gives the citizen replies (§1 People; §3 '/replies') but no status: a reply "
        "outside `waiting_on_citizen` is recorded without changing the status"),
    Row("raise_privacy", OPEN, "citizen", "same",
        "the reporter may hide more while the complaint is open (when exactly: aduan.domain.privacy)"),
    Row("mark_dispute", "assigned in_progress", "coordinator", "same",
        "the coordinator above the agency may extend its clock as the agency may"),
    Row("mark_field_exam", "assigned in_progress", "coordinator", "same",
        "the coordinator above the agency may extend its clock as the agency may"),
    Row("flag_ombudsman", "submitted needs_triage waiting_on_citizen responded closed archived",
        "system", "same",
        "the system may flag in any status, as the national administrator may (level 3 flags "
        "through `escalate`; no use case flags by this action)"),
)  # fmt: skip

# The one table every generated case below is drawn from.
TABLE = SPEC + DECISIONS_WHERE_DESIGN_IS_SILENT

Cell = tuple[str, str, str]  # (status, action, role)


def cells(rows: tuple[Row, ...]) -> dict[Cell, str]:
    """Every (status, action, role) the rows allow, with the status it leads to."""
    allowed: dict[Cell, str] = {}
    for row in rows:
        for status, role in itertools.product(row.sources.split(), row.roles.split()):
            allowed[(status, row.action, role)] = row.target
    return allowed


def code_cells() -> dict[Cell, str]:
    """The same cells read from the code's table."""
    return {
        (status.value, action.value, role.value): rule.target.value if rule.target else "same"
        for action, rule in RULES.items()
        for status, role in itertools.product(rule.sources, rule.roles)
    }


ALLOWED = cells(TABLE)
ROLES_OF = {action: {role for (_s, a, role) in ALLOWED if a == action} for action in Action}

ACTORS = {
    Role.CITIZEN: Actor(role=Role.CITIZEN),
    Role.OPERATOR: Actor(role=Role.OPERATOR, agency_id=AGENCY, user_id="op.disdukcapil"),
    Role.COORDINATOR: Actor(role=Role.COORDINATOR, agency_id=COORDINATOR, user_id="coord.kab-tangerang"),
    Role.NATIONAL: Actor(role=Role.NATIONAL, agency_id="kemenpanrb", user_id="admin.nasional"),
    Role.SYSTEM: Actor(role=Role.SYSTEM),
}


def test_the_table_names_every_action_and_only_real_statuses_and_roles() -> None:
    assert {row.action for row in TABLE} == {action.value for action in Action}
    assert {status for status, _a, _r in ALLOWED} <= {status.value for status in Status}
    assert {role for _s, _a, role in ALLOWED} <= {role.value for role in Role}


def test_a_decision_never_restates_design_and_every_row_of_an_action_leads_to_one_status() -> None:
    restated = sorted(set(cells(SPEC)) & set(cells(DECISIONS_WHERE_DESIGN_IS_SILENT)))
    assert restated == [], f"decided although DESIGN decides them: {restated}"
    targets = {row.action: {r.target for r in TABLE if r.action == row.action} for row in TABLE}
    assert {action: found for action, found in targets.items() if len(found) > 1} == {}


def test_the_codes_rules_are_design_plus_the_decisions_where_it_is_silent() -> None:
    expected, actual = ALLOWED, code_cells()
    missing = sorted(cell for cell in expected if cell not in actual)
    extra = sorted(cell for cell in actual if cell not in expected)
    wrong = sorted((cell, expected[cell], actual[cell]) for cell in expected.keys() & actual.keys()
                   if expected[cell] != actual[cell])  # fmt: skip
    assert (missing, extra, wrong) == ([], [], []), (
        f"the code refuses (status, action, role) cells the table allows: {missing}; "
        f"the code allows cells neither DESIGN nor a decision grants: {extra}; "
        f"(cell, table's target, code's target) that differ: {wrong}"
    )


def test_docs_list_the_same_decisions() -> None:
    text = (Path(__file__).parents[2] / "docs" / "architecture.md").read_text()
    section = text.split("Choices where the brief is silent", 1)[1].split("\n## ", 1)[0]
    unlisted = sorted({row.action for row in DECISIONS_WHERE_DESIGN_IS_SILENT} - set(
        re.findall(r"`(\w+)`", section)))  # fmt: skip
    assert unlisted == [], f"decisions docs/architecture.md does not list: {unlisted}"


# 8 statuses × 19 actions × 5 roles, every case generated from TABLE (SPEC ∪ the decisions).
@pytest.mark.parametrize(
    ("status", "action", "role"),
    list(itertools.product(Status, Action, Role)),
    ids=lambda value: str(value),
)
def test_status_action_role_as_the_table_says(status: Status, action: Action, role: Role) -> None:
    target = ALLOWED.get((status.value, action.value, role.value))
    case = complaint(status=status, agency_id=AGENCY, coordinator_id=COORDINATOR)

    if target is None:
        with pytest.raises(DomainError) as raised:
            apply(case, action, ACTORS[role], NOW)
        expected = InvalidTransition if role.value in ROLES_OF[action] else Forbidden
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
