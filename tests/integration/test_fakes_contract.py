"""The fakes of tests/fakes.py hold to the adapters they stand for: every case runs on the fake and on
the DynamoDB store and ledger (moto server, the table built from template.yaml), so that a story told
with the fakes is true of the real thing."""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from aduan.aws.complaint_store import DynamoComplaintStore
from aduan.aws.conversations import DynamoConversations
from aduan.aws.ledger import NotificationLedger
from aduan.domain.errors import Conflict, NotFound, PasswordResetRequired, SignInRefused, ValidationFailed
from aduan.domain.lifecycle import Action, apply
from aduan.domain.models import (
    Actor,
    Attachment,
    AttachmentState,
    Complaint,
    Reporter,
    Role,
    Status,
    TimelineEvent,
)
from aduan.domain.ports import Conversations, EvidenceBucket, Idempotency, Ledger, SignInStep
from aduan_local.user_pool import fresh_totp
from tests.factories import ASSIGNED_AT, complaint
from tests.fakes import FakeComplaintStore, FakeConversations, FakeEvidenceBucket, FakeLedger, FakeUserPool

pytestmark = pytest.mark.integration

SECRET = b"contract-secret"
CITIZEN = Actor(role=Role.CITIZEN)
SYSTEM = Actor(role=Role.SYSTEM)
DISDUKCAPIL = "kab-tangerang.disdukcapil"
OPERATOR = Actor(role=Role.OPERATOR, agency_id=DISDUKCAPIL, user_id="op.disdukcapil")
LEASE = 120


@dataclass
class Backend:
    store: Any  # FakeComplaintStore or DynamoComplaintStore: the same ComplaintRepository
    ledger: Ledger


