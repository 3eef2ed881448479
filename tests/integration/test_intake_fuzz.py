"""Thousands of generated requests to the intake handler and texts to the SMS parser: every answer
is a 201 or a clear 4xx, never a 5xx, never an exception."""

from __future__ import annotations

import importlib.util
import json
import os
import string
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aduan.domain import sms_commands
from aduan_admin.cli import seed_table
from aduan_local.template import ROOT
from tests.crafted import deep_json, huge_numbers
from tests.e2e.helpers import report

pytestmark = pytest.mark.integration
EDGE = "fuzz-origin-secret"  # what CloudFront would add (aduan.doors.edge)

CONTEXT = SimpleNamespace(
    function_name="intake",
    memory_limit_in_mb=256,
    invoked_function_arn="arn:aws:lambda:ap-southeast-3:123456789012:function:intake",
    aws_request_id="fuzz",
)


@pytest.fixture(scope="module")
def intake(moto_endpoint: str, dynamodb: Any, template: dict[str, Any]) -> Iterator[ModuleType]:
    import boto3

    from aduan_local.template import create_table

    complaints_table = "complaints-fuzz"
    create_table(dynamodb, template["Resources"]["ComplaintsTable"]["Properties"], complaints_table)
    sqs = boto3.client("sqs", endpoint_url=moto_endpoint)
    secrets = boto3.client("secretsmanager", endpoint_url=moto_endpoint)
    seed_table(dynamodb, complaints_table)
    environment = {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "TABLE_NAME": complaints_table,
        "ROUTING_QUEUE_URL": sqs.create_queue(QueueName=f"routing-{complaints_table}")["QueueUrl"],
        "NOTIFICATION_QUEUE_URL": sqs.create_queue(QueueName=f"notify-{complaints_table}")["QueueUrl"],
        "REPORTER_KEY_SECRET_ARN": secrets.create_secret(Name=f"key-{complaints_table}", SecretString="k")[
            "ARN"
        ],
        "ORIGIN_SECRET_ARN": secrets.create_secret(Name=f"edge-{complaints_table}", SecretString=EDGE)["ARN"],
        "EVIDENCE_BUCKET": f"evidence-{complaints_table}",  # no upload is asked for here
        # An explicit allowance: thousands of generated reports come from one client and few phones.
        "COMPLAINTS_PER_DESTINATION_PER_DAY": "1000000",
        "COMPLAINTS_PER_CLIENT_PER_DAY": "1000000",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    spec = importlib.util.spec_from_file_location("intake_app_fuzz", ROOT / "functions" / "intake" / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def post(intake: ModuleType, body: str, content_type: str = "application/json") -> dict[str, Any]:
    event = {
        "version": "2.0",
        "routeKey": "POST /complaints",
        "rawPath": "/complaints",
        "rawQueryString": "",
        "headers": {"content-type": content_type, "x-origin-verify": EDGE},
        "requestContext": {
            "http": {
                "method": "POST",
                "path": "/complaints",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
            },
            "requestId": "fuzz",
            "routeKey": "POST /complaints",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": False,
    }
    response: dict[str, Any] = intake.handler(event, CONTEXT)
    return response


def assert_clear_answer(response: dict[str, Any]) -> None:
    event(f"status {response['statusCode']}")
    assert response["statusCode"] in (201, 400, 413, 415, 422), response
    if response["statusCode"] != 201:
        error = json.loads(response["body"])["error"]
        assert error["code"]
        assert error["message"]
        for detail in error["details"]:
            assert detail["field"]
            assert detail["message"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
odd_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.sampled_from(
    [
        *("", " ", "\u202e", "𝔞𝔟𝔠", "x" * 5000, "0812", "+62", "36.03", "2026-13-45", "null", "\x00"),
        # Text that displays otherwise than it reads, or as nothing (aduan.domain.free_text).
        *(
            "Jalan rusak \u2066parah\u2069 sekali",
            "\u200b" * 40,
            "\ufeff\u200d" * 20,
            "KTP\r\nbelum\u2028jadi",
        ),
    ]
)
field_values = st.one_of(json_values, odd_text)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=json_values)
def test_arbitrary_json_gets_only_201_or_4xx(intake: ModuleType, body: Any) -> None:
    assert_clear_answer(post(intake, json.dumps(body)))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.dictionaries(
        st.sampled_from(
            [
                "title",
                "description",
                "classification",
                "category",
                "location",
                "incident_date",
                "reporter",
                "privacy",
                "language",
                "extra",
            ]
        ),
        field_values,
        max_size=4,
    ),
    removed=st.sets(st.sampled_from(["title", "description", "reporter", "location"]), max_size=2),
)
def test_a_report_with_generated_fields_gets_only_201_or_4xx(
    intake: ModuleType, changes: dict[str, Any], removed: set[str]
) -> None:
    body = {key: value for key, value in report(**changes).items() if key not in removed}
    assert_clear_answer(post(intake, json.dumps(body)))


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300).map(lambda data: data.decode("latin-1")))
def test_any_raw_body_gets_only_201_or_4xx(intake: ModuleType, raw: str) -> None:
    assert_clear_answer(post(intake, raw))


