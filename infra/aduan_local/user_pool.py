"""The local user pool as Cognito's answers it: moto with real TOTP checks, patched where it differs
from Cognito in what Aduan relies on, and the RFC 6238 codes a test or the stack's sign-in helper
types (moto gives every user the same secret, `MOTO_TOTP_SECRET`).

- TOTP: `MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP` makes moto check every code (VerifySoftwareToken,
  the SOFTWARE_TOKEN_MFA challenge) against the current 30-second step.
- After AdminResetUserPassword, Cognito refuses a sign-in with PasswordResetRequiredException;
  moto signs the user in.
- A challenge answered with a session Cognito never gave is NotAuthorizedException ("Invalid
  session"); moto raises ResourceNotFoundException, which would say the app client is missing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time
from typing import Any

MOTO_TOTP_SECRET = "asdfasdfasdf"  # noqa: S105 - moto.cognitoidp.models.COGNITO_TOTP_MFA_SECRET
TOTP_STEP_SECONDS = 30


def install() -> None:
    """Patch moto's Cognito in this process (the emulator runs in a thread of it)."""
    from moto.cognitoidp import models
    from moto.cognitoidp.exceptions import NotAuthorizedError
    from moto.core.exceptions import JsonRESTError

    os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
    backend = models.CognitoIdpBackend
    if getattr(backend, "_aduan_patched", False):
        return

    class PasswordResetRequiredException(JsonRESTError):
        def __init__(self) -> None:
            super().__init__("PasswordResetRequiredException", "Password reset required for the user")

    initiate_auth = backend.initiate_auth
    respond_to_auth_challenge = backend.respond_to_auth_challenge

    def initiate(self: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        if auth_flow == "USER_PASSWORD_AUTH":
            for pool in self.user_pools.values():
                user = (
                    pool._get_user(auth_parameters.get("USERNAME", "")) if client_id in pool.clients else None
                )
                if user is not None and user.status is models.UserStatus.RESET_REQUIRED:
                    raise PasswordResetRequiredException()
        return initiate_auth(self, client_id, auth_flow, auth_parameters)

    def respond(self: Any, session: str, client_id: str, challenge_name: str, responses: Any) -> Any:
        if challenge_name != "PASSWORD_VERIFIER" and session not in self.sessions:
            raise NotAuthorizedError("Invalid session for the user.")
        return respond_to_auth_challenge(self, session, client_id, challenge_name, responses)

    backend.initiate_auth = initiate  # type: ignore[method-assign]
    backend.respond_to_auth_challenge = respond  # type: ignore[method-assign]
    backend._aduan_patched = True  # type: ignore[attr-defined]


def totp(secret: str, at: float | None = None) -> str:
    """The 6-digit code of a base32 secret at `at` (now): RFC 6238, SHA-1, 30-second steps."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // TOTP_STEP_SECONDS)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp(secret: str, margin: float = 5.0) -> str:
    """A code that stays valid for at least `margin` seconds: moto accepts only the current step, and
    a code typed at a step's last moment would reach it in the next. Waits for the next step when
    this one is about to end."""
    left = TOTP_STEP_SECONDS - time.time() % TOTP_STEP_SECONDS
    if left < margin:
        time.sleep(left + 0.05)
    return totp(secret)