@pytest.fixture(params=["fake", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "fake":
        return Backend(FakeComplaintStore(reporter_secret=SECRET), FakeLedger())
    dynamodb = request.getfixturevalue("dynamodb")
    table = request.getfixturevalue("complaints_table")
    return Backend(
        DynamoComplaintStore(dynamodb, table, reporter_secret=SECRET, shards=4),
        NotificationLedger(dynamodb, table),
    )


@pytest.fixture
def store(backend: Backend) -> Any:
    return backend.store


@pytest.fixture
def ledger(backend: Backend) -> Ledger:
    return backend.ledger


def submitted_event(case: Complaint) -> TimelineEvent:
    return TimelineEvent(at=case.created_at, type="submitted", actor=CITIZEN, to_status=Status.SUBMITTED)


def created(store: Any, *, next_due_at: datetime | None = None, **overrides: Any) -> Complaint:
    case = complaint(**overrides)
    store.create(case, submitted_event(case), next_due_at=next_due_at)
    return case


def assigned(
    store: Any, case: Complaint, *, next_due_at: datetime | None = None, agency_id: str = DISDUKCAPIL
) -> Complaint:
    changed, event = apply(case, Action.ASSIGN, SYSTEM, case.created_at, changes={"agency_id": agency_id})
    saved: Complaint = store.save(changed, [event], next_due_at=next_due_at)
    return saved


def types(events: Sequence[TimelineEvent]) -> list[str]:
    return [event.type for event in events]


# -- complaints ------------------------------------------------------------------------------------


def test_a_created_complaint_comes_back_with_its_first_event(store: Any) -> None:
    case = created(store, location={"region_code": "36.03", "lat": -6.2, "lon": 106.5})
    assert store.get(case.tracking_id) == case
    stored, timeline = store.get_with_timeline(case.tracking_id)
    assert stored == case
    assert timeline == [submitted_event(case)]
    assert store.timeline(case.tracking_id) == timeline


def test_an_unknown_complaint_is_not_found_and_has_no_timeline(store: Any) -> None:
    with pytest.raises(NotFound):
        store.get("ABCDEFGHJK")
    with pytest.raises(NotFound):
        store.get_with_timeline("ABCDEFGHJK")
    assert store.timeline("ABCDEFGHJK") == []


def test_creating_a_tracking_id_twice_is_a_conflict_on_the_complaint(store: Any) -> None:
    case = created(store)
    again = complaint(tracking_id=case.tracking_id, title="Laporan lain dengan nomor yang sama")
    with pytest.raises(Conflict) as raised:
        store.create(again, submitted_event(again), next_due_at=None)
    assert raised.value.details["item"] == "complaint"
    assert store.get(case.tracking_id).title == case.title
    assert len(store.timeline(case.tracking_id)) == 1


def test_an_idempotency_record_answers_its_retries_and_blocks_a_second_complaint(store: Any) -> None:
    record = Idempotency("key-1", "fp-1", {"tracking_id": "X", "n": 1}, datetime(2100, 1, 1, tzinfo=UTC))
    first = complaint()
    store.create(first, submitted_event(first), next_due_at=None, idempotency=record)
    assert store.idempotent_response("key-1") == record

    second = complaint()
    with pytest.raises(Conflict) as raised:
        store.create(second, submitted_event(second), next_due_at=None, idempotency=record)
    assert raised.value.details["item"] == "idempotency"
    with pytest.raises(NotFound):  # all or nothing: the second complaint was not written
        store.get(second.tracking_id)
    assert store.idempotent_response("another-key") is None


def test_an_expired_idempotency_record_answers_nothing(store: Any) -> None:
    expired = Idempotency("key-old", "fp", {"tracking_id": "X"}, datetime(2000, 1, 1, tzinfo=UTC))
    case = complaint()
    store.create(case, submitted_event(case), next_due_at=None, idempotency=expired)
    assert store.idempotent_response("key-old") is None


def test_a_key_whose_record_expired_is_free_for_a_new_complaint(store: Any) -> None:
    """TTL deletes lazily, days late: an expired record must not block the key (a 409 for ever)."""
    first = complaint(created_at=ASSIGNED_AT)
    expiring = Idempotency(
        "key-reused", "fp-1", {"tracking_id": first.tracking_id}, ASSIGNED_AT + timedelta(hours=24)
    )
    store.create(first, submitted_event(first), next_due_at=None, idempotency=expiring)
    within = complaint(created_at=ASSIGNED_AT + timedelta(hours=23))
    with pytest.raises(Conflict):
        store.create(within, submitted_event(within), next_due_at=None, idempotency=expiring)
    later = complaint(created_at=ASSIGNED_AT + timedelta(hours=25))
    renewed = Idempotency(
        "key-reused", "fp-2", {"tracking_id": later.tracking_id}, later.created_at + timedelta(hours=24)
    )
    store.create(later, submitted_event(later), next_due_at=None, idempotency=renewed)
    assert store.get(later.tracking_id).tracking_id == later.tracking_id


def test_a_save_returns_the_next_version_and_a_stale_one_writes_nothing(store: Any) -> None:
    case = assigned(store, created(store))
    assert case.version == 1
    acknowledged, event = apply(case, Action.ACKNOWLEDGE, OPERATOR, ASSIGNED_AT + timedelta(hours=1))
    assert store.save(acknowledged, [event], next_due_at=None).version == 2

    late, late_event = apply(case, Action.RESPOND, OPERATOR, ASSIGNED_AT + timedelta(hours=2))
    with pytest.raises(Conflict) as raised:
        store.save(late, [late_event], next_due_at=None)
    assert raised.value.details["item"] == "complaint"
    stored, timeline = store.get_with_timeline(case.tracking_id)
    assert (stored.status, stored.version) == (Status.IN_PROGRESS, 2)
    assert types(timeline) == ["submitted", "assigned", "acknowledged"]  # no orphan event


def test_saving_a_complaint_that_was_never_created_is_a_conflict(store: Any) -> None:
    never = complaint()
    changed, event = apply(never, Action.ASSIGN, SYSTEM, ASSIGNED_AT, changes={"agency_id": DISDUKCAPIL})
    with pytest.raises(Conflict):
        store.save(changed, [event], next_due_at=None)
    with pytest.raises(NotFound):
        store.get(never.tracking_id)


def test_a_save_with_an_idempotency_record_writes_it_and_a_second_with_its_key_writes_nothing(
    store: Any,
) -> None:
    case = assigned(store, created(store))
    record = Idempotency("sms:SM1", "", {"outcome": "reply", "answers": []}, datetime(2100, 1, 1, tzinfo=UTC))
    commented, event = apply(case, Action.COMMENT, CITIZEN, ASSIGNED_AT + timedelta(hours=1))
    saved = store.save(commented, [event], next_due_at=None, idempotency=record)
    assert store.idempotent_response("sms:SM1") == record

    again, again_event = apply(saved, Action.COMMENT, CITIZEN, ASSIGNED_AT + timedelta(hours=2))
    with pytest.raises(Conflict) as raised:
        store.save(again, [again_event], next_due_at=None, idempotency=record)
    assert raised.value.details["item"] == "idempotency"
    stored, timeline = store.get_with_timeline(case.tracking_id)
    assert stored.version == saved.version
    assert types(timeline) == ["submitted", "assigned", "commented"]  # all or nothing

    # A stale version is named first, as the table's first failed condition is.
    with pytest.raises(Conflict) as stale:
        store.save(commented, [event], next_due_at=None, idempotency=record)
    assert stale.value.details["item"] == "complaint"


def test_the_timeline_is_in_time_order_and_an_event_appended_twice_is_one(store: Any) -> None:
    case = created(store)
    first = TimelineEvent(at=ASSIGNED_AT + timedelta(minutes=5), type="commented", actor=CITIZEN)
    second = first.model_copy(update={"type": "rated"})  # same instant, one save: kept in order
    saved = store.save(case, [first, second], next_due_at=None)
    later = TimelineEvent(at=ASSIGNED_AT + timedelta(hours=1), type="commented", actor=CITIZEN)
    store.save(saved, [later], next_due_at=None)
    attempt = TimelineEvent(
        at=ASSIGNED_AT + timedelta(minutes=30), type="notification", actor=SYSTEM, public=False
    )
    store.append_event(case.tracking_id, attempt, "Nn-1#1")
    store.append_event(case.tracking_id, attempt, "Nn-1#1")
    assert types(store.timeline(case.tracking_id)) == [
        "submitted",
        "commented",
        "rated",
        "notification",
        "commented",
    ]


def test_the_recent_timeline_pages_back_from_the_newest_events(store: Any) -> None:
    case = created(store)  # submitted, then 5 comments and a delivery attempt with the outbox kept
    saved = case
    for minute in range(5):
        event = TimelineEvent(
            at=ASSIGNED_AT + timedelta(minutes=10 + minute), type="commented", actor=CITIZEN
        )
        saved = store.save(saved, [event], next_due_at=None)
    attempt = TimelineEvent(
        at=ASSIGNED_AT + timedelta(hours=1), type="notification", actor=SYSTEM, public=False
    )
    store.append_event(case.tracking_id, attempt, "Nn-1#1")
    whole = store.timeline(case.tracking_id)
    assert len(whole) == 7

    stored, newest, earlier = store.get_with_recent_timeline(case.tracking_id, limit=3)
    assert stored == saved
    assert newest == whole[-3:]  # oldest first, as a view shows them
    assert earlier is not None
    _, middle, earliest = store.get_with_recent_timeline(case.tracking_id, before=earlier, limit=3)
    assert middle == whole[-6:-3]
    _, first, end = store.get_with_recent_timeline(case.tracking_id, before=earliest, limit=3)
    assert (first, end) == (whole[:1], None)
    # A page that holds it all says there is nothing before it.
    assert store.get_with_recent_timeline(case.tracking_id, limit=7)[1:] == (whole, None)
    assert store.get_with_recent_timeline(case.tracking_id)[1:] == (whole, None)


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        base64.urlsafe_b64encode(b"#COMPLAINT").decode(),  # another item of the partition
        base64.urlsafe_b64encode(b"E#2026-03-16").decode(),  # not a sort key the store writes
        "A" * 400,
        "",
    ],
)
def test_a_timeline_cursor_the_store_never_gave_names_the_field(store: Any, cursor: str) -> None:
    case = created(store)
    with pytest.raises(ValidationFailed) as refused:
        store.get_with_recent_timeline(case.tracking_id, before=cursor)
    assert refused.value.problems == [("timeline_before", "invalid_cursor", {})]


