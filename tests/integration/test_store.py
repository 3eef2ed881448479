"""The DynamoDB store against moto server, on a table built from template.yaml's own properties."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from aduan.aws.complaint_store import DynamoComplaintStore
from aduan.aws.ledger import NotificationLedger
from aduan.domain.deadlines import ClockKind, next_step, start_clock
from aduan.domain.errors import Conflict, NotFound, ValidationFailed
from aduan.domain.lifecycle import Action, apply
from aduan.domain.models import Actor, Complaint, Privacy, Reporter, Role, Status, TimelineEvent
from aduan.domain.workdays import WorkCalendar
from tests.factories import ASSIGNED_AT, complaint

pytestmark = pytest.mark.integration

SYSTEM = Actor(role=Role.SYSTEM)
DISDUKCAPIL = "kab-tangerang.disdukcapil"
OPERATOR = Actor(role=Role.OPERATOR, agency_id=DISDUKCAPIL, user_id="op.disdukcapil")
JAKARTA = WorkCalendar()


@pytest.fixture
def store(dynamodb: Any, complaints_table: str) -> DynamoComplaintStore:
    return DynamoComplaintStore(dynamodb, complaints_table, reporter_secret=b"test-secret", shards=4)


def submitted(store: DynamoComplaintStore, **overrides: Any) -> Complaint:
    new = complaint(**overrides)
    event = TimelineEvent(at=new.created_at, type="submitted", actor=Actor(role=Role.CITIZEN))
    clock = start_clock(ClockKind.VERIFICATION, new.created_at, JAKARTA)
    new = new.model_copy(update={"clock": clock})
    store.create(new, event, next_due_at=_next_due(new))
    return new


def assigned(store: DynamoComplaintStore, case: Complaint, agency_id: str = DISDUKCAPIL) -> Complaint:
    clock = start_clock(ClockKind.RESPONSE, case.created_at, JAKARTA)
    changed, event = apply(
        case,
        Action.ASSIGN,
        SYSTEM,
        case.created_at,
        changes={"agency_id": agency_id, "coordinator_id": "kab-tangerang", "clock": clock},
    )
    return store.save(changed, [event], next_due_at=_next_due(changed))


def _next_due(case: Complaint) -> Any:
    step = next_step(case.clock, JAKARTA)
    return step[1] if step else None


def test_a_complaint_and_its_timeline_come_back_as_written(store: DynamoComplaintStore) -> None:
    case = assigned(store, submitted(store, location={"region_code": "36.03", "lat": -6.2, "lon": 106.5}))
    stored = store.get(case.tracking_id)
    assert stored == case
    assert stored.version == 1
    assert [event.type for event in store.timeline(case.tracking_id)] == ["submitted", "assigned"]


def test_the_outbox_is_written_with_the_complaint_and_stays_out_of_its_timeline(
    store: DynamoComplaintStore,
) -> None:
    new = complaint()
    event = TimelineEvent(at=new.created_at, type="submitted", actor=Actor(role=Role.CITIZEN))
    message = {"id": "n1", "template": "received", "values": {"tracking_id": new.tracking_id}}
    store.create(new, event, next_due_at=None, outbox=[message])
    assert store.outbox(new.tracking_id) == [message]
    stored, timeline = store.get_with_timeline(new.tracking_id)
    assert stored == new
    assert [e.type for e in timeline] == ["submitted"]
    assert store.outbox(submitted(store).tracking_id) == []  # created without one


def test_an_unknown_tracking_id_is_not_found(store: DynamoComplaintStore) -> None:
    with pytest.raises(NotFound):
        store.get("ABCDEFGHJK")


def test_a_tracking_id_is_never_issued_twice(store: DynamoComplaintStore) -> None:
    case = submitted(store)
    with pytest.raises(Conflict):
        submitted(store, tracking_id=case.tracking_id)


def test_two_writers_on_one_version_one_wins_one_gets_conflict(store: DynamoComplaintStore) -> None:
    case = assigned(store, submitted(store))
    acknowledged, ack_event = apply(case, Action.ACKNOWLEDGE, OPERATOR, ASSIGNED_AT + timedelta(hours=1))
    # Different times, so the two timeline events do not share a key: only `version` decides.
    responded, respond_event = apply(case, Action.RESPOND, OPERATOR, ASSIGNED_AT + timedelta(hours=2))

    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def write(changed: Complaint, event: TimelineEvent) -> None:
        barrier.wait()
        try:
            store.save(changed, [event], next_due_at=None)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    writers = [
        threading.Thread(target=write, args=(acknowledged, ack_event)),
        threading.Thread(target=write, args=(responded, respond_event)),
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()

    assert sorted(outcomes) == ["conflict", "saved"]
    final = store.get(case.tracking_id)
    assert final.version == case.version + 1
    assert final.status in (Status.IN_PROGRESS, Status.RESPONDED)
    types = [event.type for event in store.timeline(case.tracking_id)]
    assert types[:2] == ["submitted", "assigned"]
    assert len(types) == 3  # the loser's event was not written either


def test_a_stale_version_is_a_conflict_even_without_a_race(store: DynamoComplaintStore) -> None:
    case = assigned(store, submitted(store))
    changed, event = apply(case, Action.ACKNOWLEDGE, OPERATOR, ASSIGNED_AT)
    store.save(changed, [event], next_due_at=None)
    later, later_event = apply(case, Action.RESPOND, OPERATOR, ASSIGNED_AT + timedelta(hours=1))
    with pytest.raises(Conflict):
        store.save(later, [later_event], next_due_at=None)
    assert store.get(case.tracking_id).status is Status.IN_PROGRESS


def test_a_complaint_whose_clock_stops_leaves_the_due_index(store: DynamoComplaintStore) -> None:
    case = assigned(store, submitted(store))
    long_after = ASSIGNED_AT + timedelta(days=60)
    assert case.tracking_id in set(store.due(long_after))

    responded, event = apply(case, Action.RESPOND, OPERATOR, ASSIGNED_AT, changes={"clock": None})
    store.save(responded, [event], next_due_at=None)
    assert case.tracking_id not in set(store.due(long_after))


def test_the_due_query_finds_only_what_is_due_across_every_shard(store: DynamoComplaintStore) -> None:
    cases = [assigned(store, submitted(store)) for _ in range(12)]
    warning_at = next_step(cases[0].clock, JAKARTA)[1]  # type: ignore[index]
    assert set(store.due(warning_at - timedelta(seconds=1))) == set()
    assert set(store.due(warning_at)) == {case.tracking_id for case in cases}


def test_the_inbox_returns_only_that_agencys_complaints_newest_first(store: DynamoComplaintStore) -> None:
    ours = [
        assigned(store, submitted(store, created_at=ASSIGNED_AT + timedelta(minutes=n))) for n in range(3)
    ]
    assigned(store, submitted(store), agency_id="kab-tangerang.pupr")

    page = store.inbox(DISDUKCAPIL, Status.ASSIGNED)
    assert [row.tracking_id for row in page.complaints] == [case.tracking_id for case in reversed(ours)]
    assert store.inbox(DISDUKCAPIL, Status.IN_PROGRESS).complaints == []


def test_the_inbox_pages_with_an_opaque_cursor(store: DynamoComplaintStore) -> None:
    ours = {assigned(store, submitted(store)).tracking_id for _ in range(5)}
    first = store.inbox(DISDUKCAPIL, Status.ASSIGNED, limit=3)
    assert first.cursor is not None
    second = store.inbox(DISDUKCAPIL, Status.ASSIGNED, limit=3, cursor=first.cursor)
    seen = [row.tracking_id for row in first.complaints + second.complaints]
    assert sorted(seen) == sorted(ours)


def _cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def test_a_crafted_inbox_cursor_is_refused_and_never_pages_another_partition(
    store: DynamoComplaintStore,
) -> None:
    for _ in range(2):
        assigned(store, submitted(store))
    theirs = assigned(store, submitted(store), agency_id="kab-tangerang.pupr")
    own = store.inbox(DISDUKCAPIL, Status.ASSIGNED, limit=1)
    assert own.cursor is not None
    key = json.loads(base64.urlsafe_b64decode(own.cursor))
    pupr = {**key, "inbox": {"S": "kab-tangerang.pupr#assigned"}, "pk": {"S": f"C#{theirs.tracking_id}"}}
    crafted = [
        _cursor(pupr),  # a key of another agency's partition: DynamoDB's ValidationException, a 503
        _cursor({**key, "inbox": {"S": f"{DISDUKCAPIL}#in_progress"}}),  # another status of its own
        _cursor({"pk": {"S": "REF#AGENCY"}, "sk": {"S": "kab-tangerang"}}),  # another item: a 503
        _cursor({**key, "sk": {"S": "#IDEMPOTENCY"}}),
        _cursor({**key, "extra": {"S": "x"}}),
        _cursor({**key, "created_at": {"N": "1"}}),
        _cursor({**key, "created_at": "2026-03-16"}),
        _cursor([key]),
        "garbage",
        "ÄÖÜ",
    ]
    for cursor in crafted:
        with pytest.raises(ValidationFailed) as refused:
            store.inbox(DISDUKCAPIL, Status.ASSIGNED, cursor=cursor)
        assert refused.value.problems == [("cursor", "invalid_cursor", {})], cursor
    # The cursor the store gave still pages, and only its own partition.
    rest = store.inbox(DISDUKCAPIL, Status.ASSIGNED, cursor=own.cursor)
    assert theirs.tracking_id not in {row.tracking_id for row in rest.complaints}


def test_inbox_rows_carry_no_reporter_identity(store: DynamoComplaintStore) -> None:
    assigned(store, submitted(store, privacy=Privacy.CONFIDENTIAL))
    row = store.inbox(DISDUKCAPIL, Status.ASSIGNED).complaints[0]
    assert "reporter" not in row.model_dump()
    assert "Siti" not in row.model_dump_json()


def test_a_citizens_complaints_are_found_by_phone_without_storing_it_in_the_index(
    store: DynamoComplaintStore, dynamodb: Any, complaints_table: str
) -> None:
    phone = "+6285711112222"
    mine = [submitted(store, reporter=Reporter(phone=phone)).tracking_id for _ in range(2)]
    submitted(store, reporter=Reporter(email="warga@example.id"))
    assert sorted(store.by_reporter(phone)) == sorted(mine)

    item = dynamodb.get_item(
        TableName=complaints_table, Key={"pk": {"S": f"C#{mine[0]}"}, "sk": {"S": "#COMPLAINT"}}
    )
    assert phone not in item["Item"]["reporter_key"]["S"]


class Throttled:
    """The DynamoDB client, but its first `times` UpdateItems fail throttled (past the SDK's retries)."""

    def __init__(self, client: Any, times: int) -> None:
        self.client, self.left = client, times

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def update_item(self, **request: Any) -> Any:
        if self.left:
            self.left -= 1
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
            raise ClientError(error, "UpdateItem")  # type: ignore[arg-type]
        return self.client.update_item(**request)


def test_a_settle_after_the_send_outlasts_a_throttle_so_the_lease_never_lets_the_text_go_twice(
    dynamodb: Any, complaints_table: str
) -> None:
    now = ASSIGNED_AT
    throttled = Throttled(dynamodb, times=3)
    ledger = NotificationLedger(throttled, complaints_table)  # type: ignore[arg-type]
    assert ledger.claim("n-1", now, lease_seconds=120) == "claimed"
    ledger.settle("n-1", "sent", pauses=(0, 0, 0))
    assert throttled.left == 0
    # Long after the lease would have ended, the notification is still done: nothing sends it again.
    assert ledger.claim("n-1", now + timedelta(hours=1), lease_seconds=120) == "done"


def test_a_settle_gives_up_after_its_pauses_and_never_creates_a_claim(
    dynamodb: Any, complaints_table: str
) -> None:
    ledger = NotificationLedger(Throttled(dynamodb, times=3), complaints_table)  # type: ignore[arg-type]
    assert ledger.claim("n-2", ASSIGNED_AT, lease_seconds=120) == "claimed"
    with pytest.raises(ClientError, match="slow down"):
        ledger.settle("n-2", "sent", pauses=(0, 0))
    unclaimed = NotificationLedger(dynamodb, complaints_table)
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        unclaimed.settle("n-3", "sent", pauses=(0, 0))
    key = {"pk": {"S": "NOTIF#n-3"}, "sk": {"S": "#NOTIFICATION"}}
    assert "Item" not in dynamodb.get_item(TableName=complaints_table, Key=key)
