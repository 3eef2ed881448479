"""Operators' accounts: role and agency from groups only, sign-in step by step, and two-step sign-in
required of coordinators and the national administrator, held where tokens are used (the fake
user pool of tests/fakes.py, held to moto's Cognito by tests/integration)."""

from __future__ import annotations

from typing import Any

import pytest

from aduan.accounts import MfaGate, actor_from_claims, answer_challenge, mfa_setup, sign_in
from aduan.domain.errors import (
    Forbidden,
    MfaRequired,
    PasswordResetRequired,
    SignInRefused,
    TooManyAttempts,
    ValidationFailed,
)
from aduan.domain.models import Actor, Role
from aduan_local.user_pool import MOTO_TOTP_SECRET, totp
from tests.factories import ASSIGNED_AT
from tests.fakes import FakeUserPool

PASSWORD = "Aduan-local-1"
NEW_PASSWORD = "Kantor-Cikupa-2025"
DISDUKCAPIL = ["operator", "agency-kab-tangerang.disdukcapil"]
KAB_TANGERANG = ["coordinator", "agency-kab-tangerang"]


def claims(**overrides: Any) -> dict[str, Any]:
    return {
        "token_use": "id",
        "cognito:username": "op.disdukcapil",
        "cognito:groups": DISDUKCAPIL,
    } | overrides


@pytest.fixture
def users() -> FakeUserPool:
    pool = FakeUserPool()
    pool.add("op.disdukcapil", PASSWORD, DISDUKCAPIL)
    pool.add("coord.kab-tangerang", PASSWORD, KAB_TANGERANG)
    return pool


# -- who the caller is -----------------------------------------------------------------------------


def test_role_and_agency_come_from_the_groups() -> None:
    assert actor_from_claims(claims()) == Actor(
        role=Role.OPERATOR, agency_id="kab-tangerang.disdukcapil", user_id="op.disdukcapil"
    )


def test_api_gateway_hands_the_groups_over_as_a_string() -> None:
    actor = actor_from_claims(claims(**{"cognito:groups": "[coordinator agency-kab-tangerang]"}))
    assert (actor.role, actor.agency_id) == (Role.COORDINATOR, "kab-tangerang")


def test_custom_attributes_a_user_can_write_give_nothing() -> None:
    promoted = claims(**{"custom:role": "national", "custom:agency_id": "kemenpanrb"})
    actor = actor_from_claims(promoted)
    assert (actor.role, actor.agency_id) == (Role.OPERATOR, "kab-tangerang.disdukcapil")
    with pytest.raises(Forbidden):  # attributes without any group: no role at all
        actor_from_claims(claims(**{"cognito:groups": None, "custom:role": "national"}))


@pytest.mark.parametrize(
    "groups",
    [
        [],
        ["agency-kab-tangerang.disdukcapil"],
        ["operator", "national", "agency-kemenpanrb"],  # two roles
        ["operator"],  # an operator of no agency
        ["coordinator", "agency-kab-tangerang", "agency-kota-tangerang"],  # two agencies
        ["admins", "agency-kab-tangerang"],  # a group that is no role
    ],
)
def test_a_caller_without_exactly_one_role_and_its_agency_is_forbidden(groups: list[str]) -> None:
    with pytest.raises(Forbidden):
        actor_from_claims(claims(**{"cognito:groups": groups}))


def test_the_national_administrator_needs_no_agency() -> None:
    actor = actor_from_claims(claims(**{"cognito:groups": ["national"]}))
    assert (actor.role, actor.agency_id) == (Role.NATIONAL, None)


def test_an_access_token_is_refused_though_the_authorizer_let_it_through() -> None:
    with pytest.raises(Forbidden):
        actor_from_claims(claims(token_use="access"))
    with pytest.raises(Forbidden):
        actor_from_claims({k: v for k, v in claims().items() if k != "token_use"})


# -- signing in --------------------------------------------------------------------------------------


def test_an_operator_signs_in_with_a_password_and_is_offered_two_step_sign_in(users: FakeUserPool) -> None:
    answer = sign_in("op.disdukcapil", PASSWORD, users=users)
    assert set(answer) == {"token", "expires_in", "mfa_offered", "session"}
    assert answer["session"].startswith("setup:")


def test_a_wrong_password_and_an_unknown_user_are_refused_alike(users: FakeUserPool) -> None:
    for username, password in (("op.disdukcapil", "salah"), ("nobody", PASSWORD)):
        with pytest.raises(SignInRefused) as refused:
            sign_in(username, password, users=users)
        assert refused.value.code == "unauthorized"