def test_an_unknown_complaint_has_no_recent_timeline(store: Any) -> None:
    with pytest.raises(NotFound):
        store.get_with_recent_timeline("ABCDEFGHJK")


def test_the_due_index_holds_a_complaint_until_its_next_due_at_is_none(store: Any) -> None:
    due = ASSIGNED_AT + timedelta(days=3)
    case = created(store, next_due_at=due)
    assert case.tracking_id not in set(store.due(due - timedelta(seconds=1)))
    assert case.tracking_id in set(store.due(due))
    assert [shard for shard in range(store.shards) if case.tracking_id in set(store.due_in_shard(shard, due))]

    later = due + timedelta(days=1)
    moved = store.save(case, [], next_due_at=later)
    assert case.tracking_id not in set(store.due(due))
    assert case.tracking_id in set(store.due(later))

    store.save(moved, [], next_due_at=None)
    assert case.tracking_id not in set(store.due(later + timedelta(days=365)))


def test_the_inbox_pages_newest_first_and_a_status_change_moves_a_complaint(store: Any) -> None:
    ours = [assigned(store, created(store, created_at=ASSIGNED_AT + timedelta(minutes=n))) for n in range(5)]
    assigned(store, created(store), agency_id="kab-tangerang.pupr")
    newest_first = [case.tracking_id for case in reversed(ours)]

    pages, cursor = [], None
    for _ in range(4):
        page = store.inbox(DISDUKCAPIL, Status.ASSIGNED, limit=2, cursor=cursor)
        pages.append([row.tracking_id for row in page.complaints])
        cursor = page.cursor
        if cursor is None:
            break
    assert pages == [newest_first[:2], newest_first[2:4], newest_first[4:]]
    assert "reporter" not in store.inbox(DISDUKCAPIL, Status.ASSIGNED).complaints[0].model_dump()

    acknowledged, event = apply(ours[0], Action.ACKNOWLEDGE, OPERATOR, ASSIGNED_AT + timedelta(hours=1))
    store.save(acknowledged, [event], next_due_at=None)
    assigned_ids = [row.tracking_id for row in store.inbox(DISDUKCAPIL, Status.ASSIGNED).complaints]
    in_progress = store.inbox(DISDUKCAPIL, Status.IN_PROGRESS).complaints
    assert assigned_ids == newest_first[:4]
    assert [(row.tracking_id, row.status, row.version) for row in in_progress] == [
        (ours[0].tracking_id, Status.IN_PROGRESS, 2)
    ]