# Shapes a JSON parser chokes on (issue #21): nesting up to 20,000 deep (Python's json recurses once
# a level) and numbers of up to 6,000 digits (it refuses an integer past 4,300), alone or in place
# of a field of a plausible report.
NUMBER_SLOT = "__number__"


def with_number(path: str, number: str) -> str:
    """A plausible report whose field at `path` (dotted) is `number`, written as raw JSON."""
    *parents, name = path.split(".")
    fields: dict[str, Any] = {}
    holder = fields
    for parent in parents:
        holder = holder.setdefault(parent, {"phone": "0813 9000 0004"} if parent == "reporter" else {})
    holder[name] = NUMBER_SLOT
    return json.dumps(report(**fields)).replace(json.dumps(NUMBER_SLOT), number)


crafted_bodies = (
    deep_json
    | huge_numbers
    | st.builds(
        with_number,
        st.sampled_from(["title", "incident_date", "location.lat", "location.lon", "reporter.phone", "x"]),
        huge_numbers,
    )
    | st.builds(
        lambda deep: json.dumps(report()).replace('"reporter"', f'"x": {deep}, "reporter"'), deep_json
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=crafted_bodies)
def test_deep_nesting_and_huge_numbers_get_only_4xx(intake: ModuleType, body: str) -> None:
    assert_clear_answer(post(intake, body))


@settings(max_examples=3000, deadline=None)
@given(
    text=st.text(max_size=400)
    | st.builds(
        lambda verb, middle, rest: f"{verb}{middle}{rest}",
        st.sampled_from(["CEK", "cek", "Status", "BALAS", "balas", " cek:", "#BALAS"])
        | st.sampled_from(["RAHASIA", "rahasia:", "anonim", "Publik,", "umum"]),
        st.text(alphabet=" .:-#", max_size=3),
        st.text(alphabet=string.ascii_letters + string.digits + " -.", max_size=40),
    )
)
def test_the_sms_parser_reads_any_text(text: str) -> None:
    command = sms_commands.parse(text)
    assert isinstance(
        command,
        sms_commands.Check
        | sms_commands.Reply
        | sms_commands.PrivacyChange
        | sms_commands.Report
        | sms_commands.Help,
    )
    if isinstance(command, sms_commands.Report):
        assert len(command.text) >= sms_commands.MIN_REPORT_LENGTH
    if isinstance(command, sms_commands.Reply):
        assert command.text


words = st.text(alphabet=string.ascii_letters + " éü'-.,", min_size=1, max_size=12)
plausible_reports = st.builds(
    lambda title, description, phone, email, privacy, language, category, region: report(
        title=title,
        description=description,
        reporter={"phone": phone, "email": email},
        privacy=privacy,
        language=language,
        category=category,
        location={"region_code": region},
    ),
    st.lists(words, min_size=3, max_size=20).map(" ".join),
    st.lists(words, min_size=5, max_size=80).map(" ".join),
    # Numbers in the fuzzers' range (tests/phones.py), as citizens write them; and what is not one.
    st.sampled_from(["0813 9000 0001", "+62 813-9000-0002", "62813900003", "021 555 1234", "nope", None]),
    st.sampled_from(["warga@example.id", "a@b.co", "x@", None]),
    st.sampled_from(["public", "anonymous", "confidential"]),
    st.sampled_from(["id", "en"]),
    st.sampled_from(["kependudukan", "lainnya", None, "bogus"]),
    st.sampled_from(["36.03", "36.71", "36.03.18", None, "99"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=plausible_reports)
def test_plausible_reports_are_accepted_or_refused_clearly(intake: ModuleType, body: dict[str, Any]) -> None:
    assert_clear_answer(post(intake, json.dumps(body)))
