"""The local stack's edge does what CloudFront and AWS WAF do in front of the API in AWS, from the
template's own web ACL and distribution (aduan_local.edge)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aduan_local.edge import GENEROUS_LIMIT, Edge, edge_from_template
from aduan_local.resources import Resources
from aduan_local.template import load_template

SECRET_ARN = "arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:aduan-local-OriginVerifySecret-AbCdEf"
CLIENT, NEIGHBOUR = "203.0.113.7", "203.0.113.8"


class Secrets:
    """Secrets Manager as the edge reads it: one secret."""

    def get_secret_value(self, SecretId: str) -> dict[str, str]:  # noqa: N803 - boto3's name
        assert SecretId == SECRET_ARN
        return {"SecretString": "origin-secret"}


def edge(limits: Any = "template") -> Edge:
    template = load_template()
    local = Resources("aduan-local", "ap-southeast-3", "http://emulator", {"EdgeReportsPerFiveMinutes": "10"})
    local.refs["OriginVerifySecret"] = SECRET_ARN
    return edge_from_template(template, local, Secrets(), limits)


def test_the_template_s_limits_block_the_eleventh_report_from_one_client_in_five_minutes() -> None:
    front = edge()
    for second in range(10):
        assert front.blocked("POST", "/complaints", CLIENT, now=float(second)) is None

    rule = front.blocked("POST", "/complaints", CLIENT, now=10.0)

    assert rule is not None
    assert rule.name == "ReportsPerClient"
    assert (rule.status, rule.content_type) == (429, "application/json")
    assert rule.headers == {"x-amzn-waf-retry-after": "300"}  # as WAF names a custom response header
    assert json.loads(rule.body)["error"]["code"] == "rate_limited"
    assert front.blocked("POST", "/complaints", NEIGHBOUR, now=10.0) is None  # per client
    assert (
        front.blocked("GET", "/complaints/K7MX4RPA27", CLIENT, now=10.0) is None
    )  # tracking is not a report
    # nor are a report's photos (intake caps their forms per complaint per day)
    assert front.blocked("POST", "/complaints/K7MX4RPA27/attachments", CLIENT, now=10.0) is None
    assert front.blocked("POST", "/complaints/K7MX4RPA27/replies", CLIENT, now=10.0) is not None


def test_a_client_that_keeps_sending_stays_blocked_until_its_window_has_passed() -> None:
    front = edge()
    for second in range(30):
        front.blocked("POST", "/complaints/K7MX4RPA27/replies", CLIENT, now=float(second))
    assert front.blocked("POST", "/complaints", CLIENT, now=299.0) is not None  # blocked ones count too
    assert front.blocked("POST", "/complaints", CLIENT, now=330.0) is None


def test_by_default_the_local_edge_is_generous_and_a_test_can_set_it_low() -> None:
    front = edge(limits="generous")
    assert {rule.limit for rule in front.rules} == {GENEROUS_LIMIT}
    assert all(front.blocked("POST", "/complaints", CLIENT, now=0.0) is None for _ in range(500))

    front.set_limits({"ReportsPerClient": 2})
    assert [front.blocked("POST", "/complaints", CLIENT, now=1.0) is None for _ in range(3)] == [
        True,
        True,
        False,
    ]
    front.set_limits("template")
    assert {rule.name: rule.limit for rule in front.rules} == {
        "ReportsPerClient": 10,
        "SmsWebhookPerClient": 1000,
        "RequestsPerClient": 3000,
    }
    with pytest.raises(ValueError, match="no such rule"):
        front.set_limits({"Reports": 1})


def test_the_api_gets_cloudfront_s_headers_over_whatever_the_client_sent() -> None:
    sent = [
        ("Host", "127.0.0.1:3000"),
        ("X-Origin-Verify", "a guess"),
        ("x-client-address", "10.0.0.1"),
        ("content-type", "application/json"),
    ]
    forwarded = dict(edge().forward(sent, CLIENT))
    assert forwarded == {
        "Host": "127.0.0.1:3000",
        "content-type": "application/json",
        "x-client-address": CLIENT,
        "x-forwarded-host": "127.0.0.1:3000",
        "x-origin-verify": "origin-secret",
    }