def test_a_full_last_inbox_page_ends_the_inbox_or_leads_to_an_empty_page(store: Any) -> None:
    # DynamoDB answers a page that reached `limit` with a cursor even when nothing follows (the fake
    # does too); moto only when more follows. Either way the inbox ends, with nothing twice.
    ours = {assigned(store, created(store)).tracking_id for _ in range(2)}
    first = store.inbox(DISDUKCAPIL, Status.ASSIGNED, limit=2)
    assert {row.tracking_id for row in first.complaints} == ours
    if first.cursor is not None:
        last = store.inbox(DISDUKCAPIL, Status.ASSIGNED, limit=2, cursor=first.cursor)
        assert (last.complaints, last.cursor) == ([], None)


def test_filed_between_is_start_inclusive_and_end_exclusive(store: Any) -> None:
    start, end = ASSIGNED_AT, ASSIGNED_AT + timedelta(days=1)
    for at in (start - timedelta(seconds=1), start, end - timedelta(seconds=1), end):
        assigned(store, created(store, created_at=at))
    rows = store.filed_between(DISDUKCAPIL, Status.ASSIGNED, start, end)
    assert [row.created_at for row in rows] == [start, end - timedelta(seconds=1)]
    assert {(row.status, row.agency_id, row.escalation_level) for row in rows} == {
        (Status.ASSIGNED, DISDUKCAPIL, 0)
    }
    # The same day asked for in WIB (UTC+7) finds the same complaints.
    wib = timezone(timedelta(hours=7))
    local = store.filed_between(DISDUKCAPIL, Status.ASSIGNED, start.astimezone(wib), end.astimezone(wib))
    assert [row.created_at for row in local] == [start, end - timedelta(seconds=1)]


