"""SQS partial batches: only the records that failed come back, and the log quotes no message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aduan.doors.sqs_batch import RESERVE_MS, Record, partial_batch


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


class Clock:
    """The invocation's time left, spent by each record the handler takes."""

    def __init__(self, left_ms: int, per_record_ms: int) -> None:
        self.left_ms, self.per_record_ms = left_ms, per_record_ms

    def time_left(self) -> int:
        return self.left_ms

    def spend(self) -> None:
        self.left_ms -= self.per_record_ms


def test_a_batch_out_of_time_hands_back_what_it_did_not_try_as_fresh_messages() -> None:
    clock = Clock(left_ms=RESERVE_MS + 3_500, per_record_ms=1_000)  # time for two records, not three
    handled: list[str] = []
    handed_back: list[str] = []

    def handle(record: Record) -> None:
        clock.spend()
        handled.append(record.message_id)

    answer = partial_batch(
        sqs_event(*["{}"] * 10),
        handle,
        time_left=clock.time_left,
        hand_back=lambda record: handed_back.append(record.message_id),
    )
    assert handled == ["m0", "m1"]
    assert handed_back == [f"m{n}" for n in range(2, 10)]
    assert answer == {"batchItemFailures": []}, "handed back, so not a receive towards the DLQ"


def test_untried_records_are_failures_when_they_cannot_be_handed_back() -> None:
    def refuse(record: Record) -> None:
        raise ConnectionError("queue unreachable")

    handled: list[str] = []
    answer = partial_batch(
        sqs_event("{}", "{}", "{}"),
        lambda record: handled.append(record.message_id),
        time_left=lambda: 0,
        hand_back=refuse,
    )
    assert handled == []
    assert answer == {"batchItemFailures": [{"itemIdentifier": f"m{n}"} for n in range(3)]}
    no_way_back = partial_batch(sqs_event("{}"), lambda record: None, time_left=lambda: 0)
    assert no_way_back == {"batchItemFailures": [{"itemIdentifier": "m0"}]}


def test_a_slow_record_makes_the_batch_stop_sooner() -> None:
    clock = Clock(left_ms=RESERVE_MS + 9_000, per_record_ms=4_000)  # after one: 5 s left, 2 x 4 s needed
    handled: list[str] = []

    def handle(record: Record) -> None:
        clock.spend()
        handled.append(record.message_id)

    answer = partial_batch(
        sqs_event("{}", "{}", "{}"), handle, time_left=clock.time_left, hand_back=lambda record: None
    )
    assert handled == ["m0"]
    assert answer == {"batchItemFailures": []}
