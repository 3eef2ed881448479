"""Escalation: deadlines nobody can forget. Every step that is due is taken, once, in one write, and
told to the right people; an operator acting first is respected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aduan.citizen import track_complaint
from aduan.domain.deadlines import ROUTING_GRACE, Step, schedule
from aduan.domain.errors import Conflict
from aduan.domain.models import Complaint, Language, Status
from aduan.domain.workdays import WorkCalendar
from aduan.escalation import Escalated, escalate
from aduan.escalation_check import find_due
from tests.factories import ACCESS_KEY, ASSIGNED_AT
from tests.fakes import FakeQueue
from tests.unit.world import DISDUKCAPIL, KAB_TANGERANG, SITI, World, story

NOW = ASSIGNED_AT
MONDAY = ASSIGNED_AT  # Monday 16 March 2026, 10:00 WIB


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def sweeps() -> FakeQueue:
    """The routing queue as the sweeper uses it."""
    return FakeQueue()


def run(world: World, complaint: Complaint, at: datetime, sweeps: FakeQueue | None = None) -> Escalated:
    return escalate(
        complaint.tracking_id,
        at,
        complaints=world.complaints,
        reference=world.reference,
        notifications=world.notifications,
        routing=sweeps or world.routing,
    )


def steps_of(complaint: Complaint) -> dict[Step, datetime]:
    assert complaint.clock is not None
    return dict(schedule(complaint.clock, WorkCalendar(complaint.clock.timezone)))


def test_every_step_due_at_once_is_taken_in_one_write(world: World) -> None:
    case = world.assigned(NOW)
    at = steps_of(case)[Step.LEVEL_2]  # the warning, level 1 and level 2 are all due by now
    saves = len(world.complaints.saves)

    escalated = run(world, case, at)

    assert escalated.steps == ["warning", "level_1", "level_2"]
    [(saved, events)] = world.complaints.saves[saves:]
    assert [event.type for event in events] == ["warned", "escalated", "escalated"]
    assert (saved.version, saved.escalation_level) == (case.version + 1, 2)
    assert [(n.template, n.recipient) for n in world.queued()[-6:]] == [
        ("warning", f"agency:{DISDUKCAPIL}:0"),
        ("warning", f"agency:{DISDUKCAPIL}:0"),
        ("level_1", f"agency:{DISDUKCAPIL}:0"),
        ("level_1", f"agency:{DISDUKCAPIL}:0"),
        ("level_2", f"agency:{KAB_TANGERANG}:0"),
        ("level_2", f"agency:{KAB_TANGERANG}:0"),
    ]
    # Level 3 is next: the due index holds the complaint until then, and not a second earlier.
    level_3 = steps_of(case)[Step.LEVEL_3]
    assert case.tracking_id not in set(world.complaints.due(level_3 - timedelta(seconds=1)))
    assert case.tracking_id in set(world.complaints.due(level_3))


def test_the_warning_is_the_agencys_own_and_the_escalation_is_public(world: World) -> None:
    case = world.assigned(NOW)
    run(world, case, steps_of(case)[Step.LEVEL_1])
    assert story(world, case.tracking_id) == ["submitted", "assigned", "escalated"]


def test_an_escalation_message_delivered_twice_escalates_once(world: World) -> None:
    case = world.assigned(NOW)
    at = steps_of(case)[Step.LEVEL_1]
    run(world, case, at)
    stored, queued = world.complaints.get(case.tracking_id), len(world.notifications.sent)

    assert run(world, case, at + timedelta(minutes=1)).steps == []
    assert world.complaints.get(case.tracking_id) == stored
    assert len(world.notifications.sent) == queued


def test_a_conflict_on_save_is_read_again_and_the_steps_taken_once(world: World) -> None:
    case = world.assigned(NOW)
    world.complaints.conflict_on_next_save()

    escalated = run(world, case, steps_of(case)[Step.LEVEL_1])

    assert escalated.steps == ["warning", "level_1"]
    assert story(world, case.tracking_id) == ["submitted", "assigned", "escalated"]
    world.deliver_queued(steps_of(case)[Step.LEVEL_1])
    agency_texts = [
        to for to, _ in world.sms.sent if to != world.complaints.get(case.tracking_id).reporter.phone
    ]
    assert len(agency_texts) == 1 + 2  # the new assignment, then the warning and level 1, once each


def test_an_operator_who_responds_first_is_not_escalated_over(world: World) -> None:
    case = world.assigned(NOW)
    at = steps_of(case)[Step.LEVEL_1]
    world.complaints.meanwhile(
        lambda: world.act(world.complaints.get(case.tracking_id), "respond", at, text="e-KTP sudah dicetak.")
    )

    escalated = run(world, case, at)

    assert escalated.steps == []
    stored = world.complaints.get(case.tracking_id)
    assert (stored.status, stored.escalation_level) == (Status.RESPONDED, 0)
    assert story(world, case.tracking_id) == ["submitted", "assigned", "responded"]


def test_a_complaint_that_keeps_changing_is_given_back_to_the_queue(world: World) -> None:
    case = world.assigned(NOW)
    for _ in range(3):
        world.complaints.conflict_on_next_save()
    with pytest.raises(Conflict):
        run(world, case, steps_of(case)[Step.LEVEL_1])


def end_of(day: str) -> datetime:
    """The end of a WIB day, as the scheduler's event time."""
    return datetime.fromisoformat(f"{day}T16:59:59+00:00")


