"""What end-to-end tests share: a realistic report, polling, signed SMS webhooks."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import requests

from aduan.sms import twilio_signature
from aduan_local.stack import LocalStack
from tests.privacy import IDENTITIES

SMS_TOKEN = "local-sms-token"


def report(**overrides: Any) -> dict[str, Any]:
    """A realistic web report; its reporter joins the identities no log line may carry."""
    body: dict[str, Any] = {
        "title": "KTP elektronik belum jadi setelah tiga bulan",
        "description": (
            "Saya merekam e-KTP di Kecamatan Cikupa pada bulan Desember, sampai sekarang belum jadi."
        ),
        "classification": "complaint",
        "category": "kependudukan",
        "location": {"region_code": "36.03", "address": "Jl. Raya Cikupa No. 5, Kecamatan Cikupa"},
        "incident_date": "2026-01-15",
        "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
        "privacy": "public",
        "language": "id",
    }
    body.update(overrides)
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
    stack: LocalStack, sender: str, text: str, sid: str, token: str = SMS_TOKEN
) -> requests.Response:
    """POST a Twilio-style inbound SMS webhook, signed as the gateway signs it."""
    IDENTITIES.phone(sender)
    url = f"{stack.url}/sms/inbound"
    params = {"From": sender, "To": "+621708", "Body": text, "MessageSid": sid}
    return requests.post(
        url,
        data=urlencode(params),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": twilio_signature(url, params, token),
        },
        timeout=30,
    )


def sms_to(stack: LocalStack, phone: str) -> list[str]:
    outbox = requests.get(f"{stack.url}/_local/outbox", timeout=10).json()
    return [message["body"] for message in outbox["sms"] if message["to"] == phone]
