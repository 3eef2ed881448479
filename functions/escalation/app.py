"""Escalation worker: takes every step that is due for a complaint, exactly once."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan.doors.runtime import Runtime
from aduan.doors.sqs_batch import Record, partial_batch
from aduan.escalation import escalate
from aduan.observability import logger, metrics

runtime = Runtime.from_environment(
    "table_name", "routing_queue_url", "notification_queue_url", "escalation_queue_url", "reporter_key_secret"
)


def record_handler(record: Record) -> None:
    message = json.loads(record.body)
    escalated = escalate(
        message["tracking_id"],
        datetime.fromisoformat(message["now"]),
        complaints=runtime.complaints(),
        reference=runtime.reference(),
        notifications=runtime.notification_queue(),
        routing=runtime.routing_queue(),
    )
    for step in escalated.steps:
        # Per level and per agency: which agencies let deadlines pass, and how far.
        with single_metric(
            name="EscalationSteps", unit=MetricUnit.Count, value=1, namespace="Aduan"
        ) as metric:
            metric.add_dimension(name="step", value=step)
            metric.add_dimension(name="agency", value=escalated.agency_id or "none")
    logger.info("escalation", extra={"tracking_id": message["tracking_id"], "steps": escalated.steps})


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch(
        event,
        record_handler,
        time_left=context.get_remaining_time_in_millis,
        hand_back=lambda record: runtime.escalation_queue().send(json.loads(record.body)),
    )
