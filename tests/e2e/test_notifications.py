"""Notifications are delivered exactly once: through transient failures, duplicate deliveries and
poison messages, and never retried when they cannot succeed. (Exactly once through a third of the
SNS calls failing, and through killed workers, is tests/e2e/test_reliability.py's.)"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import requests

from aduan_local.stack import LocalStack
from tests.conftest import LogCapture
from tests.e2e.helpers import eventually, quiet, report

pytestmark = pytest.mark.e2e


def notification_events(stack: LocalStack, tracking_id: str) -> list[dict[str, Any]]:
    from aduan.aws.items import from_item

    items = stack.client("dynamodb").query(
        TableName=stack.resources.ref("ComplaintsTable"),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
        ExpressionAttributeValues={":pk": {"S": f"C#{tracking_id}"}, ":events": {"S": "E#"}},
    )["Items"]
    return [from_item(item)["data"] for item in items if item["type"]["S"] == "notification"]


def test_a_permanent_failure_is_recorded_once_and_not_retried(local_stack: LocalStack) -> None:
    local_stack.inject_faults(
        [{"service": "sns", "operation": "Publish", "rate": 1.0, "error": "InvalidParameter", "status": 400}]
    )
    try:
        tracking_id = requests.post(
            f"{local_stack.url}/complaints", json=report(reporter={"phone": "+6281300000999"}), timeout=30
        ).json()["tracking_id"]
        assert eventually(lambda: notification_events(local_stack, tracking_id))
        quiet(local_stack)  # a retry would be a message held back in its queue: none is
        attempts = [a for a in notification_events(local_stack, tracking_id) if a["template"] == "received"]
    finally:
        local_stack.inject_faults([])
    assert len(attempts) == 1
    assert attempts[0]["outcome"] == "failed_permanently: InvalidParameter"
    assert attempts[0]["recipient"] == "citizen"


def test_a_poison_message_ends_in_the_dlq_and_redrive_brings_it_back(
    local_stack: LocalStack, stack_logs: LogCapture
) -> None:
    sqs = local_stack.client("sqs")
    queue = local_stack.resources.ref("NotificationQueue")
    dead_letters = local_stack.resources.ref("NotificationDeadLetterQueue")
    poison = '{"not": "a notification"}'
    sqs.send_message(QueueUrl=queue, MessageBody=poison)

    def in_dlq() -> int:
        attributes = sqs.get_queue_attributes(
            QueueUrl=dead_letters, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

    assert eventually(lambda: in_dlq() == 1, timeout=60)
    refusals = sum("unreadable notification message" in line for line in stack_logs.lines)

    subprocess.run(
        [
            sys.executable,
            "-m",
            "aduan_admin.cli",
            "redrive",
            "--queue-url",
            queue,
            "--endpoint-url",
            local_stack.endpoint,
            "--region",
            local_stack.options.region,
        ],
        check=True,
        capture_output=True,
        env={"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert in_dlq() == 0
    # Back in its queue, the worker reads it again (and, still poison, it returns to the DLQ).
    assert eventually(
        lambda: sum("unreadable notification message" in line for line in stack_logs.lines) > refusals
    )
    assert eventually(lambda: in_dlq() == 1, timeout=60)