def test_a_reporters_complaints_are_found_by_phone_newest_first(store: Any) -> None:
    phone = "+6285711112222"
    mine = [
        created(store, reporter=Reporter(phone=phone), created_at=ASSIGNED_AT + timedelta(minutes=n))
        for n in range(2)
    ]
    created(store, reporter=Reporter(phone="+6285799998888"))
    created(store, reporter=Reporter(email="warga@example.id"))
    assert store.by_reporter(phone) == [mine[1].tracking_id, mine[0].tracking_id]
    assert store.by_reporter("+6281300000000") == []


def test_the_outbox_is_kept_with_the_complaint_and_out_of_its_timeline(store: Any) -> None:
    case = complaint()
    message = {"id": "n1", "template": "received", "values": {"tracking_id": case.tracking_id, "n": 2}}
    store.create(case, submitted_event(case), next_due_at=None, outbox=[message])
    assert store.outbox(case.tracking_id) == [message]
    assert types(store.timeline(case.tracking_id)) == ["submitted"]
    assert store.outbox(created(store).tracking_id) == []


def test_a_settled_message_leaves_the_outbox_and_the_item_goes_with_the_last(store: Any) -> None:
    case = complaint()
    first, second = ({"id": n, "template": "received", "values": {"n": n}} for n in ("n1", "n2"))
    store.create(case, submitted_event(case), next_due_at=None, outbox=[first, second])
    store.drop_from_outbox(case.tracking_id, "n1")
    assert store.outbox(case.tracking_id) == [second]
    store.drop_from_outbox(case.tracking_id, "n-unknown")
    store.drop_from_outbox(case.tracking_id, "n2")
    store.drop_from_outbox(case.tracking_id, "n2")  # again: nothing there, nothing raised
    assert store.outbox(case.tracking_id) == []
    assert types(store.timeline(case.tracking_id)) == ["submitted"]


def test_attachments_come_back_as_they_were_saved(store: Any) -> None:
    case = created(store)
    pending = Attachment(
        attachment_id="0123456789abcdef",
        content_type="image/heic",
        size=3_500_000,
        uploaded_by=CITIZEN,
        requested_at=ASSIGNED_AT,
        expires_at=ASSIGNED_AT + timedelta(minutes=15),
    )
    added = pending.model_copy(
        update={
            "attachment_id": "fedcba9876543210",
            "state": AttachmentState.ADDED,
            "uploaded_by": OPERATOR,
            "stored_type": "image/jpeg",
            "stored_size": 812_345,
            "width": 2048,
            "height": 1536,
            "has_thumbnail": True,
        }
    )
    saved = store.save(case.model_copy(update={"attachments": (pending, added)}), [], next_due_at=None)
    assert store.get(case.tracking_id) == saved
    assert store.get(case.tracking_id).attachments == (pending, added)
    assert store.get_with_recent_timeline(case.tracking_id)[0].attachments == (pending, added)


# -- the notification ledger -----------------------------------------------------------------------


def test_a_claim_is_busy_while_held_and_done_for_ever_once_settled(ledger: Ledger) -> None:
    assert ledger.claim("n-1", ASSIGNED_AT, LEASE) == "claimed"
    assert ledger.claim("n-1", ASSIGNED_AT + timedelta(seconds=1), LEASE) == "busy"
    ledger.settle("n-1", "sent")
    assert ledger.claim("n-1", ASSIGNED_AT + timedelta(days=1), LEASE) == "done"


def test_a_released_claim_may_be_claimed_again(ledger: Ledger) -> None:
    assert ledger.claim("n-2", ASSIGNED_AT, LEASE) == "claimed"
    ledger.release("n-2")
    assert ledger.claim("n-2", ASSIGNED_AT + timedelta(seconds=1), LEASE) == "claimed"
    assert ledger.claim("n-2", ASSIGNED_AT + timedelta(seconds=2), LEASE) == "busy"


