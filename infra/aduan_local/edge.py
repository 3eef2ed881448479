"""The edge, locally: what CloudFront and AWS WAF do in front of the HTTP API in AWS.

- AWS WAF: the rate-based rules of the template's CLOUDFRONT web ACL (`AWS::WAFv2::WebACL`), in
  priority order, each counting the requests its scope-down statement matches per client address
  over its evaluation window; a request over a rule's limit gets the rule's custom response (429
  with the JSON body the web ACL declares, and its headers prefixed `x-amzn-waf-` as WAF does).
- CloudFront: the origin custom headers of the distribution's API origin (`X-Origin-Verify`, its
  `{{resolve:secretsmanager:...}}` value read from the emulator), and the two headers the
  template's viewer-request function `ApiViewerRequest` sets (a JavaScript function, which this
  does not run: `tests/infrastructure` holds the two to the same names).

Limits are the template's own with `limits="template"`. By default they are generous
(`GENEROUS_LIMIT` a window), so that tests that send thousands of requests from one address are
not throttled; `POST /_local/edge {"limits": "template" | "generous" | {"<rule>": n}}` changes them
at run time (and forgets what was counted).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aduan_local.resources import Resources, TemplateError
from aduan_local.template import resources_of_type

GENEROUS_LIMIT = 1_000_000
WAF_HEADER_PREFIX = "x-amzn-waf-"  # WAF prefixes the names of a custom response's headers
# What the template's viewer-request function sets on every API request (aduan.doors.edge).
CLIENT_ADDRESS_HEADER = "x-client-address"
PUBLIC_HOST_HEADER = "x-forwarded-host"

Match = Callable[[str, str], bool]  # (method, path) -> does the statement match


@dataclass
class RateRule:
    """One rate-based rule: at most `limit` matching requests per client in `window` seconds."""

    name: str
    priority: int
    limit: int
    template_limit: int
    window: float
    applies: Match
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "limit": self.limit,
            "template_limit": self.template_limit,
            "window": self.window,
        }


class Edge:
    """AWS WAF's rate-based rules and CloudFront's headers for the local gateway."""

    def __init__(
        self, rules: list[RateRule], origin_headers: dict[str, str], limits: Any = "generous"
    ) -> None:
        self.rules = sorted(rules, key=lambda rule: rule.priority)
        self.origin_headers = origin_headers
        self._seen: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.set_limits(limits)

    def set_limits(self, limits: Any) -> None:
        """`template`, `generous`, or a rule name → limit mapping (other rules keep theirs); counts
        start again from nothing."""
        if limits not in ("template", "generous") and not isinstance(limits, dict):
            raise ValueError('limits: "template", "generous" or {"<rule>": <requests a window>}')
        names = {rule.name for rule in self.rules}
        unknown = set(limits) - names if isinstance(limits, dict) else set()
        if unknown:
            raise ValueError(
                f"no such rule: {', '.join(sorted(unknown))} (rules: {', '.join(sorted(names))})"
            )
        with self._lock:
            for rule in self.rules:
                if limits == "template":
                    rule.limit = rule.template_limit
                elif limits == "generous":
                    rule.limit = GENEROUS_LIMIT
                elif rule.name in limits:
                    rule.limit = int(limits[rule.name])
            self._seen.clear()

    def describe(self) -> dict[str, Any]:
        return {"rules": [rule.describe() for rule in self.rules]}

    def blocked(self, method: str, path: str, client: str, now: float | None = None) -> RateRule | None:
        """The rule that blocks this request, if one does. Like WAF, a rule counts every request it
        sees, blocked or not, and a blocked request reaches no later rule."""
        at = time.monotonic() if now is None else now
        with self._lock:
            for rule in self.rules:
                if not rule.applies(method, path):
                    continue
                seen = self._seen[(rule.name, client)]
                while seen and seen[0] <= at - rule.window:
                    seen.popleft()
                seen.append(at)
                if len(seen) > rule.limit:
                    return rule
        return None

    def forward(self, headers: list[tuple[str, str]], client: str) -> list[tuple[str, str]]:
        """The request's headers as CloudFront passes them to the API: what the viewer-request
        function and the origin's custom headers set replaces whatever the client sent."""
        host = next((value for name, value in headers if name.lower() == "host"), "")
        added = {CLIENT_ADDRESS_HEADER: client, PUBLIC_HOST_HEADER: host, **self.origin_headers}
        kept = [(name, value) for name, value in headers if name.lower() not in added]
        return [*kept, *added.items()]


def edge_from_template(
    template: dict[str, Any], local: Resources, secrets: Any, limits: Any = "generous"
) -> Edge:
    """The web ACL's rate-based rules and the API origin's custom headers of `template`."""
    return Edge(web_acl_rules(template, local), _origin_headers(template, local, secrets), limits)


