"""Outbound abuse (security issue #21), over HTTP, against a local stack with the limits as deployed:
the template's daily allowances, and AWS WAF's rate rules at the edge. Each attacker is a loopback
address of its own (127.0.0.x), as a client is an address to WAF and to the allowance per client.

Found before the fix: +979 and +870 numbers were accepted, and 60 reports from one client in 6 s
were all accepted, each sending two texts to the number it gave."""

from __future__ import annotations

import http.client
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from aduan_local.client import free_port
from aduan_local.stack import LocalStack, StackOptions
from tests.conftest import LogCapture
from tests.e2e.helpers import quiet, report, send_sms, sms_to
from tests.phones import number

pytestmark = pytest.mark.e2e

# The template's defaults: what a deployed stack allows.
WAF_REPORTS_PER_FIVE_MINUTES = 10
PER_CLIENT_PER_DAY = 20
PER_DESTINATION_PER_DAY = 5


@pytest.fixture(scope="module")
def deployed(stack_logs: LogCapture) -> Iterator[LocalStack]:
    """The whole system with the limits of template.yaml (the session's stack is generous)."""
    from aduan_local.seed import default_seeders

    options = StackOptions(
        stack_name="aduan-limits",  # moto's state is the process's: its names must differ from the session's
        port=free_port(),
        timers=False,
        seeders=default_seeders(),
        limits="template",
    )
    with LocalStack(options) as stack:
        yield stack


@pytest.fixture
def waf_lets_everything_through(deployed: LocalStack) -> Iterator[None]:
    """AWS WAF counts with a delay: a burst may reach the API before its rule blocks. Then the
    daily allowances are what holds."""
    edge(deployed, "generous")
    yield
    edge(deployed, "template")


def edge(stack: LocalStack, limits: Any) -> dict[str, Any]:
    response = requests.post(f"{stack.url}/_local/edge", json={"limits": limits}, timeout=10)
    assert response.status_code == 200, response.text
    described: dict[str, Any] = response.json()
    return described


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers = status, headers
        self.json: dict[str, Any] = json.loads(body) if body else {}


def post_from(
    address: str, stack: LocalStack, body: dict[str, Any], key: str | None = None, language: str = "id"
) -> Answer:
    """POST /complaints from a loopback address of its own, as a client elsewhere would."""
    target = urlsplit(stack.url)
    connection = http.client.HTTPConnection(
        target.hostname or "", target.port, timeout=30, source_address=(address, 0)
    )
    headers = {"content-type": "application/json", "accept-language": language}
    if key:
        headers["idempotency-key"] = key
    try:
        connection.request("POST", "/complaints", json.dumps(body), headers)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def phone(n: int) -> str:
    return number("outbound", n)


def burst(stack: LocalStack, address: str, first_phone: int, count: int = 60) -> list[Answer]:
    """`count` reports from one client, each to another number, six at a time."""
    bodies = [
        report(reporter={"name": "Budi Santoso", "phone": phone(first_phone + n)}) for n in range(count)
    ]
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(lambda body: post_from(address, stack, body), bodies))


def texted(stack: LocalStack) -> Counter[str]:
    outbox = requests.get(f"{stack.url}/_local/outbox", timeout=10).json()
    return Counter(message["to"] for message in outbox["sms"])


def assert_texted_twice_each_and_the_refused_never(
    stack: LocalStack, answers: list[Answer], first_phone: int
) -> None:
    sent = texted(stack)
    for n, answer in enumerate(answers):
        expected = 2 if answer.status == 201 else 0  # received, then assigned or triaged
        assert sent[phone(first_phone + n)] == expected, (n, answer.status)


def test_a_burst_of_60_reports_from_one_client_is_stopped_at_the_edge_as_aws_waf_stops_it(
    deployed: LocalStack,
) -> None:
    answers = burst(deployed, "127.0.0.2", first_phone=0)

    statuses = Counter(answer.status for answer in answers)
    assert statuses == {201: WAF_REPORTS_PER_FIVE_MINUTES, 429: 60 - WAF_REPORTS_PER_FIVE_MINUTES}
    refused = next(answer for answer in answers if answer.status == 429)
    assert refused.json["error"]["code"] == "rate_limited"
    assert refused.headers["x-amzn-waf-retry-after"] == "300"  # WAF's own name for the header
    quiet(deployed)
    assert_texted_twice_each_and_the_refused_never(deployed, answers, first_phone=0)


