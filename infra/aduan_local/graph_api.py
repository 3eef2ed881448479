"""Meta's Graph API for WhatsApp, as the local stack and the tests meet it: a loopback server that
answers what the Cloud API answers and refuses what it refuses.

Sends (`POST /{version}/{phone-number-id}/messages`) need the bearer token and this phone number's
ID; the body is checked as Meta checks it; free text reaches only a user who wrote in the last 24
hours (else 131047), a template only one approved in the catalogue, in that language (else
132001), with as many body parameters as it has (else 132000); a user who left WhatsApp gets
nothing (131026). Media are served as Meta serves them: metadata by ID, then the bytes from the
URL the metadata names, the bearer token on both. Errors have Meta's shape, code and HTTP status.
Only the local stack and the tests use this.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

WINDOW = timedelta(hours=24)  # the customer-service window
MAX_TEXT = 4096  # characters of a text message's body
MAX_REQUEST_BYTES = 1024 * 1024
# The types Meta sends that this stand-in does not: refused as unsupported rather than invalid.
OTHER_TYPES = frozenset(
    {"audio", "contacts", "document", "image", "interactive", "location", "reaction", "sticker", "video"}
)
# Meta's code -> (HTTP status, title, details), from its table of error codes; the titles are
# Meta's, the details a short paraphrase. Meta answers its throttling codes with 400, not 429.
ERRORS: dict[int, tuple[int, str, str]] = {
    0: (401, "AuthException", "We were unable to authenticate the app user."),
    2: (503, "API Service", "Temporary due to downtime or due to being overloaded."),
    4: (400, "API Too Many Calls", "The app has reached its API call rate limit."),
    10: (403, "Permission denied", "Permission is either not granted or has been removed."),
    100: (400, "Invalid parameter", "The request included unsupported or misspelled parameters."),
    190: (401, "Access token has expired", "Your access token has expired."),
    130429: (400, "Rate limit hit", "Cloud API message throughput has been reached."),
    131000: (500, "Something went wrong", "Message failed to send due to an unknown error."),
    131005: (403, "Access denied", "Permission is either not granted or has been removed."),
    131008: (400, "Required parameter is missing", "The request is missing a required parameter."),
    131009: (400, "Parameter value is not valid", "One or more parameter values are invalid."),
    131016: (500, "Service unavailable", "A service is temporarily unavailable."),
    131026: (400, "Message undeliverable", "Unable to deliver message."),
    131047: (
        400,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last"
        " replied to this number.",
    ),
    131048: (400, "Spam rate limit hit", "There are restrictions on how many messages this number sends."),
    131051: (400, "Unsupported message type", "Unsupported message type."),
    131056: (
        400,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from this phone number to the same phone number in a short period.",
    ),
    132000: (
        400,
        "Number of parameters does not match the expected number of params",
        "The number of variable parameter values does not match the template's.",
    ),
    132001: (404, "Template does not exist", "The template does not exist in the specified language."),
    132005: (400, "Translated text too long", "Translated text is too long."),
    132007: (400, "Template format character policy violated", "Template content violates a policy."),
    132012: (400, "Parameter format does not match format in the created template", "Parameter format."),
    132015: (400, "Template is paused", "Template is paused due to low quality."),
    132016: (400, "Template is disabled", "Template has been paused too many times."),
    133004: (503, "Server temporarily unavailable", "Server is temporarily unavailable."),
    133010: (400, "Phone number not registered", "The phone number is not registered on the platform."),
}


class GraphError(Exception):
    """A refusal, answered as Meta answers it."""

    def __init__(self, code: int, details: str | None = None) -> None:
        status, title, default = ERRORS.get(code, (400, "Error", ""))
        super().__init__(title)
        self.status = status
        self.body = _error_body(code, f"(#{code}) {title}", details or default)


def _error_body(code: int, message: str, details: str | None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": extra.pop("type", "OAuthException"), "code": code}
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error | extra | {"fbtrace_id": _trace_id()}}


def _trace_id() -> str:
    return base64.b64encode(secrets.token_bytes(15)).decode()


class _Refused(Exception):
    """A refusal that is not a WhatsApp one: the Graph API's own (no token, no such object)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def _no_token() -> _Refused:
    return _Refused(401, _error_body(190, "Invalid OAuth access token - Cannot parse access token", None))


def _no_object(method: str, object_id: str) -> _Refused:
    message = (
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded"
        " due to missing permissions, or does not support this operation."
    )
    return _Refused(400, _error_body(100, message, None, type="GraphMethodException", error_subcode=33))


def load_catalogue(path: Path) -> dict[str, dict[str, int]]:
    """The approved templates: name -> language code -> how many body parameters it takes (none
    approved where the template's tree has no catalogue: the local stack's own sample)."""
    if not path.exists():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {
        entry["name"]: {language: len(entry["parameters"]) for language in entry["text"]}
        for key, entry in entries.items()
        if not key.startswith("_")
    }


def wa_id_of(to: str) -> str:
    """The WhatsApp ID Meta answers for a recipient: a phone number's digits, however written."""
    return re.sub(r"\D", "", to) if re.fullmatch(r"\+?[\d\s().-]+", to) else to


