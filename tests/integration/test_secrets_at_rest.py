"""Secrets at rest, on the table itself (moto): once the receipt is delivered, no item of the
complaint, of its notifications or of its idempotency record holds the access code, nor a hash of
it that could be checked without the pepper."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from aduan.aws.complaint_store import DynamoComplaintStore
from aduan.aws.ledger import NotificationLedger
from aduan.delivery import deliver
from aduan.domain.models import Channel
from aduan.domain.notifications import Notification
from aduan.intake import ComplaintInput, Receipt, submit_complaint
from aduan.routing import route_complaint
from tests.factories import ACCESS_KEY, seed
from tests.fakes import FakeEmail, FakeQueue, FakeSms, FakeWebhook, channels

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)  # the store reads the wall clock for the idempotency record's life
REPORT = {
    "title": "KTP elektronik belum jadi setelah tiga bulan",
    "description": "Saya merekam e-KTP di Kecamatan Cikupa pada bulan Desember, sampai sekarang belum jadi.",
    "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
}


def items_about(dynamodb: Any, table: str, tracking_id: str, keys: list[str]) -> list[dict[str, Any]]:
    """Every item of the complaint's partition, and the items at `keys` (ledger, idempotency)."""
    found = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"C#{tracking_id}"}},
        ConsistentRead=True,
    )["Items"]
    for pk in keys:
        found += dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ConsistentRead=True,
        )["Items"]
    return found


def test_once_the_receipt_is_delivered_no_item_holds_the_access_code(
    dynamodb: Any, complaints_table: str
) -> None:
    store = DynamoComplaintStore(dynamodb, complaints_table, reporter_secret=b"fake-secret", shards=4)
    ledger = NotificationLedger(dynamodb, complaints_table)
    reference, routing, notifications, sms = seed(), FakeQueue(), FakeQueue(), FakeSms()

    def report() -> Receipt:
        return submit_complaint(
            ComplaintInput.model_validate(REPORT, context={"now": NOW}),
            channel=Channel.WEB,
            now=NOW,
            reference=reference,
            complaints=store,
            routing=routing,
            notifications=notifications,
            access_key=ACCESS_KEY,
            idempotency_key="web:retry-me",
        )

    receipt = report()
    code, tracking_id = receipt.access_code, receipt.tracking_id
    route_complaint(tracking_id, complaints=store, reference=reference, notifications=notifications, now=NOW)
    sent = [Notification.model_validate(message) for message in notifications.receive()]
    keys = [f"NOTIF#{notification.id}" for notification in sent] + ["IDEM#web:retry-me"]
    before = str(items_about(dynamodb, complaints_table, tracking_id, keys))
    assert code in before, "before delivery the outbox holds it, in case the first send was lost"

    for notification in sent:
        deliver(
            notification,
            ledger=ledger,
            complaints=store,
            directory=reference,
            channels=channels(sms, FakeEmail(), FakeWebhook()),
            now=NOW,
        )
    assert any(code in text for _to, text in sms.sent), "the citizen got the code"

    stored = items_about(dynamodb, complaints_table, tracking_id, keys)
    assert {item["sk"]["S"] for item in stored} >= {"#COMPLAINT", "#IDEMPOTENCY", "#NOTIFICATION"}
    assert "#OUTBOX" not in {item["sk"]["S"] for item in stored}, "the settled receipt left the outbox"
    dump = str(stored)
    assert code not in dump
    assert hashlib.sha256(f"{tracking_id}:{code}".encode()).hexdigest() not in dump, "no unkeyed hash"
    # The retry of the same request still gets its code back, from the sealed record.
    again = report()
    assert (again.replayed, again.tracking_id, again.access_code) == (True, tracking_id, code)
