"""Event sources, locally: SQS pollers and schedules, as Lambda's event source mappings and
EventBridge (Scheduler) would drive the functions."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aduan_local.functions import FunctionPool, FunctionSpec, InvocationError
from aduan_local.resources import ACCOUNT_ID, Resources

log = logging.getLogger("aduan_local")

MAX_RECEIVE = 10  # SQS hands out at most ten messages per ReceiveMessage


@dataclass(frozen=True)
class SqsSource:
    function: str
    queue_url: str
    queue_arn: str
    batch_size: int
    batching_window: float
    report_failures: bool


def sqs_sources(functions: dict[str, FunctionSpec], local: Resources) -> list[SqsSource]:
    sources = []
    for spec in functions.values():
        for event in spec.events.values():
            if event.get("Type") != "SQS":
                continue
            properties = event["Properties"]
            queue_arn = str(local.resolve(properties["Queue"]))
            queue_name = queue_arn.rsplit(":", 1)[-1]
            sources.append(
                SqsSource(
                    function=spec.logical_id,
                    queue_url=f"{local.endpoint}/{ACCOUNT_ID}/{queue_name}",
                    queue_arn=queue_arn,
                    batch_size=int(properties.get("BatchSize", 10)),
                    batching_window=float(properties.get("MaximumBatchingWindowInSeconds", 0)),
                    report_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
                )
            )
    return sources


def sqs_record(message: dict[str, Any], source: SqsSource, region: str) -> dict[str, Any]:
    """One record of an SQS event, as Lambda's event source mapping shapes it."""
    attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        for name, value in message.get("MessageAttributes", {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": source.queue_arn,
        "awsRegion": region,
    }


class SqsPoller(threading.Thread):
    """Receives batches, invokes the function, deletes what succeeded.

    On an error the whole batch stays; with ReportBatchItemFailures only the records the function
    named stay. Those come back after the queue's visibility timeout, and the queue's own redrive
    policy moves a message to its DLQ after maxReceiveCount receives, as in AWS.
    """

    def __init__(self, source: SqsSource, pool: FunctionPool, sqs: Any, region: str, stop: threading.Event):
        super().__init__(name=f"sqs-{source.function}", daemon=True)
        self.source, self.pool, self.sqs, self.region, self.stop = source, pool, sqs, region, stop

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                messages = self._receive_batch()
                if messages:
                    self._deliver(messages)
            except Exception:  # the poller must outlive any one failure, as Lambda's does
                if not self.stop.is_set():
                    log.exception("poller for %s", self.source.function)
                    time.sleep(1)

    def _receive_batch(self) -> list[dict[str, Any]]:
        batch: list[dict[str, Any]] = []
        window_ends = time.monotonic() + self.source.batching_window
        while len(batch) < self.source.batch_size and not self.stop.is_set():
            response = self.sqs.receive_message(
                QueueUrl=self.source.queue_url,
                MaxNumberOfMessages=min(MAX_RECEIVE, self.source.batch_size - len(batch)),
                WaitTimeSeconds=1,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            batch.extend(response.get("Messages", []))
            if batch and time.monotonic() >= window_ends:
                break
        return batch

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [sqs_record(message, self.source, self.region) for message in messages]}
        try:
            result = self.pool.invoke(event)
        except InvocationError:
            return  # nothing deleted: every record comes back after the visibility timeout
        failed = self._failed_ids(result, messages)
        done = [message for message in messages if message["MessageId"] not in failed]
        for start in range(0, len(done), MAX_RECEIVE):
            chunk = done[start : start + MAX_RECEIVE]
            self.sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(chunk)],
            )

    def _failed_ids(self, result: Any, messages: list[dict[str, Any]]) -> set[str]:
        if not self.source.report_failures or not isinstance(result, dict):
            return set()
        ids = {message["MessageId"] for message in messages}
        failed = {str(item.get("itemIdentifier") or "") for item in result.get("batchItemFailures") or []}
        # An empty or unknown identifier fails the whole batch, as in AWS.
        return ids if failed - ids else failed


@dataclass(frozen=True)
class Schedule:
    function: str
    name: str
    kind: str  # Schedule (EventBridge rule) or ScheduleV2 (EventBridge Scheduler)
    expression: str
    input: str | None
    enabled: bool

    @property
    def period(self) -> timedelta | None:
        found = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", self.expression.strip())
        if not found:
            return None
        unit = found.group(2).rstrip("s") + "s"
        return timedelta(**{unit: int(found.group(1))})


def schedules(functions: dict[str, FunctionSpec]) -> list[Schedule]:
    found = []
    for spec in functions.values():
        for name, event in spec.events.items():
            if event.get("Type") not in ("Schedule", "ScheduleV2"):
                continue
            properties = event.get("Properties", {})
            found.append(
                Schedule(
                    function=spec.logical_id,
                    name=name,
                    kind=event["Type"],
                    expression=str(properties.get("Schedule") or properties.get("ScheduleExpression")),
                    input=properties.get("Input"),
                    enabled=properties.get("Enabled", True)
                    and properties.get("State", "ENABLED") == "ENABLED",
                )
            )
    return found


def scheduled_event(schedule: Schedule, at: datetime, local: Resources) -> Any:
    """What the function receives when its schedule fires at `at`."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if schedule.input is not None:
        text = schedule.input.replace("<aws.scheduler.scheduled-time>", stamp)
        text = text.replace("<aws.scheduler.execution-id>", str(uuid.uuid4()))
        return json.loads(text)
    source = "aws.scheduler" if schedule.kind == "ScheduleV2" else "aws.events"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": source,
        "account": ACCOUNT_ID,
        "time": stamp,
        "region": local.region,
        "resources": [f"arn:aws:events:{local.region}:{ACCOUNT_ID}:rule/{schedule.function}-{schedule.name}"],
        "detail": {},
    }


class ScheduleTimer(threading.Thread):
    """Fires a rate() schedule with the current time, every period, until stopped."""

    def __init__(self, schedule: Schedule, pool: FunctionPool, local: Resources, stop: threading.Event):
        super().__init__(name=f"schedule-{schedule.function}", daemon=True)
        self.schedule, self.pool, self.local, self.stop = schedule, pool, local, stop

    def run(self) -> None:
        period = self.schedule.period
        if period is None:
            log.warning(
                "%s: only rate() schedules run locally; fire %s by hand",
                self.schedule.function,
                self.schedule.expression,
            )
            return
        while not self.stop.wait(period.total_seconds()):
            with contextlib.suppress(InvocationError):  # the pool logs the failure
                self.pool.invoke(scheduled_event(self.schedule, datetime.now(UTC), self.local))
