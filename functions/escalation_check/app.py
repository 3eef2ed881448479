"""The scheduled deadline check: queue every complaint whose next step is due.

"Now" is the scheduled event's time, so the check can run (and be tested) at any moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan.doors.runtime import Runtime
from aduan.escalation_check import find_due
from aduan.observability import logger, metrics

runtime = Runtime.from_environment("table_name", "escalation_queue_url")


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00"))
    queued, finished = find_due(
        runtime.due_index(),
        runtime.escalation_queue(),
        now,
        time_left=lambda: context.get_remaining_time_in_millis() / 1000,
    )
    metrics.add_metric(name="DueComplaintsQueued", unit=MetricUnit.Count, value=queued)
    logger.info("deadline check", extra={"now": now.isoformat(), "queued": queued, "finished": finished})
    return {"now": now.isoformat(), "queued": queued, "finished": finished}
