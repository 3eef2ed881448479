"""A citizen after reporting: tracks the complaint (confidential details only with the access code),
replies, answers a question, reopens a response that did not solve it, rates it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aduan.citizen import FollowUp, follow_up, track_complaint
from aduan.domain.effects import CITIZEN_MESSAGES_PER_DAY
from aduan.domain.errors import Conflict, InvalidTrackingId, InvalidTransition, NotFound, RateLimited
from aduan.domain.models import Complaint, Language, Privacy, Status
from aduan.domain.tracking import display_form
from aduan.domain.workdays import WorkCalendar
from aduan.intake import Receipt
from tests.factories import ACCESS_KEY, ASSIGNED_AT
from tests.unit.world import DISDUKCAPIL, World, story, templates

NOW = ASSIGNED_AT


@pytest.fixture
def world() -> World:
    return World()


def routed(world: World, **fields: Any) -> Receipt:
    receipt = world.report(NOW, **fields)
    world.route(receipt.tracking_id, NOW)
    return receipt


def track(world: World, text: str, code: str | None) -> dict[str, object]:
    return track_complaint(
        text,
        code,
        complaints=world.complaints,
        names=world.reference,
        language=Language.ID,
        access_key=ACCESS_KEY,
    )


def post(
    world: World, receipt: Receipt, request: FollowUp, minutes: int = 60, code: str | None = None
) -> Complaint:
    return follow_up(
        display_form(receipt.tracking_id),
        code or receipt.access_code,
        request,
        complaints=world.complaints,
        reference=world.reference,
        notifications=world.notifications,
        now=NOW + timedelta(minutes=minutes),
        access_key=ACCESS_KEY,
    )


def test_anyone_with_the_id_sees_the_public_story_but_never_the_reporter(world: World) -> None:
    receipt = routed(world)
    view = track(world, display_form(receipt.tracking_id).lower(), None)

    assert view["status"] == Status.ASSIGNED
    assert view["agency"] == {
        "id": DISDUKCAPIL,
        "name": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tangerang",
    }
    assert [entry["type"] for entry in view["timeline"]] == ["submitted", "assigned"]  # type: ignore[attr-defined]
    assert "Siti" not in str(view)
    assert "description" in view


def test_a_confidential_complaint_is_not_found_without_its_access_code(world: World) -> None:
    receipt = routed(world, privacy=Privacy.CONFIDENTIAL)
    with pytest.raises(NotFound):
        track(world, receipt.tracking_id, None)
    with pytest.raises(NotFound):
        track(world, receipt.tracking_id, "WRONG234")
    assert track(world, receipt.tracking_id, receipt.access_code)["description"]


def test_a_mistyped_tracking_id_is_named_as_a_typo(world: World) -> None:
    receipt = routed(world)
    typo = receipt.tracking_id[:-1] + ("2" if receipt.tracking_id[-1] != "2" else "3")
    with pytest.raises(InvalidTrackingId) as raised:
        track(world, typo, None)
    assert raised.value.details["reason"] == "check"


def test_a_reply_without_the_access_code_is_not_found_and_writes_nothing(world: World) -> None:
    receipt = routed(world)
    with pytest.raises(NotFound):
        post(world, receipt, FollowUp(text="Saya sudah ke kantor kecamatan."), code="WRONG234")
    assert story(world, receipt.tracking_id) == ["submitted", "assigned"]


def test_a_citizen_reply_that_meets_a_conflict_is_saved_on_the_newer_version(world: World) -> None:
    receipt = routed(world)
    world.complaints.meanwhile(
        lambda: world.act(
            world.complaints.get(receipt.tracking_id), "acknowledge", NOW + timedelta(minutes=30)
        )
    )

    replied = post(world, receipt, FollowUp(text="Saya sudah ke kantor kecamatan dua kali."))

    assert replied.status is Status.IN_PROGRESS  # the operator's change is kept
    assert story(world, receipt.tracking_id) == ["submitted", "assigned", "acknowledged", "commented"]
    assert world.complaints.timeline(receipt.tracking_id)[-1].data["text"].startswith("Saya sudah")


def test_a_reply_that_keeps_meeting_conflicts_asks_to_be_sent_again(world: World) -> None:
    receipt = routed(world)
    for _ in range(3):
        world.complaints.conflict_on_next_save()
    with pytest.raises(Conflict):
        post(world, receipt, FollowUp(text="Halo?"))


def test_the_answer_to_a_question_restarts_the_paused_clock_with_the_time_left(world: World) -> None:
    receipt = routed(world)  # Monday 16 March, 10:00 WIB: five working days to respond
    tuesday_evening = datetime(2026, 3, 17, 16, 59, 59, tzinfo=UTC)  # one working day used
    world.act(world.complaints.get(receipt.tracking_id), "request_info", tuesday_evening, text="Nomor NIK?")
    assert receipt.tracking_id not in set(world.complaints.due(datetime(2027, 1, 1, tzinfo=UTC)))

    answered = post(world, receipt, FollowUp(text="NIK saya 3603xxxxxxxxxxxx."), minutes=14 * 24 * 60)

    reply_at = NOW + timedelta(days=14)
    jakarta = WorkCalendar("Asia/Jakarta")
    left = jakarta.after_working_seconds(reply_at, 4 * 86400)  # the four working days that were left
    assert answered.status is Status.IN_PROGRESS
    assert answered.clock is not None
    assert answered.clock.due_at == jakarta.end_of_day(jakarta.local_date(left - timedelta(seconds=1)))
    assert story(world, receipt.tracking_id)[-2:] == ["info_requested", "info_provided"]
    assert receipt.tracking_id in set(world.complaints.due(answered.clock.due_at))


def test_not_solved_within_the_reply_window_reopens_it_and_the_agency_is_told(world: World) -> None:
    receipt = routed(world)
    world.act(world.complaints.get(receipt.tracking_id), "respond", NOW + timedelta(hours=1), text="Selesai.")

    reopened = post(
        world, receipt, FollowUp(kind="reopen", text="Belum, KTP belum saya terima."), minutes=120
    )

    assert (reopened.status, reopened.escalation_level) == (Status.IN_PROGRESS, 0)
    assert set(templates(world.queued()[-2:])) == {("reopened", f"agency:{DISDUKCAPIL}:0")}


def test_a_reopen_after_the_reply_window_is_refused(world: World) -> None:
    receipt = routed(world)
    responded = world.act(
        world.complaints.get(receipt.tracking_id), "respond", NOW + timedelta(hours=1), text="Selesai."
    )
    assert responded.clock is not None
    assert responded.clock.due_at is not None
    minutes = int((responded.clock.due_at - NOW).total_seconds() // 60) + 1
    with pytest.raises(InvalidTransition):
        post(world, receipt, FollowUp(kind="reopen", text="Belum."), minutes=minutes)
    assert world.complaints.get(receipt.tracking_id).status is Status.RESPONDED


def test_a_rating_is_kept_on_the_complaint(world: World) -> None:
    receipt = routed(world)
    world.act(world.complaints.get(receipt.tracking_id), "respond", NOW + timedelta(hours=1), text="Selesai.")
    rated = post(world, receipt, FollowUp(kind="rate", rating=4, text="Cepat."), minutes=120)
    assert rated.rating == 4
    assert world.complaints.timeline(receipt.tracking_id)[-1].data == {"rating": 4, "comment": "Cepat."}


def test_a_citizen_s_messages_on_one_complaint_are_capped_per_day_and_the_cap_names_the_field(
    world: World,
) -> None:
    receipt = routed(world)
    for minute in range(CITIZEN_MESSAGES_PER_DAY):
        post(world, receipt, FollowUp(kind="reply", text=f"Tambahan {minute}"), minutes=60 + minute)
    recorded = len(world.complaints.timeline(receipt.tracking_id))

    with pytest.raises(RateLimited) as capped:
        post(world, receipt, FollowUp(kind="reply", text="Satu lagi"), minutes=90)
    assert capped.value.problems == [
        ("text", "daily_limit_citizen_messages", {"limit": CITIZEN_MESSAGES_PER_DAY})
    ]
    assert 0 < capped.value.retry_after <= 24 * 3600
    assert len(world.complaints.timeline(receipt.tracking_id)) == recorded, "nothing recorded"

    # The next day (Jakarta's) the citizen may write again.
    post(world, receipt, FollowUp(kind="reply", text="Hari berikutnya"), minutes=24 * 60 + 60)
    assert len(world.complaints.timeline(receipt.tracking_id)) == recorded + 1
