"""Attachment worker: each uploaded file is checked, stored without its metadata, and recorded
in the complaint's timeline as added or rejected (DESIGN §4.1).

A record's body is an S3 event. A body that is no S3 event can never get better: it is logged by
message ID and what is wrong with it (never its content), counted (`AttachmentEvent_malformed`),
and taken as done rather than retried into the DLQ. Log lines carry the tracking ID, the
attachment ID, the outcome and the reason: never a key's link, a file name or anything of the file.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools.metrics import MetricUnit

import aduan.domain.files  # noqa: F401  Pillow at init, where Lambda gives it the CPU, not on the first file
from aduan.attachment import process_upload
from aduan.doors.runtime import Runtime
from aduan.doors.s3_events import MalformedEvent, created_objects
from aduan.doors.sqs_batch import Record, worker
from aduan.observability import logger, metrics

runtime = Runtime.from_environment(
    "table_name", "evidence_bucket", "attachment_queue_url", "reporter_key_secret"
)


def record_handler(record: Record) -> None:
    try:
        uploads = created_objects(record.body)
    except MalformedEvent as malformed:
        logger.warning(
            "not an S3 event; dropped", extra={"message_id": record.message_id, "problem": malformed.problem}
        )
        metrics.add_metric(name="AttachmentEvent_malformed", unit=MetricUnit.Count, value=1)
        return
    for upload in uploads:
        processed = process_upload(
            upload.key,
            upload.size,
            complaints=runtime.complaints(),
            reference=runtime.reference(),
            bucket=runtime.evidence_bucket(),
            now=datetime.now(UTC),
        )
        metrics.add_metric(name=f"Attachment_{processed.outcome}", unit=MetricUnit.Count, value=1)
        logger.info(
            "attachment",
            extra={
                "tracking_id": processed.tracking_id,
                "attachment_id": processed.attachment_id,
                "outcome": processed.outcome,
                "reason": processed.reason,
            },
        )


handler = worker(record_handler, runtime.attachment_queue)
