"""The HTTP API's access log, as API Gateway writes it: the template's `AccessLogSettings.Format`
with its `$context` variables filled in, one line a request.

The lines go to the `aduan_local.access` logger (so the tests' privacy scan reads them with every
other line) and are kept, the last ones, for `GET /_local/access-log`. A variable the request has
no value for is `-`, as API Gateway writes it. Values are JSON-escaped, since the format is JSON.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import deque
from typing import Any

from aduan_local.template import resources_of_type

log = logging.getLogger("aduan_local.access")

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.:]+)")
KEPT = 5_000


def access_log_format(template: dict[str, Any]) -> str | None:
    """The format of the template's HTTP API access log, or None when it writes none."""
    for api in resources_of_type(template, "AWS::Serverless::HttpApi").values():
        settings = api.get("Properties", {}).get("AccessLogSettings")
        if settings:
            return str(settings["Format"])
    return None


class AccessLog:
    def __init__(self, format_: str | None) -> None:
        self._format = format_
        self._lines: deque[str] = deque(maxlen=KEPT)
        self._lock = threading.Lock()

    def write(self, context: dict[str, Any]) -> None:
        """One request's line, from its `$context` values by name (`status`, `authorizer.claims.sub`...)."""
        if not self._format:
            return

        def value(match: re.Match[str]) -> str:
            found = context.get(match.group(1))
            return "-" if found in (None, "") else json.dumps(str(found))[1:-1]

        line = _VARIABLE.sub(value, self._format)
        with self._lock:
            self._lines.append(line)
        log.info(line)

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)


def request_context(event: dict[str, Any]) -> dict[str, Any]:
    """The `$context` values a payload 2.0 event already holds."""
    context = event["requestContext"]
    http = context["http"]
    values: dict[str, Any] = {
        "requestId": context["requestId"],
        "requestTime": context["time"],
        "routeKey": context["routeKey"],
        "path": http["path"],
        "httpMethod": http["method"],
        "protocol": http["protocol"],
        "identity.sourceIp": http["sourceIp"],
        "identity.userAgent": http["userAgent"],
    }
    claims = context.get("authorizer", {}).get("jwt", {}).get("claims", {})
    values |= {f"authorizer.claims.{name}": claim for name, claim in claims.items()}
    return values
