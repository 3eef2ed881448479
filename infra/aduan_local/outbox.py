"""What the system has sent: SMS through SNS, email through SES, webhooks to the local recorder.

Read from the emulator's own records (moto runs in the stack's process), so the outbox shows
exactly what the functions asked AWS to send.
"""

from __future__ import annotations

import threading
from typing import Any

from aduan_local.resources import ACCOUNT_ID


class WebhookRecorder:
    """Stands in for agencies' webhook receivers: every POST to /_local/webhooks/... lands here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[dict[str, Any]] = []

    def record(self, path: str, headers: dict[str, str], body: str) -> None:
        with self._lock:
            self._received.append({"url": path, "headers": headers, "body": body})

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._received)


def outbox(region: str, webhooks: WebhookRecorder) -> dict[str, list[dict[str, Any]]]:
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    sms = [
        {"id": message_id, "to": phone, "body": body}
        for message_id, (phone, body) in list(sns_backends[ACCOUNT_ID][region].sms_messages.items())
    ]
    email = []
    for message in list(ses_backends[ACCOUNT_ID][region].sent_messages):
        destinations = getattr(message, "destinations", {})
        to = destinations.get("ToAddresses", []) if isinstance(destinations, dict) else list(destinations)
        email.append(
            {
                "id": message.id,
                "from": message.source,
                "to": to[0] if len(to) == 1 else to,
                "subject": getattr(message, "subject", None),
                "body": getattr(message, "body", getattr(message, "raw_data", "")),
            }
        )
    return {"sms": sms, "email": email, "webhook": webhooks.all()}
