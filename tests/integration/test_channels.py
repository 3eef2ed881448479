"""The delivery channels against real peers: an https webhook receiver on loopback, SNS and SES in moto."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aduan.aws.channels import SesEmail, SnsSms, Webhook
from aduan.domain.errors import DeliveryFailed
from aduan.domain.webhooks import AddressPolicy, agency_key, webhook_signature

pytestmark = pytest.mark.integration

SECRET = "webhook-secret"
AGENCY = "kab-tangerang.disdukcapil"
HOOK_HOST = "hooks.disdukcapil.example"  # in no DNS: the tests resolve it, to loopback
LOOPBACK = AddressPolicy(private_allowed=True)  # what only a test builds


@dataclass
class Receiver:
    """An agency's https endpoint on loopback: what it received, and how it answers."""

    url: str
    port: int
    received: list[dict[str, Any]] = field(default_factory=list)
    answer: int = 200
    location: str | None = None


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A self-signed certificate for HOOK_HOST: (certificate file, key file, PEM to trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOOK_HOST)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOOK_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    (folder / "cert.pem").write_text(pem)
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return folder / "cert.pem", folder / "key.pem", pem


def _serve(certificate: tuple[Path, Path, str]) -> Iterator[Receiver]:
    receiver = Receiver(url="", port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"])).decode()
            receiver.received.append({"headers": dict(self.headers.items()), "body": body})
            self.send_response(receiver.answer)
            if receiver.location:
                self.send_header("location", receiver.location)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate[0], certificate[1])
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    receiver.url = f"https://{HOOK_HOST}:{receiver.port}/hooks/aduan"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield receiver
    server.shutdown()


@pytest.fixture
def receiver(certificate: tuple[Path, Path, str]) -> Iterator[Receiver]:
    yield from _serve(certificate)


@pytest.fixture
def elsewhere(certificate: tuple[Path, Path, str]) -> Iterator[Receiver]:
    """A second endpoint on loopback: where a redirect would lead."""
    yield from _serve(certificate)


def to_loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def webhook(certificate: tuple[Path, Path, str], **options: Any) -> Webhook:
    """The webhook channel as tests build it: loopback allowed, the test certificate trusted."""
    tls = ssl.create_default_context(cadata=certificate[2])
    return Webhook(SECRET, **{"policy": LOOPBACK, "resolve": to_loopback, "tls": tls, **options})


def post(channel: Webhook, url: str, payload: dict[str, Any] | None = None, version: int = 1) -> str:
    return channel.send(url, payload or {"event": "warning"}, agency_id=AGENCY, key_version=version)


def test_a_webhook_is_signed_with_its_agencys_key_so_the_receiver_can_check_it_and_refuse_replays(
    receiver: Receiver, certificate: tuple[Path, Path, str]
) -> None:
    post(webhook(certificate), receiver.url, {"event": "new_assignment", "tracking_id": "K7MX4-RPA2Q"}, 2)
    [request] = receiver.received
    headers = {name.lower(): value for name, value in request["headers"].items()}
    timestamp = int(headers["x-aduan-timestamp"])
    assert abs(time.time() - timestamp) < 60, "a receiver refuses old timestamps: replays"
    key = agency_key(SECRET, AGENCY, 2)  # what `aduan-admin webhook-key` gave the agency
    assert headers["x-aduan-signature"] == f"sha256={webhook_signature(key, timestamp, request['body'])}"
    assert headers["x-aduan-key-version"] == "2"
    assert headers["host"] == f"{HOOK_HOST}:{receiver.port}", "the name, though the address was pinned"
    for other in (agency_key(SECRET, "kab-tangerang.dinkes", 2), agency_key(SECRET, AGENCY, 1), SECRET):
        assert (
            headers["x-aduan-signature"] != f"sha256={webhook_signature(other, timestamp, request['body'])}"
        )
    assert json.loads(request["body"])["tracking_id"] == "K7MX4-RPA2Q"


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (404, True), (429, False), (503, False)])
def test_webhook_failures_say_whether_a_retry_can_help(
    receiver: Receiver, certificate: tuple[Path, Path, str], status: int, permanent: bool
) -> None:
    receiver.answer = status
    with pytest.raises(DeliveryFailed) as failed:
        post(webhook(certificate), receiver.url)
    assert failed.value.permanent is permanent


def test_a_redirect_is_refused_for_good_and_never_followed(
    receiver: Receiver, elsewhere: Receiver, certificate: tuple[Path, Path, str]
) -> None:
    receiver.answer, receiver.location = 302, f"https://127.0.0.1:{elsewhere.port}/latest/meta-data/"
    with pytest.raises(DeliveryFailed) as failed:
        post(webhook(certificate), receiver.url)
    assert (failed.value.reason, failed.value.permanent) == ("redirect refused", True)
    assert len(receiver.received) == 1
    assert elsewhere.received == [], "the redirect's target never heard from us"


def test_a_name_that_resolves_inward_is_refused_for_good_and_nothing_is_sent(
    receiver: Receiver, certificate: tuple[Path, Path, str]
) -> None:
    production = webhook(certificate, policy=AddressPolicy())  # the only policy the functions build
    with pytest.raises(DeliveryFailed) as failed:
        post(production, f"https://{HOOK_HOST}/hooks/aduan")
    assert (failed.value.reason, failed.value.permanent) == ("address_refused", True)
    # One private address among public ones is enough: a rebinding name would pick it later.
    mixed = webhook(
        certificate, policy=AddressPolicy(), resolve=lambda host, port: ["36.86.63.182", "10.0.0.5"]
    )
    with pytest.raises(DeliveryFailed) as failed:
        post(mixed, f"https://{HOOK_HOST}/hooks/aduan")
    assert failed.value.reason == "address_refused"
    assert receiver.received == []


def test_the_url_is_checked_again_when_sent_and_a_bad_one_fails_for_good() -> None:
    for url in ("https://169.254.169.254/latest/meta-data/", "http://hooks.disdukcapil.go.id/x"):
        with pytest.raises(DeliveryFailed) as failed:
            post(Webhook(SECRET), url)
        assert failed.value.permanent
        assert failed.value.reason.startswith("url_refused")


def test_the_certificate_is_checked_on_the_name_not_the_pinned_address(
    receiver: Receiver, certificate: tuple[Path, Path, str]
) -> None:
    impostor = f"https://impostor.disdukcapil.example:{receiver.port}/hooks/aduan"
    with pytest.raises(DeliveryFailed) as failed:
        post(webhook(certificate), impostor)  # resolves to the receiver, whose certificate is not its
    assert "SSL" in failed.value.reason
    assert receiver.received == []


def test_an_unreachable_webhook_is_transient(certificate: tuple[Path, Path, str]) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        post(webhook(certificate, timeout=1), f"https://{HOOK_HOST}:9/nobody-listens")
    assert failed.value.permanent is False


def test_a_name_that_does_not_resolve_is_transient() -> None:
    def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror("Name or service not known")

    with pytest.raises(DeliveryFailed) as failed:
        post(Webhook(SECRET, resolve=nowhere), "https://hooks.disdukcapil.go.id/aduan")
    assert (failed.value.reason, failed.value.permanent) == ("dns_failed", False)


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