def test_an_expired_lease_is_taken_over_and_not_a_second_earlier(ledger: Ledger) -> None:
    assert ledger.claim("n-3", ASSIGNED_AT, LEASE) == "claimed"
    assert ledger.claim("n-3", ASSIGNED_AT + timedelta(seconds=LEASE), LEASE) == "busy"
    assert ledger.claim("n-3", ASSIGNED_AT + timedelta(seconds=LEASE + 1), LEASE) == "claimed"
    assert ledger.claim("n-3", ASSIGNED_AT + timedelta(seconds=LEASE + 2), LEASE) == "busy"


# -- WhatsApp conversations ----------------------------------------------------------------------


@pytest.fixture(params=["fake", "dynamodb"])
def conversations(request: pytest.FixtureRequest) -> Conversations:
    if request.param == "fake":
        return FakeConversations()
    table = request.getfixturevalue("complaints_table")
    return DynamoConversations(request.getfixturevalue("dynamodb"), table, lambda: SECRET)


def test_a_message_acted_on_is_seen_and_another_is_not(conversations: Conversations) -> None:
    message_id = f"wamid.{uuid.uuid4().hex}"
    assert not conversations.seen(message_id)
    conversations.remember(message_id, ASSIGNED_AT)
    assert conversations.seen(message_id)
    assert not conversations.seen(f"{message_id}x")


def test_the_window_runs_from_the_latest_message_in_whole_seconds(conversations: Conversations) -> None:
    sender = f"62812{uuid.uuid4().int % 10**8:08d}"
    assert conversations.last_message(sender) is None
    conversations.opened(sender, ASSIGNED_AT + timedelta(microseconds=999_000))
    assert conversations.last_message(sender) == ASSIGNED_AT
    conversations.opened(sender, ASSIGNED_AT - timedelta(hours=1))  # a late redelivery of an older one
    assert conversations.last_message(sender) == ASSIGNED_AT
    conversations.opened(sender, ASSIGNED_AT + timedelta(minutes=5))
    assert conversations.last_message(sender) == ASSIGNED_AT + timedelta(minutes=5)
    assert conversations.last_message(f"{sender}0") is None


def test_one_draft_waits_per_sender_and_only_its_own_message_releases_it(
    conversations: Conversations,
) -> None:
    sender = f"62812{uuid.uuid4().int % 10**8:08d}"
    draft = {
        "message_id": "wamid.first",
        "text": "Jalan berlubang besar sudah sebulan tidak diperbaiki",
        "at": "t",
    }
    assert conversations.draft(sender, ASSIGNED_AT) is None
    assert conversations.hold(sender, draft, ASSIGNED_AT)
    assert not conversations.hold(sender, draft | {"message_id": "wamid.second"}, ASSIGNED_AT)
    assert conversations.draft(sender, ASSIGNED_AT) == draft
    conversations.release(sender, "wamid.second")  # not its draft
    assert conversations.draft(sender, ASSIGNED_AT) == draft
    conversations.release(sender, "wamid.first")
    assert conversations.draft(sender, ASSIGNED_AT) is None
    conversations.release(sender, "wamid.first")  # again: nothing


def test_a_sent_message_moves_only_up_sent_delivered_read(conversations: Conversations) -> None:
    message_id = f"wamid.{uuid.uuid4().hex}"
    notification = {"id": "n-1", "tracking_id": "K7MX4RPA27", "values": {"agency": "Disdukcapil"}}
    assert conversations.advanced(message_id, "delivered", 2) is None  # not sent by Aduan
    conversations.sent(message_id, notification, ASSIGNED_AT)

    assert conversations.advanced(message_id, "delivered", 2) == notification
    assert conversations.advanced(message_id, "sent", 1) is None  # late
    assert conversations.advanced(message_id, "delivered", 2) is None  # again
    assert conversations.advanced(message_id, "read", 3) == notification


# -- the evidence bucket: FakeEvidenceBucket and S3 (moto, behind the local stack's S3 front) --------


@dataclass
class Bucket:
    files: EvidenceBucket  # FakeEvidenceBucket or S3EvidenceBucket
    post: Any  # (form, body, content_type=None) -> the status S3 answers a browser's upload


