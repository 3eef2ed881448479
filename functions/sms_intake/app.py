"""SMS gateway webhook: a citizen's text becomes a report, a status answer or a reply."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan.domain.errors import InvalidSignature, MalformedRequest
from aduan.domain.models import Language
from aduan.doors import edge, http_api, twilio
from aduan.doors.runtime import Runtime
from aduan.observability import logger
from aduan.sms_intake import receive_sms

runtime = Runtime.from_environment(
    "table_name",
    "routing_queue_url",
    "notification_queue_url",
    "reporter_key_secret",
    "sms_token_secret",
    "origin_secret",
)


def _request_url(event: dict[str, Any]) -> str:
    """The URL the gateway called, as it signed it: the edge's host (CloudFront's), not API Gateway's."""
    headers = event.get("headers") or {}
    proto = headers.get("x-forwarded-proto", "https")
    query = f"?{event['rawQueryString']}" if event.get("rawQueryString") else ""
    return f"{proto}://{edge.public_host(event)}{event['rawPath']}{query}"


def _body(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8", errors="replace")
    return str(body)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Check the gateway's signature (403 and nothing stored if wrong), act, answer empty TwiML.
    An AWS error after the SDK's retries, or no time left, is a 503: the gateway sends the text
    again (with the same MessageSid, so nothing is filed twice)."""
    return http_api.in_time(context, lambda: _answer(event), lambda: Language.ID)


def _answer(event: dict[str, Any]) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    not_from_edge = edge.refused(event, runtime.origin_secret)
    if not_from_edge:
        return not_from_edge
    body = _body(event)
    if len(body) > http_api.MAX_BODY_BYTES:
        return http_api.json_response(
            413, http_api.error_body("too_large", Language.ID, limit=http_api.MAX_BODY_BYTES // 1024)
        )
    try:
        message = twilio.inbound(
            _request_url(event),
            body,
            (event.get("headers") or {}).get("x-twilio-signature"),
            runtime.sms_gateway_token(),
        )
        outcome = receive_sms(
            message,
            now=datetime.now(UTC),
            reference=runtime.reference(),
            complaints=runtime.complaints(),
            routing=runtime.routing_queue(),
            notifications=runtime.notification_queue(),
            access_key=runtime.access_code_key(),
            destinations=runtime.settings.sms_country_codes,
        )
    except InvalidSignature:
        logger.warning("SMS webhook with a bad signature refused")
        return http_api.json_response(403, http_api.error_body("forbidden", Language.ID))
    except MalformedRequest as error:
        details = http_api.domain_error_details(error, Language.ID)
        return http_api.json_response(400, http_api.error_body(error.code, Language.ID, details))
    except (ClientError, BotoCoreError) as error:
        return http_api.unavailable(error, Language.ID)
    logger.info("SMS handled", extra={"outcome": outcome})
    return {"statusCode": 200, "headers": {"content-type": "text/xml"}, "body": twilio.EMPTY_TWIML}
