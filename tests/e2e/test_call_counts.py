"""The local stack counts the AWS calls of its functions and its event source mappings
(bench/aws_calls.py and the cost figures rest on these counts)."""

from __future__ import annotations

import pytest
import requests

from aduan_local.stack import LocalStack
from tests.e2e.helpers import quiet, report, sms_to

pytestmark = pytest.mark.e2e


def test_one_complaint_is_counted_by_function_service_and_operation(local_stack: LocalStack) -> None:
    quiet(local_stack)  # what earlier tests left running is not this complaint's
    requests.delete(f"{local_stack.url}/_local/calls", timeout=10)
    phone = "+6281277003311"
    receipt = requests.post(
        f"{local_stack.url}/complaints", json=report(reporter={"name": "Budi", "phone": phone}), timeout=30
    )
    assert receipt.status_code == 201, receipt.text

    # The notification worker's calls are counted when its invocation returns, after SNS took the
    # text: the counts are read once every worker is done, not when the texts are in the outbox.
    counts = quiet(local_stack)
    assert len([t for t in sms_to(local_stack, phone) if "diteruskan ke" in t]) == 1
    intake = counts["functions"]["IntakeFunction"]
    assert intake["invocations"] == 1
    assert intake["calls"]["dynamodb.TransactWriteItems"] == 1
    assert intake["calls"]["sqs.SendMessage"] >= 1
    assert intake["units"]["dynamodb.write"] >= 6, "a transaction of three Puts costs at least 2 WRU each"
    assert intake["duration_ms"] > 0
    assert counts["functions"]["RoutingFunction"]["calls"]["dynamodb.TransactWriteItems"] == 1
    assert counts["functions"]["NotificationFunction"]["calls"]["sns.Publish"] >= 2, (
        "the citizen's two SMS at least"
    )
    mappings = counts["event_source_mappings"]["calls"]
    assert mappings["sqs.ReceiveMessage"] >= 2
    assert mappings["sqs.DeleteMessageBatch"] >= 2
    assert counts["api_requests"] == {"POST /complaints": 1}
