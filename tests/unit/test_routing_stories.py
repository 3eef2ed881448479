"""Routing (disposisi) as the agencies and the citizen see it: each report reaches its agency or
the right person to triage it, and whatever the queue redelivers, each person hears of it once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aduan.domain.deadlines import ClockKind, Step, next_step
from aduan.domain.errors import Conflict
from aduan.domain.models import Actor, Role, Status
from aduan.domain.workdays import WorkCalendar
from aduan.operations import ActionRequest, act
from tests.factories import ASSIGNED_AT
from tests.unit.world import DISDUKCAPIL, SITI, World, story, templates

NOW = ASSIGNED_AT
LATER = NOW + timedelta(minutes=1)


@pytest.fixture
def world() -> World:
    return World()


def submitted(world: World, **fields: Any) -> str:
    """A report filed, its acknowledgement delivered; routing has not run yet."""
    tracking_id = world.report(NOW, **fields).tracking_id
    world.deliver_queued(NOW)
    return tracking_id


def test_a_kependudukan_report_in_kabupaten_tangerang_reaches_disdukcapil_with_a_wib_deadline(
    world: World,
) -> None:
    tracking_id = submitted(world)
    routed = world.route(tracking_id, LATER)

    assert routed.outcome == "assigned"
    stored = world.complaints.get(tracking_id)
    assert (stored.status, stored.agency_id, stored.coordinator_id) == (
        Status.ASSIGNED,
        DISDUKCAPIL,
        "kab-tangerang",
    )
    assert stored.clock is not None
    assert stored.clock.kind is ClockKind.RESPONSE
    assert stored.clock.due_at is not None
    assert stored.clock.due_at == WorkCalendar("Asia/Jakarta").deadline(LATER, 5)  # five working days
    assert stored.clock.due_at.astimezone(ZoneInfo("Asia/Jakarta")).time().isoformat() == "23:59:59"
    assert story(world, tracking_id) == ["submitted", "assigned"]
    event = world.complaints.timeline(tracking_id)[-1]
    assert "Cikupa" in event.data["reason_id"]
    # The next thing due is the 80 % warning: the due index holds it for the deadline check.
    warning = next_step(stored.clock, WorkCalendar("Asia/Jakarta"))
    assert warning is not None
    assert warning[0] is Step.WARNING
    assert tracking_id in set(world.complaints.due(warning[1]))
    assert tracking_id not in set(world.complaints.due(warning[1] - timedelta(seconds=1)))


def test_the_citizen_and_every_contact_of_the_agency_are_told_once(world: World) -> None:
    tracking_id = submitted(world)
    world.route(tracking_id, LATER)
    assert world.deliver_queued(LATER) == ["sent", "sent", "sent"]

    agency = world.reference.agency(DISDUKCAPIL)
    assert agency is not None
    assigned_text = [text for to, text in world.sms.sent if to == SITI and "diteruskan" in text]
    assert len(assigned_text) == 1
    assert "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tangerang" in assigned_text[0]
    assert [to for to, _text in world.sms.sent[1:]] == [SITI, *agency.sms_numbers]
    assert [email[0] for email in world.email.sent] == list(agency.emails)
    assert all(len(text) <= 160 for _to, text in world.sms.sent)  # one segment each


def test_a_redelivered_routing_message_changes_nothing_and_sends_each_notification_once(
    world: World,
) -> None:
    tracking_id = submitted(world)
    world.route(tracking_id, LATER)
    first = world.deliver_queued(LATER)
    texts, saved = list(world.sms.sent), world.complaints.get(tracking_id)

    again = world.route(tracking_id, LATER + timedelta(minutes=5))

    assert again.outcome == "already_routed"
    assert world.complaints.get(tracking_id) == saved
    assert world.deliver_queued(LATER + timedelta(minutes=5)) == []
    assert world.sms.sent == texts
    assert first == ["sent"] * 3
    assert story(world, tracking_id) == ["submitted", "assigned"]


def test_a_conflict_on_save_is_read_again_and_retried_and_still_each_person_is_told_once(
    world: World,
) -> None:
    tracking_id = submitted(world)
    world.complaints.conflict_on_next_save()

    routed = world.route(tracking_id, LATER)

    assert routed.outcome == "assigned"
    assert len(world.complaints.saves) == 1
    # Queued before each try, with IDs fixed by the cause: the second send of each is a duplicate.
    ids = [notification.id for notification in world.queued()[1:]]
    assert len(ids) == 6
    assert len(set(ids)) == 3
    assert world.deliver_queued(LATER) == ["sent"] * 3 + ["duplicate"] * 3
    assert len(world.sms.sent) == 1 + 2  # the acknowledgement, then the citizen and the agency


def test_a_routing_race_lost_to_another_delivery_of_the_message_ends_already_routed(world: World) -> None:
    tracking_id = submitted(world)
    world.complaints.meanwhile(lambda: world.route(tracking_id, LATER))  # the other delivery

    routed = world.route(tracking_id, LATER)

    assert routed.outcome == "already_routed"
    assert routed.complaint.agency_id == DISDUKCAPIL
    assert story(world, tracking_id) == ["submitted", "assigned"]


def test_a_complaint_an_operator_archived_first_is_left_as_it_is(world: World) -> None:
    tracking_id = submitted(world)
    national = Actor(role=Role.NATIONAL, agency_id="kemenpanrb", user_id="admin")

    def archived_meanwhile() -> None:
        version = world.complaints.get(tracking_id).version
        request = ActionRequest(action="archive", version=version, reason="spam")
        act(
            tracking_id,
            request,
            national,
            complaints=world.complaints,
            reference=world.reference,
            notifications=world.notifications,
            now=NOW,
        )

    world.complaints.meanwhile(archived_meanwhile)
    assert world.route(tracking_id, LATER).outcome == "already_routed"
    assert world.complaints.get(tracking_id).status is Status.ARCHIVED


def test_a_complaint_that_keeps_changing_is_given_back_to_the_queue(world: World) -> None:
    tracking_id = submitted(world)
    for _ in range(3):
        world.complaints.conflict_on_next_save()
    with pytest.raises(Conflict):
        world.route(tracking_id, LATER)
    assert world.complaints.get(tracking_id).status is Status.SUBMITTED


def test_a_report_naming_no_known_place_goes_to_national_triage(world: World) -> None:
    tracking_id = submitted(
        world,
        title="Jalan rusak parah tidak pernah diperbaiki",
        description="Jalan di depan rumah kami rusak parah dan berlubang sudah setahun tidak diperbaiki.",
    )
    routed = world.route(tracking_id, LATER)

    assert routed.outcome == "needs_triage"
    assert (routed.complaint.agency_id, routed.complaint.category) == ("kemenpanrb", "infrastruktur")
    assert templates(world.queued()[1:]) == [
        ("triage", "agency:kemenpanrb:0"),
        ("triage", "agency:kemenpanrb:0"),
    ]
    assert {n.channel for n in world.queued()[1:]} == {"sms", "email"}


def test_a_report_in_kota_tangerang_reaches_kota_tangerang_disdukcapil(world: World) -> None:
    tracking_id = submitted(
        world,
        description="Saya merekam e-KTP di Kecamatan Ciledug Kota Tangerang pada bulan Desember, belum jadi.",
    )
    routed = world.route(tracking_id, LATER)
    assert (routed.outcome, routed.complaint.agency_id) == ("assigned", "kota-tangerang.disdukcapil")
    assert routed.complaint.location.region_code == "36.71.06"
