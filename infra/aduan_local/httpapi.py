"""API Gateway HTTP API, locally: routes from the template's HttpApi events, payload 2.0 events,
and the JWT authorizer verified against the user pool's keys as API Gateway would."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl
from urllib.request import urlopen

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from aduan_local.functions import FunctionSpec
from aduan_local.resources import ACCOUNT_ID, Resources
from aduan_local.template import resources_of_type

_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/x-www-form-urlencoded",
    "application/xml",
    "+json",
    "+xml",
)


@dataclass(frozen=True)
class JwtAuthorizer:
    name: str
    issuer: str
    audience: tuple[str, ...]
    jwks_url: str


@dataclass(frozen=True)
class Route:
    method: str  # ANY matches every method
    path: str
    function: str
    authorizer: JwtAuthorizer | None
    pattern: re.Pattern[str]

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def specificity(self) -> tuple[int, int, int]:
        greedy = int("+}" in self.path)
        return (greedy, self.path.count("{"), -len(self.path))


def _path_pattern(path: str) -> re.Pattern[str]:
    regex = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("+}"):
            regex += f"(?P<{part[1:-2]}>.+)"
        elif part.startswith("{"):
            regex += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            regex += re.escape(part)
    return re.compile(f"^{regex}$")


def _authorizers(api: dict[str, Any], local: Resources) -> dict[str, JwtAuthorizer]:
    found = {}
    for name, config in api.get("Properties", {}).get("Auth", {}).get("Authorizers", {}).items():
        jwt_config = local.resolve(config.get("JwtConfiguration", {}))
        issuer = str(jwt_config["issuer"])
        # Cognito serves its keys under the issuer; locally the issuer host is the emulator.
        pool_path = issuer.split("amazonaws.com", 1)[-1]
        found[name] = JwtAuthorizer(
            name=name,
            issuer=issuer,
            audience=tuple(str(item) for item in jwt_config.get("audience", [])),
            jwks_url=f"{local.endpoint}{pool_path}/.well-known/jwks.json",
        )
    return found


def http_routes(
    template: dict[str, Any], local: Resources, functions: dict[str, FunctionSpec]
) -> list[Route]:
    """Every HttpApi event of every function, most specific first."""
    apis = resources_of_type(template, "AWS::Serverless::HttpApi")
    authorizers = {api_id: _authorizers(api, local) for api_id, api in apis.items()}
    routes = []
    for spec in functions.values():
        for event in spec.events.values():
            if event.get("Type") != "HttpApi":
                continue
            properties = event.get("Properties", {})
            api_ref = (
                properties.get("ApiId", {}).get("Ref") if isinstance(properties.get("ApiId"), dict) else None
            )
            api = apis.get(api_ref, {}) if api_ref else {}
            default = api.get("Properties", {}).get("Auth", {}).get("DefaultAuthorizer")
            name = properties.get("Auth", {}).get("Authorizer", default)
            authorizer = None if name in (None, "NONE") else authorizers.get(api_ref or "", {}).get(name)
            if name not in (None, "NONE") and authorizer is None:
                raise ValueError(f"{spec.logical_id}: authorizer {name} is not defined on its HttpApi")
            method = str(properties.get("Method", "ANY")).upper()
            path = str(properties.get("Path", "$default"))
            routes.append(Route(method, path, spec.logical_id, authorizer, _path_pattern(path)))
    return sorted(routes, key=lambda route: route.specificity)


def match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict()
    default = next((route for route in routes if route.path == "$default"), None)
    return (default, {}) if default else None


class Unauthorized(Exception):
    """The request carries no valid token for the route's authorizer."""


class JwtVerifier:
    """Checks bearer tokens as the HTTP API JWT authorizer does: signature by the issuer's keys,
    `iss`, `exp`/`nbf`, and `aud` (ID tokens) or `client_id` (access tokens) in the audience."""

    def __init__(self) -> None:
        self._keys: dict[str, KeySet] = {}

    def _key_set(self, authorizer: JwtAuthorizer) -> KeySet:
        if authorizer.jwks_url not in self._keys:
            with urlopen(authorizer.jwks_url, timeout=5) as response:  # noqa: S310 - the emulator on loopback
                self._keys[authorizer.jwks_url] = KeySet.import_key_set(json.load(response))
        return self._keys[authorizer.jwks_url]

    def claims(self, authorizer: JwtAuthorizer, header: str | None) -> dict[str, Any]:
        if not header:
            raise Unauthorized("no token")
        token = header.removeprefix("Bearer ").removeprefix("bearer ").strip()
        try:
            decoded = jwt.decode(token, self._key_set(authorizer), algorithms=["RS256"])
            registry = jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": authorizer.issuer}, exp={"essential": True}
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise Unauthorized(str(error)) from error
        claims = dict(decoded.claims)
        audiences = claims.get("aud", claims.get("client_id"))
        audiences = audiences if isinstance(audiences, list) else [audiences]
        if authorizer.audience and not set(audiences) & set(authorizer.audience):
            raise Unauthorized("audience")
        return claims


def _claim_text(value: Any) -> str:
    """API Gateway hands claims to the function as strings; lists become `[a b]`."""
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)


def is_text(content_type: str) -> bool:
    return any(marker in content_type for marker in _TEXT_TYPES)


def request_event(
    route: Route,
    path_parameters: dict[str, str],
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    claims: dict[str, Any] | None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The API Gateway HTTP API payload format 2.0 event for one request."""
    folded: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        folded[key] = f"{folded[key]},{value}" if key in folded else value
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    # API Gateway tells the function how the client reached it (https in AWS, http here).
    folded.setdefault("x-forwarded-proto", "http")
    text = is_text(folded.get("content-type", "text/plain"))
    now = datetime.now(UTC)
    request_id = request_id or str(uuid.uuid4())
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": "local",
        "domainName": folded.get("host", "127.0.0.1"),
        "domainPrefix": "local",
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": folded.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route.route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(time.time() * 1000),
    }
    if claims is not None:
        context["authorizer"] = {
            "jwt": {"claims": {name: _claim_text(value) for name, value in claims.items()}, "scopes": None}
        }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": folded,
        "requestContext": context,
        "isBase64Encoded": not text and bool(body),
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        event["body"] = body.decode("utf-8", "replace") if text else base64.b64encode(body).decode()
    return event


def response_parts(result: Any) -> tuple[int, dict[str, str], list[str], bytes]:
    """Status, headers, cookies and body from a handler's payload 2.0 answer."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # A plain value: API Gateway answers 200 with it as JSON.
        body = result if isinstance(result, str) else json.dumps(result)
        return 200, {"content-type": "application/json"}, [], body.encode()
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    headers = {str(name).lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[str(name).lower()] = ",".join(str(value) for value in values)
    return int(result["statusCode"]), headers, list(result.get("cookies") or []), body
