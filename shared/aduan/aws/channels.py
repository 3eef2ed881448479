"""Delivery channels: SMS through SNS, email through SES v2, signed HTTPS webhooks.

Each raises DeliveryFailed saying whether trying again can help: throttling, 5xx and timeouts
are transient; an invalid number, a rejected address or a 4xx from a webhook are permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from aduan.aws.clients import error_code
from aduan.domain.errors import DeliveryFailed

PERMANENT_CODES = frozenset(
    {
        "InvalidParameter",
        "InvalidParameterValue",
        "ValidationError",
        "MessageRejected",
        "BadRequestException",
        "NotFoundException",
        "OptedOut",
        "EndpointDisabled",
    }
)


def _aws_failure(error: Exception) -> DeliveryFailed:
    if isinstance(error, ClientError):
        code = error_code(error) or "Unknown"
        return DeliveryFailed(code, permanent=code in PERMANENT_CODES)
    return DeliveryFailed(type(error).__name__, permanent=False)


class SnsSms:
    """Transactional SMS straight to a phone number (no topic)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def send(self, to: str, text: str) -> str:
        try:
            response = self._client.publish(
                PhoneNumber=to,
                Message=text,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
                },
            )
        except (ClientError, BotoCoreError) as error:
            raise _aws_failure(error) from error
        return str(response["MessageId"])


class SesEmail:
    def __init__(self, client: Any, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        try:
            response = self._client.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": text, "Charset": "UTF-8"},
                            "Html": {"Data": html, "Charset": "UTF-8"},
                        },
                    }
                },
            )
        except (ClientError, BotoCoreError) as error:
            raise _aws_failure(error) from error
        return str(response["MessageId"])


def webhook_signature(secret: str, timestamp: int, body: str) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`: the receiver recomputes it and rejects old timestamps."""
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


class Webhook:
    """POSTs a JSON event to an agency's endpoint with `X-Aduan-Timestamp` and `X-Aduan-Signature`."""

    def __init__(self, secret: str, timeout: float = 5.0) -> None:
        self._secret = secret
        self._timeout = timeout

    def send(self, url: str, payload: dict[str, Any]) -> str:
        from urllib.error import HTTPError, URLError
        from urllib.request import Request, urlopen

        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        timestamp = int(time.time())
        request = Request(  # noqa: S310 - agencies' endpoints are configured data (https in AWS)
            url,
            data=body.encode(),
            method="POST",
            headers={
                "content-type": "application/json",
                "x-aduan-timestamp": str(timestamp),
                "x-aduan-signature": f"sha256={webhook_signature(self._secret, timestamp, body)}",
            },
        )
        try:
            with urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                return str(response.status)
        except HTTPError as error:
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            raise DeliveryFailed(f"HTTP {error.code}", permanent=permanent) from error
        except (URLError, TimeoutError, OSError) as error:
            raise DeliveryFailed(type(error).__name__, permanent=False) from error