def test_a_new_operator_sets_a_password_for_the_temporary_one_and_gets_a_token(users: FakeUserPool) -> None:
    users.add("op.baru", "Sementara-123", DISDUKCAPIL, temporary=True)
    step = sign_in("op.baru", "Sementara-123", users=users)
    assert step == {"challenge": "new_password", "session": step["session"]}

    with pytest.raises(ValidationFailed) as weak:
        answer_challenge("op.baru", step["session"], new_password="pendek", code=None, users=users)
    assert weak.value.problems == [("new_password", "password_policy", {})]

    answer = answer_challenge("op.baru", step["session"], new_password=NEW_PASSWORD, code=None, users=users)
    assert "token" in answer
    assert "token" in sign_in("op.baru", NEW_PASSWORD, users=users)


def test_a_coordinator_without_totp_enrols_then_signs_in_with_a_code(users: FakeUserPool) -> None:
    step = sign_in("coord.kab-tangerang", PASSWORD, users=users)
    assert step["challenge"] == "mfa_setup"
    assert "token" not in step

    secret = mfa_setup("coord.kab-tangerang", step["session"], users=users)
    assert secret["secret"] == MOTO_TOTP_SECRET
    assert secret["otpauth_uri"] == (
        f"otpauth://totp/Aduan%3Acoord.kab-tangerang?secret={MOTO_TOTP_SECRET}&issuer=Aduan"
    )
    with pytest.raises(ValidationFailed) as wrong:
        answer_challenge(
            "coord.kab-tangerang", step["session"], new_password=None, code="000000", users=users
        )
    assert wrong.value.problems == [("code", "code_mismatch", {})]
    done = answer_challenge(
        "coord.kab-tangerang", step["session"], new_password=None, code=totp(MOTO_TOTP_SECRET), users=users
    )
    assert done == {"challenge": "sign_in"}

    again = sign_in("coord.kab-tangerang", PASSWORD, users=users)
    assert again["challenge"] == "mfa_code"
    answer = answer_challenge(
        "coord.kab-tangerang", again["session"], new_password=None, code=totp(MOTO_TOTP_SECRET), users=users
    )
    assert set(answer) == {"token", "expires_in"}  # nothing more to offer


def test_a_session_not_given_for_the_step_is_an_expired_sign_in(users: FakeUserPool) -> None:
    with pytest.raises(SignInRefused) as refused:
        answer_challenge("op.disdukcapil", "forged", new_password=None, code="123456", users=users)
    assert refused.value.code == "sign_in_expired"
    with pytest.raises(SignInRefused):
        mfa_setup("op.disdukcapil", "not-a-setup-session", users=users)
    with pytest.raises(ValidationFailed):  # neither a password nor a code
        answer_challenge("op.disdukcapil", "s", new_password=None, code=None, users=users)


def test_a_reset_password_and_throttling_are_said_as_themselves(users: FakeUserPool) -> None:
    users.reset_password("op.disdukcapil")
    with pytest.raises(PasswordResetRequired):
        sign_in("op.disdukcapil", PASSWORD, users=users)
    users.throttled = True
    with pytest.raises(TooManyAttempts) as throttled:
        sign_in("coord.kab-tangerang", PASSWORD, users=users)
    assert throttled.value.details["retry_after"] == 60


# -- the rule held where tokens are used -------------------------------------------------------------


COORDINATOR = Actor(role=Role.COORDINATOR, agency_id="kab-tangerang", user_id="coord.kab-tangerang")
OPERATOR = Actor(role=Role.OPERATOR, agency_id="kab-tangerang.disdukcapil", user_id="op.disdukcapil")


def test_a_coordinator_without_totp_is_refused_and_an_operator_is_not_asked(users: FakeUserPool) -> None:
    gate = MfaGate()
    with pytest.raises(MfaRequired):
        gate.check(COORDINATOR, lambda: users)
    gate.check(OPERATOR, lambda: users)
    assert users.mfa_lookups == 1  # an operator costs no lookup


def test_a_yes_is_remembered_for_a_few_minutes_and_a_no_never(users: FakeUserPool) -> None:
    clock = [ASSIGNED_AT.timestamp()]
    gate = MfaGate(ttl_seconds=300, clock=lambda: clock[0])
    for _ in range(2):  # no: asked every time
        with pytest.raises(MfaRequired):
            gate.check(COORDINATOR, lambda: users)
    assert users.mfa_lookups == 2
    users.accounts["coord.kab-tangerang"].mfa = True
    gate.check(COORDINATOR, lambda: users)
    clock[0] += 299
    gate.check(COORDINATOR, lambda: users)
    assert users.mfa_lookups == 3
    users.accounts["coord.kab-tangerang"].mfa = False  # an administrator reset it (a lost phone)
    clock[0] += 2
    with pytest.raises(MfaRequired):
        gate.check(COORDINATOR, lambda: users)
