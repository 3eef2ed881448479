"""Operators' accounts: who the caller is (role and agency from Cognito groups, which no app client
can write), sign-in as a small state machine through the API, and two-step sign-in (TOTP), required
of coordinators and the national administrator and offered to operators.

A sign-in answers the token, or the next step: `new_password` (a new operator's temporary password),
`mfa_code` (the authenticator app's code), `mfa_setup` (a coordinator or national administrator
without TOTP enrols first), or, once enrolled, `sign_in` (start again, now with a code). The user
pool's InitiateAuth is public, so the rule is held where tokens are used too (`MfaGate`).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from aduan.domain.errors import Forbidden, MfaRequired, SignInRefused, ValidationFailed
from aduan.domain.models import Actor, Role
from aduan.domain.ports import SignInStep, UserPool

ROLE_GROUPS = {Role.OPERATOR.value: Role.OPERATOR, Role.COORDINATOR.value: Role.COORDINATOR,
               Role.NATIONAL.value: Role.NATIONAL}  # fmt: skip
AGENCY_GROUP_PREFIX = "agency-"  # agency-<agency_id>, made by aduan-admin when it adds a user
MFA_REQUIRED = frozenset({Role.COORDINATOR, Role.NATIONAL})
# A session that enrols TOTP carries the user's access token (AssociateSoftwareToken needs it when
# the pool's MFA is OPTIONAL), marked so that the challenge route knows which step it answers.
SETUP_SESSION = "setup:"
ISSUER = "Aduan"  # what an authenticator app shows above the code
MFA_CHECK_SECONDS = 300.0  # how long a warm container trusts a "yes, TOTP is on"


def agency_group(agency_id: str) -> str:
    return AGENCY_GROUP_PREFIX + agency_id


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    """The caller, from an ID token's claims: exactly one role group, and the agency of at most one
    agency group (an operator or coordinator needs one). `custom:role` and `custom:agency_id` are
    ignored: a user can write its own attributes through any app client that allows it."""
    if claims.get("token_use") != "id":  # an access token passes the authorizer by its client_id
        raise Forbidden("send the ID token")
    groups = _groups(claims.get("cognito:groups"))
    roles = [ROLE_GROUPS[group] for group in groups if group in ROLE_GROUPS]
    agencies = [
        group.removeprefix(AGENCY_GROUP_PREFIX) for group in groups if group.startswith(AGENCY_GROUP_PREFIX)
    ]
    if len(roles) != 1:
        raise Forbidden("this account has no operator role")
    if len(agencies) > 1 or (not agencies and roles[0] is not Role.NATIONAL):
        raise Forbidden("this account belongs to no agency, or to more than one")
    return Actor(
        role=roles[0],
        agency_id=agencies[0] if agencies else None,
        user_id=str(claims.get("cognito:username") or claims.get("sub") or ""),
    )


def _groups(value: Any) -> list[str]:
    """`cognito:groups` as a list: API Gateway hands claims to the function as strings (`[a b]`)."""
    if isinstance(value, list):
        return [str(group) for group in value]
    if isinstance(value, str):
        return value.strip("[]").split()
    return []


# -- signing in, step by step -----------------------------------------------------------------------


def sign_in(username: str, password: str, *, users: UserPool) -> dict[str, Any]:
    """`POST /ops/session`: the token, or the next step."""
    return _next(users.sign_in(username, password), after_mfa=False)


def answer_challenge(
    username: str, session: str, *, new_password: str | None, code: str | None, users: UserPool
) -> dict[str, Any]:
    """`POST /ops/session/challenge`: a new password, or a code (of a sign-in, or of an enrolment)."""
    if (new_password is None) == (code is None):
        raise ValidationFailed([("body", "one_of_new_password_or_code", {})])
    if session.startswith(SETUP_SESSION):
        if code is None:
            raise ValidationFailed([("code", "missing", {})])
        users.enable_mfa(session.removeprefix(SETUP_SESSION), code)
        return {"challenge": "sign_in"}
    if new_password is not None:
        return _next(users.new_password(username, session, new_password), after_mfa=False)
    return _next(users.mfa_code(username, session, str(code)), after_mfa=True)


def mfa_setup(username: str, session: str, *, users: UserPool) -> dict[str, Any]:
    """`POST /ops/session/mfa`: a new TOTP secret and its otpauth:// URI, for the app to scan or type."""
    if not session.startswith(SETUP_SESSION):
        raise SignInRefused("not an enrolment session", "sign_in_expired")
    secret = users.mfa_secret(session.removeprefix(SETUP_SESSION))
    return {"secret": secret, "otpauth_uri": otpauth_uri(username, secret), "session": session}


def otpauth_uri(username: str, secret: str) -> str:
    """The Key URI Format authenticator apps read (Google Authenticator's, also FreeOTP's)."""
    label = quote(f"{ISSUER}:{username}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": ISSUER})


def _next(step: SignInStep, *, after_mfa: bool) -> dict[str, Any]:
    if step.challenge:
        return {"challenge": step.challenge, "session": step.session}
    actor = actor_from_claims(_claims(step.id_token))
    # Tokens without a code: this user has no TOTP (Cognito asks for a code of a user who has one).
    if not after_mfa and actor.role in MFA_REQUIRED:
        return {"challenge": "mfa_setup", "session": SETUP_SESSION + step.access_token}
    answer: dict[str, Any] = {"token": step.id_token, "expires_in": step.expires_in}
    if not after_mfa:  # offered to operators: the console shows "set up two-step sign-in"
        answer |= {"mfa_offered": True, "session": SETUP_SESSION + step.access_token}
    return answer


def _claims(token: str) -> dict[str, Any]:
    """A token's claims, unverified: it came from the user pool itself, not from a client."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


# -- the rule held where tokens are used ------------------------------------------------------------


class MfaGate:
    """Coordinators and the national administrator act only with TOTP on, as the user pool says
    (AdminGetUser); a yes is remembered per warm container for a few minutes, a no never."""

    def __init__(self, ttl_seconds: float = MFA_CHECK_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl_seconds
        self._clock = clock
        self._until: dict[str, float] = {}

    def check(self, actor: Actor, users: Callable[[], UserPool]) -> None:
        """MfaRequired (403) for a coordinator or national administrator without TOTP."""
        if actor.role not in MFA_REQUIRED:
            return
        now = self._clock()
        if self._until.get(actor.user_id or "", 0.0) > now:
            return
        if not actor.user_id or not users().has_mfa(actor.user_id):
            raise MfaRequired("two-step sign-in is required of this role")
        self._until[actor.user_id] = now + self._ttl
