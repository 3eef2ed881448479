"""Cognito: operators' sign-in step by step (USER_PASSWORD_AUTH, then NEW_PASSWORD_REQUIRED or
SOFTWARE_TOKEN_MFA), TOTP enrolment, and whether a user has it (AdminGetUser). Cognito's refusals
become domain errors here, so that each reaches the caller as its own 4xx, never a 503."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from aduan.aws.clients import error_code
from aduan.domain.errors import (
    AccountNotConfirmed,
    DomainError,
    PasswordResetRequired,
    SignInRefused,
    TooManyAttempts,
    ValidationFailed,
)
from aduan.domain.ports import SignInStep

# Cognito does not say how long to wait; its lockout after failed attempts starts at seconds.
RETRY_AFTER_SECONDS = 60

# Cognito's challenges, by the names the API gives them.
_CHALLENGES = {"NEW_PASSWORD_REQUIRED": "new_password", "SOFTWARE_TOKEN_MFA": "mfa_code"}

_WRONG_CODE = ValidationFailed([("code", "code_mismatch", {})])
_REFUSALS: dict[str, Callable[[], DomainError]] = {
    "PasswordResetRequiredException": lambda: PasswordResetRequired("the password was reset"),
    "UserNotConfirmedException": lambda: AccountNotConfirmed("the account is not confirmed"),
    "CodeMismatchException": lambda: _WRONG_CODE,
    "ExpiredCodeException": lambda: _WRONG_CODE,
    "EnableSoftwareTokenMFAException": lambda: _WRONG_CODE,  # VerifySoftwareToken's wrong code
    "InvalidPasswordException": lambda: ValidationFailed([("new_password", "password_policy", {})]),
    "TooManyRequestsException": lambda: TooManyAttempts(RETRY_AFTER_SECONDS),
    "LimitExceededException": lambda: TooManyAttempts(RETRY_AFTER_SECONDS),
    "TooManyFailedAttemptsException": lambda: TooManyAttempts(RETRY_AFTER_SECONDS),
}


@contextmanager
def _refusals(refused: str) -> Iterator[None]:
    """Cognito's refusals as domain errors; `refused` is the code for NotAuthorized and
    UserNotFound (the same answer for both: no account enumeration)."""
    try:
        yield
    except ClientError as error:
        code = error_code(error)
        if code in ("NotAuthorizedException", "UserNotFoundException"):
            raise SignInRefused("refused by the user pool", refused) from None
        if code in _REFUSALS:
            raise _REFUSALS[code]() from None
        raise


class CognitoUserPool:
    def __init__(self, client: Any, app_client_id: str, user_pool_id: str = "") -> None:
        self._client = client
        self._app_client_id = app_client_id
        self._user_pool_id = user_pool_id

    def sign_in(self, username: str, password: str) -> SignInStep:
        with _refusals("unauthorized"):
            result = self._client.initiate_auth(
                ClientId=self._app_client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        return _step(result)

    def new_password(self, username: str, session: str, new_password: str) -> SignInStep:
        return self._answer("NEW_PASSWORD_REQUIRED", session, USERNAME=username, NEW_PASSWORD=new_password)

    def mfa_code(self, username: str, session: str, code: str) -> SignInStep:
        return self._answer("SOFTWARE_TOKEN_MFA", session, USERNAME=username, SOFTWARE_TOKEN_MFA_CODE=code)

    def _answer(self, challenge: str, session: str, **responses: str) -> SignInStep:
        with _refusals("sign_in_expired"):
            result = self._client.respond_to_auth_challenge(
                ClientId=self._app_client_id,
                ChallengeName=challenge,
                Session=session,
                ChallengeResponses=responses,
            )
        return _step(result)

    def mfa_secret(self, access_token: str) -> str:
        with _refusals("sign_in_expired"):
            return str(self._client.associate_software_token(AccessToken=access_token)["SecretCode"])

    def enable_mfa(self, access_token: str, code: str) -> None:
        with _refusals("sign_in_expired"):
            result = self._client.verify_software_token(AccessToken=access_token, UserCode=code)
            if result.get("Status") != "SUCCESS":
                raise _WRONG_CODE
            self._client.set_user_mfa_preference(
                AccessToken=access_token,
                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
            )

    def has_mfa(self, username: str) -> bool:
        try:
            user = self._client.admin_get_user(UserPoolId=self._user_pool_id, Username=username)
        except ClientError as error:
            if error_code(error) == "UserNotFoundException":
                return False
            raise
        return "SOFTWARE_TOKEN_MFA" in (user.get("UserMFASettingList") or [])


def _step(result: dict[str, Any]) -> SignInStep:
    tokens = result.get("AuthenticationResult")
    if tokens:
        return SignInStep(
            id_token=tokens["IdToken"],
            access_token=tokens["AccessToken"],
            expires_in=int(tokens.get("ExpiresIn", 3600)),
        )
    challenge = _CHALLENGES.get(str(result.get("ChallengeName")))
    if challenge is None:  # MFA_SETUP (a pool with MFA ON), SMS_MFA...: not offered by this pool
        raise SignInRefused(f"unexpected challenge {result.get('ChallengeName')}")
    return SignInStep(challenge=challenge, session=str(result["Session"]))
