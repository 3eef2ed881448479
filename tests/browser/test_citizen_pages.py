"""A citizen on a cheap phone reports a problem, tracks it, fixes a mistake, reads the pages in English.

Real Chromium on a 360×740 screen against the local stack, speaking to the API as the page does:
same origin, relative URLs. Locators are what a person sees: labels, roles and texts.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, Route, expect

from aduan.domain.tracking import ALPHABET, display_form, new_tracking_id

pytestmark = pytest.mark.e2e

SYMBOL = f"[{ALPHABET}]"
TRACKING_ID_DISPLAY = re.compile(rf"{SYMBOL}{{5}}-{SYMBOL}{{5}}")
ACCESS_CODE = re.compile(rf"{SYMBOL}{{8}}")
TITLE = "KTP elektronik belum jadi setelah tiga bulan"
DESCRIPTION = (
    "Saya merekam KTP elektronik di kantor Disdukcapil Kabupaten Tangerang pada bulan Juli. "
    "Sampai sekarang KTP belum jadi dan petugas hanya menyuruh kembali minggu depan."
)


def fill_report(page: Page, *, title: str = TITLE, privacy: str = "Publik") -> None:
    """Fill the report form as a citizen would, by the labels on the screen (Indonesian)."""
    page.get_by_label("Judul laporan").fill(title)
    page.get_by_label("Isi laporan").fill(DESCRIPTION)
    page.get_by_label("Kabupaten/kota").select_option(label="Kabupaten Tangerang")
    page.get_by_label("Alamat atau patokan").fill("Jl. Raya Tigaraksa no. 1, Tigaraksa")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_label(privacy, exact=True).check()


def send(page: Page) -> None:
    page.get_by_role("button", name="Kirim laporan").click()


def read_receipt(page: Page) -> tuple[str, str]:
    """The tracking ID (display form) and access code the receipt shows, once it shows them."""
    receipt = page.get_by_role("region", name="Laporan Anda sudah diterima")
    expect(receipt).to_be_visible()
    expect(page.locator("#receipt-id")).to_have_text(TRACKING_ID_DISPLAY)
    tracking_id = page.locator("#receipt-id").inner_text()
    access_code = page.locator("#receipt-code").inner_text()
    assert ACCESS_CODE.fullmatch(access_code), access_code
    return tracking_id, access_code


def test_citizen_reports_from_a_phone_and_finds_the_report_on_the_tracking_page(phone: Page) -> None:
    phone.goto("/")
    fill_report(phone)
    send(phone)

    tracking_id, _ = read_receipt(phone)
    expect(phone.get_by_text("Rahasiakan kode akses")).to_be_visible()
    # The page fits the phone: nothing to scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.get_by_role("link", name="Lacak laporan ini").click()
    expect(phone).to_have_url(re.compile(r"/track\.html\?id=" + tracking_id.replace("-", "")))
    result = phone.get_by_role("region", name=TITLE)
    expect(result).to_be_visible()
    expect(result.locator("#r-id")).to_have_text(tracking_id)
    expect(result.locator("#r-status")).to_have_text(re.compile(r"\w+"))
    expect(result.get_by_text(DESCRIPTION)).to_be_visible()
    expect(result.locator("#r-timeline li").first).to_contain_text("Laporan diterima")

    # Another day, another browser tab: typed by hand, in lower case, without the hyphen.
    phone.goto("/track.html")
    phone.get_by_label("Nomor laporan").fill(tracking_id.replace("-", "").lower())
    phone.get_by_role("button", name="Lacak", exact=True).click()
    expect(phone.get_by_role("region", name=TITLE).locator("#r-id")).to_have_text(tracking_id)


def test_a_title_that_is_too_short_is_shown_beside_the_title_field(phone: Page) -> None:
    phone.goto("/")
    fill_report(phone, title="KTP")
    send(phone)

    title = phone.get_by_label("Judul laporan")
    message = phone.locator("#title-error")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(message).to_be_visible()
    expect(message).to_contain_text("10")  # at least 10 characters, in the API's words
    assert "title-error" in (title.get_attribute("aria-describedby") or "").split()
    # Beside it: right above the box, in the same column.
    box, said = title.bounding_box(), message.bounding_box()
    assert box
    assert said
    assert 0 <= box["y"] - (said["y"] + said["height"]) < 24
    assert said["x"] < box["x"] + box["width"]
    assert box["x"] < said["x"] + said["width"]
    expect(phone.get_by_label("Isi laporan")).not_to_have_attribute("aria-invalid", "true")
    expect(phone.get_by_role("region", name="Laporan Anda sudah diterima")).to_be_hidden()

    # The summary at the top is announced, has the focus, and leads to the field.
    summary = phone.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=message.inner_text()).press("Enter")
    expect(title).to_be_focused()

    title.fill(TITLE)
    send(phone)
    read_receipt(phone)


def test_a_citizen_who_reads_english_switches_the_pages_to_english(phone: Page) -> None:
    phone.goto("/")
    phone.get_by_role("button", name="English").click()

    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Report a problem with a public service")
    for label in ("Title", "What happened", "Regency or city", "Mobile number", "Email"):
        expect(phone.get_by_label(label, exact=True)).to_be_visible()
    expect(phone.get_by_role("group", name="Who may see this report?")).to_be_visible()
    expect(phone.get_by_label("Confidential", exact=True)).to_be_visible()
    # Category names come from the API, in both languages.
    expect(phone.get_by_label("Category")).to_contain_text(re.compile("civil registration", re.IGNORECASE))

    # The API is asked in English too, and answers in English.
    phone.get_by_label("Title").fill("Too short")
    with phone.expect_request("**/complaints") as sent:
        phone.get_by_role("button", name="Send report").click()
    assert sent.value.headers["accept-language"] == "en"
    assert sent.value.post_data_json["language"] == "en"
    expect(phone.locator("#title-error")).to_have_text("At least 10 characters.")

    # Remembered on the next page and the next visit.
    phone.goto("/track.html")
    expect(phone.get_by_label("Tracking ID")).to_be_visible()
    expect(phone.get_by_role("button", name="Track", exact=True)).to_be_visible()
    # Every text on both pages exists in both languages.
    missing = phone.evaluate(
        """async () => {
            const keys = new Set();
            for (const path of ["/", "/track.html"]) {
                const html = await (await fetch(path)).text();
                const page = new DOMParser().parseFromString(html, "text/html");
                page.querySelectorAll("[data-i18n]").forEach((el) => keys.add(el.dataset.i18n));
            }
            return [...keys].filter((key) => !(key in ADUAN_STRINGS.id && key in ADUAN_STRINGS.en));
        }"""
    )
    assert missing == []


def test_sending_again_after_a_lost_answer_files_the_report_once(phone: Page) -> None:
    keys: list[str] = []
    filed: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            filed.append(route.fetch().json()["tracking_id"])  # the API files it...
            route.abort("connectionreset")  # ...and the phone never hears back
        else:
            route.continue_()

    phone.route("**/complaints", lose_the_first_answer)
    phone.goto("/")
    fill_report(phone)
    phone.get_by_role("button", name="Kirim laporan").dblclick()
    expect(phone.locator("#error-summary")).to_contain_text("Periksa koneksi internet")
    send(phone)

    tracking_id, _ = read_receipt(phone)
    assert len(keys) == 2, "the double click sent the report twice"
    assert keys[0] == keys[1]
    assert uuid.UUID(keys[0]).version == 4
    assert tracking_id == display_form(filed[0])


def test_a_confidential_report_shows_only_with_its_access_code(phone: Page) -> None:
    phone.goto("/")
    fill_report(phone, privacy="Rahasia")
    send(phone)
    tracking_id, access_code = read_receipt(phone)

    phone.goto("/track.html")
    phone.get_by_label("Nomor laporan").fill(tracking_id)
    phone.get_by_role("button", name="Lacak", exact=True).click()
    expect(phone.locator("#track-problem")).to_contain_text("Laporan tidak ditemukan")
    expect(phone.get_by_text(DESCRIPTION)).to_have_count(0)

    phone.get_by_label("Kode akses").fill(access_code.lower())
    phone.get_by_role("button", name="Lacak", exact=True).click()
    result = phone.get_by_role("region", name=TITLE)
    expect(result.get_by_text(DESCRIPTION)).to_be_visible()
    expect(result.locator("#r-privacy")).to_have_text("Rahasia")


def test_a_mistyped_tracking_id_gets_a_hint_about_the_wrong_character(phone: Page) -> None:
    valid = new_tracking_id()
    typo = valid[:3] + next(s for s in ALPHABET if s != valid[3]) + valid[4:]
    phone.goto(f"/track.html?id={typo}")

    box = phone.get_by_label("Nomor laporan")
    expect(box).to_have_value(typo)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#tracking-id-error")).to_have_text(
        "Periksa kembali nomor laporan: ada satu karakter yang salah."
    )


def test_a_problem_with_a_field_the_page_does_not_have_is_named_in_the_summary(phone: Page) -> None:
    problems = {
        "error": {
            "code": "validation_failed",
            "message": "Ada isian yang perlu diperbaiki.",
            "details": [
                {"field": "reporter.email", "message": "Alamat email tidak valid."},
                {"field": "channel", "message": "Kolom ini tidak dikenal."},
            ],
        }
    }
    phone.route("**/complaints", lambda route: route.fulfill(status=422, json=problems))
    phone.goto("/")
    fill_report(phone)
    send(phone)

    summary = phone.locator("#error-summary")
    expect(summary.get_by_role("link", name="Email: Alamat email tidak valid.")).to_be_visible()
    unknown = summary.get_by_role("listitem").filter(has_text="channel: Kolom ini tidak dikenal.")
    expect(unknown).to_be_visible()
    expect(phone.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#email-error")).to_have_text("Alamat email tidak valid.")