@dataclass(frozen=True)
class _Media:
    body: bytes
    mime_type: str
    sha256: str
    token: str


class FakeGraphApi:
    """The stand-in: `start()` it, point `WhatsAppCloud` at `url`, tell it what citizens do
    (`inbound`, `leave`), make Meta misbehave (`fail_next`), and read what was `sent()`."""

    def __init__(
        self,
        *,
        access_token: str,
        phone_number_id: str,
        catalogue: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._token = access_token
        self._phone_number_id = phone_number_id
        self._templates = load_catalogue(catalogue)
        self._address = (host, port)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._last_inbound: dict[str, datetime] = {}
        self._gone: set[str] = set()
        self._failures: list[tuple[int, int | None]] = []
        self._sent: list[dict[str, Any]] = []
        self._media: dict[str, _Media] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- running -----------------------------------------------------------------------------------

    def start(self) -> FakeGraphApi:
        self._server = server = _Server(self._address, self)
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="graph-api", daemon=True
        )  # polled often: `stop` waits for the next poll
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Graph API is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- what citizens and Meta do -----------------------------------------------------------------

    def inbound(self, wa_id: str, at: datetime) -> None:
        """The user sent a message at `at`: their window is open for 24 hours from the latest."""
        with self._lock:
            latest = self._last_inbound.get(wa_id)
            self._last_inbound[wa_id] = at if latest is None else max(latest, at)

    def webhook_delivered(self, raw: bytes) -> None:
        """Meta delivers a webhook: each message in it was sent by its user at its timestamp."""
        try:
            payload = json.loads(raw)
            for entry in payload.get("entry", []):
                for change in entry.get("changes", []):
                    for message in change.get("value", {}).get("messages", []):
                        at = datetime.fromtimestamp(int(message["timestamp"]), UTC)
                        self.inbound(str(message["from"]), at)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, OSError):
            return  # not Meta's shape: Meta would never have sent it

    def age(self, wa_id: str, by: timedelta) -> None:
        """As if the user's latest message were `by` older (a test's clock: never a sleep)."""
        with self._lock:
            if wa_id in self._last_inbound:
                self._last_inbound[wa_id] -= by

    def leave(self, wa_id: str) -> None:
        """The user is no longer on WhatsApp: every message to them is undeliverable (131026)."""
        with self._lock:
            self._gone.add(wa_id)

    def fail_next(self, code: int, times: int = 1, *, status: int | None = None) -> None:
        """The next `times` sends fail with Meta's `code`, answered with the HTTP status Meta uses
        for it (or `status`, to see a client through one Meta does not document)."""
        with self._lock:
            self._failures.extend([(code, status)] * times)

    def add_media(self, body: bytes, mime_type: str, *, sha256: str | None = None) -> str:
        """A file a user sent; its media ID. `sha256` overrides the digest the metadata reports."""
        media_id = str(secrets.randbelow(9 * 10**15) + 10**15)  # Meta's are 16 digits
        digest = sha256 or hashlib.sha256(body).hexdigest()
        with self._lock:
            self._media[media_id] = _Media(body, mime_type, digest, secrets.token_urlsafe(16))
        return media_id

    def sent(self) -> list[dict[str, Any]]:
        """Every message accepted, in order: the shape of the local outbox's `whatsapp` list."""
        with self._lock:
            return [dict(message) for message in self._sent]

    # -- answering (called by the handler, one thread per request) ---------------------------------

    def _authorise(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.encode(), self._token.encode()):
            raise _no_token()

    def _send(self, phone_number_id: str, raw: bytes) -> dict[str, Any]:
        if phone_number_id != self._phone_number_id:
            raise _no_object("post", phone_number_id)
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            code, status = failure
            error = GraphError(code)
            error.status = status or error.status
            raise error
        message = _message(raw)
        to, kind = message["to"], message["type"]
        recipient = wa_id_of(to)
        record: dict[str, Any] = {"to": to, "type": kind}
        if kind == "text":
            record["body"] = _text_body(message.get("text"))
        else:
            record["template"] = self._template(message.get("template"))
        with self._lock:
            if recipient in self._gone:
                raise GraphError(131026)
            since = self._last_inbound.get(recipient)
            if kind == "text" and (since is None or self._clock() - since >= WINDOW):
                raise GraphError(131047)
            wamid = "wamid." + base64.b64encode(secrets.token_bytes(33)).decode()
            self._sent.append({"id": wamid} | record)
        accepted: dict[str, Any] = {"id": wamid} | (
            {"message_status": "accepted"} if kind == "template" else {}
        )
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": recipient}],
            "messages": [accepted],
        }

    def _template(self, template: Any) -> dict[str, Any]:
        if not isinstance(template, dict) or not isinstance(template.get("name"), str):
            raise GraphError(100, "Param template['name'] is required.")
        language = template.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if not isinstance(code, str):
            raise GraphError(100, "Param template['language']['code'] is required.")
        parameters = _body_parameters(template.get("components", []))
        counts = self._templates.get(template["name"], {})
        if code not in counts:
            raise GraphError(132001, f"template name ({template['name']}) does not exist in {code}")
        if len(parameters) != counts[code]:
            raise GraphError(
                132000,
                f"body: number of localizable_params ({len(parameters)}) does not"
                f" match the expected number of params ({counts[code]})",
            )
        return {"name": template["name"], "language": code, "parameters": parameters}

    def _metadata(self, media_id: str) -> dict[str, Any]:
        with self._lock:
            media = self._media.get(media_id)
        if media is None:
            raise _no_object("get", media_id)
        return {
            "messaging_product": "whatsapp",
            "url": f"{self.url}/media/{media_id}/download?token={media.token}",
            "mime_type": media.mime_type,
            "sha256": media.sha256,
            "file_size": len(media.body),
            "id": media_id,
        }

    def _download(self, media_id: str, token: str) -> _Media | None:
        with self._lock:
            media = self._media.get(media_id)
        return media if media is not None and secrets.compare_digest(media.token, token) else None


