"""Deadlines nobody can forget: the scheduled check, fired at explicit event times, walks each
complaint up the ladder, once per step, on the right working days, to the right people."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from aduan.aws.complaint_store import DynamoComplaintStore
from aduan.domain.deadlines import ClockKind, pause, start_clock
from aduan.domain.effects import next_due_at
from aduan.domain.errors import Conflict
from aduan.domain.lifecycle import Action, apply
from aduan.domain.models import Actor, Complaint, Reporter, Role, Status, TimelineEvent
from aduan.domain.workdays import WorkCalendar
from aduan_local.stack import LocalStack
from tests.e2e.helpers import eventually, report, sms_to
from tests.factories import complaint as new_complaint

pytestmark = pytest.mark.e2e

MONDAY = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)  # Monday 16 March 2026, 10:00 WIB
JAKARTA = WorkCalendar()
OPERATOR = Actor(role=Role.OPERATOR, agency_id="kab-tangerang.disdukcapil", user_id="op.disdukcapil")


def end_of(day: str) -> str:
    """The end of a WIB day, as the event time the scheduler would send."""
    return f"{day}T16:59:59Z"


@pytest.fixture(scope="module")
def store(local_stack: LocalStack) -> DynamoComplaintStore:
    secret = local_stack.client("secretsmanager").get_secret_value(
        SecretId=local_stack.resources.ref("ReporterKeySecret")
    )["SecretString"]
    return DynamoComplaintStore(
        local_stack.client("dynamodb"),
        local_stack.resources.ref("ComplaintsTable"),
        reporter_secret=secret.encode(),
    )


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


def settled(store: DynamoComplaintStore, tracking_id: str, expected: list[str]) -> list[str]:
    """Wait for the worker to have taken `expected`, then a moment more for anything extra."""
    eventually(lambda: steps(store, tracking_id) == expected, timeout=20)
    eventually(lambda: False, timeout=1.5)
    return steps(store, tracking_id)


def texts_about(stack: LocalStack, number: str, tracking_id: str) -> list[str]:
    display = f"{tracking_id[:5]}-{tracking_id[5:]}"
    return [text for text in sms_to(stack, number) if display in text]


def test_the_whole_ladder_once_each_on_the_right_working_days_to_the_right_people(
    local_stack: LocalStack, store: DynamoComplaintStore, contacts: dict[str, str]
) -> None:
    case = assigned_on_monday(store, "+6281266660001")
    tracking_id = case.tracking_id
    # Due Tuesday 24 March (Nyepi on Thursday 19 and the weekend are not working days).
    assert case.clock is not None
    assert case.clock.due_at == datetime(2026, 3, 24, 16, 59, 59, tzinfo=UTC)

    fire(local_stack, "2026-03-23T16:59:58Z")  # one second before 80 %: nothing
    assert settled(store, tracking_id, []) == []

    fire(local_stack, end_of("2026-03-23"))  # one working day left: the warning
    assert settled(store, tracking_id, ["warning"]) == ["warning"]
    fire(local_stack, end_of("2026-03-23"))  # the same check again: nothing twice
    assert settled(store, tracking_id, ["warning"]) == ["warning"]

    fire(local_stack, end_of("2026-03-24"))  # breach: level 1
    fire(local_stack, end_of("2026-03-25"))  # breach + 1 working day: nothing new
    assert settled(store, tracking_id, ["warning", "level_1"]) == ["warning", "level_1"]

    fire(local_stack, end_of("2026-03-26"))  # breach + 2 working days: level 2, the coordinator
    assert settled(store, tracking_id, ["warning", "level_1", "level_2"])[-1] == "level_2"

    fire(local_stack, end_of("2026-03-30"))  # breach + 4 working days (a weekend between): nothing
    fire(local_stack, end_of("2026-03-31"))  # breach + 5 working days: level 3, national
    assert settled(store, tracking_id, ["warning", "level_1", "level_2", "level_3"]) == [
        "warning",
        "level_1",
        "level_2",
        "level_3",
    ]
    final = store.get(tracking_id)
    assert final.escalation_level == 3
    assert final.ombudsman_flag is True
    assert next_due_at(final, JAKARTA) is None, "nothing more can fall due: out of the index"

    agency = contacts["kab-tangerang.disdukcapil"]
    assert eventually(lambda: len(texts_about(local_stack, agency, tracking_id)) >= 2)
    agency_texts = texts_about(local_stack, agency, tracking_id)
    assert sum("tinggal 20%" in t for t in agency_texts) == 1
    assert sum("TERLEWATI" in t for t in agency_texts) == 1
    coordinator = eventually(lambda: texts_about(local_stack, contacts["kab-tangerang"], tracking_id))
    assert [t for t in coordinator if "tingkat 2" in t] == coordinator
    assert len(coordinator) == 1
    national = eventually(lambda: texts_about(local_stack, contacts["kemenpanrb"], tracking_id))
    assert len(national) == 1
    assert "Ombudsman" in national[0]

    public = requests.get(f"{local_stack.url}/complaints/{tracking_id}", timeout=10).json()
    assert public["escalation_level"] == 3
    escalations = [event["text"] for event in public["timeline"] if event["type"] == "escalated"]
    assert len(escalations) == 3, "escalations are public; the warning is not"
    assert all("Batas waktu terlewati" in text for text in escalations)


def test_an_escalation_message_delivered_twice_escalates_once(
    local_stack: LocalStack, store: DynamoComplaintStore
) -> None:
    case = assigned_on_monday(store, "+6281266660002")
    message = json.dumps(
        {"type": "complaint.due", "tracking_id": case.tracking_id, "now": "2026-03-24T17:00:00+00:00"}
    )
    sqs = local_stack.client("sqs")
    for _ in range(2):
        sqs.send_message(QueueUrl=local_stack.resources.ref("EscalationQueue"), MessageBody=message)
    assert settled(store, case.tracking_id, ["warning", "level_1"]) == ["warning", "level_1"]


def test_an_operators_response_racing_the_escalation_ends_responded_with_a_consistent_timeline(
    local_stack: LocalStack, store: DynamoComplaintStore
) -> None:
    case = assigned_on_monday(store, "+6281266660003")
    at = datetime(2026, 3, 24, 17, 0, tzinfo=UTC)
    responded, event = apply(
        case,
        Action.RESPOND,
        OPERATOR,
        at,
        changes={"clock": start_clock(ClockKind.REPLY_WINDOW, at, JAKARTA)},
    )
    outcome: list[str] = []

    def operator() -> None:
        try:
            store.save(responded, [event], next_due_at=next_due_at(responded, JAKARTA))
            outcome.append("saved")
        except Conflict:
            outcome.append("conflict")

    racer = threading.Thread(target=operator)
    racer.start()
    fire(local_stack, "2026-03-24T17:00:00Z")
    racer.join()
    if outcome == ["conflict"]:  # the escalation won: the operator re-reads and responds again
        current = store.get(case.tracking_id)
        again, again_event = apply(current, Action.RESPOND, OPERATOR, at, changes={"clock": None})
        store.save(again, [again_event], next_due_at=None)
    eventually(lambda: False, timeout=3)
    final = store.get(case.tracking_id)
    assert final.status is Status.RESPONDED
    types = [e.type for e in store.timeline(case.tracking_id) if e.type != "notification"]
    assert types.count("responded") == 1
    assert types[-1] == "responded" or (types[-2:] == ["responded", "escalated"] and False)


def test_waiting_on_the_citizen_pauses_the_clock_and_their_reply_resumes_it_with_the_time_left(
    local_stack: LocalStack, store: DynamoComplaintStore
) -> None:
    phone = "+6281266660004"
    case = assigned_on_monday(store, phone)
    tuesday_evening = datetime(2026, 3, 17, 16, 59, 59, tzinfo=UTC)  # one working day used
    waiting, event = apply(
        case,
        Action.REQUEST_INFO,
        OPERATOR,
        tuesday_evening,
        changes={"clock": pause(case.clock, tuesday_evening, JAKARTA)},  # type: ignore[arg-type]
    )
    store.save(waiting, [event], next_due_at=None)
    fire(local_stack, end_of("2026-03-31"))  # long past the original deadline: paused, nothing due
    assert settled(store, case.tracking_id, []) == []

    # The citizen answers by SMS (a real reply through the SMS function: it resumes the clock now).
    from tests.e2e.helpers import send_sms

    send_sms(
        local_stack, phone, f"BALAS {case.tracking_id} ini foto KK saya sudah dikirim ke kecamatan", "SMesc4"
    )
    resumed = eventually(lambda: (c := store.get(case.tracking_id)).status is Status.IN_PROGRESS and c)
    assert resumed.clock is not None
    reply_at = next(e.at for e in store.timeline(case.tracking_id) if e.type == "info_provided")
    # Four working days were left when the clock stopped; they run again from the reply.
    end = JAKARTA.after_working_seconds(reply_at, 4 * 86400)
    assert resumed.clock.due_at == JAKARTA.end_of_day(JAKARTA.local_date(end - timedelta(seconds=1)))
    assert resumed.clock.due_at > reply_at + timedelta(days=4)


def test_the_reply_window_closes_a_responded_complaint_after_ten_working_days(
    local_stack: LocalStack, store: DynamoComplaintStore
) -> None:
    phone = "+6281266660005"
    case = assigned_on_monday(store, phone)
    at = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)  # Friday 20 March
    window = start_clock(ClockKind.REPLY_WINDOW, at, JAKARTA)
    responded, event = apply(case, Action.RESPOND, OPERATOR, at, changes={"clock": window})
    store.save(responded, [event], next_due_at=next_due_at(responded, JAKARTA))
    assert window.due_at == datetime(2026, 4, 6, 16, 59, 59, tzinfo=UTC)  # Good Friday 3 April skipped

    fire(local_stack, "2026-04-06T16:59:58Z")
    eventually(lambda: False, timeout=2)
    assert store.get(case.tracking_id).status is Status.RESPONDED
    fire(local_stack, end_of("2026-04-06"))
    closed = eventually(lambda: (c := store.get(case.tracking_id)).status is Status.CLOSED and c)
    assert closed
    close = [e for e in store.timeline(case.tracking_id) if e.type == "closed"]
    assert len(close) == 1
    assert close[0].data["reason"] == "no_reply"
    assert eventually(lambda: [t for t in sms_to(local_stack, phone) if "ditutup" in t])


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
    eventually(lambda: False, timeout=2)
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
    texts = eventually(lambda: (found := sms_to(local_stack, phone)) and len(found) >= 2 and found)
    eventually(lambda: False, timeout=2)
    texts = sms_to(local_stack, phone)
    assert [t for t in texts if "diterima" in t and receipt["access_code"] in t] != []
    assert len([t for t in texts if "diterima" in t]) == 1
    assert len([t for t in texts if "diteruskan ke" in t]) == 1
