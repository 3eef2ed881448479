"""WhatsApp through Meta's Cloud API (the Graph API): text and template messages to a citizen,
and the photos and documents a citizen sends, fetched back by their media ID.

The formats are Meta's: `POST /{version}/{phone-number-id}/messages` ("Send messages"), its
answer `{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid..."}]}`
and its error `{"error": {"message", "type", "code", "error_data": {"messaging_product",
"details"}, "fbtrace_id"}}`; `GET /{version}/{media-id}` for a media's URL, type, size and SHA-256,
then a GET of that URL with the same bearer token ("Media"). Only the standard library speaks
HTTP here, so a cold start loads nothing new.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from aduan.domain.errors import DeliveryFailed, MediaUnavailable
from aduan.domain.whatsapp_messages import is_permanent

MAX_ANSWER_BYTES = 64 * 1024  # a send's answer or a media's metadata is a few hundred bytes
MAX_REDIRECTS = 3
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    location: str | None


class WhatsAppCloud:
    """The WhatsApp channel: sends from one business phone number, and fetches what citizens sent
    it. `access_token` is called on every request (it reads Secrets Manager, and may keep what it
    read for a while), so a rotated token is picked up without a new client."""

    def __init__(
        self,
        base_url: str,
        phone_number_id: str,
        access_token: Callable[[], str],
        *,
        timeout: float = 5.0,
        version: str = "v21.0",
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"not an http(s) base URL: {base_url!r}")
        self._base = base_url.rstrip("/")
        self._schemes = {"https", parts.scheme}  # plain http only for a loopback stand-in
        self._phone_number_id = phone_number_id
        self._access_token = access_token
        self._timeout = timeout
        self._version = version

    def send_text(self, to: str, body: str) -> str:
        """A free-form text, which Meta delivers only inside the customer-service window; the wamid."""
        return self._send(to, "text", {"preview_url": False, "body": body})

    def send_template(self, to: str, name: str, language: str, parameters: list[str]) -> str:
        """An approved template, deliverable at any time, its body's {{1}}, {{2}}... filled in order."""
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if parameters:
            values = [{"type": "text", "text": value} for value in parameters]
            template["components"] = [{"type": "body", "parameters": values}]
        return self._send(to, "template", template)

    def media(self, media_id: str, *, max_bytes: int) -> tuple[bytes, str]:
        """The bytes of a file a citizen sent, checked against the SHA-256 Meta gives, and its type."""
        metadata = self._media_metadata(media_id)
        url, mime_type, digest = (metadata.get(field) for field in ("url", "mime_type", "sha256"))
        if not (isinstance(url, str) and isinstance(mime_type, str) and isinstance(digest, str)):
            raise MediaUnavailable("unreadable media metadata", permanent=False)
        size = _integer(metadata.get("file_size"))
        if size is not None and size > max_bytes:
            raise MediaUnavailable("too_large", permanent=True)
        body = self._download(url, max_bytes)
        if not _digest_matches(body, digest):
            raise MediaUnavailable("sha256_mismatch", permanent=True)
        return body, mime_type

    # -- sending -----------------------------------------------------------------------------------

    def _send(self, to: str, kind: str, content: dict[str, Any]) -> str:
        message = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        body = json.dumps(message | {"type": kind, kind: content}, ensure_ascii=False).encode()
        url = f"{self._base}/{self._version}/{quote(self._phone_number_id, safe='')}/messages"
        try:
            answer = self._request("POST", url, MAX_ANSWER_BYTES, body)
        except (OSError, http.client.HTTPException) as error:  # timeouts and refused TLS too
            raise DeliveryFailed(type(error).__name__, permanent=False) from error
        if not 200 <= answer.status < 300:
            code = _error_code(answer.body)
            raise DeliveryFailed(_reason(code, answer.status), permanent=is_permanent(code, answer.status))
        messages = _json(answer.body).get("messages")
        wamid = messages[0].get("id") if isinstance(messages, list) and messages else None
        if not isinstance(wamid, str) or not wamid:
            # Meta took the message: sending it again could deliver it twice.
            raise DeliveryFailed("unreadable answer", permanent=True)
        return wamid

    # -- media -------------------------------------------------------------------------------------

    def _media_metadata(self, media_id: str) -> dict[str, Any]:
        answer = self._media_request(
            f"{self._base}/{self._version}/{quote(media_id, safe='')}", MAX_ANSWER_BYTES
        )
        if answer.status != 200:
            code = _error_code(answer.body)
            raise MediaUnavailable(_reason(code, answer.status), permanent=is_permanent(code, answer.status))
        return _json(answer.body)

    def _download(self, url: str, max_bytes: int) -> bytes:
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in self._schemes:
                raise MediaUnavailable("insecure_url", permanent=True)  # the token goes with it
            answer = self._media_request(url, max_bytes)
            if answer.status in REDIRECTS and answer.location:
                url = urljoin(url, answer.location)
                continue
            if answer.status != 200:
                code = _error_code(answer.body)
                raise MediaUnavailable(
                    _reason(code, answer.status), permanent=is_permanent(code, answer.status)
                )
            if len(answer.body) > max_bytes:
                raise MediaUnavailable("too_large", permanent=True)
            return answer.body
        raise MediaUnavailable("too_many_redirects", permanent=True)

    def _media_request(self, url: str, limit: int) -> _Answer:
        try:
            return self._request("GET", url, limit)
        except (OSError, http.client.HTTPException) as error:
            raise MediaUnavailable(type(error).__name__, permanent=False) from error

    # -- HTTP --------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, limit: int, body: bytes | None = None) -> _Answer:
        """One request on a connection of its own, reading at most `limit` + 1 bytes of the answer
        (one more than is taken, so that too much is seen as too much). Redirects are not followed."""
        parts = urlsplit(url)
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=self._timeout, context=_tls()
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self._timeout)
        headers = {"authorization": f"Bearer {self._access_token()}"}
        if body is not None:
            headers["content-type"] = "application/json"
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            return _Answer(response.status, response.read(limit + 1), response.getheader("location"))
        finally:
            connection.close()


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # verifies the certificate and the host name


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:  # not JSON, or not UTF-8
        return {}
    return value if isinstance(value, dict) else {}


def _error_code(raw: bytes) -> int | None:
    error = _json(raw).get("error")
    return _integer(error.get("code")) if isinstance(error, dict) else None


def _integer(value: Any) -> int | None:
    """A number Meta may write as a number or a string (`file_size` is either); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _reason(code: int | None, status: int) -> str:
    """What a log may say of a refusal: Meta's code, or the status; never who or what was sent."""
    return f"whatsapp {code}" if code is not None else f"HTTP {status}"


def _digest_matches(body: bytes, given: str) -> bool:
    """Whether `given` is the bytes' SHA-256: hex, as the media endpoint gives it, or base64, as
    some webhook payloads do."""
    digest = hashlib.sha256(body).digest()
    try:
        expected = bytes.fromhex(given) if len(given) == 64 else base64.b64decode(given, validate=True)
    except ValueError:  # binascii.Error is one
        return False
    return hmac.compare_digest(digest, expected)
