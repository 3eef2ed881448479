"""Routing worker: each submitted complaint is assigned to its agency or sent to triage."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from aduan.doors.runtime import Runtime
from aduan.doors.sqs_batch import Record, worker
from aduan.observability import logger, metrics
from aduan.routing import route_complaint

runtime = Runtime.from_environment(
    "table_name", "routing_queue_url", "notification_queue_url", "reporter_key_secret"
)


def record_handler(record: Record) -> None:
    message = json.loads(record.body)
    routed = route_complaint(
        message["tracking_id"],
        complaints=runtime.complaints(),
        reference=runtime.reference(),
        notifications=runtime.notification_queue(),
        now=datetime.now(UTC),
        resend_outbox=bool(message.get("outbox")),
    )
    outcome, complaint = routed.outcome, routed.complaint
    metrics.add_metric(name=f"Routing_{outcome}", unit=MetricUnit.Count, value=1)
    if outcome != "already_routed":
        # Per agency and category: what each agency receives, and what routing cannot place.
        with single_metric(
            name="ComplaintsRouted", unit=MetricUnit.Count, value=1, namespace="Aduan"
        ) as metric:
            metric.add_dimension(name="agency", value=complaint.agency_id or "none")
            metric.add_dimension(name="category", value=complaint.category or "none")
            metric.add_dimension(name="outcome", value=outcome)
    logger.info("routed", extra={"tracking_id": complaint.tracking_id, "outcome": outcome})


handler = worker(record_handler, runtime.routing_queue)
