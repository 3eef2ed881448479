"""Fault injection for tests: make chosen AWS calls of the functions fail, at a rate.

The stack writes the rules to a file that every worker watches; a worker patches botocore so
that each call first asks the rules. Rules look like
`{"service": "sqs", "operation": "SendMessage", "rate": 0.1, "error": "ServiceUnavailable"}`, or
`"every": 3` instead of a rate to fail every third matching call, deterministically. Optional keys:

- `"layer"`: `"api"` (the default) fails the call above botocore's retry layer, so the error
  always reaches the code; `"http"` answers the HTTP request itself with the error (status and
  body as the service would send them), so botocore's own retries see it, as they would on AWS:
  a throttled DynamoDB call is retried by the SDK and reaches the code only when every attempt fails.
- `"function"`: only in functions whose name contains this text (`"IntakeFunction"`).
- `"params"`: only calls whose parameters contain these texts (`{"QueueUrl": "RoutingQueue"}`;
  the api layer only).

Every injected fault prints one line `fault injected: ...` on the worker's stderr, which the stack
relays to its log, so a test can count them. Only the local stack uses this; nothing of it ships.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

FAULT_LOG_PREFIX = "fault injected:"

_lock = threading.Lock()
_state: dict[str, Any] = {"mtime": None, "rules": []}


def write_rules(path: Path, rules: list[dict[str, Any]]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"rules": rules}))
    os.replace(temporary, path)


def _rules(path: str) -> list[dict[str, Any]]:
    try:
        mtime = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return []
    with _lock:
        if mtime != _state["mtime"]:
            try:
                _state["rules"] = json.loads(Path(path).read_text()).get("rules", [])
            except ValueError:
                _state["rules"] = []
            _state["mtime"] = mtime
        rules: list[dict[str, Any]] = _state["rules"]
        return rules


class _Body:
    """The `raw` of a fabricated response: botocore only streams it."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Any:
        yield self._content


def error_response(protocol: str, url: str, code: str, status: int) -> Any:
    """An error answer as the service's protocol shapes it, for botocore's parsers and retries."""
    from botocore.awsrequest import AWSResponse

    message = "injected by the local stack"
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if protocol in ("query", "ec2"):
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers["Content-Type"] = "text/xml"
    elif protocol == "json":
        body = json.dumps({"__type": f"com.amazonaws.local#{code}", "message": message}).encode()
        headers["Content-Type"] = "application/x-amz-json-1.0"
    else:  # rest-json, rest-xml (the code travels in a header that both parsers read)
        body = json.dumps({"message": message}).encode()
        headers |= {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
    return AWSResponse(url, status, headers, _Body(body))


def _announce(layer: str, service: str, operation: str, code: str) -> None:
    print(f"{FAULT_LOG_PREFIX} {layer} {service}.{operation} {code}", file=sys.stderr, flush=True)


def install(path: str) -> None:
    """Patch botocore in this process so that calls matching a rule fail at its rate."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call
    calls: dict[int, int] = {}
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")

    def failing(layer: str, service: str, operation: str, params: dict[str, Any] | None) -> dict[str, Any]:
        """The first rule of this layer that matches this call and fires now, or {}."""
        for number, rule in enumerate(_rules(path)):
            if rule.get("layer", "api") != layer:
                continue
            if rule.get("service") not in (service, "*") or rule.get("operation") not in (operation, "*"):
                continue
            if rule.get("function") and str(rule["function"]) not in function_name:
                continue
            wanted = rule.get("params") or {}
            if params is not None and any(str(v) not in str(params.get(k, "")) for k, v in wanted.items()):
                continue
            with _lock:
                calls[number] = calls.get(number, 0) + 1
                count = calls[number]
            if "every" in rule:  # deterministic: fail every n-th matching call of this worker
                fires = count % int(rule["every"]) == 0
            else:
                fires = random.random() < float(rule.get("rate", 1.0))  # noqa: S311 - not cryptographic
            if fires:
                return rule
        return {}

    def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        if not getattr(client, "_aduan_faults_hooked", False):
            _hook_http_layer(client, service)
        rule = failing("api", service, operation, params)
        if rule:
            code = rule.get("error", "ServiceUnavailable")
            status = int(rule.get("status", 503))
            _announce("api", service, operation, code)
            error = {"Error": {"Code": code, "Message": "injected by the local stack"}}
            raise ClientError(error | {"ResponseMetadata": {"HTTPStatusCode": status}}, operation)
        return original(client, operation, params)

    def _hook_http_layer(client: BaseClient, service: str) -> None:
        protocol = client.meta.service_model.protocol

        def before_send(request: Any, event_name: str = "", **_: Any) -> Any:
            operation = event_name.rsplit(".", 1)[-1]
            rule = failing("http", service, operation, None)
            if not rule:
                return None  # send it for real
            code = rule.get("error", "ServiceUnavailable")
            _announce("http", service, operation, code)
            return error_response(protocol, request.url, code, int(rule.get("status", 503)))

        client.meta.events.register("before-send", before_send)
        client._aduan_faults_hooked = True  # type: ignore[attr-defined]

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
