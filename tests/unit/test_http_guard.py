"""Bodies no parser should be handed: JSON nested 20,000 deep (RecursionError in Python's json) and a
5,000-digit number (past Python's 4,300-digit limit for int): the guard answers 400 before any
route parses them (issue #21, item 5). Every JSON route goes through `http_api.guard`."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.doors.http_api import MAX_JSON_DEPTH, MAX_NUMBER_LENGTH, guard, json_shape_problem

ROUTES = [
    "/complaints",
    "/complaints/K7MX4RPA27/replies",
    "/ops/complaints/K7MX4RPA27/actions",
    "/ops/session",
]


def post(
    path: str, body: str, *, base64_encoded: bool = False, language: str = "id"
) -> dict[str, Any] | None:
    event = {
        "version": "2.0",
        "rawPath": path,
        "headers": {"content-type": "application/json", "accept-language": language},
        "requestContext": {"http": {"method": "POST", "path": path}},
        "body": base64.b64encode(body.encode()).decode() if base64_encoded else body,
        "isBase64Encoded": base64_encoded,
    }
    return guard(event)


def refused(response: dict[str, Any] | None) -> dict[str, Any]:
    assert response is not None, "the guard let it through to the parser"
    assert response["statusCode"] == 400
    error: dict[str, Any] = json.loads(response["body"])["error"]
    assert error["code"] == "malformed_json"
    assert [detail["field"] for detail in error["details"]] == ["body"]
    return error


DEEP_LISTS = "[" * 20_000 + "]" * 20_000
DEEP_OBJECTS = '{"a":' * 10_000 + "1" + "}" * 10_000
HUGE_INTEGER = '{"title": ' + "9" * 5_000 + "}"


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("body", [DEEP_LISTS, DEEP_OBJECTS, HUGE_INTEGER], ids=["lists", "objects", "int"])
def test_a_body_nested_20000_deep_or_with_a_5000_digit_number_is_400_on_every_json_route(
    path: str, body: str
) -> None:
    # Without the guard each of these reached the resolver: RecursionError or ValueError, a 500.
    with pytest.raises((RecursionError, ValueError)):
        json.loads(body)
    refused(post(path, body))


def test_the_refusal_says_why_in_the_readers_language() -> None:
    deep = refused(post("/complaints", DEEP_LISTS, language="en"))
    assert (
        deep["details"][0]["message"] == f"The body is nested too deeply (at most {MAX_JSON_DEPTH} levels)."
    )
    long = refused(post("/complaints", HUGE_INTEGER))
    assert str(MAX_NUMBER_LENGTH) in long["details"][0]["message"]
    assert long["details"][0]["message"].startswith("Ada angka")


@pytest.mark.parametrize(
    "number",
    ["-" + "1" * 200, "0." + "1" * 200, "1" * 150 + "e5", "1e" + "9" * 150, "1" * 101],
)
def test_any_long_number_is_refused_integer_fraction_or_exponent(number: str) -> None:
    refused(post("/complaints/K7MX4RPA27/replies", '{"kind": "rate", "rating": ' + number + "}"))


def test_a_base64_encoded_body_is_read_as_the_resolver_would_read_it() -> None:
    refused(post("/ops/session", DEEP_LISTS, base64_encoded=True))
    assert post("/ops/session", '{"username": "a", "password": "b"}', base64_encoded=True) is None


def test_brackets_and_digits_inside_strings_count_for_nothing() -> None:
    text = json.dumps({"title": "[" * 5_000, "description": "7" * 5_000, "quote": 'a\\"[[[' * 100})
    assert json_shape_problem(text) is None
    assert post("/complaints", text) is None


def test_real_bodies_pass_untouched() -> None:
    body = {
        "title": "Jalan berlubang di Jalan Raya Serang km 24",
        "description": "Lubang sedalam 30 cm [foto menyusul] sejak 2 minggu; sudah 3 motor jatuh.",
        "location": {"region_code": "36.03", "lat": -6.208763012345678, "lon": 106.45612398765432},
        "reporter": {"phone": "+6281234567890"},
    }
    assert post("/complaints", json.dumps(body)) is None
    assert json_shape_problem("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is None
    assert json_shape_problem("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)) == "json_too_deep"
    assert json_shape_problem("1" * MAX_NUMBER_LENGTH) is None


def test_an_unterminated_string_full_of_quotes_is_scanned_in_one_pass() -> None:
    # A pattern that restarted at every quote would take minutes on this; it is one pass.
    assert json_shape_problem('"a\\"' * 16_000) is None
    assert json_shape_problem('"' + "\\" * 60_000) is None


def test_the_sms_webhook_is_form_encoded_and_not_read_as_json() -> None:
    event = {
        "headers": {"content-type": "application/x-www-form-urlencoded"},
        "requestContext": {"http": {"method": "POST", "path": "/sms/inbound"}},
        "body": "Body=" + "[" * 20_000,
    }
    assert guard(event) is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**50), max_value=10**50)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=20,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(item) for item in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(value=json_values, wrap=st.integers(min_value=0, max_value=40))
def test_the_scan_agrees_with_the_depth_of_what_it_scans(value: Any, wrap: int) -> None:
    for _ in range(wrap):
        value = [value]
    text = json.dumps(value)
    expected = "json_too_deep" if depth(value) > MAX_JSON_DEPTH else None
    assert json_shape_problem(text) == expected
