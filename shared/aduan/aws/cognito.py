"""Cognito: an operator's sign-in with username and password (USER_PASSWORD_AUTH)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from aduan.aws.clients import error_code

# Wrong credentials, said the same way for a user that does not exist (no account enumeration).
_REFUSED = ("NotAuthorizedException", "UserNotFoundException")


class CognitoSignIn:
    def __init__(self, client: Any, app_client_id: str) -> None:
        self._client = client
        self._app_client_id = app_client_id

    def sign_in(self, username: str, password: str) -> dict[str, Any] | None:
        """An operator's ID token from the user pool, or None for wrong credentials."""
        try:
            result = self._client.initiate_auth(
                ClientId=self._app_client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as error:
            if error_code(error) in _REFUSED:
                return None
            raise
        tokens = result.get("AuthenticationResult") or {}
        if "IdToken" not in tokens:
            return None  # a challenge (new password required): not for the console
        return {"token": tokens["IdToken"], "expires_in": tokens.get("ExpiresIn", 3600)}
