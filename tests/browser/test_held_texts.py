"""An operator's answer to an anonymous reporter that asks for their NIK through a link is held in the
console: the warning under the text says why, nothing is sent, and ticking the box sends it."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from aduan_local.stack import LocalStack
from tests.browser.test_operator_console import assigned_complaint, laptop, sign_in

pytestmark = pytest.mark.e2e
__all__ = ["laptop"]  # the fixture, shared with the console's other tests

UNMASKING = "Mohon kirim NIK dan foto KTP Anda lewat https://bit.ly/form-ktp agar bisa kami proses."


def test_an_answer_that_could_unmask_an_anonymous_reporter_is_held_until_confirmed(
    laptop: Page, local_stack: LocalStack
) -> None:
    complaint = assigned_complaint(local_stack, privacy="anonymous")
    laptop.goto("/ops.html")
    sign_in(laptop, local_stack)
    laptop.get_by_label("Status").select_option(label="Diteruskan ke instansi")
    laptop.get_by_role("link", name=complaint["title"]).click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text(complaint["title"])

    laptop.get_by_role("button", name="Tanggapi", exact=True).click()
    laptop.get_by_label("Tanggapan untuk pelapor").fill(UNMASKING)
    laptop.get_by_role("button", name="Kirim tanggapan").click()

    warning = laptop.locator("#respond-text-error")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("tautan")
    expect(warning).to_contain_text("NIK")
    expect(laptop.locator("#c-status")).to_have_text("Diteruskan ke instansi")  # nothing was sent

    def citizen_status() -> str:
        answer = requests.get(
            f"{local_stack.url}/complaints/{complaint['tracking_id']}",
            headers={"X-Access-Code": complaint["access_code"]},
            timeout=10,
        )
        return str(answer.json()["status"])

    assert citizen_status() == "assigned"

    laptop.get_by_label("Saya sudah memeriksa pesan ini; kirim tetap.").check()
    laptop.get_by_role("button", name="Kirim tanggapan").click()
    expect(laptop.locator("#c-status")).to_have_text("Sudah ditanggapi")
    assert citizen_status() == "responded"
