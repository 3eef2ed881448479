"""The delivery channels against real peers: a webhook receiver on loopback, SNS and SES in moto."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import boto3
import pytest

from aduan.aws.channels import SesEmail, SnsSms, Webhook, webhook_signature
from aduan.domain.errors import DeliveryFailed

pytestmark = pytest.mark.integration

SECRET = "webhook-secret"


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    answer = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"])).decode()
        Receiver.received.append({"headers": dict(self.headers.items()), "body": body})
        self.send_response(Receiver.answer)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received, Receiver.answer = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/aduan"
    server.shutdown()


def test_a_webhook_is_signed_so_the_receiver_can_check_it_and_refuse_replays(receiver: str) -> None:
    Webhook(SECRET).send(receiver, {"event": "new_assignment", "tracking_id": "K7MX4-RPA2Q"})
    [request] = Receiver.received
    headers = {name.lower(): value for name, value in request["headers"].items()}
    timestamp = int(headers["x-aduan-timestamp"])
    assert abs(time.time() - timestamp) < 60, "a receiver refuses old timestamps: replays"
    expected = webhook_signature(SECRET, timestamp, request["body"])
    assert headers["x-aduan-signature"] == f"sha256={expected}"
    assert webhook_signature("another-secret", timestamp, request["body"]) != expected
    assert webhook_signature(SECRET, timestamp + 1, request["body"]) != expected
    assert json.loads(request["body"])["tracking_id"] == "K7MX4-RPA2Q"


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (404, True), (429, False), (503, False)])
def test_webhook_failures_say_whether_a_retry_can_help(receiver: str, status: int, permanent: bool) -> None:
    Receiver.answer = status
    with pytest.raises(DeliveryFailed) as failed:
        Webhook(SECRET).send(receiver, {"event": "warning"})
    assert failed.value.permanent is permanent


def test_an_unreachable_webhook_is_transient() -> None:
    with pytest.raises(DeliveryFailed) as failed:
        Webhook(SECRET, timeout=1).send("http://127.0.0.1:9/nobody-listens", {"event": "warning"})
    assert failed.value.permanent is False


def test_sms_and_email_go_out_through_sns_and_ses(moto_endpoint: str) -> None:
    sns = boto3.client("sns", endpoint_url=moto_endpoint)
    sesv2 = boto3.client("sesv2", endpoint_url=moto_endpoint)
    sesv2.create_email_identity(EmailIdentity="no-reply@aduan.example")
    assert SnsSms(sns).send("+6281234567890", "Aduan: laporan diterima")
    assert SesEmail(sesv2, "no-reply@aduan.example").send(
        "warga@example.id", "Laporan", "teks", "<p>teks</p>"
    )


def test_email_from_an_unverified_sender_is_a_permanent_failure(moto_endpoint: str) -> None:
    sesv2 = boto3.client("sesv2", endpoint_url=moto_endpoint)
    with pytest.raises(DeliveryFailed) as failed:
        SesEmail(sesv2, "nobody@unverified.example").send("warga@example.id", "s", "t", "<p>t</p>")
    assert failed.value.permanent is True
