"""Notification worker: delivers each queued notification exactly once (SMS, email, webhook)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from aduan.batch import Record, partial_batch
from aduan.notifications import Notification
from aduan.notify import RetryLater, deliver
from aduan.observability import logger, metrics
from aduan.runtime import Runtime

runtime = Runtime.from_environment("table_name", "notification_queue_url", "sender_email", "webhook_secret")


def record_handler(record: Record) -> None:
    attempt = record.receive_count
    try:
        notification = Notification.model_validate_json(record.body)
    except ValidationError:
        # Poison: no retry can read it. Let it come back at once, so that it reaches the DLQ (and
        # its alarm) after maxReceiveCount receives rather than hours later.
        runtime.retry_later(record.receipt_handle, attempt, delay=0)
        logger.error("unreadable notification message", extra={"message_id": record.message_id})
        raise
    try:
        outcome = deliver(
            notification,
            ledger=runtime.ledger(),
            complaints=runtime.complaints(),
            directory=runtime.reference(),
            channels=runtime.channels(),
            now=datetime.now(UTC),
            attempt=attempt,
        )
    except RetryLater as reason:
        metrics.add_metric(name=f"NotificationRetried_{notification.channel}", unit="Count", value=1)
        # Wait longer each time: 1, 2, 4 ... times the base, at most 15 minutes (a busy claim: its lease).
        runtime.retry_later(record.receipt_handle, attempt, delay=reason.delay)
        logger.info("notification will be retried", extra={"id": notification.id, "reason": str(reason)})
        raise
    metrics.add_metric(name=f"Notification_{outcome}_{notification.channel}", unit="Count", value=1)
    logger.info(
        "notification", extra={"id": notification.id, "template": notification.template, "outcome": outcome}
    )


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch(event, record_handler)
