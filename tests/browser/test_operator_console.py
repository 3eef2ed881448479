"""An agency operator works complaints in the console (web/ops.html): signs in, finds a new report
in the inbox, reads it, and responds; a second operator acting first; a session that ends.

Real Chromium against the local stack, as in test_citizen_pages: the page and the API at one origin,
the demo users of the local user pool, complaints filed through the public API and routed by the
real routing function. Locators are what an operator sees: labels, roles and texts (Indonesian
first, as the console opens).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from aduan_local.stack import LocalStack
from aduan_local.user_pool import MOTO_TOTP_SECRET, fresh_totp
from tests.browser.conftest import watch
from tests.e2e.helpers import eventually, report

pytestmark = pytest.mark.e2e

OPERATOR = "op.disdukcapil"  # operator of kab-tangerang.disdukcapil, where kependudukan in 36.03 goes
LAPTOP = {"width": 1366, "height": 768}
# What each action's button says (Indonesian), to compare the page with the API's allowed_actions.
BUTTONS = {
    "acknowledge": "Mulai tindak lanjut",
    "respond": "Tanggapi",
    "request_info": "Minta informasi",
    "verify": "Verifikasi",
    "assign": "Disposisi",
    "transfer": "Alihkan",
    "return": "Bukan wewenang kami",
    "mark_dispute": "Tandai sengketa",
    "mark_field_exam": "Perlu pemeriksaan lapangan",
    "flag_ombudsman": "Tandai untuk Ombudsman",
    "archive": "Arsipkan",
}
RESPONSE = (
    "KTP elektronik Anda sudah dicetak hari ini dan dapat diambil di kantor Kecamatan Cikupa "
    "mulai besok pukul 08.00 dengan membawa bukti perekaman."
)


@pytest.fixture
def laptop(browser: Browser, local_stack: LocalStack) -> Iterator[Page]:
    """A fresh page on a 1366×768 laptop in Jakarta; fails the test on any script or CSP error."""
    context = browser.new_context(
        base_url=local_stack.url, viewport=LAPTOP, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page)
    yield page
    context.close()
    assert problems == [], "the page reported errors"


def assigned_complaint(stack: LocalStack, **overrides: Any) -> dict[str, Any]:
    """A citizen's report of a KTP problem in Kabupaten Tangerang, once routing has assigned it to
    Disdukcapil. The title is unique, so that the test finds this one in a shared inbox."""
    title = f"KTP elektronik belum jadi, laporan {uuid.uuid4().hex[:8]}"
    body = report(title=title, category="kependudukan", **overrides)
    body["location"] = {"region_code": "36.03", "address": "Jl. Raya Cikupa No. 5, Kecamatan Cikupa"}
    filed = requests.post(f"{stack.url}/complaints", json=body, timeout=30)
    assert filed.status_code == 201, filed.text
    receipt: dict[str, Any] = filed.json()

    def status() -> str:
        answer = requests.get(
            f"{stack.url}/complaints/{receipt['tracking_id']}",
            headers={"X-Access-Code": receipt["access_code"]},
            timeout=10,
        )
        return str(answer.json()["status"])

    assert eventually(lambda: status() == "assigned"), status()
    return receipt | {"title": title}


def sign_in(page: Page, stack: LocalStack, username: str = OPERATOR) -> None:
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi", exact=True).fill(stack.demo_users[username])
    page.get_by_role("button", name="Masuk", exact=True).click()


def allowed_actions(page: Page, tracking_id: str) -> list[str]:
    """What the API allows the signed-in operator now, asked with the page's own token."""
    actions: list[str] = page.evaluate(
        """async (id) => {
            const token = JSON.parse(sessionStorage.getItem("aduan.ops.session")).token;
            const headers = {Authorization: "Bearer " + token};
            const answer = await fetch("/ops/complaints/" + id, {headers});
            return (await answer.json()).allowed_actions;
        }""",
        tracking_id,
    )
    return actions


def action_buttons(page: Page) -> list[str]:
    return page.locator("#action-buttons button:visible").all_inner_texts()


