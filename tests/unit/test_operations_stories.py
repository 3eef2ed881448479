"""Operators at work: each action on the version they saw, never a lost update; their inbox, page
by page; the full view, with the reporter's identity only where their role may see it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aduan.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound
from aduan.domain.models import Actor, Complaint, Language, Privacy, Role, Status
from aduan.operations import ActionRequest, act, inbox, view_complaint
from tests.factories import ASSIGNED_AT
from tests.unit.world import DISDUKCAPIL, OPERATOR, SITI, World, story, templates

NOW = ASSIGNED_AT
PUPR = Actor(role=Role.OPERATOR, agency_id="kab-tangerang.pupr", user_id="op.pupr")
NATIONAL = Actor(role=Role.NATIONAL, agency_id="kemenpanrb", user_id="admin")


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def case(world: World) -> Complaint:
    return world.assigned(NOW)


def test_a_stale_operator_version_is_refused_with_conflict_and_changes_nothing(
    world: World, case: Complaint
) -> None:
    world.act(case, "acknowledge", NOW + timedelta(hours=1))  # the first operator
    queued = len(world.notifications.sent)

    with pytest.raises(Conflict):  # the second, on the version both of them saw
        world.act(case, "respond", NOW + timedelta(hours=2), text="Sudah selesai.")

    stored = world.complaints.get(case.tracking_id)
    assert (stored.status, stored.version) == (Status.IN_PROGRESS, case.version + 1)
    assert story(world, case.tracking_id) == ["submitted", "assigned", "acknowledged"]
    assert len(world.notifications.sent) == queued


def test_an_action_without_a_version_still_meets_a_concurrent_write(world: World, case: Complaint) -> None:
    world.complaints.conflict_on_next_save()
    request = ActionRequest(action="acknowledge")
    with pytest.raises(Conflict):
        act(
            case.tracking_id,
            request,
            OPERATOR,
            complaints=world.complaints,
            reference=world.reference,
            notifications=world.notifications,
            now=NOW,
        )
    assert world.complaints.get(case.tracking_id).status is Status.ASSIGNED


def test_another_agencys_operator_finds_nothing(world: World, case: Complaint) -> None:
    with pytest.raises(NotFound):
        world.act(case, "acknowledge", NOW, actor=PUPR)
    with pytest.raises(NotFound):
        view_complaint(
            case.tracking_id,
            PUPR,
            complaints=world.complaints,
            reference=world.reference,
            language=Language.ID,
        )


def test_acknowledge_then_respond_opens_the_reply_window_and_tells_the_citizen(
    world: World, case: Complaint
) -> None:
    acknowledged = world.act(case, "acknowledge", NOW + timedelta(hours=1))
    responded = world.act(acknowledged, "respond", NOW + timedelta(hours=2), text="e-KTP sudah dicetak.")

    assert responded.status is Status.RESPONDED
    assert responded.first_response_at == NOW + timedelta(hours=2)
    assert responded.answered_on_time is True
    assert templates(world.queued()[-1:]) == [("responded", "citizen")]
    world.deliver_queued(NOW + timedelta(hours=2))
    assert "e-KTP sudah dicetak." in world.sms.sent[-1][1]
    assert world.sms.sent[-1][0] == SITI


def test_a_question_to_the_citizen_pauses_the_clock_and_takes_it_out_of_the_due_index(
    world: World, case: Complaint
) -> None:
    assert case.tracking_id in set(world.complaints.due(NOW + timedelta(days=60)))
    asked = world.act(case, "request_info", NOW + timedelta(hours=1), text="Mohon kirim nomor NIK Anda.")

    assert asked.status is Status.WAITING_ON_CITIZEN
    assert asked.clock is not None
    assert asked.clock.due_at is None
    assert case.tracking_id not in set(world.complaints.due(NOW + timedelta(days=60)))
    assert templates(world.queued()[-1:]) == [("info_requested", "citizen")]


def test_an_operator_may_neither_archive_nor_acknowledge_twice(world: World, case: Complaint) -> None:
    with pytest.raises(Forbidden):  # archiving is for the coordinator or national
        world.act(case, "archive", NOW, reason="spam")
    acknowledged = world.act(case, "acknowledge", NOW)
    with pytest.raises(InvalidTransition):
        world.act(acknowledged, "acknowledge", NOW + timedelta(minutes=1))
    assert story(world, case.tracking_id) == ["submitted", "assigned", "acknowledged"]


def test_the_inbox_pages_newest_first_across_statuses(world: World) -> None:
    cases = [world.assigned(NOW + timedelta(minutes=n)) for n in range(3)]
    world.act(cases[0], "acknowledge", NOW + timedelta(hours=1))

    rows, cursor, pages = [], None, 0
    while True:
        page = inbox(
            OPERATOR, complaints=world.complaints, language=Language.ID, now=NOW, cursor=cursor, limit=2
        )
        rows += page["complaints"]
        cursor, pages = page["cursor"], pages + 1
        if cursor is None:
            break

    assert [(row["tracking_id"], row["status"]) for row in rows] == [
        (cases[2].tracking_id, Status.ASSIGNED),
        (cases[1].tracking_id, Status.ASSIGNED),
        (cases[0].tracking_id, Status.IN_PROGRESS),
    ]
    assert pages == 2
    assert SITI not in str(rows)
    assert "Siti" not in str(rows)


def test_the_inbox_shows_only_what_is_overdue_when_asked(world: World) -> None:
    late, on_time = world.assigned(NOW), world.assigned(NOW + timedelta(days=20))
    assert late.clock is not None
    assert late.clock.due_at is not None
    after_first_deadline = late.clock.due_at + timedelta(seconds=1)

    page = inbox(
        OPERATOR, complaints=world.complaints, language=Language.ID, now=after_first_deadline, overdue=True
    )
    assert [(row["tracking_id"], row["overdue"]) for row in page["complaints"]] == [(late.tracking_id, True)]
    assert on_time.tracking_id not in str(page)


def test_a_confidential_reporter_is_hidden_from_the_agency_but_not_from_national(world: World) -> None:
    case = world.assigned(NOW, privacy=Privacy.CONFIDENTIAL)

    def view(actor: Actor) -> dict[str, object]:
        return view_complaint(
            case.tracking_id,
            actor,
            complaints=world.complaints,
            reference=world.reference,
            language=Language.ID,
        )

    agency_view, national_view = view(OPERATOR), view(NATIONAL)
    assert agency_view["reporter"] is None
    assert SITI not in str(agency_view)
    assert national_view["reporter"] == {
        "name": "Siti Aminah",
        "phone": SITI,
        "email": None,
        "whatsapp": None,
    }
    assert agency_view["allowed_actions"] == [
        "transfer",
        "return",
        "acknowledge",
        "request_info",
        "respond",
        "mark_dispute",
        "mark_field_exam",
    ]
    assert agency_view["agency"] == {
        "id": DISDUKCAPIL,
        "name": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tangerang",
    }


def test_the_inbox_filters_by_due_date_and_orders_the_most_urgent_first(world: World) -> None:
    cases = [world.assigned(NOW + timedelta(days=n)) for n in (0, 7, 14)]  # due 24 Mar, 30 Mar, 7 Apr (WIB)
    due = [case.clock.due_at for case in cases if case.clock]

    def listed(**filters: Any) -> list[str]:
        page = inbox(OPERATOR, complaints=world.complaints, language=Language.ID, now=NOW, **filters)
        return [row["tracking_id"] for row in page["complaints"]]

    ids = [case.tracking_id for case in cases]
    assert listed() == ids[::-1]  # newest first
    assert listed(order="urgent") == ids  # the nearest deadline first
    within = (due[1] - NOW).days + 1
    assert listed(due_within_days=within, order="urgent") == ids[:2]
    assert listed(due_within_days=0) == []
    assert listed(status=Status.IN_PROGRESS) == []
