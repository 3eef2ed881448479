"""Deadlines nobody can forget: the scheduled check, fired at explicit event times, walks each
complaint up the ladder, once per step, on the right working days, to the right people."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from aduan.aws.complaint_store import DynamoComplaintStore
from aduan.domain.deadlines import ClockKind, start_clock
from aduan.domain.effects import next_due_at
from aduan.domain.models import Actor, Complaint, Reporter, Role, Status, TimelineEvent
from aduan.domain.workdays import WorkCalendar
from aduan_local.stack import LocalStack
from tests.e2e.helpers import as_user, complaint_store, eventually, quiet, report, sms_to
from tests.factories import complaint as new_complaint

pytestmark = pytest.mark.e2e

MONDAY = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)  # Monday 16 March 2026, 10:00 WIB
JAKARTA = WorkCalendar()

# The dates below are written out from the calendar, not computed by aduan.domain.workdays, so that
# a wrong calendar turns these tests red. March 2026 in WIB, from the shipped holidays_id.json:
# Thursday 19 is Nyepi and Saturday 21 / Sunday 22 are Idul Fitri (public holidays); 18, 20, 23 and
# 24 are cuti bersama ("government" days), which are not counted by default, so they are working
# days. Assigned Monday 16 at 10:00, the 5 working days are Tue 17, Wed 18, Fri 20, Mon 23 and
# Tue 24: due at the end of Tuesday 24 March, 23:59:59 WIB.
RESPONSE_DUE = datetime(2026, 3, 24, 16, 59, 59, tzinfo=UTC)
# A second past it (00:00 WIB on Wednesday 25), with one working day left at the end of Monday 23
# (80 %) and the breach both passed: the check takes the warning and level 1 together.
JUST_AFTER_BREACH = "2026-03-24T17:00:00Z"


def end_of(day: str) -> str:
    """The end of a WIB day, as the event time the scheduler would send."""
    return f"{day}T16:59:59Z"


@pytest.fixture(scope="module")
def store(local_stack: LocalStack) -> DynamoComplaintStore:
    return complaint_store(local_stack)


@pytest.fixture(scope="module")
def contacts(local_stack: LocalStack) -> dict[str, str]:
    from aduan.aws.reference_store import DynamoReferenceStore

    reference = DynamoReferenceStore(
        local_stack.client("dynamodb"), local_stack.resources.ref("ComplaintsTable")
    ).load()
    return {agency.id: agency.sms_numbers[0] for agency in reference.agencies if agency.sms_numbers}


def assigned_on_monday(store: DynamoComplaintStore, phone: str, **overrides: Any) -> Complaint:
    """A complaint assigned to Disdukcapil Kab. Tangerang on Monday 16 March 2026 at 10:00 WIB."""
    case = new_complaint(
        reporter=Reporter(phone=phone),
        status=Status.ASSIGNED,
        agency_id="kab-tangerang.disdukcapil",
        coordinator_id="kab-tangerang",
        clock=start_clock(ClockKind.RESPONSE, MONDAY, JAKARTA),
        **overrides,
    )
    event = TimelineEvent(
        at=MONDAY, type="assigned", actor=Actor(role=Role.SYSTEM), to_status=Status.ASSIGNED
    )
    store.create(case, event, next_due_at=next_due_at(case, JAKARTA))
    return case


def fire(stack: LocalStack, time: str) -> dict[str, Any]:
    response = requests.post(
        f"{stack.url}/_local/schedules/EscalationCheckFunction", params={"time": time}, timeout=60
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


def steps(store: DynamoComplaintStore, tracking_id: str) -> list[str]:
    return [str(e.data.get("step")) for e in store.timeline(tracking_id) if e.type in ("escalated", "warned")]


def settled(stack: LocalStack, store: DynamoComplaintStore, tracking_id: str) -> list[str]:
    """The steps taken once the escalation worker has handled every message the check sent."""
    quiet(stack)
    return steps(store, tracking_id)


def texts_about(stack: LocalStack, number: str, tracking_id: str) -> list[str]:
    display = f"{tracking_id[:5]}-{tracking_id[5:]}"
    return [text for text in sms_to(stack, number) if display in text]


def test_the_whole_ladder_once_each_on_the_right_working_days_to_the_right_people(
    local_stack: LocalStack, store: DynamoComplaintStore, contacts: dict[str, str]
) -> None:
    case = assigned_on_monday(store, "+6281266660001")
    tracking_id = case.tracking_id
    assert case.clock is not None
    assert case.clock.due_at == RESPONSE_DUE  # derived above: Nyepi and the weekend skipped

    fire(local_stack, "2026-03-23T16:59:58Z")  # one second before 80 %: nothing
    assert settled(local_stack, store, tracking_id) == []

    fire(local_stack, end_of("2026-03-23"))  # one working day left: the warning
    assert settled(local_stack, store, tracking_id) == ["warning"]
    fire(local_stack, end_of("2026-03-23"))  # the same check again: nothing twice
    assert settled(local_stack, store, tracking_id) == ["warning"]

    fire(local_stack, end_of("2026-03-24"))  # breach: level 1
    fire(local_stack, end_of("2026-03-25"))  # breach + 1 working day: nothing new
    assert settled(local_stack, store, tracking_id) == ["warning", "level_1"]

    # Breach + 2 working days: Wednesday 25 (+1) and Thursday 26 (+2): level 2, the coordinator.
    fire(local_stack, end_of("2026-03-26"))
    assert settled(local_stack, store, tracking_id) == ["warning", "level_1", "level_2"]

    # Friday 27 (+3), the weekend of 28-29 skipped, Monday 30 (+4): nothing yet.
    fire(local_stack, end_of("2026-03-30"))
    fire(local_stack, end_of("2026-03-31"))  # Tuesday 31, breach + 5 working days: level 3, national
    assert settled(local_stack, store, tracking_id) == [
        "warning",
        "level_1",
        "level_2",
        "level_3",
    ]
    final = store.get(tracking_id)
    assert final.escalation_level == 3
    assert final.ombudsman_flag is True
    assert next_due_at(final, JAKARTA) is None, "nothing more can fall due: out of the index"

    quiet(local_stack)  # every text of the ladder sent: each counted once
    agency_texts = texts_about(local_stack, contacts["kab-tangerang.disdukcapil"], tracking_id)
    assert sum("tinggal 20%" in t for t in agency_texts) == 1
    assert sum("TERLEWATI" in t for t in agency_texts) == 1
    coordinator = texts_about(local_stack, contacts["kab-tangerang"], tracking_id)
    assert [t for t in coordinator if "tingkat 2" in t] == coordinator
    assert len(coordinator) == 1
    national = texts_about(local_stack, contacts["kemenpanrb"], tracking_id)
    assert len(national) == 1
    assert "Ombudsman" in national[0]

    public = requests.get(f"{local_stack.url}/complaints/{tracking_id}", timeout=10).json()
    assert public["escalation_level"] == 3
    escalations = [event["text"] for event in public["timeline"] if event["type"] == "escalated"]
    assert len(escalations) == 3, "escalations are public; the warning is not"
    assert all("Batas waktu terlewati" in text for text in escalations)


def respond(stack: LocalStack, tracking_id: str, version: int) -> requests.Response:
    """The agency's operator posts its response over the ops API, on the version it saw."""
    body = {"action": "respond", "version": version, "text": "e-KTP sudah dicetak, silakan diambil."}
    return as_user(stack, "op.disdukcapil", "POST", f"/ops/complaints/{tracking_id}/actions", json=body)


