"""boto3 clients, created once per process on first use and reused across invocations."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    """A client with short timeouts and standard retries: a Lambda must not hang on one call."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return boto3.client(service, config=config)  # type: ignore[call-overload]


def error_code(error: BaseException) -> str | None:
    """An AWS error's code (botocore's ClientError); None for a failure that never got an answer
    (a timeout, a reset) or for any other exception."""
    response = getattr(error, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


@cache
def secret(secret_id: str) -> str:
    """A Secrets Manager secret's string, fetched once per process."""
    value: str = client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    return value
