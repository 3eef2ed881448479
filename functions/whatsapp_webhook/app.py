"""WhatsApp webhook (Meta's Cloud API): the subscription check, and signed payloads put on the
queue at once, one item per message or status; the WhatsApp worker does the rest."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from aduan.domain.errors import InvalidSignature
from aduan.domain.models import Language
from aduan.doors import edge, http_api, whatsapp
from aduan.doors.runtime import Runtime
from aduan.observability import logger

runtime = Runtime.from_environment(
    "whatsapp_queue_url", "whatsapp_app_secret", "whatsapp_verify_token", "origin_secret"
)

MAX_PAYLOAD_BYTES = 1024 * 1024  # Meta's batches are small; a megabyte is far past any of them


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """403 and nothing stored unless Meta signed it; 200 once its items are queued. An AWS error
    (or no time left) is a 503: Meta sends it again, and each message is acted on once."""
    return http_api.in_time(context, lambda: _answer(event), lambda: Language.ID)


def _answer(event: dict[str, Any]) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    not_from_edge = edge.refused(event, runtime.origin_secret)
    if not_from_edge:
        return not_from_edge
    if event.get("requestContext", {}).get("http", {}).get("method") == "GET":
        challenge = whatsapp.challenge(
            event.get("queryStringParameters") or {}, runtime.whatsapp_verify_token()
        )
        if challenge is None:
            return http_api.json_response(403, http_api.error_body("forbidden", Language.ID))
        return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": challenge}
    raw = whatsapp.raw_body(event)
    if len(raw) > MAX_PAYLOAD_BYTES:
        return http_api.json_response(
            413, http_api.error_body("too_large", Language.ID, limit=MAX_PAYLOAD_BYTES // 1024)
        )
    try:
        signature = (event.get("headers") or {}).get("x-hub-signature-256")
        whatsapp.check_signature(raw, signature, runtime.whatsapp_app_secret())
        items = whatsapp.queue_items(raw)
        refused = runtime.whatsapp_queue().send_batch(items)
    except InvalidSignature:
        logger.warning("WhatsApp webhook with a bad signature refused")
        return http_api.json_response(403, http_api.error_body("forbidden", Language.ID))
    except (ClientError, BotoCoreError) as error:
        return http_api.unavailable(error, Language.ID)
    if refused:  # Meta sends the whole payload again; what was queued is acted on once
        logger.warning("WhatsApp items not queued", extra={"refused": len(refused)})
        return http_api.json_response(503, http_api.error_body("unavailable", Language.ID))
    logger.info("WhatsApp webhook queued", extra={"items": len(items)})
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": ""}
