"""What every client of the local stack shares (the tests, the benchmarks): a free loopback port,
the report the citizen pages send, the SMS gateway's signed webhook, and Meta's WhatsApp webhook
(its payloads built and signed as Meta builds and signs them)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import socket
import time
from typing import Any
from urllib.parse import urlencode

import requests

from aduan.doors.twilio import twilio_signature

LOCAL_SMS_TOKEN = "local-sms-token"  # noqa: S105 - the local stack's SmsGatewayAuthToken, not a secret
GATEWAY_NUMBER = "+621708"
# The local stack's WhatsApp parameters (DESIGN §4.2): none is a secret anywhere else.
LOCAL_WHATSAPP_SECRET = "local-whatsapp-secret"  # noqa: S105
LOCAL_WHATSAPP_VERIFY = "local-whatsapp-verify"
LOCAL_WHATSAPP_TOKEN = "local-whatsapp-token"  # noqa: S105
LOCAL_WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
WHATSAPP_DISPLAY_NUMBER = "6221500123"


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


def whatsapp_message(
    sender: str, kind: str = "text", *, at: float | None = None, **part: Any
) -> dict[str, Any]:
    """One message as Meta's webhook carries it: from `sender` (a number, `+` or not), of `kind`
    (`text` with `body=...`, `image` with `id=..., mime_type=..., sha256=..., caption=...`,
    `location` with `latitude=..., longitude=...`, ...), sent at `at` (Unix seconds, now)."""
    wa_id = sender.lstrip("+")
    message: dict[str, Any] = {
        "from": wa_id,
        "id": f"wamid.{secrets.token_urlsafe(24)}",
        "timestamp": str(int(time.time() if at is None else at)),
        "type": kind,
    }
    if part:
        message[kind] = part
    return message


def whatsapp_payload(*messages: dict[str, Any], statuses: list[dict[str, Any]] | None = None) -> bytes:
    """Meta's webhook body for `messages` (each with its sender's contact) and `statuses`."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": WHATSAPP_DISPLAY_NUMBER,
            "phone_number_id": LOCAL_WHATSAPP_PHONE_NUMBER_ID,
        },
    }
    if messages:
        senders = dict.fromkeys(message["from"] for message in messages)
        value["contacts"] = [{"profile": {"name": "Warga"}, "wa_id": wa_id} for wa_id in senders]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    change = {"value": value, "field": "messages"}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [change]}]}
    return json.dumps(body, ensure_ascii=False).encode()


def whatsapp_signature(raw: bytes, secret: str = LOCAL_WHATSAPP_SECRET) -> str:
    """`X-Hub-Signature-256` as Meta sends it: sha256= and the hex HMAC of the raw bytes."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def send_whatsapp(base_url: str, raw: bytes, signature: str | None = None) -> requests.Response:
    """POST Meta's webhook with `raw` as the body, signed with the local app secret unless
    `signature` says otherwise (an empty string sends none)."""
    signature = whatsapp_signature(raw) if signature is None else signature
    headers = {"content-type": "application/json"} | ({"x-hub-signature-256": signature} if signature else {})
    return requests.post(f"{base_url}/whatsapp/webhook", data=raw, headers=headers, timeout=30)
