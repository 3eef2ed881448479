"""What a worker is sending when it dies: the notifications between their send and their settle.

A notification is claimed in the ledger, sent (an SMS: SNS Publish), then settled. A worker
killed after the send and before the settle leaves a claim whose lease ends, and the retry sends
it again: the one duplicate the design cannot close (docs/architecture.md). So that a test can
tell that duplicate from any other, each worker keeps a small file naming the notifications it has
asked SNS to text and not yet settled (or released), with a digest of each message; the
pool reads it once the process is dead (`functions.Kill`). Only the local stack uses this.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

LEDGER_PREFIX = "NOTIF#"  # the ledger's items (aduan.aws.ledger): a claim, a settle, a release
SENDS = {"sns.Publish": ("PhoneNumber", "Message")}  # what the outbox shows as `to` and `body`


def text_digest(to: Any, body: Any) -> str:
    """What identifies one text in the outbox: its number and its words, hashed (no phone kept)."""
    return hashlib.sha256(json.dumps([to, body]).encode()).hexdigest()[:24]


def _ledger_id(params: dict[str, Any], field: str) -> str | None:
    key = str(params.get(field, {}).get("pk", {}).get("S", ""))
    return key.removeprefix(LEDGER_PREFIX) if key.startswith(LEDGER_PREFIX) else None


class SendTracker:
    """In a worker: keeps `path` naming the notifications sent and not yet settled, as
    `{id: {"since": epoch seconds, "texts": [digest, ...]}}` (the delivery worker runs one at a time)."""

    def __init__(self, path: str) -> None:
        self._path = Path(path)
        self._claimed: str | None = None
        self._open: dict[str, dict[str, Any]] = {}
        self._write()

    def attach(self, events: Any) -> None:
        events.register("before-parameter-build", self._before)
        events.register("after-call.dynamodb", self._after)

    def _before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        call = f"{model.service_model.service_name}.{model.name}"
        if call == "dynamodb.PutItem" and (claimed := _ledger_id(params, "Item")):
            self._claimed = claimed
        elif call in ("dynamodb.UpdateItem", "dynamodb.DeleteItem"):
            context["aduan_local_ledger_id"] = _ledger_id(params, "Key")
        elif call in SENDS and self._claimed is not None:
            to, body = (params.get(name) for name in SENDS[call])
            entry = self._open.setdefault(self._claimed, {"since": time.time(), "texts": []})
            entry["texts"].append(text_digest(to, body))
            self._write()  # before the request leaves: a kill from here on may leave a sent message

    def _after(self, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        settled = context.get("aduan_local_ledger_id")
        if settled in self._open and http_response.status_code == 200:  # settled or released
            del self._open[settled]
            self._write()

    def _write(self) -> None:
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._open))
        os.replace(temporary, self._path)  # whole or not at all, whenever the process dies


def read_open_sends(path: Path) -> dict[str, dict[str, Any]]:
    """What a dead worker's file says it had sent and not settled (nothing, if it never sent)."""
    try:
        sends: dict[str, dict[str, Any]] = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return sends
