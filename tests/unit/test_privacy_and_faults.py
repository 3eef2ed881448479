"""The test machinery that the reliability suite relies on must itself be able to fail: the log
scanner finds a reporter's identity in any of its forms, and an HTTP-layer fault reaches botocore's
retries as a real throttling answer would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from aduan_local import faults
from tests.privacy import Identities


@pytest.fixture
def identities() -> Identities:
    registry = Identities()
    registry.reporter({"name": "Siti Aminah", "phone": "0812-3456-7890", "email": "Siti@Example.id"})
    return registry


@pytest.mark.parametrize(
    "line",
    [
        '{"message": "sent", "to": "+6281234567890"}',
        "sms to 6281234567890 queued",
        "typed as 0812-3456-7890 by the citizen",
        "typed as (0812) 3456 7890",
        "national 81234567890",
        '{"reporter": "siti@example.id"}',
        "from SITI@EXAMPLE.ID.",
        "[NotificationFunction] reporter Siti Aminah",
    ],
)
def test_the_scanner_finds_a_reporter_in_every_form(identities: Identities, line: str) -> None:
    assert identities.leaks([line])


@pytest.mark.parametrize(
    "line",
    [
        '{"tracking_id": "K7MX4RPA27", "outcome": "sent"}',
        "NotificationFunction 1b4e 12.3 ms init 812.4 ms",
        '{"timestamp": "2026-01-15 10:00:00,123", "phone_key": "9f86d081"}',
        "+6281299999999 is another citizen",
    ],
)
def test_the_scanner_leaves_lines_without_an_identity(identities: Identities, line: str) -> None:
    assert identities.leaks([line]) == []


def test_an_invalid_number_or_a_short_name_is_not_registered() -> None:
    registry = Identities()
    registry.reporter({"name": "Al", "phone": "12", "email": "x@"})
    assert (registry.phones, registry.names, registry.emails) == (set(), set(), set())


@pytest.fixture
def patched_botocore(tmp_path: Path) -> Iterator[Path]:
    original = BaseClient._make_api_call
    rules = tmp_path / "faults.json"
    faults.install(str(rules))
    yield rules
    BaseClient._make_api_call = original  # type: ignore[method-assign]


def test_an_http_layer_throttle_is_retried_by_the_sdk_and_surfaces_only_when_every_attempt_fails(
    patched_botocore: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda *_: 0)
    faults.write_rules(
        patched_botocore,
        [
            {
                "service": "dynamodb",
                "operation": "GetItem",
                "rate": 1.0,
                "layer": "http",
                "error": "ProvisionedThroughputExceededException",
                "status": 400,
            }
        ],
    )
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",  # never reached: the fault answers first
        region_name="ap-southeast-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )
    with pytest.raises(ClientError) as raised:
        dynamodb.get_item(TableName="t", Key={"pk": {"S": "x"}})
    assert raised.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 3  # max_attempts counts the retries
    assert capfd.readouterr().err.count("fault injected: http dynamodb.GetItem") == 4


def test_an_api_layer_fault_matches_only_its_queue(patched_botocore: Path) -> None:
    faults.write_rules(
        patched_botocore,
        [{"service": "sqs", "operation": "SendMessage", "params": {"QueueUrl": "RoutingQueue"}}],
    )
    sqs = boto3.client(
        "sqs",
        endpoint_url="http://127.0.0.1:9",
        region_name="ap-southeast-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    with pytest.raises(ClientError, match="ServiceUnavailable"):
        sqs.send_message(QueueUrl="http://127.0.0.1:9/1/stack-RoutingQueue-x", MessageBody=json.dumps({}))
    with pytest.raises(Exception, match="no network"):  # not faulted: it tries the network
        sqs.send_message(QueueUrl="http://127.0.0.1:9/1/stack-NotificationQueue-x", MessageBody="{}")


def test_a_generated_one_word_name_is_not_taken_for_a_reporter() -> None:
    registry = Identities()
    registry.reporter({"name": "Query", "phone": "+6281211112222"}, generated=True)
    registry.reporter({"name": "Ratna Sari"}, generated=True)
    line = "[RoutingFunction] fault injected: http dynamodb.Query by Ratna Sari"
    assert registry.leaks([line]) == [("Ratna Sari", line)]
