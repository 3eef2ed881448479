"""SQS batches for Lambda: each record handled on its own, each failure reported on its own.

This is what Powertools' `BatchProcessor` with `process_partial_response` does for a standard SQS
queue, without its import cost: that module brings asyncio and every event data class, about
18 ms of each worker's cold start (bench/RESULTS.md). A record whose handler raises is named in
`batchItemFailures`, so that with `ReportBatchItemFailures` only it comes back, and after
`maxReceiveCount` receives it lands in the queue's DLQ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aduan.observability import logger


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


def partial_batch(event: Mapping[str, Any], handle: Callable[[Record], None]) -> dict[str, Any]:
    """Handle every record; answer the message IDs that failed. The log names the message and
    the error's type only: an error's text can quote the message, and messages can hold PII."""
    failures = []
    for raw in event.get("Records", []):
        record = Record.from_event(raw)
        try:
            handle(record)
        except Exception as error:  # one bad record must not fail the batch
            logger.warning(
                "record failed; it will come back",
                extra={"message_id": record.message_id, "error": type(error).__name__},
            )
            failures.append({"itemIdentifier": record.message_id})
    return {"batchItemFailures": failures}
