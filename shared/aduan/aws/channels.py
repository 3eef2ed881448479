"""Delivery channels: SMS through SNS, email through SES v2, signed HTTPS webhooks.

Each raises DeliveryFailed saying whether trying again can help: throttling, 5xx and timeouts
are transient; an invalid number, a rejected address, a webhook's 4xx or redirect, and a webhook
address that is not public are permanent.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from aduan.aws.clients import error_code
from aduan.domain.errors import DeliveryFailed
from aduan.domain.webhooks import (
    PUBLIC_ONLY,
    AddressPolicy,
    address_problem,
    agency_key,
    url_problem,
    webhook_signature,
)

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


class Webhook:
    """POSTs a JSON event to an agency's endpoint, signed with that agency's own key
    (`X-Aduan-Timestamp`, `X-Aduan-Signature`, `X-Aduan-Key-Version`).

    The URL is checked again (data may have changed since it was loaded), its host resolved, and
    every address it resolves to must be public; the connection goes to an address that was
    checked (no second lookup a DNS rebind could answer differently), with TLS verified against
    the host name. A redirect is never followed, and at most `MAX_RESPONSE_BYTES` of an answer
    read. `policy` and `resolve` are for tests: a receiver on loopback, a name that is not in DNS.
    """

    MAX_RESPONSE_BYTES = 4096

    def __init__(
        self,
        master_secret: str,
        timeout: float = 5.0,
        *,
        policy: AddressPolicy = PUBLIC_ONLY,
        resolve: Callable[[str, int], list[str]] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._master = master_secret
        self._timeout = timeout
        self._policy = policy
        self._resolve = resolve or _resolve
        self._tls = tls

    def send(self, url: str, payload: dict[str, Any], *, agency_id: str, key_version: int) -> str:
        problem = url_problem(url, self._policy)
        if problem:
            raise DeliveryFailed(f"url_refused: {problem}", permanent=True)
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 443
        addresses = self._addresses(host, port)
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        timestamp = int(time.time())
        key = agency_key(self._master, agency_id, key_version)
        headers = {
            "content-type": "application/json",
            "x-aduan-timestamp": str(timestamp),
            "x-aduan-signature": f"sha256={webhook_signature(key, timestamp, body)}",
            "x-aduan-key-version": str(key_version),
        }
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        status = self._post(host, port, addresses, path, body.encode(), headers)
        if 300 <= status < 400:
            raise DeliveryFailed("redirect refused", permanent=True)
        if status >= 400:
            permanent = 400 <= status < 500 and status not in (408, 429)
            raise DeliveryFailed(f"HTTP {status}", permanent=permanent)
        return str(status)

    def _addresses(self, host: str, port: int) -> list[str]:
        try:
            addresses = self._resolve(host, port)
        except OSError as error:  # a name that does not resolve now may tomorrow
            raise DeliveryFailed("dns_failed", permanent=False) from error
        refused = [problem for address in addresses if (problem := address_problem(address, self._policy))]
        if refused or not addresses:
            raise DeliveryFailed("address_refused", permanent=True)
        return addresses

    def _post(
        self, host: str, port: int, addresses: list[str], path: str, body: bytes, headers: dict[str, str]
    ) -> int:
        tls = self._tls or _default_tls()
        failure: Exception | None = None
        for address in addresses:  # each was checked: try them in the resolver's order
            connection = _PinnedHttps(host, port, address, timeout=self._timeout, tls=tls)
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read(self.MAX_RESPONSE_BYTES)
                return response.status
            except (OSError, http.client.HTTPException) as error:  # TLS refused too: it may be renewed
                failure = error
            finally:
                connection.close()
        raise DeliveryFailed(type(failure).__name__, permanent=False) from failure


def _resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order, each once."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


@cache
def _default_tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # verifies the certificate and the host name


class _PinnedHttps(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address, with SNI and the certificate checked on the name."""

    def __init__(self, host: str, port: int, address: str, *, timeout: float, tls: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=tls)
        self._address, self._tls = address, tls

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
