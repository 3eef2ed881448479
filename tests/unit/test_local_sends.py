"""The local stack's record of what a worker is sending (aduan_local.sends): a text is open from the
moment SNS is asked for it until the ledger settles or releases its notification, and only then;
the reliability suite charges a duplicate text to a kill only when the kill found it open."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from aduan.aws.ledger import NotificationLedger
from aduan_local.sends import SendTracker, read_open_sends, text_digest

NOW = datetime(2026, 3, 24, 3, 0, tzinfo=UTC)


@pytest.fixture
def worker(tmp_path: Path) -> Any:
    """A worker's clients, stubbed, with the tracker on their session's events."""
    session = boto3.Session(region_name="ap-southeast-3", aws_access_key_id="x", aws_secret_access_key="x")
    path = tmp_path / "sends.json"
    SendTracker(str(path)).attach(session.events)
    dynamodb, sns = session.client("dynamodb"), session.client("sns")
    with Stubber(dynamodb) as table, Stubber(sns) as texts:
        yield path, NotificationLedger(dynamodb, "t"), sns, table, texts


def test_a_text_is_open_from_its_send_until_its_settle(worker: Any) -> None:
    path, ledger, sns, table, texts = worker
    table.add_response("put_item", {})
    texts.add_response("publish", {"MessageId": "m1"})
    table.add_response("update_item", {})
    assert ledger.claim("n1", NOW, 120) == "claimed"
    assert read_open_sends(path) == {}, "claimed, not sent: nothing to send twice"
    sns.publish(PhoneNumber="+6281390000001", Message="Aduan: laporan diterima.")
    assert {n: sent["texts"] for n, sent in read_open_sends(path).items()} == {
        "n1": [text_digest("+6281390000001", "Aduan: laporan diterima.")]
    }
    ledger.settle("n1", "sent")
    assert read_open_sends(path) == {}


def test_a_released_claim_closes_its_text_and_a_failed_settle_leaves_it_open(worker: Any) -> None:
    path, ledger, sns, table, texts = worker
    table.add_response("put_item", {})
    texts.add_response("publish", {"MessageId": "m1"})
    table.add_response("delete_item", {})
    ledger.claim("n1", NOW, 120)
    sns.publish(PhoneNumber="+6281390000002", Message="a")
    ledger.release("n1")
    assert read_open_sends(path) == {}

    table.add_response("put_item", {})
    texts.add_response("publish", {"MessageId": "m2"})
    table.add_client_error("update_item", "ConditionalCheckFailedException")
    ledger.claim("n2", NOW, 120)
    sns.publish(PhoneNumber="+6281390000002", Message="b")
    with pytest.raises(Exception, match="ConditionalCheckFailed"):
        ledger.settle("n2", "sent", pauses=())
    assert list(read_open_sends(path)) == ["n2"], "not settled: its text may go again"
