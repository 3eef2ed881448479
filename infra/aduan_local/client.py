"""What every client of the local stack shares (the tests, the benchmarks): a free loopback port,
the report the citizen pages send, and the SMS gateway's signed webhook."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlencode

import requests

from aduan.doors.twilio import twilio_signature

LOCAL_SMS_TOKEN = "local-sms-token"  # noqa: S105 - the local stack's SmsGatewayAuthToken, not a secret
GATEWAY_NUMBER = "+621708"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def example_report(**overrides: Any) -> dict[str, Any]:
    """A realistic web report: a KTP that never came, in Cikupa (Kabupaten Tangerang)."""
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
    return body | overrides


def send_sms(
    base_url: str, sender: str, text: str, sid: str, token: str = LOCAL_SMS_TOKEN
) -> requests.Response:
    """POST a Twilio-style inbound SMS webhook, signed as the gateway signs it."""
    url = f"{base_url}/sms/inbound"
    params = {"From": sender, "To": GATEWAY_NUMBER, "Body": text, "MessageSid": sid}
    return requests.post(
        url,
        data=urlencode(params),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": twilio_signature(url, params, token),
        },
        timeout=30,
    )
