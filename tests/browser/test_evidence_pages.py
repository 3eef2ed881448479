"""Evidence on the pages: a citizen on a cheap phone attaches photos to a report, sees them on the
tracking page and adds one more later through an upload that fails once; the public sees only how
many there are; the agency's operator sees them in the console and adds a photo of the follow-up.

Real Chromium on a 360×740 screen against the local stack, as in test_citizen_pages: real JPEGs
made here with Pillow (one with the GPS position a phone writes), uploaded by the page straight to
the local stack's S3 through the presigned POST the API gives, and checked by the real attachment
worker, which the pages wait for by reading the view again (never a sleep here).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import ExifTags, Image
from playwright.sync_api import FilePayload, Page, Request, Route, expect

from aduan_local.stack import LocalStack
from aduan_local.template import load_template
from tests.browser.test_citizen_pages import fill_report, read_receipt, send
from tests.browser.test_operator_console import assigned_complaint, sign_in
from tests.e2e.helpers import eventually

pytestmark = pytest.mark.e2e

WEB = Path(__file__).resolve().parents[2] / "web"
PAGES = ("index.html", "track.html", "ops.html")
# Where the links and uploads go: the pages' <meta> names the bucket by pattern (in AWS,
# CloudFront's header names the stack's own bucket, and both policies apply) and the local stack's
# emulator on loopback (a port of its own, different each run).
BUCKET_BY_PATTERN = {
    "https://${EvidenceBucket.RegionalDomainName}": "https://*.s3.ap-southeast-3.amazonaws.com",
    "https://${EvidenceBucket.DomainName}": "https://*.s3.amazonaws.com",
}
LOCAL_EMULATOR = "http://127.0.0.1:*"
THUMBNAILS = "#r-gallery img"
ALL_LOADED = "(s) => [...document.querySelectorAll(s)].every((i) => i.complete && i.naturalWidth > 0)"
S3_ERROR = "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"


def photo(name: str, *, color: tuple[int, int, int], gps: bool = False) -> FilePayload:
    """A real 1600×1200 JPEG as a phone's camera makes it; with `gps`, the position in its EXIF."""
    image = Image.new("RGB", (1600, 1200), color)
    for x in range(0, 1600, 40):  # some detail, so that the file is not trivially small
        image.paste((x % 256, 255 - x % 256, 90), (x, 0, x + 20, 1200))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Aduan test phone"
    if gps:
        position = exif.get_ifd(ExifTags.IFD.GPSInfo)
        position[ExifTags.GPS.GPSLatitudeRef] = "S"
        position[ExifTags.GPS.GPSLatitude] = (6.0, 10.0, 30.0)
        position[ExifTags.GPS.GPSLongitudeRef] = "E"
        position[ExifTags.GPS.GPSLongitude] = (106.0, 49.0, 45.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    data = out.getvalue()
    if gps:
        assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "no GPS written"
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def loaded(page: Page, selector: str, count: int) -> None:
    """Waits until `count` images of `selector` are on the page and every one has loaded."""
    expect(page.locator(selector)).to_have_count(count, timeout=60_000)  # the page polls the worker
    page.wait_for_function(ALL_LOADED, arg=selector)


def full_image_shown(page: Page) -> None:
    """Waits until the overlay's full image has loaded (it is the only one on the page)."""
    expect(page.locator("img.ev-full")).to_be_visible()
    page.wait_for_function(ALL_LOADED, arg="img.ev-full")


def is_upload(stack: LocalStack) -> Any:
    return lambda request: request.url.startswith(stack.endpoint) and request.method == "POST"


def is_form_request(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/attachments")


def test_a_citizen_attaches_two_photos_to_a_report_and_sees_them_on_the_tracking_page(
    phone: Page, local_stack: LocalStack
) -> None:
    phone.goto("/")
    fill_report(phone)
    phone.get_by_label("Pilih foto atau PDF").set_input_files(
        [
            photo("jalan-berlubang.jpg", color=(120, 80, 40), gps=True),
            photo("genangan.jpg", color=(40, 90, 150)),
        ]
    )
    chosen = phone.locator("#evidence-list li")
    expect(chosen).to_have_count(2)
    expect(chosen.first).to_contain_text("jalan-berlubang.jpg")
    expect(chosen.first).to_contain_text(re.compile(r"\d+ KB"))
    expect(phone.get_by_role("button", name="Hapus genangan.jpg")).to_be_visible()
    # Touch targets of at least 44 px, and the form still fits the phone.
    for target in (
        phone.locator('label[for="evidence-files"]'),
        phone.get_by_role("button", name="Hapus genangan.jpg"),
    ):
        box = target.bounding_box()
        assert box
        assert box["height"] >= 44
    no_sideways_scroll(phone)

    forms: list[Request] = []
    phone.on("request", lambda request: forms.append(request) if is_form_request(request) else None)
    send(phone)
    tracking_id, access_code = read_receipt(phone)

    # Filed first; then each photo, its progress shown until the bucket has it.
    uploads = phone.locator("#receipt-uploads li")
    expect(uploads).to_have_count(2)
    for index in range(2):
        expect(uploads.nth(index)).to_contain_text("Terkirim, sedang diperiksa")
        expect(uploads.nth(index).locator("progress")).to_have_js_property("value", 100)
    expect(phone.locator("#evidence-status")).to_have_text(re.compile("2 berkas terkirim"))
    expect(phone.locator("#receipt-evidence")).to_contain_text(
        "dari halaman Lacak laporan dengan nomor laporan dan kode akses"
    )
    assert [request.headers["x-access-code"] for request in forms] == [access_code, access_code]
    assert [request.post_data_json["content_type"] for request in forms] == ["image/jpeg", "image/jpeg"]
    no_sideways_scroll(phone)

    # The tracking page of this tab has the code, and waits for the worker's check.
    phone.get_by_role("link", name="Lacak laporan ini").click()
    loaded(phone, THUMBNAILS, 2)
    expect(phone.locator(THUMBNAILS).first).to_have_attribute("alt", "Foto 1 dari 2")
    expect(phone.locator("#r-evidence-count")).to_have_text("2 foto atau dokumen")
    expect(phone.locator("#r-timeline li").filter(has_text="Pelapor menambahkan sebuah foto.")).to_have_count(
        2
    )
    no_sideways_scroll(phone)

    # A thumbnail opens the full photo over the page: it loads, upright, without its GPS position.
    phone.locator(THUMBNAILS).first.click()
    viewer = phone.get_by_role("dialog", name="Foto 1 dari 2")
    expect(viewer).to_be_visible()
    full = viewer.locator("img.ev-full")
    full_image_shown(phone)
    assert phone.evaluate("document.querySelector('img.ev-full').naturalWidth") == 1600
    stored = Image.open(io.BytesIO(requests.get(str(full.get_attribute("src")), timeout=10).content))
    assert dict(stored.getexif()) == {}
    no_sideways_scroll(phone)
    viewer.get_by_role("button", name="Tutup").click()
    expect(viewer).to_be_hidden()
    expect(phone.locator("a.ev-thumb").first).to_be_focused()

    # Anyone else with the ID: how many, never a link.
    phone.goto("/track.html")
    phone.get_by_label("Nomor laporan").fill(tracking_id)
    phone.get_by_role("button", name="Lacak", exact=True).click()
    count = phone.locator("#r-evidence-count")
    expect(count).to_have_text("2 foto atau dokumen. Foto dan dokumen hanya tampil dengan kode akses.")
    expect(phone.locator("#r-gallery a")).to_have_count(0)
    expect(phone.get_by_role("group", name="Tambahkan foto atau dokumen")).to_be_hidden()
    links = phone.evaluate("[...document.querySelectorAll('a[href], img[src]')].map((e) => e.href || e.src)")
    assert not [link for link in links if link.startswith(local_stack.endpoint)]


def test_a_photo_added_later_from_the_tracking_page_is_sent_again_after_the_upload_fails(
    phone: Page, local_stack: LocalStack
) -> None:
    complaint = assigned_complaint(local_stack)
    failures: list[str] = []

    def fail_the_first_upload(route: Route) -> None:
        if route.request.method == "POST" and not failures:
            failures.append(route.request.url)
            route.fulfill(
                status=500,
                headers={"Access-Control-Allow-Origin": "*", "Content-Type": "application/xml"},
                body=S3_ERROR,
            )
        else:
            route.fallback()

    phone.route(lambda url: url.startswith(local_stack.endpoint), fail_the_first_upload)
    phone.clock.install()  # the page's clock, to show a link older than its five minutes
    phone.goto("/track.html")
    phone.get_by_label("Nomor laporan").fill(complaint["tracking_id"])
    phone.get_by_label("Kode akses").fill(complaint["access_code"])
    phone.get_by_role("button", name="Lacak", exact=True).click()
    expect(phone.locator("#r-evidence-count")).to_have_text("Belum ada foto atau dokumen")
    adding = phone.get_by_role("group", name="Tambahkan foto atau dokumen")
    expect(adding).to_be_visible()

    forms: list[Request] = []
    phone.on("request", lambda request: forms.append(request) if is_form_request(request) else None)
    adding.get_by_label("Pilih foto atau PDF").set_input_files(
        [photo("loket-tutup.jpg", color=(200, 30, 30))]
    )
    adding.get_by_role("button", name="Kirim berkas yang dipilih").click()

    line = adding.locator("li").filter(has_text="loket-tutup.jpg")
    expect(line).to_contain_text("Penyimpanan berkas sedang bermasalah. Tekan Coba lagi.")
    expect(adding.locator('[data-ev="status"]')).to_have_text("“loket-tutup.jpg” belum terkirim.")
    assert len(failures) == 1
    with phone.expect_request(is_upload(local_stack)):
        line.get_by_role("button", name="Coba lagi loket-tutup.jpg").click()
    expect(line).to_contain_text("Terkirim, sedang diperiksa")
    # The retry used the same form: its place among the five was already held.
    assert len(forms) == 1

    loaded(phone, THUMBNAILS, 1)
    expect(line).to_have_count(0)  # the list forgets it once the tracking page shows it
    expect(phone.locator("#r-evidence-checking")).to_have_text("Berkas sudah diperiksa.")

    # Six minutes later the links have expired: the view is read again before the photo opens.
    phone.clock.fast_forward("06:00")
    view = f"{local_stack.url}/complaints/{complaint['tracking_id']}"
    with phone.expect_request(lambda request: request.method == "GET" and request.url == view):
        phone.locator(THUMBNAILS).first.click()
    full_image_shown(phone)


def test_files_the_api_would_refuse_are_refused_on_the_phone_before_any_upload(phone: Page) -> None:
    phone.goto("/")
    box = phone.get_by_label("Pilih foto atau PDF")
    requests_made: list[str] = []
    phone.on(
        "request", lambda request: requests_made.append(request.url) if request.method == "POST" else None
    )
    box.set_input_files(
        [
            {"name": "video.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (11 * 1024 * 1024)},
            {"name": "catatan.txt", "mimeType": "text/plain", "buffer": b"bukan foto"},
            {"name": "IMG_0042.HEIC", "mimeType": "", "buffer": b"\x00" * 2048},  # HEIC: the name says
        ]
    )
    error = phone.locator("#evidence-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("“video.jpg” terlalu besar (11 MB): paling besar 10 MB per berkas.")
    expect(error).to_contain_text(
        "“catatan.txt” tidak dapat dikirim: hanya foto JPEG, PNG, WebP, HEIC atau dokumen PDF."
    )
    expect(phone.locator("#evidence-list li")).to_have_count(1)
    expect(phone.locator("#evidence-list")).to_contain_text("IMG_0042.HEIC")

    box.set_input_files([photo(f"foto-{n}.jpg", color=(n * 40, 100, 100)) for n in range(5)])
    expect(phone.locator("#evidence-list li")).to_have_count(5)
    expect(error).to_have_text("Paling banyak 5 foto atau dokumen per laporan.")
    expect(box).to_be_disabled()
    phone.get_by_role("button", name="Hapus foto-0.jpg").click()
    expect(phone.locator("#evidence-list li")).to_have_count(4)
    expect(box).to_be_enabled()
    expect(box).to_be_focused()
    assert requests_made == []  # nothing left the phone

    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_role("button", name="Remove IMG_0042.HEIC")).to_be_visible()
    missing = phone.evaluate(
        """() => {
            const only = (a, b) => Object.keys(a).filter((k) => k.startsWith("ev.") && !(k in b));
            return only(ADUAN_STRINGS.id, ADUAN_STRINGS.en).concat(only(ADUAN_STRINGS.en, ADUAN_STRINGS.id));
        }"""
    )
    assert missing == []


def test_the_agencys_operator_sees_the_citizens_photo_in_the_console_and_adds_one_of_the_follow_up(
    phone: Page, local_stack: LocalStack
) -> None:
    complaint = assigned_complaint(local_stack)
    tracking_id = complaint["tracking_id"]
    citizens = photo("antrean.jpg", color=(10, 120, 60), gps=True)
    asked = requests.post(
        f"{local_stack.url}/complaints/{tracking_id}/attachments",
        json={"filename": citizens["name"], "content_type": "image/jpeg", "size": len(citizens["buffer"])},
        headers={"X-Access-Code": complaint["access_code"]},
        timeout=30,
    )
    assert asked.status_code == 201, asked.text
    form = asked.json()["upload"]
    posted = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("antrean.jpg", citizens["buffer"], "image/jpeg")},
        timeout=30,
    )
    assert posted.status_code == 204, posted.text

    def checked() -> bool:
        view = requests.get(
            f"{local_stack.url}/complaints/{tracking_id}",
            headers={"X-Access-Code": complaint["access_code"]},
            timeout=10,
        ).json()
        return bool(view["attachments_count"] == 1)

    assert eventually(checked), "the attachment worker did not add the citizen's photo"

    phone.goto(f"/ops.html#/c/{tracking_id}")
    sign_in(phone, local_stack)
    expect(phone.get_by_role("heading", level=1)).to_have_text(complaint["title"])
    loaded(phone, "#c-gallery img", 1)
    phone.locator("#c-gallery a").first.click()
    expect(phone.get_by_role("dialog", name="Foto 1 dari 1")).to_be_visible()
    full_image_shown(phone)
    phone.get_by_role("button", name="Tutup").click()

    adding = phone.get_by_role("group", name="Tambahkan foto tindak lanjut")
    adding.get_by_label("Pilih foto atau PDF").set_input_files(
        [photo("sudah-diperbaiki.jpg", color=(90, 90, 200))]
    )
    with phone.expect_request(
        lambda request: request.url.endswith(f"/ops/complaints/{tracking_id}/attachments")
    ) as asked_ops:
        adding.get_by_role("button", name="Kirim berkas yang dipilih").click()
    assert asked_ops.value.headers["authorization"].startswith("Bearer ")
    loaded(phone, "#c-gallery img", 2)
    # Once the worker has checked it, the whole complaint is shown anew: its timeline says so.
    added = phone.locator("#c-timeline li").filter(has_text="menambahkan sebuah foto")
    expect(added).to_have_count(2)
    no_sideways_scroll(phone)


def test_the_pages_policy_is_the_templates_with_the_bucket_by_pattern_and_the_local_emulator() -> None:
    header = load_template()["Resources"]["WebSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    policy = header["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    expected = {}
    for directive in policy.split("; "):
        name, *sources = directive.split()
        if name == "frame-ancestors":
            continue  # a <meta> cannot say it: the header alone does
        named = [BUCKET_BY_PATTERN.get(source, source) for source in sources]
        expected[name] = [*named, LOCAL_EMULATOR] if named != sources else named
    for page in PAGES:
        html = (WEB / page).read_text(encoding="utf-8")
        meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert meta, page
        found = {name: sources for name, *sources in (d.split() for d in meta.group(1).split("; "))}
        assert found == expected, page
