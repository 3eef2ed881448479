"""Bad input at every public door of the running stack, over real HTTP: generated requests to the
routes that need no token (template.yaml's `Authorizer: NONE`), and schemathesis driven by the
published OpenAPI document. Every answer is a clear 4xx (or a success), never a 5xx, and no worker
crashes. (The intake handler in process and the SMS parser have their own fuzzing in
tests/integration/test_intake_fuzz.py; this adds the HTTP path and the other public routes.)

ADUAN_SOAK_FUZZ_EXAMPLES sets the number of examples per test (50 here; `make soak` sets more).
"""

from __future__ import annotations

import os
import string
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aduan_local.stack import LocalStack
from aduan_local.template import ROOT
from tests.conftest import LogCapture
from tests.e2e.helpers import SMS_TOKEN, report, send_sms
from tests.privacy import IDENTITIES

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

EXAMPLES = int(os.environ.get("ADUAN_SOAK_FUZZ_EXAMPLES", "50"))
OPENAPI = ROOT / "docs" / "openapi.json"
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

# Any Latin-1 text an HTTP client can send as a header value (no leading or trailing space).
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=60).map(str.strip)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def clear(response: requests.Response) -> None:
    """Not a 5xx; and an API error is JSON with a code and a message."""
    assert response.status_code < 500, f"{response.status_code} {response.text[:300]}"
    if response.status_code >= 400 and response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        body = response.json()
        assert body.get("error", {}).get("code") or body.get("message"), body


@pytest.fixture(scope="module")
def filed(local_stack: LocalStack) -> dict[str, Any]:
    """One real complaint for the follow-up routes."""
    response = requests.post(
        f"{local_stack.url}/complaints",
        json=report(reporter={"name": "Ratna Sari Dewi", "phone": "+6281299000001"}),
        timeout=30,
    )
    assert response.status_code == 201
    receipt: dict[str, Any] = response.json()
    return receipt


@pytest.fixture(scope="module")
def logs_before(stack_logs: LogCapture) -> int:
    return len(stack_logs.lines)


@fuzz
@given(tracking_id=st.text(max_size=30), code=st.none() | header_text, language=st.none() | header_text)
def test_tracking_any_id_with_any_code_answers_clearly(
    local_stack: LocalStack, logs_before: int, tracking_id: str, code: str | None, language: str | None
) -> None:
    headers = {k: v for k, v in {"x-access-code": code, "accept-language": language}.items() if v is not None}
    response = requests.get(
        f"{local_stack.url}/complaints/{quote(tracking_id, safe='')}", headers=headers, timeout=30
    )
    clear(response)


@fuzz
@given(
    body=json_values
    | st.fixed_dictionaries(
        {"kind": st.sampled_from(["reply", "reopen", "rating", "x"]) | st.text(max_size=8)},
        optional={
            "text": st.text(max_size=300) | st.integers(),
            "rating": st.integers() | st.text(max_size=3),
        },
    ),
    right_code=st.booleans(),
    right_id=st.booleans(),
)
def test_a_follow_up_with_any_body_answers_clearly(
    local_stack: LocalStack, filed: dict[str, Any], body: Any, right_code: bool, right_id: bool
) -> None:
    tracking_id = filed["tracking_id"] if right_id else "K7MX4RPA2Q"
    code = filed["access_code"] if right_code else "WRONG-CODE"
    response = requests.post(
        f"{local_stack.url}/complaints/{tracking_id}/replies",
        json=body,
        headers={"x-access-code": code},
        timeout=30,
    )
    clear(response)


phones = st.integers(min_value=0, max_value=999_999).map(lambda n: f"+6281299{n:06d}")
sms_text = st.text(max_size=300) | st.builds(
    lambda verb, rest: f"{verb} {rest}",
    st.sampled_from(["CEK", "STATUS", "BALAS", "cek", "balas"]),
    st.text(alphabet=string.ascii_letters + string.digits + " -", max_size=40),
)


@fuzz
@given(sender=phones | header_text, text=sms_text, sid=st.text(max_size=40))
def test_a_signed_sms_with_any_text_answers_clearly(
    local_stack: LocalStack, sender: str, text: str, sid: str
) -> None:
    clear(send_sms(local_stack, sender, text, f"SM{sid}"))


@fuzz
@given(raw=st.binary(max_size=300), signature=st.none() | header_text)
def test_an_unsigned_or_garbled_sms_webhook_is_refused_clearly(
    local_stack: LocalStack, raw: bytes, signature: str | None
) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["x-twilio-signature"] = signature
    response = requests.post(f"{local_stack.url}/sms/inbound", data=raw, headers=headers, timeout=30)
    clear(response)
    assert response.status_code in (403, 413), response.text  # nothing is read without the signature


def test_a_signed_sms_with_a_wrong_token_is_refused(local_stack: LocalStack) -> None:
    response = send_sms(local_stack, "+6281299000002", "jalan rusak", "SMx", token=SMS_TOKEN + "x")
    assert response.status_code == 403


@fuzz
@given(body=json_values | st.fixed_dictionaries({"username": header_text, "password": header_text}))
def test_the_operators_sign_in_answers_clearly(local_stack: LocalStack, body: Any) -> None:
    response = requests.post(f"{local_stack.url}/ops/session", json=body, timeout=30)
    clear(response)
    assert response.status_code != 200 or "token" in response.json()


@pytest.fixture(scope="module")
def api_schema() -> Any:
    import schemathesis

    return schemathesis.openapi.from_path(str(OPENAPI))


def test_schemathesis_finds_no_server_error_in_the_published_api(
    local_stack: LocalStack, api_schema: Any
) -> None:
    """Cases generated from docs/openapi.json, valid and invalid, against the running stack."""
    from schemathesis import GenerationMode

    answered: dict[str, int] = {}

    @fuzz
    @given(
        case=api_schema.as_strategy(generation_mode=GenerationMode.POSITIVE)
        | api_schema.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )
    def check(case: Any) -> None:
        response = case.call(base_url=local_stack.url, timeout=30)
        if response.status_code == 201 and isinstance(case.body, dict):  # an accepted reporter
            IDENTITIES.reporter(case.body.get("reporter"), generated=True)
        key = f"{case.method} {case.path} {response.status_code}"
        answered[key] = answered.get(key, 0) + 1
        assert response.status_code < 500, f"{key}: {response.text[:300]}"

    check()
    print(f"\nschemathesis: {sum(answered.values())} requests: {dict(sorted(answered.items()))}")
    assert len({key.rsplit(" ", 1)[0] for key in answered}) >= 4  # it reached most operations


def test_no_worker_crashed_or_raised_while_fuzzed(
    local_stack: LocalStack, stack_logs: LogCapture, logs_before: int
) -> None:
    lines = stack_logs.lines[logs_before:]
    crashes = [
        line
        for line in lines
        if "Traceback (most recent call last)" in line
        or "Runtime exited without answering" in line
        or "Sandbox.Timedout" in line
        or "gateway error" in line
    ]
    assert lines, "nothing was logged: the capture is not working"
    assert crashes == [], "\n".join(crashes[:5])