def test_an_operator_finds_a_new_report_in_the_inbox_and_responds_from_a_phone(
    phone: Page, local_stack: LocalStack
) -> None:
    complaint = assigned_complaint(local_stack)
    phone.goto("/ops.html")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Masuk sebagai petugas")
    sign_in(phone, local_stack)

    expect(phone.get_by_role("heading", level=1)).to_have_text("Kotak masuk")
    expect(phone.locator("#ops-who")).to_contain_text(OPERATOR)
    phone.get_by_label("Status").select_option(label="Diteruskan ke instansi")
    row = phone.get_by_role("listitem").filter(has=phone.get_by_role("link", name=complaint["title"]))
    expect(row).to_contain_text("Diteruskan ke instansi")
    expect(row).to_contain_text(re.sub(r"(.{5})(.{5})", r"\1-\2", complaint["tracking_id"]))
    expect(row).to_contain_text("Batas waktu:")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    with phone.expect_response(lambda response: response.url.endswith("/regions")) as regions:
        row.get_by_role("link", name=complaint["title"]).click()
    heading = phone.get_by_role("heading", level=1)
    expect(heading).to_have_text(complaint["title"])
    expect(heading).to_be_focused()
    expect(phone.locator("#c-status")).to_have_text("Diteruskan ke instansi")
    # The region is named as GET /regions names it, the console holding no names of its own.
    named = {region["code"]: region["name"] for region in regions.value.json()["regions"]}
    assert named["36.03"] == "Kabupaten Tangerang"
    expect(phone.locator("#c-location")).to_contain_text("Kabupaten Tangerang (36.03)")
    # A public report: the agency may see who reported it.
    expect(phone.locator("#c-reporter")).to_contain_text("Siti Aminah")
    expect(phone.locator("#c-timeline")).to_contain_text("Laporan diterima")
    # Exactly the actions the API allows this operator now, and nothing else.
    allowed = allowed_actions(phone, complaint["tracking_id"])
    assert "respond" in allowed
    assert "archive" not in allowed  # only coordinators and the national administrator archive
    assert sorted(action_buttons(phone)) == sorted(BUTTONS.get(action, action) for action in allowed)
    expect(phone.get_by_role("button", name="Arsipkan")).to_have_count(0)

    respond = phone.get_by_role("button", name="Tanggapi", exact=True)
    respond.click()
    expect(respond).to_have_attribute("aria-expanded", "true")
    answer = phone.get_by_label("Tanggapan untuk pelapor")
    expect(answer).to_be_focused()
    answer.fill(RESPONSE)
    phone.get_by_role("button", name="Kirim tanggapan").click()

    expect(phone.locator("#c-status")).to_have_text("Sudah ditanggapi")
    result = phone.locator("#action-result")
    expect(result).to_have_attribute("role", "status")
    expect(result).to_have_text("Berhasil: Tanggapi. Status sekarang: Sudah ditanggapi.")
    expect(result).to_be_focused()
    expect(phone.locator("#c-timeline")).to_contain_text(RESPONSE)
    expect(phone.get_by_role("button", name="Tanggapi", exact=True)).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The citizen sees it too, through the public API.
    tracked = requests.get(
        f"{local_stack.url}/complaints/{complaint['tracking_id']}",
        headers={"X-Access-Code": complaint["access_code"]},
        timeout=10,
    ).json()
    assert tracked["status"] == "responded"
    assert tracked["status_text"] == "Sudah ditanggapi"

    # Back in the inbox the row has moved on, and the focus is back on it.
    phone.get_by_role("link", name="Kembali ke kotak masuk").click()
    link = phone.get_by_role("link", name=complaint["title"])
    expect(link).to_be_focused()
    expect(phone.get_by_role("listitem").filter(has=link)).to_contain_text("Sudah ditanggapi")


def test_when_another_operator_acts_first_the_console_reloads_and_keeps_what_was_typed(
    laptop: Page, local_stack: LocalStack
) -> None:
    complaint = assigned_complaint(local_stack)
    laptop.goto(f"/ops.html#/c/{complaint['tracking_id']}")
    sign_in(laptop, local_stack)  # the console opens the complaint it was asked for
    expect(laptop.get_by_role("heading", level=1)).to_have_text(complaint["title"])
    laptop.get_by_role("button", name="Tanggapi", exact=True).click()
    laptop.get_by_label("Tanggapan untuk pelapor").fill(RESPONSE)

    # Meanwhile a colleague, signed in elsewhere, acknowledges it.
    colleague = local_stack.token(OPERATOR)["token"]
    seen = laptop.evaluate("document.getElementById('c-id').textContent")
    assert seen.replace("-", "") == complaint["tracking_id"]
    acknowledged = requests.post(
        f"{local_stack.url}/ops/complaints/{complaint['tracking_id']}/actions",
        json={"action": "acknowledge"},
        headers={"Authorization": f"Bearer {colleague}"},
        timeout=30,
    )
    assert acknowledged.status_code == 200, acknowledged.text

    laptop.get_by_role("button", name="Kirim tanggapan").click()
    problem = laptop.locator("#action-problem")
    expect(problem).to_have_attribute("role", "alert")
    expect(problem).to_contain_text("baru saja diubah oleh orang lain")
    expect(laptop.locator("#c-status")).to_have_text("Sedang ditindaklanjuti")
    expect(laptop.locator("#c-timeline")).to_contain_text("mulai menindaklanjuti")
    expect(laptop.get_by_role("button", name="Mulai tindak lanjut")).to_be_hidden()
    expect(laptop.get_by_label("Tanggapan untuk pelapor")).to_have_value(RESPONSE)

    laptop.get_by_role("button", name="Kirim tanggapan").click()
    expect(laptop.locator("#c-status")).to_have_text("Sudah ditanggapi")
    expect(problem).to_be_empty()