@pytest.fixture(params=["fake", "s3"])
def bucket(request: pytest.FixtureRequest) -> Bucket:
    if request.param == "fake":
        fake = FakeEvidenceBucket()
        return Bucket(fake, fake.post)
    from tests.integration.test_evidence_bucket import s3_bucket, s3_post

    return Bucket(s3_bucket(request.getfixturevalue("moto_endpoint")), s3_post)


QUARANTINED = "quarantine/K7MX4RPA27/0123456789abcdef"


def test_a_stored_file_reads_back_whole_or_cut_at_the_limit_and_a_missing_one_is_none(
    bucket: Bucket,
) -> None:
    bucket.files.store("evidence/K7MX4RPA27/0123456789abcdef", b"0123456789", "image/jpeg")
    assert bucket.files.read("evidence/K7MX4RPA27/0123456789abcdef", 11) == b"0123456789"
    assert bucket.files.read("evidence/K7MX4RPA27/0123456789abcdef", 4) == b"0123"
    assert bucket.files.read("evidence/K7MX4RPA27/none", 4) is None


def test_an_empty_file_reads_as_no_bytes_not_as_missing(bucket: Bucket) -> None:
    bucket.files.store(QUARANTINED, b"", "image/jpeg")
    assert bucket.files.read(QUARANTINED, 100) == b""


def test_a_discarded_file_is_gone_and_discarding_it_again_is_nothing(bucket: Bucket) -> None:
    bucket.files.store(QUARANTINED, b"x", "image/png")
    bucket.files.discard(QUARANTINED)
    bucket.files.discard(QUARANTINED)
    assert bucket.files.read(QUARANTINED, 10) is None


def test_an_upload_form_takes_exactly_its_key_its_type_and_its_size(bucket: Bucket) -> None:
    form = bucket.files.upload_form(QUARANTINED, "image/jpeg", 20, 900)
    assert form["fields"]["key"] == QUARANTINED
    assert form["fields"]["Content-Type"] == "image/jpeg"
    conditions = json.loads(base64.b64decode(form["fields"]["policy"]))["conditions"]
    assert {"key": QUARANTINED} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, 20] in conditions

    assert bucket.post(form, b"x" * 21) == 400  # EntityTooLarge
    assert bucket.post(form, b"x" * 20, "text/html") == 403  # the policy names the type
    assert bucket.files.read(QUARANTINED, 100) is None
    assert bucket.post(form, b"x" * 20) == 204
    assert bucket.files.read(QUARANTINED, 100) == b"x" * 20


def test_a_link_names_its_key_and_lives_five_minutes(bucket: Bucket) -> None:
    link = bucket.files.link("evidence/K7MX4RPA27/0123456789abcdef.thumb.jpg")
    assert "evidence/K7MX4RPA27/0123456789abcdef.thumb.jpg?" in link
    assert "X-Amz-Expires=300" in link


# -- the user pool: FakeUserPool and Cognito (moto, checking real TOTP codes) ---------------------


@dataclass
class Accounts:
    users: Any  # FakeUserPool or CognitoUserPool: the same UserPool
    add: Any  # (username, password, groups, temporary) -> None
    reset_password: Any  # (username) -> None


@pytest.fixture(params=["fake", "cognito"])
def accounts(request: pytest.FixtureRequest, template: dict[str, Any]) -> Accounts:
    if request.param == "fake":
        fake = FakeUserPool()
        return Accounts(fake, fake.add, fake.reset_password)
    import boto3

    from aduan.aws.cognito import CognitoUserPool
    from aduan_local.resources import create_user_pool

    cognito = boto3.client("cognito-idp", endpoint_url=request.getfixturevalue("moto_endpoint"))
    properties = template["Resources"]["UserPool"]["Properties"]
    pool = create_user_pool(cognito, properties, f"contract-{uuid.uuid4().hex[:8]}")
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="console", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]

    def add(username: str, password: str, groups: Sequence[str], *, temporary: bool = False) -> None:
        cognito.admin_create_user(
            UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{username}@aduan.example"},
                            {"Name": "email_verified", "Value": "true"}],
        )  # fmt: skip
        cognito.admin_set_user_password(
            UserPoolId=pool, Username=username, Password=password, Permanent=not temporary
        )
        for group in groups:
            with contextlib.suppress(cognito.exceptions.GroupExistsException):
                cognito.create_group(UserPoolId=pool, GroupName=group)
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)

    def reset_password(username: str) -> None:
        cognito.admin_reset_user_password(UserPoolId=pool, Username=username)

    return Accounts(CognitoUserPool(cognito, client, pool), add, reset_password)


