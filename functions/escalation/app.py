"""Escalation worker: takes every step that is due for a complaint, exactly once."""

from __future__ import annotations

import json
from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from aduan.doors.runtime import Runtime
from aduan.doors.sqs_batch import Record, worker
from aduan.escalation import escalate
from aduan.observability import logger

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


handler = worker(record_handler, runtime.escalation_queue)