def test_an_ended_session_returns_to_the_sign_in_and_then_to_the_same_complaint(
    laptop: Page, local_stack: LocalStack
) -> None:
    complaint = assigned_complaint(local_stack)
    laptop.goto("/ops.html")
    laptop.get_by_label("Nama pengguna").fill(OPERATOR)
    laptop.get_by_label("Kata sandi", exact=True).fill("bukan-kata-sandinya")
    laptop.get_by_role("button", name="Masuk", exact=True).click()
    expect(laptop.locator("#ops-problem")).to_have_text("Nama pengguna atau kata sandi salah.")
    expect(laptop.locator("#ops-problem")).to_be_focused()

    sign_in(laptop, local_stack)
    laptop.goto(f"/ops.html#/c/{complaint['tracking_id']}")
    expect(laptop.get_by_role("heading", level=1)).to_have_text(complaint["title"])
    laptop.get_by_role("button", name="Minta informasi").click()
    question = "Mohon kirim nomor NIK dan tanggal perekaman KTP elektronik Anda."
    laptop.get_by_label("Pertanyaan untuk pelapor").fill(question)

    # The hour of the token is up: API Gateway's JWT authorizer answers 401, as to any expired token.
    laptop.route(
        "**/ops/complaints/*/actions",
        lambda route: route.fulfill(status=401, json={"message": "Unauthorized"}),
        times=1,
    )
    laptop.get_by_role("button", name="Kirim pertanyaan").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Masuk sebagai petugas")
    expect(laptop.locator("#ops-problem")).to_contain_text("Sesi Anda sudah berakhir")

    # Signed in again: the same complaint, and the question is still there to send.
    sign_in(laptop, local_stack)
    expect(laptop.get_by_role("heading", level=1)).to_have_text(complaint["title"])
    expect(laptop.get_by_label("Pertanyaan untuk pelapor")).to_have_value(question)
    laptop.get_by_role("button", name="Kirim pertanyaan").click()
    expect(laptop.locator("#c-status")).to_have_text("Menunggu informasi dari pelapor")
    expect(laptop.locator("#c-due")).to_have_text("Dihentikan sementara sampai pelapor memberi informasi")


def test_a_coordinator_reads_the_console_in_english(laptop: Page, local_stack: LocalStack) -> None:
    laptop.goto("/ops.html")
    laptop.get_by_role("button", name="English").click()
    expect(laptop.locator("html")).to_have_attribute("lang", "en")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Sign in as an official")
    local_stack.token("coord.kab-tangerang")  # enrolled in two-step sign-in, if no test did it before
    laptop.get_by_label("Username").fill("coord.kab-tangerang")
    laptop.get_by_label("Password", exact=True).fill(local_stack.demo_users["coord.kab-tangerang"])
    laptop.get_by_role("button", name="Sign in", exact=True).click()
    laptop.get_by_label("Verification code", exact=True).fill(fresh_totp(MOTO_TOTP_SECRET))
    with laptop.expect_request("**/ops/complaints?*") as asked:
        laptop.get_by_role("button", name="Send the code").click()
    assert asked.value.headers["accept-language"] == "en"
    assert asked.value.headers["authorization"].startswith("Bearer ")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(laptop.locator("#ops-who")).to_contain_text("Coordinator")
    for label in ("Status", "Order", "Overdue only"):
        expect(laptop.get_by_label(label, exact=True)).to_be_visible()
    expect(laptop.locator("#inbox-status")).to_have_text(re.compile(r"reports shown|No reports match"))

    # Every text of the console exists in both languages.
    missing = laptop.evaluate(
        """async () => {
            const html = await (await fetch("/ops.html")).text();
            const page = new DOMParser().parseFromString(html, "text/html");
            const keys = [...page.querySelectorAll("[data-i18n]")].map((el) => el.dataset.i18n);
            return keys.filter((key) => !(key in ADUAN_STRINGS.id && key in ADUAN_STRINGS.en));
        }"""
    )
    assert missing == []

    laptop.get_by_role("button", name="Sign out").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Sign in as an official")
    assert laptop.evaluate("sessionStorage.getItem('aduan.ops.session')") is None
