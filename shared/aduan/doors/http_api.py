"""HTTP for every API handler: domain errors to statuses in one place, localized JSON errors.

Error body (DESIGN §3): {"error": {"code", "message", "details": [{"field", "message"}]}}.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from aduan.aws.clients import error_code
from aduan.domain.api_texts import error_text, language_of
from aduan.domain.errors import DomainError
from aduan.domain.models import Language

STATUS_BY_CODE = {
    "malformed_json": 400,
    "malformed_request": 400,
    "unauthorized": 401,
    "sign_in_expired": 401,
    "password_reset_required": 403,
    "account_not_confirmed": 403,
    "mfa_required": 403,
    "too_many_attempts": 429,
    "invalid_idempotency_key": 400,
    "forbidden": 403,
    "not_found": 404,
    "invalid_tracking_id": 404,  # a typo is still "no such report", with a hint
    "conflict": 409,
    "invalid_transition": 409,
    "privacy_not_raised": 409,
    "too_large": 413,
    "unsupported_media_type": 415,
    "validation_failed": 422,
    "text_held": 422,
    "idempotency_mismatch": 422,
    "rate_limited": 429,
    "service_unavailable": 503,
}

MAX_BODY_BYTES = 64 * 1024
# What a JSON body may hold before anything parses it: Python's json recurses once a level (20,000
# levels raise RecursionError) and refuses an integer of over 4,300 digits (ValueError). No route
# takes a body deeper than 3 levels or a number longer than a coordinate's 20 characters.
MAX_JSON_DEPTH = 32
MAX_NUMBER_LENGTH = 100

# A JSON string, its closing quote optional: an unterminated one runs to the end of the text, so
# that one left-to-right pass skips every string whatever it holds, in linear time.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_LONG_NUMBER = re.compile(r"[-+.\deE]{" + str(MAX_NUMBER_LENGTH + 1) + ",}")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


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
    if error.code == "malformed_request" and error.details.get("field"):
        return [{"field": str(error.details["field"]), "message": error_text("missing", language)}]
    return []


def body_language(body: str | None, accept_language: str | None) -> Language:
    """The language of the request: the body's `language` field if it has one, else Accept-Language."""
    declared = None
    if body and len(body) <= MAX_BODY_BYTES and '"language"' in body:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, dict):
            declared = document.get("language")
    return language_of(declared, accept_language)


def json_shape_problem(text: str) -> str | None:
    """Why a JSON text cannot be parsed safely (`json_too_deep`, `json_number_too_long`), or None.
    Linear in the text and without recursion: strings are skipped, so brackets and digits inside
    them count for nothing."""
    bare = _JSON_STRING.sub('""', text)
    brackets = _NOT_BRACKET.sub("", bare)
    # The depth is at most the number of brackets: most bodies need no counting.
    if len(brackets) > MAX_JSON_DEPTH and max(accumulate(map(_DEPTH_STEP.__getitem__, brackets))) > (
        MAX_JSON_DEPTH
    ):
        return "json_too_deep"
    if _LONG_NUMBER.search(bare):
        return "json_number_too_long"
    return None


def guard(event: dict[str, Any]) -> dict[str, Any] | None:
    """Before any parsing: 413 for a body over 64 KB, 415 for a POST body that is not JSON, and 400
    for JSON that the parser cannot take safely (nested too deep, a number too long)."""
    http = event.get("requestContext", {}).get("http", {})
    body = event.get("body") or ""
    if http.get("method") != "POST" or not body:
        return None
    headers = event.get("headers") or {}
    language = language_of(None, headers.get("accept-language"))
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
    if size > MAX_BODY_BYTES:
        return _response(413, error_body("too_large", language, limit=MAX_BODY_BYTES // 1024))
    if http.get("path", "").startswith("/sms/"):  # form-encoded, read by the gateway module
        return None
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return _response(415, error_body("unsupported_media_type", language))
    try:
        text = base64.b64decode(body, validate=True).decode() if event.get("isBase64Encoded") else body
    except (binascii.Error, UnicodeDecodeError):
        return _response(400, error_body("malformed_json", language))
    problem = json_shape_problem(text)
    if problem:
        limit = MAX_JSON_DEPTH if problem == "json_too_deep" else MAX_NUMBER_LENGTH
        detail = {"field": "body", "message": error_text(problem, language, limit=limit)}
        return _response(400, error_body("malformed_json", language, [detail]))
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


class OutOfTime(BaseException):
    """The invocation is about to reach its timeout. A BaseException, so that no `except Exception`
    on the way swallows it."""


ANSWER_MARGIN_MS = 1_500  # what answering takes once the alarm rings


def in_time(
    context: Any, answer: Callable[[], dict[str, Any]], language: Callable[[], Language]
) -> dict[str, Any]:
    """`answer()`, or, if it is still running `ANSWER_MARGIN_MS` before the invocation's timeout,
    the JSON 503 with Retry-After (`unavailable`): a Lambda killed at its timeout makes API Gateway
    answer its own bare 503, which names no error and says nothing of when to try again. A request
    cut short may have been written (a complaint filed just before the alarm): its client's retry
    with the same Idempotency-Key gets the first answer, and nothing is filed twice."""
    import signal
    import threading

    remaining = getattr(context, "get_remaining_time_in_millis", None)  # a test's bare context has none
    budget_ms = remaining() - ANSWER_MARGIN_MS if remaining else 0
    if budget_ms <= 0 or threading.current_thread() is not threading.main_thread():
        return answer()

    def ring(signum: int, frame: Any) -> None:
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, budget_ms / 1000)
    try:
        return answer()
    except OutOfTime:
        return unavailable(TimeoutError("out of time"), language())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def answer_errors(app: Any, language: Callable[[], Language]) -> None:
    """Install on a Powertools resolver the two handlers every API function needs: request
    validation (400 malformed JSON, 422 named fields) and domain errors (their status by code)."""
    from aws_lambda_powertools.event_handler import Response, content_types
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
    from botocore.exceptions import BotoCoreError, ClientError

    def answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
        return Response(
            status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
        )

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
        # A refusal that lapses (a used-up daily allowance) says when to come back.
        retry = error.details.get("retry_after")
        return answer(
            status_of(error.code),
            error_body(error.code, reader, domain_error_details(error, reader)),
            {"retry-after": str(retry)} if retry is not None else None,
        )

    @app.exception_handler([ClientError, BotoCoreError])  # type: ignore[untyped-decorator]
    def aws_unavailable(error: ClientError | BotoCoreError) -> Response[Any]:
        response = unavailable(error, language())
        return Response(status_code=503, body=response["body"], headers=response["headers"])
