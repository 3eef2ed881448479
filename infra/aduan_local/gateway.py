"""The HTTP front door of the local stack: the template's HTTP API routes and /_local control endpoints.

It depends on `Stack`, the small protocol of what it needs from the stack (routes, invocations,
the outbox, the control endpoints), not on the stack itself, which builds it.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, urlsplit

from aduan_local.access_log import request_context
from aduan_local.functions import InvocationError
from aduan_local.httpapi import Unauthorized, match, request_event, response_parts

if TYPE_CHECKING:
    from aduan_local.access_log import AccessLog
    from aduan_local.calls import CallLedger
    from aduan_local.edge import Edge
    from aduan_local.httpapi import JwtVerifier, Route
    from aduan_local.outbox import WebhookRecorder

log = logging.getLogger("aduan_local")

MAX_BODY = 10 * 1024 * 1024  # API Gateway HTTP API's payload limit


class StackOptionsView(Protocol):
    web_dir: Path | None


class Stack(Protocol):
    """What the gateway needs of the local stack."""

    routes: list[Route]
    calls: CallLedger
    verifier: JwtVerifier
    webhooks: WebhookRecorder
    edge: Edge
    access_log: AccessLog
    pools: Mapping[str, Any]

    @property
    def options(self) -> StackOptionsView: ...

    def invoke(self, function: str, event: Any) -> Any: ...

    def fire(self, function: str, at: datetime | None = None) -> Any: ...

    def outbox(self) -> dict[str, list[dict[str, Any]]]: ...

    def meta_delivers(self, raw: bytes, signature: str | None) -> None: ...

    def describe(self) -> dict[str, Any]: ...

    def activity(self) -> dict[str, Any]: ...

    def inject_faults(self, rules: list[dict[str, Any]]) -> None: ...

    def token(self, username: str) -> dict[str, Any]: ...


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as API Gateway
    server_version = "aduan-local"

    @property
    def stack(self) -> Stack:
        stack: Stack = self.server.stack  # type: ignore[attr-defined]
        return stack

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    def _handle(self) -> None:
        self._request_id: str | None = None  # one connection carries many requests (keep-alive)
        split = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            self._send_json(413, {"message": "Request Entity Too Large"})
            return
        body = self.rfile.read(length) if length else b""
        try:
            if split.path.startswith("/_local/"):
                self._control(split.path, parse_qs(split.query), body)
            elif not self._blocked_at_the_edge(split.path):
                self._api(split.path, split.query, body)
        except (BrokenPipeError, ConnectionResetError):
            log.info("client went away before the answer to %s %s", self.command, split.path)
        except Exception:
            log.exception("gateway error on %s %s", self.command, split.path)
            self._send_json(500, {"message": "Internal Server Error"})

    # -- the edge: AWS WAF's rate rules and CloudFront's headers (aduan_local.edge) ------------

    def _blocked_at_the_edge(self, path: str) -> bool:
        rule = self.stack.edge.blocked(self.command, path, self.client_address[0])
        if rule is None:
            return False
        log.info("%s %s blocked at the edge by %s", self.command, path, rule.name)
        self._send(rule.status, {"content-type": rule.content_type, **rule.headers}, rule.body)
        return True

    # -- the template's HTTP API --------------------------------------------------------------

    def _api(self, path: str, query: str, body: bytes) -> None:
        """One request through the HTTP API, and its line in the access log."""
        started = time.monotonic()
        context: dict[str, Any] = {
            "requestId": str(uuid.uuid4()),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "routeKey": "-",
            "path": path,
            "httpMethod": self.command,
        }
        self._sent: tuple[int, int] = (0, 0)
        self._request_id = str(context["requestId"])  # API Gateway answers it as Apigw-Requestid
        if path == "/whatsapp/webhook" and self.command == "POST":  # Meta saw what it delivers
            self.stack.meta_delivers(body, self.headers.get("x-hub-signature-256"))
        try:
            self._route(path, query, body, context)
        finally:
            context["status"], context["responseLength"] = self._sent
            context["responseLatency"] = round((time.monotonic() - started) * 1000)
            self.stack.access_log.write(context)

    def _route(self, path: str, query: str, body: bytes, context: dict[str, Any]) -> None:
        found = match(self.stack.routes, self.command, path)
        if found is None:
            if self.command in ("GET", "HEAD") and self._static(path):
                return
            self._send_json(404, {"message": "Not Found"})
            return
        route, parameters = found
        self.stack.calls.api_request(route.route_key)
        claims = None
        if route.authorizer is not None:
            try:
                claims = self.stack.verifier.claims(route.authorizer, self.headers.get("authorization"))
            except Unauthorized as reason:
                log.info("401 %s %s: %s", self.command, path, reason)
                context |= {"routeKey": route.route_key, "authorizer.error": "Unauthorized"}
                self._send_json(401, {"message": "Unauthorized"})
                return
        event = request_event(
            route,
            parameters,
            method=self.command,
            raw_path=path,
            raw_query=query,
            headers=self.stack.edge.forward(list(self.headers.items()), self.client_address[0]),
            body=body,
            source_ip=self.client_address[0],
            claims=claims,
            request_id=context["requestId"],
        )
        context |= request_context(event)
        invoked = time.monotonic()
        try:
            result = self.stack.invoke(route.function, event)
        except InvocationError as error:
            timed_out = error.payload.get("errorType") == "Sandbox.Timedout"
            status, message = (503, "Service Unavailable") if timed_out else (500, "Internal Server Error")
            context |= {"integrationErrorMessage": error.payload.get("errorType"), "error.message": message}
            self._send_json(status, {"message": message})
            return
        finally:
            context["integrationLatency"] = round((time.monotonic() - invoked) * 1000)
        context["integrationStatus"] = 200
        status, headers, cookies, content = response_parts(result)
        self._send(status, headers, content, cookies)

    def _static(self, path: str) -> bool:
        """The citizen pages (web/), served at / as CloudFront serves them in front of the API."""
        root = self.stack.options.web_dir
        if root is None:
            return False
        target = (root / (path.lstrip("/") or "index.html")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            return False
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
            content_type += "; charset=utf-8"
        self._send(200, {"content-type": content_type, "cache-control": "no-cache"}, target.read_bytes())
        return True

    # -- control endpoints: what a developer or a test needs, never deployed -----------------

    def _control(self, path: str, query: dict[str, list[str]], body: bytes) -> None:
        parts = path.strip("/").split("/")
        stack = self.stack
        if parts == ["_local", "outbox"] and self.command == "GET":
            self._send_json(200, stack.outbox())
        elif parts == ["_local", "info"] and self.command == "GET":
            self._send_json(200, stack.describe())
        elif parts == ["_local", "edge"] and self.command in ("GET", "POST"):
            try:
                if self.command == "POST":
                    stack.edge.set_limits(json.loads(body or b"{}").get("limits"))
            except (ValueError, AttributeError) as error:
                self._send_json(400, {"message": str(error)})
                return
            self._send_json(200, stack.edge.describe())
        elif parts == ["_local", "activity"] and self.command == "GET":
            self._send_json(200, stack.activity())
        elif parts == ["_local", "access-log"] and self.command == "GET":
            self._send_json(200, {"lines": stack.access_log.lines()})
        elif parts[:2] == ["_local", "webhooks"] and self.command == "POST":
            stack.webhooks.record(
                path, {k.lower(): v for k, v in self.headers.items()}, body.decode("utf-8", "replace")
            )
            self._send_json(200, {"received": True})
        elif parts == ["_local", "faults"] and self.command in ("POST", "DELETE"):
            rules = json.loads(body or b"[]") if self.command == "POST" else []
            stack.inject_faults(rules)
            self._send_json(200, {"rules": rules})
        elif parts == ["_local", "calls"] and self.command in ("GET", "DELETE"):
            if self.command == "DELETE":
                stack.calls.reset()
            self._send_json(200, stack.calls.snapshot())
        elif len(parts) == 3 and parts[1] == "schedules" and self.command == "POST":
            self._fire(parts[2], query.get("time", [None])[0])
        elif len(parts) == 3 and parts[1] == "invoke" and self.command == "POST":
            self._invoke(parts[2], json.loads(body or b"{}"))
        elif len(parts) == 3 and parts[1] == "token" and self.command == "POST":
            try:
                self._send_json(200, stack.token(parts[2]))
            except KeyError:
                self._send_json(404, {"message": f"no local demo user {parts[2]}"})
        else:
            self._send_json(404, {"message": "Not Found"})

    def _fire(self, function: str, time: str | None) -> None:
        try:
            at = datetime.fromisoformat(time.replace("Z", "+00:00")) if time else None
        except ValueError:
            self._send_json(400, {"message": f"time is not ISO 8601: {time}"})
            return
        if at is not None and at.tzinfo is None:
            self._send_json(400, {"message": "time needs a zone, e.g. 2026-03-24T17:00:00Z"})
            return
        try:
            self._send_json(200, {"function": function, "result": self.stack.fire(function, at)})
        except KeyError:
            self._send_json(404, {"message": f"{function} has no schedule"})
        except InvocationError as error:
            self._send_json(502, {"function": function, "error": error.payload})

    def _invoke(self, function: str, event: Any) -> None:
        if function not in self.stack.pools:
            self._send_json(404, {"message": f"no function {function}"})
            return
        try:
            self._send_json(200, {"function": function, "result": self.stack.invoke(function, event)})
        except InvocationError as error:
            self._send_json(502, {"function": function, "error": error.payload})

    # -- responses ----------------------------------------------------------------------------

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(status, {"content-type": "application/json"}, json.dumps(payload, default=str).encode())

    def _send(
        self, status: int, headers: dict[str, str], body: bytes, cookies: list[str] | None = None
    ) -> None:
        self._sent = (status, len(body))
        self.send_response(status)
        if self._request_id:
            self.send_header("apigw-requestid", self._request_id)
        for name, value in headers.items():
            if name not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        for cookie in cookies or []:
            self.send_header("set-cookie", cookie)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
