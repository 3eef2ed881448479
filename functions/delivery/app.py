"""Notification worker: delivers each queued notification exactly once (SMS, email, webhook, WhatsApp)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from aduan.delivery import deliver, read_notification, retry_delay
from aduan.domain.errors import RetryLater
from aduan.doors.runtime import Runtime
from aduan.doors.sqs_batch import POISON_DELAY_SECONDS, Record, partial_batch
from aduan.observability import logger, metrics

runtime = Runtime.from_environment("table_name", "notification_queue_url", "sender_email", "webhook_secret")


def record_handler(record: Record) -> None:
    attempt = record.receive_count
    queue = runtime.notification_queue()
    try:
        notification = read_notification(record.body)
    except ValidationError:
        queue.hold_back(record.receipt_handle, POISON_DELAY_SECONDS)
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
            sms_country_codes=runtime.settings.sms_country_codes,
            conversations=runtime.conversations(),
        )
    except RetryLater as reason:
        metrics.add_metric(name=f"NotificationRetried_{notification.channel}", unit="Count", value=1)
        queue.hold_back(
            record.receipt_handle, retry_delay(attempt, runtime.settings.retry_base_seconds, reason)
        )
        logger.info("notification will be retried", extra={"id": notification.id, "reason": str(reason)})
        raise
    metrics.add_metric(name=f"Notification_{outcome}_{notification.channel}", unit="Count", value=1)
    logger.info(
        "notification", extra={"id": notification.id, "template": notification.template, "outcome": outcome}
    )


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # No hand_back: a notification's receive count is its attempt number, kept by SQS.
    return partial_batch(event, record_handler, time_left=context.get_remaining_time_in_millis)
