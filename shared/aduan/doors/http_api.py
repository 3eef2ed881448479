"""HTTP for every API handler: domain errors to statuses in one place, localized JSON errors.

Error body (DESIGN §3): {"error": {"code", "message", "details": [{"field", "message"}]}}.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aduan.aws.clients import error_code
from aduan.domain.api_texts import error_text, language_of
from aduan.domain.errors import DomainError
from aduan.domain.models import Language

STATUS_BY_CODE = {
    "malformed_json": 400,
    "unauthorized": 401,
    "invalid_idempotency_key": 400,
    "forbidden": 403,
    "not_found": 404,
    "invalid_tracking_id": 404,  # a typo is still "no such report", with a hint
    "conflict": 409,
    "invalid_transition": 409,
    "too_large": 413,
    "unsupported_media_type": 415,
    "validation_failed": 422,
    "idempotency_mismatch": 422,
    "rate_limited": 429,
    "service_unavailable": 503,
}

MAX_BODY_BYTES = 64 * 1024


def error_body(
    code: str, language: Language, details: list[dict[str, str]] | None = None, **values: Any
) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": error_text(code, language, **values), "details": details or []}
    }


def status_of(code: str) -> int:
    return STATUS_BY_CODE.get(code, 500)


def field_name(location: tuple[Any, ...]) -> str:
    """`reporter.phone` from pydantic's ('body', 'reporter', 'phone')."""
    parts = (
        [str(part) for part in location[1:]]
        if location and location[0] in ("body", "query", "path", "header")
        else [str(part) for part in location]
    )
    return ".".join(parts) or "body"


def validation_details(errors: list[dict[str, Any]], language: Language) -> list[dict[str, str]]:
    """One detail per pydantic error, named by field, in the reader's language."""
    details = []
    for error in errors:
        context = dict(error.get("ctx") or {})
        if error["type"] in ("enum", "literal_error") and "expected" in context:
            context["expected"] = str(context["expected"]).replace("'", "")
        details.append(
            {
                "field": field_name(tuple(error["loc"])),
                "message": error_text(error["type"], language, **context),
            }
        )
    return details


def domain_error_details(error: DomainError, language: Language) -> list[dict[str, str]]:
    """Details for the errors that name fields (ValidationFailed) or give a hint (a tracking-ID typo)."""
    problems = getattr(error, "problems", None)
    if problems:
        return [
            {"field": field, "message": error_text(code, language, **values)}
            for field, code, values in problems
        ]
    reason = error.details.get("reason")
    if error.code == "invalid_tracking_id" and reason:
        return [{"field": "tracking_id", "message": error_text(f"tracking_id_{reason}", language)}]
    if reason == "reply_window_closed":
        return [{"field": "kind", "message": error_text("reply_window_closed", language)}]
    return []


def body_language(body: str | None, accept_language: str | None) -> Language:
    """The language of the request: the body's `language` field if it has one, else Accept-Language."""
    declared = None
    if body and len(body) <= MAX_BODY_BYTES and '"language"' in body:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict):
            declared = document.get("language")
    return language_of(declared, accept_language)


def guard(event: dict[str, Any]) -> dict[str, Any] | None:
    """413 for a body over 64 KB and 415 for a POST body that is not JSON, before any parsing."""
    http = event.get("requestContext", {}).get("http", {})
    body = event.get("body") or ""
    if http.get("method") != "POST" or not body:
        return None
    headers = event.get("headers") or {}
    language = language_of(None, headers.get("accept-language"))
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
    if size > MAX_BODY_BYTES:
        return _response(413, error_body("too_large", language, limit=MAX_BODY_BYTES // 1024))
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not http.get("path", "").startswith("/sms/"):
        return _response(415, error_body("unsupported_media_type", language))
    return None


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def json_response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """A payload 2.0 response for handlers that do not use the resolver."""
    return _response(status, body)


def unavailable(error: Exception, language: Language) -> dict[str, Any]:
    """An AWS call failed after the SDK's own retries (throttling, a timeout): the request may
    succeed in a moment, so say so, a payload 2.0 503 with Retry-After, never a bare 500. The log
    names the error by its code only: the message can quote the request, which carries reporters'
    details."""
    from aduan.observability import logger

    logger.warning("aws call failed", extra={"error": error_code(error) or type(error).__name__})
    response = _response(503, error_body("service_unavailable", language))
    response["headers"]["retry-after"] = "1"
    return response


def answer_errors(app: Any, language: Callable[[], Language]) -> None:
    """Install on a Powertools resolver the two handlers every API function needs: request
    validation (400 malformed JSON, 422 named fields) and domain errors (their status by code)."""
    from aws_lambda_powertools.event_handler import Response, content_types
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
    from botocore.exceptions import BotoCoreError, ClientError

    def answer(status: int, body: dict[str, Any]) -> Response[Any]:
        return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def invalid_request(error: RequestValidationError) -> Response[Any]:
        reader = language()
        errors = list(error.errors())
        if any(item["type"] == "json_invalid" for item in errors):
            return answer(400, error_body("malformed_json", reader))
        return answer(422, error_body("validation_failed", reader, validation_details(errors, reader)))

    @app.exception_handler(DomainError)  # type: ignore[untyped-decorator]
    def domain_error(error: DomainError) -> Response[Any]:
        reader = language()
        return answer(
            status_of(error.code), error_body(error.code, reader, domain_error_details(error, reader))
        )

    @app.exception_handler([ClientError, BotoCoreError])  # type: ignore[untyped-decorator]
    def aws_unavailable(error: ClientError | BotoCoreError) -> Response[Any]:
        response = unavailable(error, language())
        return Response(status_code=503, body=response["body"], headers=response["headers"])
