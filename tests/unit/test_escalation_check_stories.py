"""The scheduled deadline check: everything due is queued, ten to a batch, and a run that is out of
time stops cleanly and leaves the rest in the index for the next one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aduan.domain.models import Actor, Role, TimelineEvent
from aduan.escalation_check import find_due
from tests.factories import ASSIGNED_AT, complaint
from tests.fakes import FakeComplaintStore, FakeQueue

NOW = ASSIGNED_AT + timedelta(days=7)


def filed(store: FakeComplaintStore, count: int, *, due_in: timedelta) -> set[str]:
    """`count` complaints whose next step falls due `due_in` from the check's time."""
    ids = set()
    for _ in range(count):
        case = complaint()
        event = TimelineEvent(at=case.created_at, type="submitted", actor=Actor(role=Role.CITIZEN))
        store.create(case, event, next_due_at=NOW + due_in)
        ids.add(case.tracking_id)
    return ids


@pytest.fixture
def store() -> FakeComplaintStore:
    return FakeComplaintStore(shards=4)


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


def plenty_of_time() -> float:
    return 60.0


def test_every_due_complaint_is_queued_in_batches_of_ten_and_nothing_else(
    store: FakeComplaintStore, queue: FakeQueue
) -> None:
    due = filed(store, 23, due_in=timedelta(seconds=0)) | filed(store, 2, due_in=-timedelta(days=1))
    filed(store, 5, due_in=timedelta(seconds=1))

    queued, finished = find_due(store, queue, NOW, time_left=plenty_of_time)

    assert (queued, finished) == (25, True)
    assert [len(batch) for batch in queue.batches] == [10, 10, 5]
    assert {message["tracking_id"] for message in queue.sent} == due
    assert {(message["type"], message["now"]) for message in queue.sent} == {
        ("complaint.due", NOW.isoformat())
    }


def test_a_check_that_finds_nothing_due_queues_nothing(store: FakeComplaintStore, queue: FakeQueue) -> None:
    filed(store, 3, due_in=timedelta(hours=1))
    assert find_due(store, queue, NOW, time_left=plenty_of_time) == (0, True)
    assert queue.batches == []


def test_the_check_stops_when_time_runs_out_and_the_rest_waits_in_the_index(
    store: FakeComplaintStore, queue: FakeQueue
) -> None:
    due = filed(store, 25, due_in=timedelta(seconds=0))
    left = iter([30.0, 9.9])  # seconds left after the first batch, then after the second

    queued, finished = find_due(store, queue, NOW, time_left=lambda: next(left))

    assert (queued, finished) == (20, False)
    assert [len(batch) for batch in queue.batches] == [10, 10]
    assert set(store.due(NOW)) == due  # queuing takes nothing out: the next run finds the rest


def test_a_batch_the_queue_refuses_fails_the_run_so_that_the_next_one_tries_again(
    store: FakeComplaintStore, queue: FakeQueue
) -> None:
    filed(store, 3, due_in=timedelta(seconds=0))
    queue.refuse_next_batch()
    with pytest.raises(RuntimeError, match="3 escalation messages not queued"):
        find_due(store, queue, NOW, time_left=plenty_of_time)
    assert queue.sent == []
