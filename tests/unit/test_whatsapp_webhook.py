"""Meta's webhook format (aduan.doors.whatsapp): the subscription check, the signature over the raw
bytes, and every payload shape split into items the worker reads back, never an exception that is
not the poison a retry cannot help."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.domain.errors import InvalidSignature, MalformedRequest
from aduan.domain.whatsapp_messages import DeliveryStatus, InboundMessage
from aduan.doors import whatsapp
from aduan_local.client import whatsapp_message, whatsapp_payload, whatsapp_signature
from tests.crafted import any_json, whatsapp_payloads

SECRET = "local-whatsapp-secret"
VERIFY = "local-whatsapp-verify"
SITI = "6281234567890"


def test_the_subscription_check_echoes_the_challenge_only_for_our_token() -> None:
    asked = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    assert whatsapp.challenge(asked, VERIFY) == "1158201444"
    assert whatsapp.challenge(asked | {"hub.verify_token": "tebakan"}, VERIFY) is None
    assert whatsapp.challenge(asked | {"hub.mode": "unsubscribe"}, VERIFY) is None
    assert whatsapp.challenge({k: v for k, v in asked.items() if k != "hub.verify_token"}, VERIFY) is None
    assert whatsapp.challenge(asked | {"hub.verify_token": "tökén 🙂"}, VERIFY) is None
    assert whatsapp.challenge(asked, "") is None  # a stack without a token answers no one


def test_the_signature_is_over_the_raw_bytes_and_nothing_else() -> None:
    raw = whatsapp_payload(whatsapp_message(SITI, body="Jalan rusak 🚧 di Cikupa, tolong diperbaiki 🙏"))
    whatsapp.check_signature(raw, whatsapp_signature(raw, SECRET), SECRET)  # emoji and all
    whatsapp.check_signature(raw, whatsapp_signature(raw, SECRET).upper().replace("SHA256", "sha256"), SECRET)
    reserialised = json.dumps(json.loads(raw)).encode()  # \\u escapes: the same JSON, other bytes
    assert reserialised != raw
    for signature in (
        None,
        "",
        "sha256=",
        whatsapp_signature(reserialised, SECRET),
        whatsapp_signature(raw, "x"),
    ):
        with pytest.raises(InvalidSignature):
            whatsapp.check_signature(raw, signature, SECRET)
    with pytest.raises(InvalidSignature):
        whatsapp.check_signature(raw, "sha256=" + "é" * 64, SECRET)  # not ASCII: refused, never a crash


def test_a_body_api_gateway_base64_encoded_is_checked_as_meta_sent_it() -> None:
    raw = whatsapp_payload(whatsapp_message(SITI, body="Lampu jalan mati"))
    flagged = {"body": base64.b64encode(raw).decode(), "isBase64Encoded": True}
    assert whatsapp.raw_body(flagged) == raw
    assert whatsapp.raw_body({"body": raw.decode()}) == raw


def test_each_message_and_status_becomes_one_item_read_back_as_what_it_says() -> None:
    text = whatsapp_message(SITI, body="CEK K7MX4-RPA27")
    photo = whatsapp_message(
        SITI,
        "image",
        id="2754859441498128",
        mime_type="image/jpeg",
        sha256="81d3",
        caption="BALAS K7MX4-RPA27",
    )
    place = whatsapp_message(SITI, "location", latitude=-6.2, longitude=106.5, name="Pasar Cikupa")
    status = {
        "id": "wamid.out",
        "status": "failed",
        "timestamp": "1750857384",
        "recipient_id": SITI,
        "errors": [{"code": 131026}],
    }
    items = whatsapp.queue_items(whatsapp_payload(text, photo, place, statuses=[status]))

    read = [whatsapp.read_item(json.dumps(item)) for item in items]
    assert [type(one).__name__ for one in read] == ["InboundMessage"] * 3 + ["DeliveryStatus"]
    first, second, third, fourth = read
    assert isinstance(first, InboundMessage)
    assert (first.kind, first.text, first.phone) == (
        "text",
        "CEK K7MX4-RPA27",
        f"+{SITI}",
    )
    assert isinstance(second, InboundMessage)
    assert second.media
    assert second.media.media_id == "2754859441498128"
    assert second.text == "BALAS K7MX4-RPA27"
    assert isinstance(third, InboundMessage)
    assert third.place
    assert (third.place.lat, third.place.lon) == (-6.2, 106.5)
    assert isinstance(fourth, DeliveryStatus)
    assert (fourth.status, fourth.error_codes) == ("failed", (131026,))


def test_a_sender_without_a_visible_number_is_named_by_their_user_id() -> None:
    payload = json.loads(whatsapp_payload(whatsapp_message(SITI, body="Sampah menumpuk di Pasar Kemis")))
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"][0]["from"]
    value["messages"][0]["from_user_id"] = "ID.1502576394655843"
    value["contacts"] = [{"profile": {"name": "Warga"}, "user_id": "ID.1502576394655843"}]
    [item] = whatsapp.queue_items(json.dumps(payload).encode())

    message = whatsapp.read_item(json.dumps(item))
    assert isinstance(message, InboundMessage)
    assert (message.sender, message.phone) == ("ID.1502576394655843", None)


@pytest.mark.parametrize(
    "part",
    [
        {"type": "sticker", "sticker": {"id": "1"}},
        {"type": "text"},  # no body
        {"type": "text", "text": {"body": "   "}},
        {"type": "image", "image": {"caption": "no id"}},
        {"type": "location", "location": {"latitude": "x", "longitude": 1}},
        {"type": "location", "location": {"latitude": 91, "longitude": 1}},
        {"type": "a_kind_meta_adds_next_year", "a_kind_meta_adds_next_year": {}},
        {"type": None},
    ],
)
def test_a_message_aduan_cannot_read_is_read_as_unsupported_not_refused(part: dict[str, Any]) -> None:
    message = {"from": SITI, "id": "wamid.x", "timestamp": "1750857384"} | part
    item = whatsapp.read_item(json.dumps({"message": message, "contact": None}))
    assert isinstance(item, InboundMessage)
    assert item.kind == "unsupported"


@pytest.mark.parametrize(
    "body", ["", "[]", "{}", '{"message": {"type": "text"}}', '{"status": {"id": "w"}}', "{" * 50_000]
)
def test_an_item_no_retry_can_read_is_poison(body: str) -> None:
    with pytest.raises(MalformedRequest):
        whatsapp.read_item(body)


def test_what_is_not_meta_s_shape_gives_no_items() -> None:
    for raw in (
        b"",
        b"not json",
        b"[1, 2]",
        b'{"entry": "x"}',
        b"{" * 50_000,
        b'{"entry": [{"changes": [{"field": "account_update", "value": {"messages": [{}]}}]}]}',
    ):
        assert whatsapp.queue_items(raw) == []


@settings(max_examples=200, deadline=None)
@given(payload=st.one_of(whatsapp_payloads(SITI), any_json))
def test_any_payload_splits_and_reads_back_without_an_error_a_retry_could_fix(payload: Any) -> None:
    for item in whatsapp.queue_items(json.dumps(payload).encode()):
        try:
            read = whatsapp.read_item(json.dumps(item))
        except MalformedRequest:
            continue  # poison: a message without its ID or sender, which the DLQ keeps
        assert isinstance(read, InboundMessage | DeliveryStatus)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=300), signature=st.one_of(st.none(), st.text(max_size=80)))
def test_any_bytes_under_any_signature_header_are_refused_or_checked_never_a_crash(
    raw: bytes, signature: str | None
) -> None:
    with pytest.raises(InvalidSignature):
        whatsapp.check_signature(raw, signature, SECRET)


def test_a_huge_batch_splits_into_one_item_per_message_in_order() -> None:
    messages = [whatsapp_message(f"62812{n:08d}", body=f"laporan {n}") for n in range(5_000)]
    items = whatsapp.queue_items(whatsapp_payload(*messages))

    assert len(items) == 5_000
    read = [whatsapp.read_item(json.dumps(item)) for item in items]
    assert [one.text for one in read if isinstance(one, InboundMessage)] == [
        f"laporan {n}" for n in range(5_000)
    ]
