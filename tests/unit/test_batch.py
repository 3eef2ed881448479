"""SQS partial batches: only the records that failed come back, and the log quotes no message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aduan.doors.sqs_batch import Record, partial_batch


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{n}",
                "body": body,
                "receiptHandle": f"r{n}",
                "attributes": {"ApproximateReceiveCount": "2"},
            }
            for n, body in enumerate(bodies)
        ]
    }


class Recorder:
    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []

    def warning(self, message: str, *, extra: dict[str, Any]) -> None:
        self.lines.append({"message": message, **extra})


def test_only_failed_records_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    log = Recorder()
    monkeypatch.setattr("aduan.doors.sqs_batch.logger", log)
    handled: list[Record] = []

    def handle(record: Record) -> None:
        if "bad" in record.body:
            raise ValueError(f"cannot read {record.body}")
        handled.append(record)

    answer = partial_batch(sqs_event("ok", "bad +6281234567890", "ok too"), handle)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert [record.message_id for record in handled] == ["m0", "m2"]
    assert handled[0] == Record(message_id="m0", body="ok", receipt_handle="r0", receive_count=2)
    assert [(line["message_id"], line["error"]) for line in log.lines] == [("m1", "ValueError")]
    assert "6281234567890" not in json.dumps(log.lines)  # an error's text can quote the message


def test_an_empty_batch_has_no_failures() -> None:
    assert partial_batch({"Records": []}, lambda record: None) == {"batchItemFailures": []}
