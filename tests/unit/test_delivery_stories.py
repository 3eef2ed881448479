"""Delivery, as the one who waits for the text sees it: sent at most once, retried until it is,
never retried when it cannot succeed, and every attempt in the complaint's record."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aduan.delivery import LEASE_SECONDS, MAX_BACKOFF_SECONDS, deliver, retry_delay
from aduan.domain.errors import RetryLater
from aduan.domain.models import Actor, Agency, Complaint, Reporter, Role, TimelineEvent
from aduan.domain.notifications import Channel, Notification, for_agency, for_citizen, to_sender
from tests.factories import ASSIGNED_AT, complaint
from tests.unit.world import DISDUKCAPIL, SITI, World

NOW = ASSIGNED_AT
BASE_SECONDS = 30


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def filed(world: World) -> Complaint:
    case = complaint(reporter=Reporter(name="Siti Aminah", phone=SITI))
    submitted = TimelineEvent(at=case.created_at, type="submitted", actor=Actor(role=Role.CITIZEN))
    world.complaints.create(case, submitted, next_due_at=None)
    return case


def assigned_text(case: Complaint) -> Notification:
    return for_citizen(
        case, "assigned", f"routed:{case.tracking_id}", agency="Disdukcapil", due="20 Mar 2026"
    )


def send(world: World, notification: Notification, at: datetime = NOW, attempt: int = 1) -> str:
    return deliver(
        notification,
        ledger=world.ledger,
        complaints=world.complaints,
        directory=world.reference,
        channels=world.channels,
        now=at,
        attempt=attempt,
    )


def attempts(world: World, case: Complaint) -> list[tuple[int, str]]:
    return [
        (event.data["attempt"], event.data["outcome"])
        for event in world.complaints.timeline(case.tracking_id)
        if event.type == "notification"
    ]


def test_a_notification_is_sent_to_the_reporter_settled_and_recorded(world: World, filed: Complaint) -> None:
    notification = assigned_text(filed)
    assert send(world, notification) == "sent"

    [(to, text)] = world.sms.sent
    assert to == SITI
    assert "diteruskan ke Disdukcapil" in text
    assert world.ledger.claims[notification.id].outcome == "sent"
    [event] = [e for e in world.complaints.timeline(filed.tracking_id) if e.type == "notification"]
    assert not event.public
    assert event.data["recipient"] == "citizen"  # a role, never the number
    assert SITI not in str(event.data)


def test_a_duplicate_delivery_is_skipped(world: World, filed: Complaint) -> None:
    notification = assigned_text(filed)
    assert send(world, notification) == "sent"
    assert send(world, notification, NOW + timedelta(hours=1), attempt=2) == "duplicate"
    assert len(world.sms.sent) == 1
    assert attempts(world, filed) == [(1, "sent")]


def test_a_busy_lease_makes_it_come_back_when_the_lease_has_ended(world: World, filed: Complaint) -> None:
    notification = assigned_text(filed)
    assert world.ledger.claim(notification.id, NOW, LEASE_SECONDS) == "claimed"  # another worker

    with pytest.raises(RetryLater) as later:
        send(world, notification, NOW + timedelta(seconds=5))

    assert later.value.delay == LEASE_SECONDS
    assert retry_delay(1, BASE_SECONDS, later.value) == LEASE_SECONDS
    assert world.sms.attempts == 0
    assert attempts(world, filed) == []


def test_a_transient_failure_releases_the_claim_and_retries_with_growing_backoff(
    world: World, filed: Complaint
) -> None:
    notification = assigned_text(filed)
    world.sms.fail("throttled", times=3)

    delays = []
    for attempt in (1, 2, 3):
        with pytest.raises(RetryLater) as later:
            send(world, notification, NOW + timedelta(minutes=attempt), attempt=attempt)
        assert notification.id not in world.ledger.claims  # released: the retry may send it
        delays.append(retry_delay(attempt, BASE_SECONDS, later.value))
    assert send(world, notification, NOW + timedelta(minutes=4), attempt=4) == "sent"

    assert delays == [30, 60, 120]
    assert len(world.sms.sent) == 1
    assert attempts(world, filed) == [
        (1, "retrying: throttled"),
        (2, "retrying: throttled"),
        (3, "retrying: throttled"),
        (4, "sent"),
    ]


def test_the_backoff_stops_growing_at_fifteen_minutes() -> None:
    delays = [retry_delay(attempt, BASE_SECONDS) for attempt in (5, 6, 7, 20)]
    assert delays == [480, MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS]


def test_a_permanent_failure_is_recorded_once_and_never_tried_again(world: World, filed: Complaint) -> None:
    notification = assigned_text(filed)
    world.sms.fail("invalid_number", permanent=True)

    assert send(world, notification) == "failed_permanently"
    assert send(world, notification, NOW + timedelta(minutes=1), attempt=2) == "duplicate"

    assert world.sms.attempts == 1
    assert world.ledger.claims[notification.id].outcome == "failed: invalid_number"
    assert attempts(world, filed) == [(1, "failed_permanently: invalid_number")]


def test_an_email_to_a_reporter_who_gave_none_fails_for_good_without_trying(
    world: World, filed: Complaint
) -> None:
    by_email = assigned_text(filed).model_copy(update={"channel": Channel.EMAIL})
    assert send(world, by_email) == "failed_permanently"
    assert world.email.attempts == 0
    assert attempts(world, filed) == [(1, "failed_permanently: no_address")]


def test_an_agency_notification_goes_to_the_contact_it_names(world: World, filed: Complaint) -> None:
    agency = world.reference.agency(DISDUKCAPIL)
    assert agency is not None
    sms, email = for_agency(
        DISDUKCAPIL,
        world.reference,
        "new_assignment",
        "routed:x",
        filed.tracking_id,
        agency="X",
        due="-",
        category="Kependudukan",
    )
    assert [send(world, sms), send(world, email)] == ["sent", "sent"]
    assert [to for to, _text in world.sms.sent] == [agency.sms_numbers[0]]
    assert [to for to, *_rest in world.email.sent] == [agency.emails[0]]


def test_a_webhook_carries_the_event_and_the_notification_id(world: World, filed: Complaint) -> None:
    hook = Notification(
        id="n-hook",
        template="new_assignment",
        channel=Channel.WEBHOOK,
        recipient="agency:kab-tangerang.disdukcapil:0",
        tracking_id=filed.tracking_id,
        values={"tracking_id": "K7MX4-RPA27"},
    )
    directory = {"webhook": ["https://disdukcapil.example/hooks/aduan"]}

    class Directory:
        def agency_contacts(self, agency_id: str, channel: str) -> list[str]:
            return directory.get(channel, []) if agency_id == DISDUKCAPIL else []

        def agency(self, agency_id: str) -> Agency | None:
            rotated = {"webhook_key_version": 3}  # its key was rotated twice
            return world.reference.agency(agency_id).model_copy(update=rotated)  # type: ignore[union-attr]

    outcome = deliver(
        hook,
        ledger=world.ledger,
        complaints=world.complaints,
        directory=Directory(),
        channels=world.channels,
        now=NOW,
    )
    assert outcome == "sent"
    assert world.webhook.sent == [
        (
            "https://disdukcapil.example/hooks/aduan",
            {"event": "new_assignment", "notification_id": "n-hook", "tracking_id": "K7MX4-RPA27"},
        )
    ]
    assert world.webhook.signers == [(DISDUKCAPIL, 3)], "signed with the key of the agency it belongs to"


def test_an_answer_to_whoever_texted_needs_no_complaint(world: World) -> None:
    answer = to_sender("+6285799998888", "help_too_short", "sms:SM1")
    assert send(world, answer) == "sent"
    assert [to for to, _text in world.sms.sent] == ["+6285799998888"]
