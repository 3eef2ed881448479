"""Secrets at rest, as the one whose access code it is would want: the code is shown once, kept only
as a keyed hash, and no copy outlives the delivery of the receipt that carries it, whether the
receipt was sent, failed for good, or the worker died between settling it and clearing it."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from aduan.domain.errors import RetryLater
from aduan.domain.tracking import access_code_key
from tests.factories import ACCESS_KEY, ASSIGNED_AT
from tests.unit.world import World

NOW = ASSIGNED_AT


@pytest.fixture
def world() -> World:
    return World()


def everything_kept(world: World, tracking_id: str) -> str:
    """All that the store and the ledger hold about a complaint, as one text to search."""
    store = world.complaints
    complaint, timeline = store.get_with_timeline(tracking_id)
    records = [store.idempotent_response(key) for key in ("web:first",)]
    return str([complaint, timeline, store.outbox(tracking_id), records, world.ledger.claims])


def test_the_stored_complaint_holds_a_keyed_hash_a_dump_cannot_test_guesses_on(world: World) -> None:
    receipt = world.report(NOW, key="web:first")
    stored = world.complaints.get(receipt.tracking_id).access_code_hash
    unkeyed = hashlib.sha256(f"{receipt.tracking_id}:{receipt.access_code}".encode()).hexdigest()
    assert stored.startswith("v2:")
    assert unkeyed not in stored
    assert receipt.access_code not in str(world.complaints.get(receipt.tracking_id))


def test_once_the_receipt_is_sent_nothing_kept_holds_the_code(world: World) -> None:
    receipt = world.report(NOW, key="web:first")
    assert receipt.access_code in everything_kept(world, receipt.tracking_id)  # the outbox, until sent
    world.route(receipt.tracking_id, NOW)
    world.deliver_queued(NOW)
    assert any(receipt.access_code in text for _to, text in world.sms.sent)
    assert receipt.access_code not in everything_kept(world, receipt.tracking_id)
    assert world.complaints.outbox(receipt.tracking_id) == []
    again = world.report(NOW, key="web:first")  # the retry still gets the first answer, code and all
    assert (again.replayed, again.access_code) == (True, receipt.access_code)


def test_a_receipt_that_fails_for_good_leaves_no_code_behind_either(world: World) -> None:
    world.sms.fail("InvalidParameter", permanent=True)
    receipt = world.report(NOW, key="web:first")
    assert world.deliver_queued(NOW) == ["failed_permanently"]
    assert receipt.access_code not in everything_kept(world, receipt.tracking_id)


def test_a_receipt_still_to_be_sent_keeps_its_outbox_until_it_is(world: World) -> None:
    world.sms.fail("Throttling")
    receipt = world.report(NOW)
    with pytest.raises(RetryLater):
        world.deliver_queued(NOW)
    [kept] = world.complaints.outbox(receipt.tracking_id)  # routing may yet need to queue it again
    assert kept["values"]["access_code"] == receipt.access_code
    world.notifications.sent.append(kept)  # the queue brings it back
    assert world.deliver_queued(NOW) == ["sent"]
    assert world.complaints.outbox(receipt.tracking_id) == []


def test_a_worker_that_died_after_settling_leaves_the_next_delivery_to_clear_the_outbox(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = world.report(NOW)
    [message] = world.notifications.receive()
    clear = world.complaints.drop_from_outbox

    def died(*_: Any) -> None:
        raise TimeoutError("the function timed out")

    monkeypatch.setattr(world.complaints, "drop_from_outbox", died)
    world.notifications.sent.append(message)
    with pytest.raises(TimeoutError):
        world.deliver_queued(NOW)
    assert receipt.access_code in str(world.complaints.outbox(receipt.tracking_id))
    monkeypatch.setattr(world.complaints, "drop_from_outbox", clear)
    world.notifications.sent.append(message)  # SQS delivers it again: the ledger says it went
    assert world.deliver_queued(NOW) == ["duplicate"]
    assert len(world.sms.sent) == 1
    assert receipt.access_code not in everything_kept(world, receipt.tracking_id)


def test_the_pepper_is_a_labelled_subkey_of_the_reporter_secret() -> None:
    assert access_code_key(b"fake-secret") == ACCESS_KEY
    assert access_code_key(b"fake-secret") != b"fake-secret"