def operator_view(stack: LocalStack, tracking_id: str) -> dict[str, Any]:
    view: dict[str, Any] = as_user(stack, "op.disdukcapil", "GET", f"/ops/complaints/{tracking_id}").json()
    return view


# The operator's response and the escalation of the same breach, in each order, forced one after
# the other (no threads: each order happens every run).


def test_a_response_that_lands_before_the_escalation_leaves_it_nothing_to_do(
    local_stack: LocalStack, store: DynamoComplaintStore
) -> None:
    case = assigned_on_monday(store, "+6281266660003")
    answered = respond(local_stack, case.tracking_id, operator_view(local_stack, case.tracking_id)["version"])
    assert answered.status_code == 200, answered.text
    after_response = operator_view(local_stack, case.tracking_id)
    assert after_response["status"] == "responded"

    # The check found the breach and queued the complaint before the response landed: its message
    # reaches the worker now, and the worker finds a response and a reply window not yet due.
    message = {"type": "complaint.due", "tracking_id": case.tracking_id, "now": JUST_AFTER_BREACH}
    local_stack.client("sqs").send_message(
        QueueUrl=local_stack.resources.ref("EscalationQueue"), MessageBody=json.dumps(message)
    )
    assert settled(local_stack, store, case.tracking_id) == []
    final = operator_view(local_stack, case.tracking_id)
    assert (final["status"], final["version"], final["escalation_level"]) == (
        "responded", after_response["version"], 0
    )  # fmt: skip
    assert [e["type"] for e in final["timeline"] if e["type"] != "notification"] == [
        "assigned", "responded"
    ]  # fmt: skip


def test_an_escalation_that_lands_first_makes_the_stale_response_a_409_and_the_fresh_one_succeeds(
    local_stack: LocalStack, store: DynamoComplaintStore
) -> None:
    case = assigned_on_monday(store, "+6281266660004")
    seen = operator_view(local_stack, case.tracking_id)["version"]  # the operator opens it

    fire(local_stack, JUST_AFTER_BREACH)  # meanwhile the deadline passes and the check runs
    assert settled(local_stack, store, case.tracking_id) == ["warning", "level_1"]

    stale = respond(local_stack, case.tracking_id, seen)
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["code"] == "conflict"
    current = operator_view(local_stack, case.tracking_id)
    assert current["status"] == "assigned"
    assert current["escalation_level"] == 1
    assert current["version"] > seen

    fresh = respond(local_stack, case.tracking_id, current["version"])  # reloaded, answered again
    assert fresh.status_code == 200, fresh.text
    final = operator_view(local_stack, case.tracking_id)
    assert (final["status"], final["version"]) == ("responded", current["version"] + 1)
    assert [e["type"] for e in final["timeline"] if e["type"] != "notification"] == [
        "assigned", "warned", "escalated", "responded"
    ]  # fmt: skip