def web_acl_rules(template: dict[str, Any], local: Resources) -> list[RateRule]:
    """The rate-based rules of the template's CLOUDFRONT web ACLs, with the template's limits."""
    rules: list[RateRule] = []
    for web_acl in resources_of_type(template, "AWS::WAFv2::WebACL").values():
        properties = web_acl["Properties"]
        if properties.get("Scope") != "CLOUDFRONT":
            continue
        bodies = properties.get("CustomResponseBodies", {})
        rules += [_rate_rule(rule, bodies, local) for rule in properties.get("Rules", []) if _is_rate(rule)]
    return rules


def _is_rate(rule: dict[str, Any]) -> bool:
    return "RateBasedStatement" in rule.get("Statement", {})


def _rate_rule(rule: dict[str, Any], bodies: dict[str, Any], local: Resources) -> RateRule:
    statement = rule["Statement"]["RateBasedStatement"]
    if statement.get("AggregateKeyType", "IP") != "IP":
        raise TemplateError(f"{rule['Name']}: the local edge counts per IP only")
    scope = statement.get("ScopeDownStatement")
    response = rule.get("Action", {}).get("Block", {}).get("CustomResponse", {})
    body = bodies.get(response.get("CustomResponseBodyKey"), {})
    limit = int(local.resolve(statement["Limit"]))
    return RateRule(
        name=rule["Name"],
        priority=int(rule.get("Priority", 0)),
        limit=limit,
        template_limit=limit,
        window=float(statement.get("EvaluationWindowSec", 300)),
        applies=_matcher(scope) if scope else (lambda _method, _path: True),
        status=int(response.get("ResponseCode", 403)),
        headers={
            f"{WAF_HEADER_PREFIX}{header['Name'].lower()}": str(header["Value"])
            for header in response.get("ResponseHeaders", [])
        },
        body=str(body.get("Content", "")).encode(),
        content_type={"APPLICATION_JSON": "application/json", "TEXT_HTML": "text/html"}.get(
            body.get("ContentType", ""), "text/plain"
        ),
    )


def _matcher(statement: dict[str, Any]) -> Match:
    """A WAF statement as a test on (method, path): And, Or, Not and ByteMatch on the method or
    the URI path, which is what the template uses."""
    ((kind, spec),) = statement.items()
    if kind in ("AndStatement", "OrStatement"):
        parts = [_matcher(part) for part in spec["Statements"]]
        combine = all if kind == "AndStatement" else any
        return lambda method, path: combine(part(method, path) for part in parts)
    if kind == "NotStatement":
        inner = _matcher(spec["Statement"])
        return lambda method, path: not inner(method, path)
    if kind == "ByteMatchStatement":
        return _byte_match(spec)
    raise TemplateError(f"the local edge does not emulate a WAF {kind}")


def _byte_match(spec: dict[str, Any]) -> Match:
    field = next(iter(spec["FieldToMatch"]))
    if field not in ("Method", "UriPath"):
        raise TemplateError(f"the local edge does not match a WAF FieldToMatch {field}")
    lowercase = any(item.get("Type") == "LOWERCASE" for item in spec.get("TextTransformations", []))
    wanted = str(spec["SearchString"])
    wanted = wanted.lower() if lowercase else wanted
    tests: dict[str, Callable[[str], bool]] = {
        "EXACTLY": lambda value: value == wanted,
        "STARTS_WITH": lambda value: value.startswith(wanted),
        "ENDS_WITH": lambda value: value.endswith(wanted),
        "CONTAINS": lambda value: wanted in value,
    }
    test = tests[spec["PositionalConstraint"]]

    def match(method: str, path: str) -> bool:
        value = method if field == "Method" else path
        return test(value.lower() if lowercase else value)

    return match


_DYNAMIC_SECRET = re.compile(r"\{\{resolve:secretsmanager:(.+?)(?::SecretString)?(?::([^:}]*))?\}\}")


def _origin_headers(template: dict[str, Any], local: Resources, secrets: Any) -> dict[str, str]:
    """The custom headers CloudFront adds on its way to the HTTP API (the origin whose domain is
    the API's execute-api address)."""
    headers: dict[str, str] = {}
    for distribution in resources_of_type(template, "AWS::CloudFront::Distribution").values():
        for origin in distribution["Properties"]["DistributionConfig"].get("Origins", []):
            if "execute-api" not in json.dumps(origin.get("DomainName", "")):
                continue
            for header in origin.get("OriginCustomHeaders", []):
                value = str(local.resolve(header["HeaderValue"]))
                headers[header["HeaderName"].lower()] = _DYNAMIC_SECRET.sub(
                    lambda found: _secret(secrets, found.group(1), found.group(2)), value
                )
    return headers


def _secret(secrets: Any, secret_id: str, json_key: str | None) -> str:
    value: str = secrets.get_secret_value(SecretId=secret_id)["SecretString"]
    return str(json.loads(value)[json_key]) if json_key else value
