"""Intake, as the citizen lives it: a report is stored before the answer, acknowledged, and handed
to routing; when a queue fails nothing is lost; a retried request files nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aduan.domain.deadlines import ROUTING_GRACE
from aduan.domain.errors import IdempotencyMismatch, ValidationFailed
from aduan.domain.models import Channel, Status
from aduan.domain.notifications import Notification
from aduan.domain.tracking import access_code_matches, display_form
from aduan.intake import ComplaintInput, request_fingerprint, submit_complaint
from tests.factories import ACCESS_KEY, ASSIGNED_AT
from tests.unit.world import E_KTP_IN_CIKUPA, SITI, World

NOW = ASSIGNED_AT


@pytest.fixture
def world() -> World:
    return World()


def test_a_web_report_is_stored_acknowledged_and_handed_to_routing(world: World) -> None:
    receipt = world.report(NOW)

    stored = world.complaints.get(receipt.tracking_id)
    assert (stored.status, stored.reporter.phone, stored.version) == (Status.SUBMITTED, SITI, 0)
    assert access_code_matches(receipt.tracking_id, receipt.access_code, stored.access_code_hash, ACCESS_KEY)
    [acknowledgement] = world.notifications.sent
    notification = Notification.model_validate(acknowledgement)
    assert (notification.template, notification.recipient) == ("received", "citizen")
    assert notification.values["access_code"] == receipt.access_code
    assert world.complaints.outbox(receipt.tracking_id) == [acknowledgement]
    assert world.routing.sent == [{"type": "complaint.submitted", "tracking_id": receipt.tracking_id}]
    # Should routing never run, the sweeper finds it when the grace has passed, and not before.
    assert receipt.tracking_id not in set(world.complaints.due(NOW + ROUTING_GRACE - timedelta(seconds=1)))
    assert receipt.tracking_id in set(world.complaints.due(NOW + ROUTING_GRACE))


def test_when_the_acknowledgement_cannot_be_queued_the_routing_message_asks_for_the_outbox(
    world: World,
) -> None:
    world.notifications.fail()
    receipt = world.report(NOW)

    assert world.notifications.sent == []
    assert world.routing.sent == [
        {"type": "complaint.submitted", "tracking_id": receipt.tracking_id, "outbox": True}
    ]
    [kept] = world.complaints.outbox(receipt.tracking_id)
    assert kept["template"] == "received"

    world.route(receipt.tracking_id, NOW, resend_outbox=True)
    assert world.notifications.sent[0] == kept  # the acknowledgement, first, with its own ID
    world.deliver_queued(NOW)
    to_siti = [text for to, text in world.sms.sent if to == SITI]
    assert [("diterima" in text, "diteruskan ke" in text) for text in to_siti] == [
        (True, False),
        (False, True),
    ]
    assert receipt.access_code in to_siti[0]


def test_the_citizen_is_told_by_sms_with_the_tracking_id_and_access_code(world: World) -> None:
    receipt = world.report(NOW)
    assert world.deliver_queued(NOW) == ["sent"]
    [(to, text)] = world.sms.sent
    assert to == SITI
    assert display_form(receipt.tracking_id) in text
    assert receipt.access_code in text
    assert len(text) <= 160


def test_an_email_only_reporter_is_told_by_email(world: World) -> None:
    receipt = world.report(NOW, reporter={"name": "Budi", "email": "Budi.Santoso@Example.id"})
    assert world.deliver_queued(NOW) == ["sent"]
    assert world.sms.sent == []
    [(to, subject, text, html)] = world.email.sent
    assert to == "budi.santoso@example.id"
    assert display_form(receipt.tracking_id) in subject
    assert receipt.access_code in text
    assert receipt.access_code in html


def test_when_routing_cannot_be_told_the_report_is_still_accepted_and_the_sweeper_will_find_it(
    world: World,
) -> None:
    world.routing.fail()
    receipt = world.report(NOW)

    assert world.routing.sent == []
    assert world.complaints.get(receipt.tracking_id).status is Status.SUBMITTED
    assert [Notification.model_validate(m).template for m in world.notifications.sent] == ["received"]
    assert receipt.tracking_id in set(world.complaints.due(NOW + ROUTING_GRACE))


def test_an_idempotent_replay_returns_the_first_receipt_and_sends_nothing(world: World) -> None:
    first = world.report(NOW, key="retry-1")
    sent = (len(world.notifications.sent), len(world.routing.sent))

    again = world.report(NOW + timedelta(seconds=3), key="retry-1")

    assert not first.replayed
    assert again.replayed
    assert (again.tracking_id, again.access_code) == (first.tracking_id, first.access_code)
    assert (len(world.notifications.sent), len(world.routing.sent)) == sent == (1, 1)
    assert len(world.complaints.by_reporter(SITI)) == 1


def test_a_key_used_again_for_a_different_report_is_refused_and_files_nothing(world: World) -> None:
    def submit(description: str) -> None:
        body = {**E_KTP_IN_CIKUPA, "description": description}
        submit_complaint(
            ComplaintInput.model_validate(body, context={"now": NOW}),
            channel=Channel.WEB,
            now=NOW,
            reference=world.reference,
            complaints=world.complaints,
            routing=world.routing,
            notifications=world.notifications,
            access_key=ACCESS_KEY,
            idempotency_key="key-1",
            fingerprint=request_fingerprint(body),
        )

    world.complaints.now = lambda: NOW
    submit(E_KTP_IN_CIKUPA["description"])
    with pytest.raises(IdempotencyMismatch):
        submit("Jalan di depan Kantor Kecamatan Cikupa rusak dan berlubang sejak tahun lalu.")
    assert len(world.complaints.by_reporter(SITI)) == 1
    assert len(world.routing.sent) == 1


def test_an_unknown_category_and_region_are_both_named_and_nothing_is_stored(world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        world.report(NOW, category="astrologi", location={"region_code": "99.99"})
    assert [field for field, _code, _values in refused.value.problems] == ["category", "location.region_code"]
    assert world.complaints.by_reporter(SITI) == []
    assert (world.notifications.sent, world.routing.sent) == ([], [])