def test_the_sweeper_reroutes_a_complaint_whose_messages_were_lost_and_the_citizen_is_told_once(
    local_stack: LocalStack,
) -> None:
    phone = "+6281377770001"
    # Intake can queue neither the routing message nor the acknowledgement (with the access code).
    local_stack.inject_faults([{"service": "sqs", "operation": "SendMessage", "rate": 1.0}])
    try:
        body = report(reporter={"name": "Siti Aminah", "phone": phone})
        receipt = requests.post(f"{local_stack.url}/complaints", json=body, timeout=30).json()
    finally:
        local_stack.inject_faults([])
    tracking_id = receipt["tracking_id"]
    created = datetime.fromisoformat(receipt["created_at"])
    fire(local_stack, (created + timedelta(minutes=9)).isoformat())
    quiet(local_stack)  # within the grace period: the sweeper sent nothing to routing
    assert (
        requests.get(f"{local_stack.url}/complaints/{tracking_id}", timeout=10).json()["status"]
        == "submitted"
    )

    fire(local_stack, (created + timedelta(minutes=11)).isoformat())
    routed = eventually(
        lambda: (
            requests.get(f"{local_stack.url}/complaints/{tracking_id}", timeout=10).json()["status"]
            == "assigned"
        )
    )
    assert routed, "the sweeper sent it to routing again"
    # The acknowledgement came from the complaint's outbox; each text once, even with a second sweep.
    fire(local_stack, (created + timedelta(minutes=25)).isoformat())
    quiet(local_stack)
    texts = sms_to(local_stack, phone)
    assert [t for t in texts if "diterima" in t and receipt["access_code"] in t] != []
    assert len([t for t in texts if "diterima" in t]) == 1
    assert len([t for t in texts if "diteruskan ke" in t]) == 1


def test_a_late_agency_passing_it_on_keeps_the_breach_for_the_next_agency_and_in_the_statistics(
    local_stack: LocalStack, store: DynamoComplaintStore
) -> None:
    """Issue #21, item 8: Disdukcapil, past its deadline, cannot hand the complaint to its own
    coordinator as if it were an agency, and its transfer to PUPR keeps level 1 and the deadline
    of 24 March: level 2 still comes on time, and the late answer counts as late."""
    filed_on = datetime(2026, 3, 13, 3, 0, tzinfo=UTC)  # a day no other test files on
    case = assigned_on_monday(store, "+6281266660031", created_at=filed_on)
    assert case.clock is not None
    assert case.clock.due_at == RESPONSE_DUE
    fire(local_stack, end_of("2026-03-24"))  # breach: the warning and level 1
    assert settled(local_stack, store, case.tracking_id) == ["warning", "level_1"]

    actions = f"/ops/complaints/{case.tracking_id}/actions"
    upward = as_user(
        local_stack,
        "op.disdukcapil",
        "POST",
        actions,
        json={"action": "transfer", "agency_id": "kab-tangerang"},
    )
    assert upward.status_code == 422, upward.text
    assert [d["field"] for d in upward.json()["error"]["details"]] == ["agency_id"]

    moved = as_user(
        local_stack, "op.disdukcapil", "POST", actions,
        json={"action": "transfer", "agency_id": "kab-tangerang.pupr"},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    after = store.get(case.tracking_id)
    assert (after.agency_id, after.escalation_level) == ("kab-tangerang.pupr", 1)
    assert after.clock is not None
    assert after.clock.due_at == RESPONSE_DUE  # the deadline of 24 March travels with it

    fire(local_stack, end_of("2026-03-26"))  # breach + 2 working days (25, 26), as if it had never moved
    assert settled(local_stack, store, case.tracking_id) == ["warning", "level_1", "level_2"]
    period = {"from": "2026-03-13", "to": "2026-03-13"}
    figures = as_user(local_stack, "coord.kab-tangerang", "GET", "/ops/stats", params=period).json()
    assert (figures["complaints"], figures["escalations_by_level"]) == (1, {"2": 1})

    answered = as_user(
        local_stack, "op.pupr", "POST", actions, json={"action": "respond", "text": "Sudah diperbaiki."}
    )
    assert answered.status_code == 200, answered.text
    assert store.get(case.tracking_id).answered_on_time is False
    figures = as_user(local_stack, "coord.kab-tangerang", "GET", "/ops/stats", params=period).json()
    assert figures["answered_within_deadline"] == 0.0
