"""Operators' accounts over HTTP, against the local user pool (moto checking real TOTP codes): a new
operator's temporary password, a coordinator's enrolment in two-step sign-in and every sign-in
after it with a code, the API holding the rule for tokens Cognito hands out directly, Cognito's
refusals as the right 4xx, and attributes a user writes itself giving it nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from aduan_admin.cli import add_user
from aduan_local.stack import LocalStack
from aduan_local.user_pool import fresh_totp

pytestmark = pytest.mark.e2e

TEMPORARY = "Sementara-2025"
PASSWORD = "Aduan-local-1"
NEW_PASSWORD = "Kantor-Cikupa-2025"


def new_user(stack: LocalStack, role: str, agency_id: str, *, temporary: bool = False, **extra: Any) -> str:
    username = f"{role}.{uuid.uuid4().hex[:8]}"
    add_user(
        stack.client("cognito-idp"),
        stack.resources.ref("UserPool"),
        username,
        role=role,
        agency_id=agency_id,
        password=TEMPORARY if temporary else PASSWORD,
        permanent=not temporary,
        **extra,
    )
    return username


def post(stack: LocalStack, path: str, body: dict[str, Any], language: str = "en") -> requests.Response:
    return requests.post(f"{stack.url}{path}", json=body, headers={"accept-language": language}, timeout=30)


def get(stack: LocalStack, path: str, token: str) -> requests.Response:
    headers = {"authorization": f"Bearer {token}", "accept-language": "en"}
    return requests.get(f"{stack.url}{path}", headers=headers, timeout=30)


def field_errors(response: requests.Response) -> dict[str, str]:
    return {detail["field"]: detail["message"] for detail in response.json()["error"]["details"]}


def direct_tokens(stack: LocalStack, username: str, client_id: str | None = None) -> dict[str, Any]:
    """InitiateAuth straight at the user pool, as anyone with the public app client's id can."""
    result: dict[str, Any] = stack.client("cognito-idp").initiate_auth(
        ClientId=client_id or stack.resources.ref("UserPoolClient"),
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return result


def test_a_new_operator_replaces_the_temporary_password_and_reaches_the_inbox(
    local_stack: LocalStack,
) -> None:
    username = new_user(local_stack, "operator", "kab-tangerang.disdukcapil", temporary=True)
    step = post(local_stack, "/ops/session", {"username": username, "password": TEMPORARY})
    assert step.status_code == 200, step.text
    assert step.json()["challenge"] == "new_password"
    session = step.json()["session"]

    weak = post(local_stack, "/ops/session/challenge", {"username": username, "session": session,
                                                         "new_password": "pendek"})  # fmt: skip
    assert weak.status_code == 422, weak.text
    assert "at least 12 characters" in field_errors(weak)["new_password"]

    done = post(local_stack, "/ops/session/challenge", {"username": username, "session": session,
                                                         "new_password": NEW_PASSWORD})  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["mfa_offered"] is True
    inbox = get(local_stack, "/ops/complaints", done.json()["token"])
    assert inbox.status_code == 200, inbox.text


@pytest.fixture(scope="module")
def coordinator(local_stack: LocalStack) -> str:
    return new_user(local_stack, "coordinator", "kab-tangerang")


def test_a_coordinator_without_totp_gets_no_token_and_cognitos_own_token_is_refused(
    local_stack: LocalStack, coordinator: str
) -> None:
    step = post(local_stack, "/ops/session", {"username": coordinator, "password": PASSWORD})
    assert step.status_code == 200, step.text
    assert step.json()["challenge"] == "mfa_setup"
    assert "token" not in step.json()

    tokens = direct_tokens(local_stack, coordinator)  # the pool's MFA is optional: Cognito gives them
    refused = get(local_stack, "/ops/complaints", tokens["IdToken"])
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "mfa_required"
    assert "two-step sign-in" in refused.json()["error"]["message"]


def test_a_coordinator_enrols_then_signs_in_with_a_code(local_stack: LocalStack, coordinator: str) -> None:
    step = post(local_stack, "/ops/session", {"username": coordinator, "password": PASSWORD}).json()
    enrolment = post(local_stack, "/ops/session/mfa", {"username": coordinator, "session": step["session"]})
    assert enrolment.status_code == 200, enrolment.text
    secret = enrolment.json()["secret"]
    assert enrolment.json()["otpauth_uri"].startswith(f"otpauth://totp/Aduan%3A{coordinator}?secret={secret}")

    answer = {"username": coordinator, "session": step["session"]}
    wrong = post(local_stack, "/ops/session/challenge", answer | {"code": "000000"})
    assert wrong.status_code == 422, wrong.text
    assert "code" in field_errors(wrong)
    enrolled = post(local_stack, "/ops/session/challenge", answer | {"code": fresh_totp(secret)})
    assert enrolled.status_code == 200, enrolled.text
    assert enrolled.json() == {"challenge": "sign_in"}

    again = post(local_stack, "/ops/session", {"username": coordinator, "password": PASSWORD}, "id")
    assert again.json()["challenge"] == "mfa_code", again.text
    answer = {"username": coordinator, "session": again.json()["session"]}
    wrong = post(local_stack, "/ops/session/challenge", answer | {"code": "000000"}, "id")
    assert wrong.status_code == 422, wrong.text
    assert field_errors(wrong)["code"].startswith("Kode salah")
    signed_in = post(local_stack, "/ops/session/challenge", answer | {"code": fresh_totp(secret)})
    assert signed_in.status_code == 200, signed_in.text
    inbox = get(local_stack, "/ops/complaints", signed_in.json()["token"])
    assert inbox.status_code == 200, inbox.text


def test_a_reset_password_is_403_in_the_callers_language_not_503(local_stack: LocalStack) -> None:
    username = new_user(local_stack, "operator", "kab-tangerang.pupr", email="op.pupr.baru@aduan.example")
    local_stack.client("cognito-idp").admin_reset_user_password(
        UserPoolId=local_stack.resources.ref("UserPool"), Username=username
    )
    response = post(local_stack, "/ops/session", {"username": username, "password": PASSWORD})
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "password_reset_required"
    assert "administrator" in response.json()["error"]["message"]


def test_a_stale_or_forged_session_is_401(local_stack: LocalStack) -> None:
    answer = {"username": "op.pupr", "session": "forged-" + "x" * 40, "code": "123456"}
    response = post(local_stack, "/ops/session/challenge", answer)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "sign_in_expired"


def test_throttled_sign_ins_are_429_with_retry_after(local_stack: LocalStack) -> None:
    local_stack.inject_faults(
        [{"service": "cognito-idp", "operation": "InitiateAuth", "error": "TooManyRequestsException",
          "status": 400, "function": "OpsFunction", "every": 1}]
    )  # fmt: skip
    try:
        response = post(local_stack, "/ops/session", {"username": "op.pupr", "password": PASSWORD})
    finally:
        local_stack.inject_faults([])
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert response.headers["retry-after"] == "60"


def test_an_operator_who_writes_its_own_role_and_agency_stays_an_operator_of_its_agency(
    local_stack: LocalStack,
) -> None:
    username = new_user(local_stack, "operator", "kab-tangerang.pupr")
    cognito = local_stack.client("cognito-idp")
    # A second app client that lets users write the attributes (a mistake the pool must survive).
    careless = cognito.create_user_pool_client(
        UserPoolId=local_stack.resources.ref("UserPool"),
        ClientName=f"careless-{uuid.uuid4().hex[:6]}",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        WriteAttributes=["email", "custom:role", "custom:agency_id"],
    )["UserPoolClient"]["ClientId"]
    own = direct_tokens(local_stack, username, careless)
    cognito.update_user_attributes(
        AccessToken=own["AccessToken"],
        UserAttributes=[
            {"Name": "custom:role", "Value": "national"},
            {"Name": "custom:agency_id", "Value": "kemenpanrb"},
        ],
    )

    token = post(local_stack, "/ops/session", {"username": username, "password": PASSWORD}).json()["token"]
    me = get(local_stack, "/ops/me", token).json()
    assert (me["role"], me["agency_id"]) == ("operator", "kab-tangerang.pupr")
    assert get(local_stack, "/ops/stats", token).status_code == 403  # statistics: coordinators and up


def test_an_access_token_is_refused_though_it_passes_the_authorizer(local_stack: LocalStack) -> None:
    username = new_user(local_stack, "operator", "kab-tangerang.pupr")
    access = direct_tokens(local_stack, username)["AccessToken"]  # its client_id is the audience
    response = get(local_stack, "/ops/me", access)
    assert response.status_code == 403, response.text
    assert get(local_stack, "/ops/me", direct_tokens(local_stack, username)["IdToken"]).status_code == 200
