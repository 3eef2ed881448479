"""WhatsApp worker: each queued message or status from Meta's webhook, acted on once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan.domain.errors import MalformedRequest
from aduan.doors import whatsapp
from aduan.doors.runtime import Runtime
from aduan.doors.sqs_batch import POISON_DELAY_SECONDS, Record, partial_batch
from aduan.observability import logger, metrics
from aduan.whatsapp import receive_whatsapp

runtime = Runtime.from_environment(
    "table_name", "routing_queue_url", "notification_queue_url", "whatsapp_queue_url", "reporter_key_secret"
)


def record_handler(record: Record) -> None:
    try:
        item = whatsapp.read_item(record.body)
    except MalformedRequest:
        # Poison: back at once, so that it reaches the DLQ (and its alarm) in seconds, blocking nothing.
        runtime.whatsapp_queue().hold_back(record.receipt_handle, POISON_DELAY_SECONDS)
        logger.error("unreadable WhatsApp item", extra={"message_id": record.message_id})
        raise
    outcome = receive_whatsapp(
        item,
        now=datetime.now(UTC),
        reference=runtime.reference(),
        complaints=runtime.complaints(),
        conversations=runtime.conversations(),
        routing=runtime.routing_queue(),
        notifications=runtime.notification_queue(),
        access_key=runtime.access_code_key(),
        destinations=runtime.settings.sms_country_codes,
        media=runtime.whatsapp_cloud(),
        bucket=runtime.evidence_bucket(),
        later=runtime.whatsapp_queue(),
        place_wait=timedelta(seconds=runtime.settings.place_wait_seconds),
    )
    metrics.add_metric(name=f"WhatsApp_{outcome.split(':')[0]}", unit="Count", value=1)
    logger.info("WhatsApp handled", extra={"outcome": outcome})


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch(event, record_handler, time_left=context.get_remaining_time_in_millis)
