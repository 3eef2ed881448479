"""What end-to-end tests share: a realistic report, polling, signed SMS webhooks."""

from __future__ import annotations

import time
from typing import Any

import requests

from aduan_local import client
from aduan_local.client import LOCAL_SMS_TOKEN, example_report
from aduan_local.stack import LocalStack
from tests.privacy import IDENTITIES

SMS_TOKEN = LOCAL_SMS_TOKEN


def report(**overrides: Any) -> dict[str, Any]:
    """A realistic web report; its reporter joins the identities no log line may carry."""
    body = example_report(**overrides)
    IDENTITIES.reporter(body.get("reporter"))
    return body


def eventually(check: Any, timeout: float = 30.0, interval: float = 0.2) -> Any:
    """Poll `check` until it returns something truthy (queues and workers are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def send_sms(
    stack: LocalStack, sender: str, text: str, sid: str, token: str = LOCAL_SMS_TOKEN
) -> requests.Response:
    """POST a signed inbound SMS webhook; the sender joins the identities no log line may carry."""
    IDENTITIES.phone(sender)
    return client.send_sms(stack.url, sender, text, sid, token)


def sms_to(stack: LocalStack, phone: str) -> list[str]:
    outbox = requests.get(f"{stack.url}/_local/outbox", timeout=10).json()
    return [message["body"] for message in outbox["sms"] if message["to"] == phone]