def check(world: World, now: datetime) -> list[list[str]]:
    """The scheduled check at `now`, the escalation worker on what it queued, then the notification
    worker: the steps taken for each complaint queued."""
    due = FakeQueue()
    find_due(world.complaints, due, now, time_left=lambda: 60.0)
    taken = [run(world, world.complaints.get(message["tracking_id"]), now).steps for message in due.sent]
    world.deliver_queued(now)
    return taken


def texts_to(world: World, number: str) -> list[str]:
    return [text for to, text in world.sms.sent if to == number]


def test_the_whole_ladder_once_each_on_the_right_working_days_to_the_right_people(world: World) -> None:
    case = world.assigned(MONDAY)
    # Due Tuesday 24 March: Nyepi (Thursday 19), the day off beside it and the weekend do not count.
    assert case.clock is not None
    assert case.clock.due_at == datetime(2026, 3, 24, 16, 59, 59, tzinfo=UTC)

    assert check(world, datetime(2026, 3, 23, 16, 59, 58, tzinfo=UTC)) == []  # a second before 80 %
    assert check(world, end_of("2026-03-23")) == [["warning"]]  # one working day left
    assert check(world, end_of("2026-03-23")) == []  # the same check again: nothing twice
    assert check(world, end_of("2026-03-24")) == [["level_1"]]  # breach
    assert check(world, end_of("2026-03-25")) == []  # breach + 1 working day
    assert check(world, end_of("2026-03-26")) == [["level_2"]]  # breach + 2: the coordinator
    assert check(world, end_of("2026-03-30")) == []  # breach + 4 (a weekend between)
    assert check(world, end_of("2026-03-31")) == [["level_3"]]  # breach + 5: national

    final = world.complaints.get(case.tracking_id)
    assert (final.escalation_level, final.ombudsman_flag) == (3, True)
    assert case.tracking_id not in set(world.complaints.due(end_of("2027-12-31")))
    contacts = {agency.id: agency.sms_numbers[0] for agency in world.reference.agencies if agency.sms_numbers}
    agency = texts_to(world, contacts[DISDUKCAPIL])[1:]  # after the new assignment
    assert [("tinggal 20%" in t, "TERLEWATI" in t) for t in agency] == [(True, False), (False, True)]
    [coordinator] = texts_to(world, contacts[KAB_TANGERANG])
    assert "tingkat 2" in coordinator
    [national] = texts_to(world, contacts["kemenpanrb"])
    assert "Ombudsman" in national
    view = track_complaint(
        case.tracking_id,
        None,
        complaints=world.complaints,
        names=world.reference,
        language=Language.ID,
        access_key=ACCESS_KEY,
    )
    escalations = [event["text"] for event in view["timeline"] if event["type"] == "escalated"]
    assert len(escalations) == 3  # escalations are public; the warning is not
    assert all("Batas waktu terlewati" in text for text in escalations)


def test_the_reply_window_closes_a_responded_complaint_after_ten_working_days(world: World) -> None:
    friday = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)
    case = world.act(world.assigned(MONDAY), "respond", friday, text="e-KTP sudah dicetak.")
    assert case.clock is not None
    assert case.clock.due_at == datetime(2026, 4, 6, 16, 59, 59, tzinfo=UTC)  # Good Friday skipped

    assert check(world, datetime(2026, 4, 6, 16, 59, 58, tzinfo=UTC)) == []
    assert check(world, end_of("2026-04-06")) == [["auto_close"]]

    stored = world.complaints.get(case.tracking_id)
    assert (stored.status, stored.clock) == (Status.CLOSED, None)
    assert world.complaints.timeline(case.tracking_id)[-1].data["reason"] == "no_reply"
    assert len([text for text in texts_to(world, SITI) if "ditutup" in text]) == 1
    assert case.tracking_id not in set(world.complaints.due(end_of("2027-12-31")))


def test_the_sweeper_reroutes_a_complaint_whose_messages_were_lost_and_the_citizen_is_told_once(
    world: World,
) -> None:
    world.routing.fail()
    world.notifications.fail()  # intake can queue neither
    receipt = world.report(MONDAY)

    assert check(world, MONDAY + ROUTING_GRACE - timedelta(minutes=1)) == []
    assert check(world, MONDAY + ROUTING_GRACE + timedelta(minutes=1)) == [["rerouted"]]
    [sweep] = world.routing.receive()
    assert sweep == {"type": "complaint.submitted", "tracking_id": receipt.tracking_id, "outbox": True}
    world.route(sweep["tracking_id"], MONDAY + timedelta(minutes=12), resend_outbox=sweep["outbox"])
    world.deliver_queued(MONDAY + timedelta(minutes=12))
    assert check(world, MONDAY + timedelta(minutes=25)) == []  # routed: no second sweep

    received = [text for text in texts_to(world, SITI) if "diterima" in text]
    assert len(received) == 1
    assert receipt.access_code in received[0]
    assert len([text for text in texts_to(world, SITI) if "diteruskan ke" in text]) == 1


def test_a_sweep_that_races_routing_tells_the_citizen_once(world: World, sweeps: FakeQueue) -> None:
    receipt = world.report(MONDAY)
    world.deliver_queued(MONDAY)
    run(world, world.complaints.get(receipt.tracking_id), MONDAY + ROUTING_GRACE, sweeps)
    for message in [*world.routing.receive(), *sweeps.receive()]:  # the first message, then the sweep
        world.route(message["tracking_id"], MONDAY + ROUTING_GRACE, resend_outbox=bool(message.get("outbox")))
    world.deliver_queued(MONDAY + ROUTING_GRACE)

    assert len([text for text in texts_to(world, SITI) if "diterima" in text]) == 1
    assert len([text for text in texts_to(world, SITI) if "diteruskan ke" in text]) == 1