ACCOUNT_PASSWORD = "Aduan-local-1"
GROUPS = ["operator", "agency-kab-tangerang.disdukcapil"]


def id_claims(step: SignInStep) -> dict[str, Any]:
    payload = step.id_token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def test_a_password_signs_in_with_the_groups_in_the_id_token(accounts: Accounts) -> None:
    accounts.add("op.satu", ACCOUNT_PASSWORD, GROUPS)
    step = accounts.users.sign_in("op.satu", ACCOUNT_PASSWORD)
    claims = id_claims(step)
    assert (claims["token_use"], claims["cognito:username"]) == ("id", "op.satu")
    assert sorted(claims["cognito:groups"]) == sorted(GROUPS)  # moto keeps a set: any order
    assert step.access_token
    assert step.expires_in > 0
    assert accounts.users.has_mfa("op.satu") is False
    assert accounts.users.has_mfa("nobody") is False


def test_wrong_credentials_and_an_unknown_user_are_the_same_refusal(accounts: Accounts) -> None:
    accounts.add("op.dua", ACCOUNT_PASSWORD, GROUPS)
    for username, password in (("op.dua", "Salah-sekali-1"), ("nobody", ACCOUNT_PASSWORD)):
        with pytest.raises(SignInRefused) as refused:
            accounts.users.sign_in(username, password)
        assert refused.value.code == "unauthorized"


def test_a_temporary_password_asks_for_a_new_one_that_meets_the_policy(accounts: Accounts) -> None:
    accounts.add("op.tiga", "Sementara-2025", GROUPS, temporary=True)
    step = accounts.users.sign_in("op.tiga", "Sementara-2025")
    assert step.challenge == "new_password"
    with pytest.raises(ValidationFailed) as weak:
        accounts.users.new_password("op.tiga", step.session, "pendek")
    assert weak.value.problems[0][0] == "new_password"
    assert accounts.users.new_password("op.tiga", step.session, "Kantor-Cikupa-2025").id_token
    assert accounts.users.sign_in("op.tiga", "Kantor-Cikupa-2025").id_token


def test_totp_is_enabled_by_a_right_code_and_asked_at_every_sign_in_after(accounts: Accounts) -> None:
    accounts.add("coord.satu", ACCOUNT_PASSWORD, ["coordinator", "agency-kab-tangerang"])
    access = accounts.users.sign_in("coord.satu", ACCOUNT_PASSWORD).access_token
    secret = accounts.users.mfa_secret(access)
    with pytest.raises(ValidationFailed) as wrong:
        accounts.users.enable_mfa(access, "000000")
    assert wrong.value.problems == [("code", "code_mismatch", {})]
    accounts.users.enable_mfa(access, fresh_totp(secret))
    assert accounts.users.has_mfa("coord.satu") is True

    step = accounts.users.sign_in("coord.satu", ACCOUNT_PASSWORD)
    assert step.challenge == "mfa_code"
    with pytest.raises(ValidationFailed):
        accounts.users.mfa_code("coord.satu", step.session, "000000")
    assert accounts.users.mfa_code("coord.satu", step.session, fresh_totp(secret)).id_token


def test_a_reset_password_and_a_session_never_given_are_refused_as_such(accounts: Accounts) -> None:
    accounts.add("op.empat", ACCOUNT_PASSWORD, GROUPS)
    accounts.reset_password("op.empat")
    with pytest.raises(PasswordResetRequired):
        accounts.users.sign_in("op.empat", ACCOUNT_PASSWORD)
    with pytest.raises(SignInRefused) as refused:
        accounts.users.mfa_code("op.empat", "never-given-" + "x" * 30, "123456")
    assert refused.value.code == "sign_in_expired"
