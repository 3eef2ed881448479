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


@cache
def s3_client() -> Any:
    """The S3 client of the evidence bucket: SigV4, which presigned POSTs need in every region
    since 2020, and virtual-hosted at AWS's regional endpoint. An endpoint given by configuration
    (the local stack's emulator on loopback, `AWS_ENDPOINT_URL[_S3]`) has no bucket subdomains:
    there, path style."""
    import os

    import boto3
    from botocore.config import Config

    configured = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    config = Config(
        connect_timeout=2,
        read_timeout=5,
        retries={"mode": "standard", "max_attempts": 3},
        signature_version="s3v4",
        s3={"addressing_style": "path" if configured else "virtual"},
    )
    return boto3.client("s3", config=config)


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
