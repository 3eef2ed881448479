"""A citizen on a basic phone chooses who may see the report, over the whole local stack: `RAHASIA`
at the start of a report, the anonymous default, `RAHASIA <id>` later; and the gateway's webhook
that carries no MessageSid, which is refused rather than counted as a replay."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from aduan.doors.twilio import twilio_signature
from aduan_local.client import GATEWAY_NUMBER
from aduan_local.stack import LocalStack
from tests.e2e.helpers import SMS_TOKEN, eventually, send_sms, texts_once_quiet

pytestmark = pytest.mark.e2e

REPORT = "KTP elektronik sy blm jadi sdh 3 bln, rekam di kecamatan Cikupa, kata petugas blankonya habis"


def sid() -> str:
    return f"SM{uuid.uuid4().hex}"


def receipt_of(stack: LocalStack, phone: str) -> tuple[str, str, str]:
    """The tracking ID, the access code and the whole text of the receipt SMS (the one receipt)."""
    [received] = texts_once_quiet(stack, phone, "diterima")
    display = received.split("laporan ")[1].split(" ")[0]
    access_code = received.split("Kode akses: ")[1].split(" ")[0]
    return display.replace("-", ""), access_code, received


def tracked(stack: LocalStack, tracking_id: str, code: str | None = None) -> requests.Response:
    headers = {"X-Access-Code": code} if code else {}
    return requests.get(f"{stack.url}/complaints/{tracking_id}", headers=headers, timeout=10)


def operator_view(stack: LocalStack, tracking_id: str) -> requests.Response:
    """GET /ops/complaints/{id} as Disdukcapil's operator, once routing has assigned it there."""
    token = stack.token("op.disdukcapil")["token"]

    def view() -> requests.Response | None:
        response = requests.get(
            f"{stack.url}/ops/complaints/{tracking_id}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        return response if response.status_code == 200 else None

    response = eventually(view)
    assert response is not None, "the report never reached Disdukcapil"
    return response  # type: ignore[no-any-return]


def test_an_sms_report_opening_with_rahasia_is_confidential_end_to_end(local_stack: LocalStack) -> None:
    phone = "+6281299991101"
    assert send_sms(local_stack, phone, f"RAHASIA {REPORT}", sid()).status_code == 200
    tracking_id, access_code, receipt = receipt_of(local_stack, phone)
    assert "RAHASIA: isi & identitas tertutup" in receipt
    assert len(receipt) <= 160

    hidden = tracked(local_stack, tracking_id)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    shown = tracked(local_stack, tracking_id, access_code)
    assert shown.status_code == 200
    assert shown.json()["privacy"] == "confidential"
    assert shown.json()["description"] == REPORT

    view = operator_view(local_stack, tracking_id)
    assert view.json()["privacy"] == "confidential"
    assert view.json()["reporter"] is None
    assert phone.removeprefix("+62") not in view.text


def test_an_sms_report_naming_no_level_is_anonymous_until_rahasia_raises_it(local_stack: LocalStack) -> None:
    phone = "+6281299991102"
    send_sms(local_stack, phone, REPORT, sid())
    tracking_id, _, receipt = receipt_of(local_stack, phone)
    assert "ANONIM: identitas tdk ke instansi" in receipt
    assert "Kirim RAHASIA" in receipt
    assert len(receipt) <= 160
    public = tracked(local_stack, tracking_id).json()
    assert (public["privacy"], public["description"]) == ("anonymous", REPORT)
    view = operator_view(local_stack, tracking_id)
    assert view.json()["reporter"] is None
    assert phone.removeprefix("+62") not in view.text

    assert (
        send_sms(local_stack, phone, f"rahasia {tracking_id[:5]}-{tracking_id[5:]}", sid()).status_code == 200
    )

    assert eventually(lambda: tracked(local_stack, tracking_id).status_code == 404)
    [answer] = texts_once_quiet(local_stack, phone, "kini RAHASIA")
    assert len(answer) <= 160
    timeline = operator_view(local_stack, tracking_id).json()["timeline"]
    assert [e["data"] for e in timeline if e["type"] == "privacy_raised"] == [
        {"from": "anonymous", "to": "confidential"}
    ]


def test_balas_on_an_archived_complaint_is_answered_by_sms_not_a_server_error(
    local_stack: LocalStack,
) -> None:
    phone = "+6281299991103"
    send_sms(local_stack, phone, REPORT, sid())
    tracking_id, _, _ = receipt_of(local_stack, phone)
    national = local_stack.token("admin.nasional")["token"]
    version = operator_view(local_stack, tracking_id).json()["version"]
    archived = requests.post(
        f"{local_stack.url}/ops/complaints/{tracking_id}/actions",
        json={"action": "archive", "reason": "duplicate", "version": version},
        headers={"Authorization": f"Bearer {national}"},
        timeout=30,
    )
    assert archived.status_code == 200, archived.text

    response = send_sms(local_stack, phone, f"BALAS {tracking_id} kenapa diarsipkan?", sid())

    assert response.status_code == 200, response.text
    [answer] = texts_once_quiet(local_stack, phone, "tidak bisa dicatat")
    assert "Diarsipkan" in answer
    assert len(answer) <= 160


def webhook_without_sid(stack: LocalStack, sender: str, text: str) -> requests.Response:
    """A webhook signed as the gateway signs it, but without a MessageSid."""
    url = f"{stack.url}/sms/inbound"
    params: dict[str, Any] = {"From": sender, "To": GATEWAY_NUMBER, "Body": text}
    return requests.post(
        url,
        data=urlencode(params),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": twilio_signature(url, params, SMS_TOKEN),
        },
        timeout=30,
    )


def test_a_webhook_without_a_message_sid_is_refused_naming_it_and_later_reports_are_filed(
    local_stack: LocalStack,
) -> None:
    first, second = "+6281299991104", "+6281299991105"
    for phone in (first, second):  # before, the second of these was silently taken for a replay
        refused = webhook_without_sid(local_stack, phone, REPORT)
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["code"] == "malformed_request"
        assert [detail["field"] for detail in error["details"]] == ["MessageSid"]

    for phone in (first, second):
        send_sms(local_stack, phone, REPORT, sid())
    for phone in (first, second):
        assert len(texts_once_quiet(local_stack, phone, "diterima")) == 1, phone
