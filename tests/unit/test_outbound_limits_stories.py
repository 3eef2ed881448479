"""Outbound abuse (security issue #21), as an attacker tries it and a citizen lives it: Aduan texts
only ordinary Indonesian mobile numbers, and a day's complaints per destination and per client are
limited, so that nobody can make it text or email anyone at will."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from aduan.domain.allowance import Allowance
from aduan.domain.errors import RateLimited, ValidationFailed
from aduan.domain.models import Actor, Channel, Reporter, Role, TimelineEvent
from aduan.domain.notifications import for_citizen, to_sender
from aduan.doors import edge, http_api
from aduan.intake import ComplaintInput, Receipt, request_fingerprint, submit_complaint
from tests.factories import ACCESS_KEY, ASSIGNED_AT, complaint
from tests.unit.world import E_KTP_IN_CIKUPA, World

NOW = ASSIGNED_AT  # Monday 16 March 2026, 10:00 WIB
ALLOWANCE = Allowance(per_destination=3, per_client=5)
ATTACKER = "203.0.113.66"


@pytest.fixture
def world() -> World:
    return World()


def report(
    world: World,
    *,
    phone: str | None = "0812-3456-7890",
    email: str | None = None,
    client: str | None = ATTACKER,
    key: str | None = None,
    at: Any = NOW,
) -> Receipt:
    """A web report with the outbound limits the intake function applies."""
    world.complaints.now = lambda: at
    body = {**E_KTP_IN_CIKUPA, "reporter": {"name": "Siti Aminah", "phone": phone, "email": email}}
    data = ComplaintInput.model_validate(body, context={"now": at})
    return submit_complaint(
        data,
        channel=Channel.WEB,
        now=at,
        reference=world.reference,
        complaints=world.complaints,
        routing=world.routing,
        notifications=world.notifications,
        access_key=ACCESS_KEY,
        idempotency_key=key,
        fingerprint=request_fingerprint(data.model_dump(mode="json")),
        allowance=ALLOWANCE,
        client=client,
    )


def number(n: int) -> str:
    return f"+62812990{n:05d}"


# -- where texts may go --------------------------------------------------------------------------


@pytest.mark.parametrize("premium", ["+979123456789", "+870773111111", "+881631234567"])
def test_a_report_giving_a_premium_or_satellite_number_is_refused_and_nothing_is_sent(
    world: World, premium: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        report(world, phone=premium)

    [(field, code, _values)] = refused.value.problems
    assert (field, code) == ("reporter.phone", "phone_not_reachable")
    assert world.notifications.sent == []
    assert world.routing.sent == []


def test_a_foreign_mobile_is_refused_naming_the_countries_aduan_texts(world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        report(world, phone="+60123456789")
    assert refused.value.problems == [("reporter.phone", "phone_country_not_allowed", {"allowed": "+62"})]


def test_the_refusal_names_reporter_phone_in_the_request_s_language() -> None:
    problem = ValidationFailed([("reporter.phone", "phone_not_reachable", {"allowed": "+62"})])
    [indonesian] = http_api.domain_error_details(problem, "id")  # type: ignore[arg-type]
    [english] = http_api.domain_error_details(problem, "en")  # type: ignore[arg-type]
    assert indonesian["field"] == english["field"] == "reporter.phone"
    assert "premium" in indonesian["message"]
    assert "satelit" in indonesian["message"]
    assert "satellite" in english["message"]


def test_a_text_to_a_premium_number_never_leaves_whoever_queued_it(world: World) -> None:
    # The number got past intake some other way (an old complaint, a text from a spoofed sender).
    case = complaint(reporter=Reporter(name="Siti Aminah", phone="+979123456789"))
    world.complaints.create(
        case, TimelineEvent(at=NOW, type="submitted", actor=Actor(role=Role.CITIZEN)), next_due_at=None
    )
    world.notifications.send(for_citizen(case, "received", "received:x", access_code="ABCD2345").model_dump())
    world.notifications.send(to_sender("+870773111111", "help_too_short", "sms:SM1").model_dump())

    assert world.deliver_queued(NOW) == ["failed_permanently", "failed_permanently"]
    assert world.sms.sent == []
    assert world.sms.attempts == 0
    [attempt] = [
        event for event in world.complaints.timeline(case.tracking_id) if event.type == "notification"
    ]
    assert attempt.data["outcome"] == "failed_permanently: destination_not_allowed"


# -- how many a day ------------------------------------------------------------------------------


def test_one_number_gets_at_most_its_day_s_complaints_from_however_many_clients(world: World) -> None:
    for n in range(ALLOWANCE.per_destination):
        report(world, client=f"198.51.100.{n}")

    with pytest.raises(RateLimited) as refused:
        report(world, client="198.51.100.99")

    assert refused.value.problems == [("reporter.phone", "daily_limit_phone", {"limit": 3})]
    assert refused.value.retry_after == int(timedelta(hours=14).total_seconds())  # until midnight WIB
    assert len(world.notifications.sent) == ALLOWANCE.per_destination  # one acknowledgement each
    report(world, phone=number(1), client="198.51.100.99")  # another number is not affected


def test_one_client_gets_at_most_its_day_s_complaints_to_however_many_numbers(world: World) -> None:
    for n in range(ALLOWANCE.per_client):
        report(world, phone=number(n))

    with pytest.raises(RateLimited) as refused:
        report(world, phone=number(99))

    assert (refused.value.details["subject"], refused.value.problems) == ("client", [])
    assert len(world.routing.sent) == ALLOWANCE.per_client
    report(world, phone=number(99), client="198.51.100.1")  # another client is not affected


def test_one_mailbox_is_one_destination_however_its_address_is_written(world: World) -> None:
    for n in range(ALLOWANCE.per_destination):
        report(world, phone=None, email=f"Siti+{n}@example.org", client=f"198.51.100.{n}")
    with pytest.raises(RateLimited) as refused:
        report(world, phone=None, email="siti@EXAMPLE.org", client="198.51.100.9")
    assert refused.value.problems == [("reporter.email", "daily_limit_email", {"limit": 3})]


def test_a_replayed_idempotency_key_counts_once_even_when_the_day_is_used_up(world: World) -> None:
    first = report(world, key="web:retry-me")
    for _ in range(10):  # a client retrying, or an attacker replaying the key
        assert report(world, key="web:retry-me").tracking_id == first.tracking_id
    for n in range(ALLOWANCE.per_client - 1):
        report(world, phone=number(n))
    with pytest.raises(RateLimited):
        report(world, phone=number(98))

    replayed = report(world, key="web:retry-me")
    assert (replayed.tracking_id, replayed.replayed) == (first.tracking_id, True)
    assert len(world.notifications.sent) == ALLOWANCE.per_client  # replays sent nothing


def test_a_refused_complaint_counts_nothing_and_the_next_day_is_whole_again(world: World) -> None:
    for n in range(ALLOWANCE.per_client):
        report(world, phone=number(n))
    for _ in range(3):
        with pytest.raises(RateLimited):
            report(world, phone=number(50))

    tomorrow = NOW + timedelta(hours=14)  # 00:00 WIB on Tuesday
    for n in range(ALLOWANCE.per_client):
        report(world, phone=number(100 + n), at=tomorrow)


def test_without_an_allowance_nothing_is_counted(world: World) -> None:
    for _ in range(10):
        world.report(NOW)  # the SMS door, and every story that is not about limits


# -- what the API answers ------------------------------------------------------------------------


def _answer(error: Exception, language: str = "en") -> dict[str, Any]:
    app = APIGatewayHttpResolver()

    @app.post("/complaints")
    def submit() -> None:
        raise error

    http_api.answer_errors(app, lambda: http_api.language_of(language))
    event = {
        "version": "2.0",
        "routeKey": "POST /complaints",
        "rawPath": "/complaints",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": "POST", "path": "/complaints", "sourceIp": ATTACKER},
            "stage": "$default",
        },
        "body": "{}",
        "isBase64Encoded": False,
    }
    answer: dict[str, Any] = app.resolve(event, None)
    return answer


def test_a_used_up_allowance_answers_429_with_retry_after_and_the_usual_error_body() -> None:
    answer = _answer(RateLimited("phone", 5, 3600, field="reporter.phone"), "id")

    assert answer["statusCode"] == 429
    headers = {name.lower(): value for name, value in (answer.get("headers") or {}).items()}
    assert headers["retry-after"] == "3600"
    error = json.loads(answer["body"])["error"]
    assert error["code"] == "rate_limited"
    assert error["message"].startswith("Batas laporan hari ini")
    assert error["details"] == [
        {
            "field": "reporter.phone",
            "message": "Nomor ini sudah dipakai untuk 5 laporan hari ini. Coba lagi besok.",
        }
    ]


# -- only the edge reaches the API ---------------------------------------------------------------


def _event(headers: dict[str, str]) -> dict[str, Any]:
    return {
        "headers": headers,
        "requestContext": {
            "domainName": "abc123.execute-api.ap-southeast-3.amazonaws.com",
            "http": {"sourceIp": "130.176.1.1"},
        },
    }


def test_a_request_around_cloudfront_is_refused_with_403() -> None:
    secret = "s3cret-from-secrets-manager"
    for headers in ({}, {"x-origin-verify": ""}, {"x-origin-verify": "guess"}):
        answer = edge.refused(_event(headers), lambda: secret)
        assert answer is not None
        assert answer["statusCode"] == 403
        assert json.loads(answer["body"])["error"]["code"] == "forbidden"
    assert edge.refused(_event({"x-origin-verify": secret}), lambda: secret) is None
    assert edge.refused(_event({"x-origin-verify": ""}), lambda: "") is not None  # no secret, no entry


def test_the_client_is_who_cloudfront_says_not_cloudfront_itself() -> None:
    through_edge = _event({"x-client-address": "203.0.113.7", "x-forwarded-host": "lapor.example.go.id"})
    assert edge.client_address(through_edge) == "203.0.113.7"
    assert edge.public_host(through_edge) == "lapor.example.go.id"
    assert edge.client_address(_event({})) == "130.176.1.1"
    assert edge.public_host(_event({})) == "abc123.execute-api.ap-southeast-3.amazonaws.com"
