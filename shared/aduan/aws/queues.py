"""SQS: the messages between the steps. Bodies are small JSON documents with a `type`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


class SqsQueue:
    """A queue that accepts domain messages (dicts with a `type`)."""

    def __init__(self, client: Any, url: str) -> None:
        self._client = client
        self._url = url

    def send(self, message: dict[str, Any], *, delay_seconds: int = 0) -> None:
        self._client.send_message(
            QueueUrl=self._url, MessageBody=json.dumps(message), DelaySeconds=delay_seconds
        )

    def hold_back(self, receipt_handle: str, seconds: int) -> None:
        """Make a received message visible again only after `seconds` (its retry's backoff)."""
        self._client.change_message_visibility(
            QueueUrl=self._url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )

    def send_batch(self, messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send in batches of ten; returns the messages SQS did not take (to retry or report)."""
        failed: list[dict[str, Any]] = []
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            response = self._client.send_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": str(n), "MessageBody": json.dumps(m)} for n, m in enumerate(chunk)],
            )
            failed.extend(chunk[int(entry["Id"])] for entry in response.get("Failed", []))
        return failed
