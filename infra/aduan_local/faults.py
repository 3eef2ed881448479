"""Fault injection for tests: make chosen AWS calls of the functions fail, at a rate.

The stack writes the rules to a file that every worker watches; a worker patches botocore so
that each call first asks the rules. Rules look like
`{"service": "sqs", "operation": "SendMessage", "rate": 0.1, "error": "ServiceUnavailable"}`, or
`"every": 3` instead of a rate to fail every third matching call, deterministically.
Only the local stack uses this; nothing of it ships.
"""

from __future__ import annotations

import json
import os
import random
import threading
from pathlib import Path
from typing import Any

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


def install(path: str) -> None:
    """Patch botocore in this process so that calls matching a rule fail at its rate."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call
    calls: dict[int, int] = {}

    def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        for number, rule in enumerate(_rules(path)):
            matches = rule.get("service") in (service, "*") and rule.get("operation") in (operation, "*")
            if not matches:
                continue
            calls[number] = calls.get(number, 0) + 1
            if "every" in rule:  # deterministic: fail every n-th matching call of this worker
                failing = calls[number] % int(rule["every"]) == 0
            else:
                failing = random.random() < float(rule.get("rate", 1.0))  # noqa: S311 - not cryptographic
            if failing:
                code = rule.get("error", "ServiceUnavailable")
                status = int(rule.get("status", 503))
                error = {"Error": {"Code": code, "Message": "injected by the local stack"}}
                raise ClientError(error | {"ResponseMetadata": {"HTTPStatusCode": status}}, operation)
        return original(client, operation, params)

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
