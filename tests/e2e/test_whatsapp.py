"""A citizen by WhatsApp, over the whole local stack and real HTTP, with payloads signed as Meta
signs them: a report in Cikupa assigned and answered by WhatsApp, a photo captioned `BALAS <id>`
added to it through the attachment pipeline, `CEK`, a response a day later as
an approved template, SMS for a number no longer on WhatsApp; one report and one answer for a
payload delivered three times; and what an unsigned or mis-signed payload gets."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from hashlib import sha256
from typing import Any

import pytest
import requests

from aduan.domain.models import AttachmentState
from aduan.domain.tracking import display_form
from aduan_local.client import LOCAL_WHATSAPP_VERIFY, whatsapp_message, whatsapp_payload, whatsapp_signature
from aduan_local.stack import LocalStack
from tests import phones
from tests.e2e.helpers import (
    age_whatsapp_window,
    as_user,
    complaint_store,
    eventually,
    quiet,
    send_whatsapp,
    sms_to,
    whatsapp_to,
)
from tests.e2e.test_evidence import png, worked

pytestmark = pytest.mark.e2e

REPORT = "KTP elektronik sy blm jadi sdh 3 bln, rekam di kecamatan Cikupa, kata petugas blankonya habis 🙏"


def sent_with(stack: LocalStack, wa_id: str, words: str) -> list[dict[str, Any]]:
    """The WhatsApp messages to `wa_id` that say `words` (free text, or a template's parameters)."""
    return [
        message
        for message in whatsapp_to(stack, wa_id)
        if words in message.get("body", "")
        or words in " ".join(message.get("template", {}).get("parameters", []))
    ]


def tracking_id_of(receipt: dict[str, Any]) -> str:
    return str(receipt["body"].split("laporan ")[1].split(" ")[0]).replace("-", "")


def operator_acts(stack: LocalStack, tracking_id: str, action: str, **fields: Any) -> requests.Response:
    path = f"/ops/complaints/{tracking_id}"
    version = as_user(stack, "op.disdukcapil", "GET", path).json()["version"]
    body = {"action": action, "version": version, **fields}
    return as_user(stack, "op.disdukcapil", "POST", f"{path}/actions", json=body)


def test_a_whatsapp_report_in_cikupa_is_assigned_checked_and_answered_a_day_later_by_template(
    local_stack: LocalStack,
) -> None:
    phone = phones.this_tests()
    wa_id = phone.removeprefix("+")
    assert (
        send_whatsapp(local_stack, whatsapp_payload(whatsapp_message(phone, body=REPORT))).status_code == 200
    )

    [receipt] = eventually(lambda: sent_with(local_stack, wa_id, "Kode akses"))
    assert receipt["type"] == "text"
    assert "diterima" in receipt["body"]
    tracking_id = tracking_id_of(receipt)
    [assigned] = eventually(lambda: sent_with(local_stack, wa_id, "diteruskan ke Dinas Kependudukan"))
    assert assigned["type"] == "text"

    photo = png()
    media_id = local_stack.graph.add_media(photo, "image/png")
    balas = f"BALAS {display_form(tracking_id)}"
    image = whatsapp_message(
        phone, "image", id=media_id, mime_type="image/png", sha256=sha256(photo).hexdigest(), caption=balas
    )
    send_whatsapp(local_stack, whatsapp_payload(image))
    [taken] = eventually(lambda: sent_with(local_stack, wa_id, "file Anda diterima"))
    assert taken["type"] == "text"
    [attachment] = eventually(lambda: complaint_store(local_stack).get(tracking_id).attachments)
    assert worked(local_stack, tracking_id, attachment.attachment_id).state is AttachmentState.ADDED

    check = whatsapp_message(phone, body=f"CEK {display_form(tracking_id)}")
    send_whatsapp(local_stack, whatsapp_payload(check))
    [status] = eventually(lambda: sent_with(local_stack, wa_id, "Batas:"))
    assert status["type"] == "text"
    assert display_form(tracking_id) in status["body"]

    age_whatsapp_window(local_stack, wa_id, timedelta(hours=25))
    assert operator_acts(local_stack, tracking_id, "acknowledge").status_code == 200
    response = "KTP Anda sudah jadi, silakan diambil di kantor Kecamatan Cikupa."
    assert operator_acts(local_stack, tracking_id, "respond", text=response).status_code == 200

    [answer] = eventually(lambda: sent_with(local_stack, wa_id, "sudah jadi"))
    assert answer["type"] == "template"
    assert answer["template"]["name"] == "aduan_laporan_ditanggapi"
    assert answer["template"]["language"] == "id"
    assert answer["template"]["parameters"][0] == display_form(tracking_id)
    assert sms_to(local_stack, phone) == []  # all of it by WhatsApp


def test_a_number_no_longer_on_whatsapp_gets_its_answers_by_sms(local_stack: LocalStack) -> None:
    phone = phones.this_tests()
    local_stack.graph.leave(phone.removeprefix("+"))  # between writing and being answered

    send_whatsapp(local_stack, whatsapp_payload(whatsapp_message(phone, body=REPORT)))

    [receipt] = eventually(lambda: [text for text in sms_to(local_stack, phone) if "diterima" in text])
    assert "Kode akses" in receipt
    assert whatsapp_to(local_stack, phone.removeprefix("+")) == []


def test_the_same_payload_delivered_three_times_files_one_report_and_sends_one_answer(
    local_stack: LocalStack,
) -> None:
    phone = phones.this_tests()
    raw = whatsapp_payload(whatsapp_message(phone, body=REPORT))

    assert [send_whatsapp(local_stack, raw).status_code for _ in range(3)] == [200, 200, 200]

    eventually(lambda: sent_with(local_stack, phone.removeprefix("+"), "Kode akses"))
    quiet(local_stack)
    assert len(sent_with(local_stack, phone.removeprefix("+"), "Kode akses")) == 1
    assert len(sent_with(local_stack, phone.removeprefix("+"), "diteruskan")) == 1


def test_a_payload_meta_did_not_sign_is_refused_and_changes_nothing(local_stack: LocalStack) -> None:
    phone = phones.this_tests()
    raw = whatsapp_payload(whatsapp_message(phone, body=REPORT))
    reserialised = json.dumps(json.loads(raw)).encode()

    for signature in (
        "",
        "sha256=" + "0" * 64,
        whatsapp_signature(reserialised),
        whatsapp_signature(raw, "tebakan"),
    ):
        answer = send_whatsapp(local_stack, raw, signature)
        assert answer.status_code == 403, signature
        assert answer.json()["error"]["code"] == "forbidden"
    quiet(local_stack)
    assert whatsapp_to(local_stack, phone.removeprefix("+")) == []


def test_meta_s_subscription_check_gets_the_challenge_for_our_verify_token_only(
    local_stack: LocalStack,
) -> None:
    url = f"{local_stack.url}/whatsapp/webhook"
    asked = {
        "hub.mode": "subscribe",
        "hub.verify_token": LOCAL_WHATSAPP_VERIFY,
        "hub.challenge": "1158201444",
    }

    answer = requests.get(url, params=asked, timeout=10)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    assert answer.headers["content-type"].startswith("text/plain")
    assert requests.get(url, params=asked | {"hub.verify_token": "tebakan"}, timeout=10).status_code == 403


def test_meta_s_delivery_statuses_become_delivery_events_and_a_late_delivered_changes_nothing(
    local_stack: LocalStack,
) -> None:
    phone = phones.this_tests()
    wa_id = phone.removeprefix("+")
    send_whatsapp(local_stack, whatsapp_payload(whatsapp_message(phone, body=REPORT)))
    [receipt] = eventually(lambda: sent_with(local_stack, wa_id, "Kode akses"))
    tracking_id = tracking_id_of(receipt)

    def status(state: str, at: int) -> dict[str, Any]:
        return {"id": receipt["id"], "status": state, "timestamp": str(at), "recipient_id": wa_id}

    now = int(time.time())
    for statuses in (
        [status("sent", now), status("delivered", now + 1)],
        [status("read", now + 2)],
        [status("delivered", now + 1)],
    ):
        assert send_whatsapp(local_stack, whatsapp_payload(statuses=statuses)).status_code == 200
        quiet(local_stack)

    outcomes = [
        event.data["outcome"]
        for event in complaint_store(local_stack).timeline(tracking_id)
        if event.type == "notification" and str(event.data["outcome"]).startswith("whatsapp ")
    ]
    assert outcomes == ["whatsapp sent", "whatsapp delivered", "whatsapp read"]


def test_a_batch_of_sixty_messages_is_taken_at_once_and_each_is_answered(local_stack: LocalStack) -> None:
    citizens = [phones.number("batch", n) for n in range(60)]
    raw = whatsapp_payload(*(whatsapp_message(citizen, body="CEK") for citizen in citizens))

    answer = send_whatsapp(local_stack, raw)

    assert answer.status_code == 200
    quiet(local_stack, timeout=300)
    answered = {
        message["to"]
        for message in local_stack.outbox()["whatsapp"]
        if "tidak ditemukan" in message.get("body", "")
    }
    assert {citizen.removeprefix("+") for citizen in citizens} <= answered


def test_a_report_naming_no_place_is_asked_where_once_and_filed_without_one_when_no_answer_comes(
    local_stack: LocalStack,
) -> None:
    phone = phones.this_tests()
    wa_id = phone.removeprefix("+")
    report = "Jalan di depan rumah saya berlubang besar sudah sebulan, motor sering jatuh di situ."
    send_whatsapp(local_stack, whatsapp_payload(whatsapp_message(phone, body=report)))

    [question] = eventually(lambda: sent_with(local_stack, wa_id, "Di mana lokasinya?"))
    assert question["type"] == "text"
    [receipt] = eventually(lambda: sent_with(local_stack, wa_id, "Kode akses"))  # the wait here: 3 s
    complaint = complaint_store(local_stack).get(tracking_id_of(receipt))
    assert (complaint.description, complaint.location.address, complaint.location.lat) == (report, None, None)
    quiet(local_stack)
    assert len(sent_with(local_stack, wa_id, "Di mana lokasinya?")) == 1
