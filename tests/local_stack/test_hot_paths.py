"""The local emulator's faster clock and dispatcher (aduan_local.hot_paths) change no answer:
SQS's visibility and delay still hold to the second, and every service is still found."""

from __future__ import annotations

import time
import uuid
from typing import Any

import boto3
import pytest

from tests.conftest import REGION

pytestmark = pytest.mark.integration


def test_the_sqs_clock_reads_the_same_time_faster(moto_endpoint: str) -> None:
    from moto.core import utils
    from moto.sqs import models

    assert abs(models.unix_time_millis() - utils.unix_time_millis()) < 50
    assert abs(models.unix_time() - utils.unix_time()) < 0.05
    started = time.perf_counter()
    for _ in range(10_000):
        models.unix_time_millis()
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(10_000):
        utils.unix_time_millis()
    assert ours < (time.perf_counter() - started) / 5  # moto's own takes about 9 µs a call


@pytest.fixture
def sqs(moto_endpoint: str) -> Any:
    return boto3.client("sqs", endpoint_url=moto_endpoint, region_name=REGION)


def test_a_message_is_hidden_and_delayed_as_asked(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=f"clock-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="now")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=900)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=900)
    assert [m["Body"] for m in received.get("Messages", [])] == ["now"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    names = ["ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert attributes == {
        "ApproximateNumberOfMessagesNotVisible": "1",
        "ApproximateNumberOfMessagesDelayed": "1",
    }


def test_every_service_is_still_found(dynamodb: Any, sqs: Any) -> None:
    from moto import backends

    assert "dynamodb" in backends.list_of_moto_modules()
    assert "sqs" in backends.list_of_moto_modules()
    assert dynamodb.list_tables()["TableNames"] is not None
    assert sqs.list_queues() is not None
