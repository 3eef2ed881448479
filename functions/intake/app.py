"""Intake: the public HTTP API where citizens file and track complaints (DESIGN §3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan.attachment import request_upload
from aduan.citizen import FollowUp, follow_up, track_complaint
from aduan.domain.allowance import Allowance
from aduan.domain.evidence import AttachmentRequest
from aduan.domain.models import Actor, Channel, Role
from aduan.domain.reference import RegionLevel
from aduan.domain.tracking import canonical_form
from aduan.doors import edge, http_api
from aduan.doors.runtime import Runtime
from aduan.intake import ComplaintInput, request_fingerprint, submit_complaint
from aduan.observability import logger

runtime = Runtime.from_environment(
    "table_name", "routing_queue_url", "reporter_key_secret", "origin_secret", "evidence_bucket"
)
app = APIGatewayHttpResolver(enable_validation=True)
settings = runtime.settings
allowance = Allowance(settings.complaints_per_destination_per_day, settings.complaints_per_client_per_day)


def _language() -> Any:
    event = app.current_event
    return http_api.body_language(event.decoded_body, event.headers.get("accept-language"))


def _json(status: int, body: dict[str, Any]) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.get("/health")
def health() -> dict[str, str]:
    """Answers while the function can serve requests."""
    return {"status": "ok"}


@app.get("/categories")
def categories() -> dict[str, Any]:
    """The complaint categories, with Indonesian and English names."""
    return {"categories": runtime.reference().category_list()}


@app.get("/agencies")
def agencies() -> dict[str, Any]:
    """The agencies and coordinators that complaints can reach."""
    return {"agencies": runtime.reference().agency_list()}


@app.get("/regions")
def regions(
    level: Annotated[RegionLevel | None, Query()] = None,
    parent: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """Regions of the gazetteer by Kemendagri code (filter by `level` and `parent`), to name a code."""
    return {"regions": runtime.reference().region_list(level, parent)}


@app.post("/complaints")
def submit(complaint: Annotated[ComplaintInput, Body()]) -> Response[Any]:
    """File a complaint: 201 with the tracking ID and the access code (shown once)."""
    key = app.current_event.headers.get("idempotency-key")
    if key is not None and not 0 < len(key) <= 128:
        return _json(400, http_api.error_body("invalid_idempotency_key", complaint.language))
    receipt = submit_complaint(
        complaint,
        channel=Channel.WEB,
        now=datetime.now(UTC),
        reference=runtime.reference(),
        complaints=runtime.complaints(),
        routing=runtime.routing_queue(),
        notifications=runtime.notification_queue(),
        access_key=runtime.access_code_key(),
        idempotency_key=f"web:{key}" if key else None,
        fingerprint=request_fingerprint(complaint.model_dump(mode="json")),
        destinations=settings.sms_country_codes,
        allowance=allowance,
        client=edge.client_address(app.current_event.raw_event),
    )
    logger.info(
        "complaint accepted", extra={"tracking_id": receipt.tracking_id, "replayed": receipt.replayed}
    )
    # A retry gets exactly the first answer; the header says it is a replay.
    headers = {"idempotent-replayed": "true"} if receipt.replayed else None
    return Response(201, content_types.APPLICATION_JSON, receipt.public(), headers=headers)


@app.get("/complaints/<tracking_id>")
def track(
    tracking_id: str, timeline_before: Annotated[str | None, Query(max_length=300)] = None
) -> dict[str, Any]:
    """A complaint's status and newest public events (older ones a page further, with the cursor
    `timeline_before`); a confidential one only with X-Access-Code."""
    return track_complaint(
        tracking_id,
        app.current_event.headers.get("x-access-code"),
        complaints=runtime.complaints(),
        names=runtime.reference(),
        language=_language(),
        access_key=runtime.access_code_key,  # fetched only when a code is presented
        timeline_before=timeline_before,
        bucket=runtime.evidence_bucket,  # built only to link what the code may see
    )


@app.post("/complaints/<tracking_id>/replies")
def reply(tracking_id: str, request: Annotated[FollowUp, Body()]) -> dict[str, Any]:
    """The citizen's reply, reopen or rating, with the access code in X-Access-Code."""
    store, reference = runtime.complaints(), runtime.reference()
    changed = follow_up(
        tracking_id,
        app.current_event.headers.get("x-access-code"),
        request,
        complaints=store,
        reference=reference,
        notifications=runtime.notification_queue(),
        now=datetime.now(UTC),
        access_key=runtime.access_code_key(),
    )
    logger.info("citizen follow-up", extra={"tracking_id": changed.tracking_id, "kind": request.kind})
    return track_complaint(
        changed.tracking_id,
        app.current_event.headers.get("x-access-code"),
        complaints=store,
        names=reference,
        language=_language(),
        access_key=runtime.access_code_key(),
        bucket=runtime.evidence_bucket,
    )


@app.post("/complaints/<tracking_id>/attachments")
def attach(tracking_id: str, request: Annotated[AttachmentRequest, Body()]) -> Response[Any]:
    """A form to upload one photo or PDF straight to the evidence bucket (S3 presigned POST, valid
    15 minutes), with the access code in X-Access-Code: 201."""
    upload = request_upload(
        tracking_id,
        request,
        Actor(role=Role.CITIZEN),
        complaints=runtime.complaints(),
        reference=runtime.reference(),
        bucket=runtime.evidence_bucket(),
        now=datetime.now(UTC),
        access_code=app.current_event.headers.get("x-access-code"),
        access_key=runtime.access_code_key,
    )
    logger.info(
        "upload form given",
        extra={"tracking_id": canonical_form(tracking_id), "attachment_id": upload["attachment_id"]},
    )
    return _json(201, upload)


http_api.answer_errors(app, _language)


@app.not_found
def no_route(_: Exception) -> Response[Any]:
    return _json(404, http_api.error_body("not_found", _language()))


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Refuse what did not come through the edge, and what is too large or not JSON, before
    parsing it; then resolve the route."""
    return (
        edge.refused(event, runtime.origin_secret)
        or http_api.guard(event)
        or http_api.in_time(context, lambda: app.resolve(event, context), _language)
    )
