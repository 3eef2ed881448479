"""SMS gateway webhook: a citizen's text becomes a report, a status answer or a reply."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan import api, sms
from aduan.aws.clients import secret
from aduan.models import Language
from aduan.observability import logger
from aduan.runtime import Runtime
from aduan.sms_intake import receive_sms

runtime = Runtime.from_environment(
    "table_name", "routing_queue_url", "notification_queue_url", "reporter_key_secret", "sms_token_secret"
)


def _request_url(event: APIGatewayProxyEventV2) -> str:
    """The URL the gateway called, as it signed it."""
    proto = event.headers.get("x-forwarded-proto", "https")
    query = f"?{event.raw_query_string}" if event.raw_query_string else ""
    return f"{proto}://{event.request_context.domain_name}{event.raw_path}{query}"


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Check the gateway's signature (403 and nothing stored if wrong), act, answer empty TwiML."""
    request = APIGatewayProxyEventV2(event)
    body = request.decoded_body or ""
    if len(body) > api.MAX_BODY_BYTES:
        return api.json_response(
            413, api.error_body("too_large", Language.ID, limit=api.MAX_BODY_BYTES // 1024)
        )
    try:
        message = sms.twilio_inbound(
            _request_url(request),
            body,
            request.headers.get("x-twilio-signature"),
            secret(runtime.settings.sms_token_secret),
        )
    except sms.InvalidSignature:
        logger.warning("SMS webhook with a bad signature refused")
        return api.json_response(403, api.error_body("forbidden", Language.ID))
    outcome = receive_sms(
        message,
        now=datetime.now(UTC),
        reference=runtime.reference(),
        complaints=runtime.complaints(),
        routing=runtime.routing_queue(),
        notifications=runtime.notification_queue(),
    )
    logger.info("SMS handled", extra={"outcome": outcome})
    return {"statusCode": 200, "headers": {"content-type": "text/xml"}, "body": sms.EMPTY_TWIML}
