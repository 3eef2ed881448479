"""Notifications are delivered exactly once: through transient failures, duplicate deliveries and
poison messages, and never retried when they cannot succeed."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest
import requests

from aduan_local.stack import LocalStack
from tests.conftest import LogCapture
from tests.e2e.helpers import eventually, report

pytestmark = pytest.mark.e2e

COMPLAINTS = 200


def outbox_sms(stack: LocalStack) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = requests.get(f"{stack.url}/_local/outbox", timeout=10).json()["sms"]
    return messages


def notification_events(stack: LocalStack, tracking_id: str) -> list[dict[str, Any]]:
    from aduan.aws.items import from_item

    items = stack.client("dynamodb").query(
        TableName=stack.resources.ref("ComplaintsTable"),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
        ExpressionAttributeValues={":pk": {"S": f"C#{tracking_id}"}, ":events": {"S": "E#"}},
    )["Items"]
    return [from_item(item)["data"] for item in items if item["type"]["S"] == "notification"]


def test_every_citizen_sms_is_delivered_exactly_once_while_sns_fails_a_third_of_the_calls(
    local_stack: LocalStack,
) -> None:
    phones = [f"+62813{n:07d}" for n in range(COMPLAINTS)]
    local_stack.inject_faults(
        [{"service": "sns", "operation": "Publish", "every": 3, "error": "Throttling", "status": 400}]
    )
    try:
        started = time.monotonic()
        receipts = {}
        for phone in phones:
            response = requests.post(
                f"{local_stack.url}/complaints", json=report(reporter={"phone": phone}), timeout=30
            )
            assert response.status_code == 201
            receipts[phone] = response.json()["tracking_id_display"]

        def delivered() -> dict[str, list[str]]:
            texts: dict[str, list[str]] = {phone: [] for phone in phones}
            for message in outbox_sms(local_stack):
                if message["to"] in texts:
                    texts[message["to"]].append(message["body"])
            return texts

        def all_in() -> bool:
            return all(len(texts) >= 2 for texts in delivered().values())

        assert eventually(all_in, timeout=300, interval=1), "not every citizen was told"
        elapsed = time.monotonic() - started
    finally:
        local_stack.inject_faults([])
    eventually(lambda: False, timeout=3)  # any late duplicate would land now
    texts = delivered()
    received = {phone: [t for t in texts[phone] if "diterima" in t] for phone in phones}
    assigned = {phone: [t for t in texts[phone] if "diteruskan ke" in t] for phone in phones}
    assert {phone: len(found) for phone, found in received.items() if len(found) != 1} == {}
    assert {phone: len(found) for phone, found in assigned.items() if len(found) != 1} == {}
    assert all(receipts[phone] in received[phone][0] for phone in phones)
    retried = sum(
        1
        for receipt in list(receipts.values())[:20]
        for event in notification_events(local_stack, receipt.replace("-", ""))
        if str(event["outcome"]).startswith("retrying")
    )
    print(
        f"\n{COMPLAINTS} complaints, every 3rd SNS call failing: all {2 * COMPLAINTS} citizen SMS "
        f"delivered once in {elapsed:.0f} s; {retried} retried attempts among the first 20 complaints"
    )
    assert retried > 0, "the fault injection did not bite"
    # Leave no backlog for the tests after this one: the agencies' notifications are still flowing.
    sqs = local_stack.client("sqs")
    queue = local_stack.resources.ref("NotificationQueue")

    def drained() -> bool:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=names)["Attributes"]
        return all(counts[name] == "0" for name in names)

    assert eventually(drained, timeout=300, interval=2)


def test_a_permanent_failure_is_recorded_once_and_not_retried(local_stack: LocalStack) -> None:
    local_stack.inject_faults(
        [{"service": "sns", "operation": "Publish", "rate": 1.0, "error": "InvalidParameter", "status": 400}]
    )
    try:
        tracking_id = requests.post(
            f"{local_stack.url}/complaints", json=report(reporter={"phone": "+6281300000999"}), timeout=30
        ).json()["tracking_id"]
        attempts = eventually(lambda: notification_events(local_stack, tracking_id))
        eventually(lambda: False, timeout=4)  # a retry (base 1 s) would have come by now
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
            "aduan.admin",
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