def test_a_burst_that_gets_past_waf_is_held_by_the_allowance_per_client(
    deployed: LocalStack, waf_lets_everything_through: None
) -> None:
    answers = burst(deployed, "127.0.0.3", first_phone=100)

    statuses = Counter(answer.status for answer in answers)
    assert statuses == {201: PER_CLIENT_PER_DAY, 429: 60 - PER_CLIENT_PER_DAY}
    refused = next(answer for answer in answers if answer.status == 429)
    assert refused.json["error"] == {
        "code": "rate_limited",
        "message": "Batas laporan hari ini sudah tercapai. Coba lagi besok.",
        "details": [],
    }
    assert 0 < int(refused.headers["retry-after"]) <= 24 * 3600  # until midnight WIB
    quiet(deployed)
    assert_texted_twice_each_and_the_refused_never(deployed, answers, first_phone=100)


def test_one_number_gets_five_reports_a_day_from_however_many_clients(
    deployed: LocalStack, waf_lets_everything_through: None
) -> None:
    victim = "+6281297799999"
    body = report(reporter={"name": "Budi Santoso", "phone": victim}, language="en")
    answers = [post_from(f"127.0.1.{n}", deployed, body, language="en") for n in range(1, 9)]

    assert [answer.status for answer in answers] == [201] * PER_DESTINATION_PER_DAY + [429] * 3
    assert answers[-1].json["error"]["details"] == [
        {
            "field": "reporter.phone",
            "message": "This number has been given for 5 reports today. Try again tomorrow.",
        }
    ]
    quiet(deployed)
    assert len(sms_to(deployed, victim)) == 2 * PER_DESTINATION_PER_DAY


def test_a_replayed_idempotency_key_counts_once(
    deployed: LocalStack, waf_lets_everything_through: None
) -> None:
    reporter = {"name": "Budi Santoso", "phone": "+6281297788888"}
    key = f"retry-{uuid.uuid4()}"
    replays = [post_from("127.0.2.1", deployed, report(reporter=reporter), key=key) for _ in range(10)]
    assert {answer.status for answer in replays} == {201}
    assert len({answer.json["tracking_id"] for answer in replays}) == 1
    assert [answer.headers.get("idempotent-replayed") for answer in replays[1:]] == ["true"] * 9

    others = [
        post_from("127.0.2.1", deployed, report(reporter=reporter)) for _ in range(PER_DESTINATION_PER_DAY)
    ]
    assert [answer.status for answer in others] == [201] * (PER_DESTINATION_PER_DAY - 1) + [429]
    assert (
        post_from("127.0.2.1", deployed, report(reporter=reporter), key=key).status == 201
    )  # still its answer


def test_a_report_to_a_premium_number_is_refused_and_never_texted(deployed: LocalStack) -> None:
    premium = "+979123456789"
    answer = post_from(
        "127.0.3.1", deployed, report(reporter={"phone": premium}, language="en"), language="en"
    )

    assert answer.status == 422
    [detail] = answer.json["error"]["details"]
    assert detail["field"] == "reporter.phone"
    assert "premium rate, satellite" in detail["message"]
    satellite = post_from("127.0.3.1", deployed, report(reporter={"phone": "+870773111111"}))
    assert satellite.status == 422
    assert satellite.json["error"]["details"][0]["field"] == "reporter.phone"
    # A text from such a number is not answered either: the help text it would get is never sent.
    assert send_sms(deployed, premium, "jalan rusak", f"SM{uuid.uuid4().hex}").status_code == 200
    quiet(deployed)
    assert sms_to(deployed, premium) == []
    assert sms_to(deployed, "+870773111111") == []


def test_the_api_answers_only_what_came_through_the_edge(deployed: LocalStack) -> None:
    # As a client calling the execute-api address around CloudFront: no X-Origin-Verify.
    event = {
        "version": "2.0",
        "routeKey": "POST /complaints",
        "rawPath": "/complaints",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "x-origin-verify": "a guess"},
        "requestContext": {"http": {"method": "POST", "path": "/complaints", "sourceIp": "198.51.100.9"}},
        "body": json.dumps(report(reporter={"phone": "+6281297766666"})),
        "isBase64Encoded": False,
    }
    for function in ("IntakeFunction", "SmsFunction", "OpsFunction"):
        answer = requests.post(f"{deployed.url}/_local/invoke/{function}", json=event, timeout=30).json()
        assert answer["result"]["statusCode"] == 403, function
    quiet(deployed)  # had any of them queued a text, it would be sent by now
    assert sms_to(deployed, "+6281297766666") == []