def _message(raw: bytes) -> dict[str, Any]:
    """The send's body, checked for what every message must have."""
    try:
        message = json.loads(raw)
    except ValueError:
        raise GraphError(100, "The request body is not valid JSON.") from None
    if not isinstance(message, dict):
        raise GraphError(100, "The request body must be a JSON object.")
    if message.get("messaging_product") != "whatsapp":
        raise GraphError(100, "Param messaging_product must be whatsapp.")
    if message.get("recipient_type", "individual") != "individual":
        raise GraphError(100, "Param recipient_type must be individual.")
    if not isinstance(message.get("to"), str) or not message["to"]:
        raise GraphError(100, "The parameter to is required.")
    kind = message.get("type", "text")  # Meta's default
    if kind in OTHER_TYPES:
        raise GraphError(131051)
    if kind not in ("text", "template"):
        raise GraphError(100, "Param type must be one of the supported message types.")
    return message | {"type": kind}


def _text_body(text: Any) -> str:
    body = text.get("body") if isinstance(text, dict) else None
    if not isinstance(body, str) or not body:
        raise GraphError(100, "Param text['body'] is required.")
    if len(body) > MAX_TEXT:
        raise GraphError(100, f"Param text['body'] must be at most {MAX_TEXT} characters long.")
    return body


def _body_parameters(components: Any) -> list[str]:
    """The text values of a template's body component, in order."""
    if not isinstance(components, list):
        raise GraphError(100, "Param template['components'] must be an array.")
    values: list[str] = []
    for component in components:
        if not isinstance(component, dict) or component.get("type") != "body":
            continue
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list):
            raise GraphError(100, "Param template['components'][0]['parameters'] must be an array.")
        for parameter in parameters:
            if not isinstance(parameter, dict) or parameter.get("type") != "text":
                raise GraphError(132012)
            if not isinstance(parameter.get("text"), str):
                raise GraphError(100, "Param text is required for a text parameter.")
            values.append(parameter["text"])
    return values


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], graph: FakeGraphApi) -> None:
        super().__init__(address, _Handler)
        self.graph = graph


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeGraphApi"

    @property
    def graph(self) -> FakeGraphApi:
        return self.server.graph

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a request line may carry a media ID or a download token."""

    def do_POST(self) -> None:
        segments = urlsplit(self.path).path.strip("/").split("/")
        length = self.headers.get("content-length", "")
        raw = self.rfile.read(min(int(length), MAX_REQUEST_BYTES + 1)) if length.isdigit() else b""
        self._answer(lambda: self._post(segments, raw))

    def do_GET(self) -> None:
        self._answer(lambda: self._get(self.path))

    def _post(self, segments: list[str], raw: bytes) -> dict[str, Any]:
        self.graph._authorise(self.headers.get("authorization"))
        if len(segments) != 3 or segments[2] != "messages" or not _version(segments[0]):
            raise _no_object("post", "/".join(segments[1:]))
        if len(raw) > MAX_REQUEST_BYTES:
            raise GraphError(100, "The request body is too large.")
        return self.graph._send(segments[1], raw)

    def _get(self, path: str) -> dict[str, Any] | None:
        parts = urlsplit(path)
        segments = parts.path.strip("/").split("/")
        self.graph._authorise(self.headers.get("authorization"))
        if len(segments) == 3 and segments[0] == "media" and segments[2] == "download":
            token = parse_qs(parts.query).get("token", [""])[0]
            media = self.graph._download(segments[1], token)
            if media is None:  # the CDN knows no such URL (or it expired)
                self._reply(404, b"", "text/plain")
            else:
                self._reply(200, media.body, media.mime_type)
            return None
        if len(segments) == 2 and _version(segments[0]):
            return self.graph._metadata(segments[1])
        raise _no_object("get", "/".join(segments))

    def _answer(self, handle: Callable[[], dict[str, Any] | None]) -> None:
        try:
            answer = handle()
        except (GraphError, _Refused) as refusal:
            self._reply(refusal.status, json.dumps(refusal.body).encode(), "application/json")
            return
        if answer is not None:
            self._reply(200, json.dumps(answer).encode(), "application/json")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _version(segment: str) -> bool:
    return re.fullmatch(r"v\d+\.\d+", segment) is not None
