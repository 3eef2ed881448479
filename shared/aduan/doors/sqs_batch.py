"""SQS batches for Lambda: each record handled on its own, each failure reported on its own.

This is what Powertools' `BatchProcessor` with `process_partial_response` does for a standard SQS
queue, without its import cost: that module brings asyncio and every event data class, about
18 ms of each worker's cold start (bench/RESULTS.md). A record whose handler raises is named in
`batchItemFailures`, so that with `ReportBatchItemFailures` only it comes back, and after
`maxReceiveCount` receives it lands in the queue's DLQ.

A batch also stops in time: before each record it looks at the time the invocation has left, and
when that is less than a reserve and twice the slowest record so far, it hands the records it has
not tried back (`hand_back`: each as a fresh message on its own queue, so that a record that was
merely not reached does not count a receive towards the DLQ; without it, they are reported as
failures) rather than be killed at the timeout with every record counted as failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aduan.observability import logger, metrics

if TYPE_CHECKING:
    from aduan.domain.ports import MessageQueue

# A message no retry can read comes back at once: it reaches the DLQ (and its alarm) after the
# queue's maxReceiveCount receives rather than hours of backoff later.
POISON_DELAY_SECONDS = 0
RESERVE_MS = 3_000  # what answering takes, after the last record: handing back, the response


@dataclass(frozen=True)
class Record:
    """The parts of an SQS record that the workers read."""

    message_id: str
    body: str
    receipt_handle: str
    receive_count: int  # 1 on the first delivery

    @classmethod
    def from_event(cls, record: Mapping[str, Any]) -> Record:
        return cls(
            message_id=record["messageId"],
            body=record["body"],
            receipt_handle=record["receiptHandle"],
            receive_count=int(record.get("attributes", {}).get("ApproximateReceiveCount", 1)),
        )


def partial_batch(
    event: Mapping[str, Any],
    handle: Callable[[Record], None],
    *,
    time_left: Callable[[], int] | None = None,
    hand_back: Callable[[Record], None] | None = None,
) -> dict[str, Any]:
    """Handle every record there is time for; answer the message IDs that failed. `time_left` is
    the invocation's remaining milliseconds (the Lambda context's). The log names the message and
    the error's type only: an error's text can quote the message, and messages can hold PII."""
    records = [Record.from_event(raw) for raw in event.get("Records", [])]
    failures = []
    slowest_ms = 0.0
    for index, record in enumerate(records):
        if time_left is not None and time_left() < RESERVE_MS + 2 * slowest_ms:
            failures += _hand_back(records[index:], hand_back)
            break
        before = time_left() if time_left is not None else 0
        try:
            handle(record)
        except Exception as error:  # one bad record must not fail the batch
            logger.warning(
                "record failed; it will come back",
                extra={"message_id": record.message_id, "error": type(error).__name__},
            )
            failures.append({"itemIdentifier": record.message_id})
        if time_left is not None:  # measured on the invocation's own clock
            slowest_ms = max(slowest_ms, before - time_left())
    return {"batchItemFailures": failures}


def worker(
    handle: Callable[[Record], None], own_queue: Callable[[], MessageQueue]
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A queue worker's Lambda handler: its batch record by record (`partial_batch`), the records it
    had no time for handed back to its own queue (`own_queue()`, built on first use) as fresh
    messages, its metrics flushed and the invocation's context in every log line."""

    @metrics.log_metrics
    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return partial_batch(
            event,
            handle,
            time_left=context.get_remaining_time_in_millis,
            hand_back=lambda record: own_queue().send(json.loads(record.body)),
        )

    return handler


def _hand_back(untried: list[Record], hand_back: Callable[[Record], None] | None) -> list[dict[str, str]]:
    """The records there was no time for: sent again as fresh messages, or else reported failed."""
    logger.warning("out of time: records handed back untried", extra={"handed_back": len(untried)})
    failed = []
    for record in untried:
        try:
            if hand_back is None:
                raise TimeoutError("no way to hand it back")
            hand_back(record)
        except Exception as error:
            logger.warning(
                "record handed back as failed",
                extra={"message_id": record.message_id, "error": type(error).__name__},
            )
            failed.append({"itemIdentifier": record.message_id})
    return failed
