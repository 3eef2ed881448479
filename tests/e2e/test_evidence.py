"""Evidence end to end (DESIGN §4.1, issue #14): a citizen's photo and an agency's, over real HTTP
against the local stack, uploaded through the presigned POST as a browser posts it, checked by the
attachment worker, and read back from the emulator's S3; who sees what; and every refusal with
its documented status, none of which reaches `evidence/`.

The photo carries what a phone writes (its make, the GPS position where it was taken) and a file
name that holds the citizen's own; all three are registered with the session's privacy scan
(tests/privacy.py), which also refuses any presigned link in a log line.
"""

from __future__ import annotations

import io
import json
import re
import struct
from typing import Any
from xml.etree import ElementTree

import pytest
import requests
from PIL import ExifTags, Image

from aduan.domain.models import Attachment, AttachmentState
from aduan_local.stack import LocalStack
from tests.e2e.helpers import as_user, complaint_store, eventually, quiet, report
from tests.privacy import IDENTITIES

pytestmark = pytest.mark.e2e

FILE_NAME = "KTP_Siti_Rahmawati_3603.jpg"  # what a phone's gallery may call a photo of an e-KTP
CAMERA = "KameraRahasia Z9"  # EXIF Make: it must not survive, nor reach a log line
LATITUDE = (6.0, 10.0, 31.41592)  # south: Cikupa, to the second
LONGITUDE = (106.0, 49.0, 2.25)
for _text in (FILE_NAME, FILE_NAME.removesuffix(".jpg"), CAMERA, str(LATITUDE[2])):
    IDENTITIES.file_text(_text)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
WORKER = 120.0  # seconds for the worker to settle an upload: a cold start loads Pillow


# -- files as a phone makes them ------------------------------------------------------------------


def phone_photo(width: int = 1600, height: int = 1200, *, grain: bool = False) -> bytes:
    """A JPEG as a phone writes it: its make and where it was taken in EXIF (GPS IFD 0x8825). With
    `grain`, a sensor's noise: megabytes that take the worker a while to decode and re-encode."""
    if grain:
        noise = Image.effect_noise((width, height), 40)
        image = Image.merge(
            "RGB", (noise, noise.rotate(180), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
        )
    else:
        image = Image.new("RGB", (width, height), (20, 20, 220))
        image.paste((220, 20, 20), (0, 0, width, height // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = LONGITUDE
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 160, 60)).save(out, format="PNG")
    return out.getvalue()


def gps_bytes(photo: bytes) -> list[bytes]:
    """The GPS position as the photo's EXIF holds it: each rational of the latitude and longitude
    packed in the EXIF's byte order. Found in the upload, so that finding none later means something."""
    exif = Image.open(io.BytesIO(photo)).getexif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    order = ">" if exif.endian == ">" else "<"
    values = [*gps[ExifTags.GPS.GPSLatitude], *gps[ExifTags.GPS.GPSLongitude]]
    packed = [struct.pack(f"{order}LL", value.numerator, value.denominator) for value in values]
    # The whole-degree rationals (6/1, 10/1...) are common bytes; the seconds are the position's own.
    return [packed[2], packed[5]]


def without_metadata(body: bytes) -> Image.Image:
    """No EXIF at all (so no GPS), no trace of the camera: what the worker must store."""
    image = Image.open(io.BytesIO(body))
    image.load()
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"Exif" not in body
    assert CAMERA.encode() not in body
    return image


# -- the API and the bucket, as a client sees them -------------------------------------------------


def filed(stack: LocalStack, **overrides: Any) -> dict[str, Any]:
    """A web report (its reporter this test's own): the receipt, with the access code."""
    response = requests.post(f"{stack.url}/complaints", json=report(**overrides), timeout=30)
    assert response.status_code == 201, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


def assigned(stack: LocalStack, receipt: dict[str, Any]) -> None:
    """Wait until routing gave the complaint to its agency (Disdukcapil, for the example report)."""

    def status() -> bool:
        view = requests.get(
            f"{stack.url}/complaints/{receipt['tracking_id']}",
            headers={"X-Access-Code": receipt["access_code"]},
            timeout=10,
        ).json()
        return bool(view["status"] == "assigned")

    assert eventually(status, timeout=60), "the complaint was not routed"


def ask(
    stack: LocalStack,
    tracking_id: str,
    *,
    code: str | None,
    filename: str = FILE_NAME,
    content_type: str = "image/jpeg",
    size: int = 250_000,
    language: str = "id",
) -> requests.Response:
    """The citizen asks for an upload form, with the access code in X-Access-Code (or none)."""
    headers = {"Accept-Language": language} | ({"X-Access-Code": code} if code is not None else {})
    return requests.post(
        f"{stack.url}/complaints/{tracking_id}/attachments",
        json={"filename": filename, "content_type": content_type, "size": size},
        headers=headers,
        timeout=30,
    )


def granted(response: requests.Response, tracking_id: str) -> dict[str, Any]:
    """A 201 form: its key is the quarantine key of its attachment, never the file's name."""
    assert response.status_code == 201, response.text
    form: dict[str, Any] = response.json()
    assert set(form) == {"attachment_id", "upload", "expires_at"}
    assert re.fullmatch(r"[0-9a-f]{16}", form["attachment_id"])
    assert form["upload"]["fields"]["key"] == f"quarantine/{tracking_id}/{form['attachment_id']}"
    assert FILE_NAME.removesuffix(".jpg") not in response.text
    return form


def upload(
    stack: LocalStack, form: dict[str, Any], body: bytes, *, filename: str, part_type: str, **changed: str
) -> requests.Response:
    """As a browser posts the form: from the site's origin, multipart, the form's fields (a test may
    change one, as an attacker would), then the file, last, with the name and type the device gave."""
    return requests.post(
        form["upload"]["url"],
        data={**form["upload"]["fields"], **changed},
        files={"file": (filename, body, part_type)},
        headers={"Origin": stack.url},
        timeout=60,
    )


def s3_error(response: requests.Response) -> dict[str, str]:
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Error", response.text
    return {child.tag: child.text or "" for child in root}


def bucket(stack: LocalStack) -> str:
    return str(stack.resources.ref("EvidenceBucket"))


def keys(stack: LocalStack, prefix: str) -> set[str]:
    listed = stack.client("s3").list_objects_v2(Bucket=bucket(stack), Prefix=prefix)
    return {item["Key"] for item in listed.get("Contents", [])}


def read(stack: LocalStack, key: str) -> bytes:
    body: bytes = stack.client("s3").get_object(Bucket=bucket(stack), Key=key)["Body"].read()
    return body


def settled(stack: LocalStack, tracking_id: str, attachment_id: str) -> Attachment | None:
    """The attachment once the worker has added or rejected it (read behind the API)."""
    complaint = complaint_store(stack).get(tracking_id)
    found = next(a for a in complaint.attachments if a.attachment_id == attachment_id)
    return None if found.state is AttachmentState.PENDING else found


def attachments_quiet(stack: LocalStack) -> None:
    """Wait until the attachment worker has nothing left (`quiet` on its part of the stack). S3
    sends an upload's event while it answers the upload (docs/local-stack.md), so after this every
    event has been handled."""
    quiet(stack, timeout=WORKER, part="Attachment")


def worked(stack: LocalStack, tracking_id: str, attachment_id: str) -> Attachment:
    """Wait for the worker to settle the upload, then for it to have nothing left, so that a second
    event on its way (a redelivery) has landed before anything is counted."""
    found: Attachment | None = eventually(lambda: settled(stack, tracking_id, attachment_id), timeout=WORKER)
    assert found is not None, f"the worker did not settle {attachment_id} in {WORKER:.0f} s"
    attachments_quiet(stack)
    return found


def attachment_events(stack: LocalStack, tracking_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (event.type, event.data)
        for event in complaint_store(stack).timeline(tracking_id)
        if event.type.startswith("attachment_")
    ]


def no_link(text: str, stack: LocalStack) -> None:
    """Nothing in an answer that leads to the bucket: no URL, no signature, no key."""
    for trace in ("http://", "https://", "X-Amz-", "evidence/", "quarantine/", bucket(stack)):
        assert trace not in text, trace


def error_fields(response: requests.Response) -> list[tuple[str, str]]:
    error = response.json()["error"]
    assert error["code"] == "validation_failed", error
    return [(detail["field"], detail["message"]) for detail in error["details"]]


# -- the story ---------------------------------------------------------------------------------


def test_a_citizens_photo_with_gps_is_stored_without_exif_and_shown_only_to_whom_it_may_be(
    local_stack: LocalStack,
) -> None:
    stack = local_stack
    receipt = filed(stack)
    tracking_id, code = receipt["tracking_id"], receipt["access_code"]
    assigned(stack, receipt)
    photo = phone_photo()
    position = gps_bytes(photo)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "a position to lose"
    assert all(packed in photo for packed in position)
    assert CAMERA.encode() in photo

    form = granted(ask(stack, tracking_id, code=code, size=len(photo)), tracking_id)
    attachment_id = form["attachment_id"]
    posted = upload(stack, form, photo, filename=FILE_NAME, part_type="image/jpeg")
    assert posted.status_code == 204, posted.text
    attachment = worked(stack, tracking_id, attachment_id)
    assert attachment.state is AttachmentState.ADDED

    # The bucket: the photo re-encoded with nothing of the camera, its thumbnail, no upload left.
    evidence = f"evidence/{tracking_id}/{attachment_id}"
    assert keys(stack, f"evidence/{tracking_id}/") == {evidence, f"{evidence}.thumb.jpg"}
    assert keys(stack, f"quarantine/{tracking_id}/") == set()
    stored = read(stack, evidence)
    image = without_metadata(stored)
    assert image.format == "JPEG"
    assert image.size == (1600, 1200)
    assert not [packed for packed in position if packed in stored], "GPS bytes in the stored photo"
    thumbnail = without_metadata(read(stack, f"{evidence}.thumb.jpg"))
    assert max(thumbnail.size) <= 320

    # The timeline: one attachment_added, of a photo, naming no file.
    assert attachment_events(stack, tracking_id) == [
        ("attachment_added", {"attachment_id": attachment_id, "content_type": "image/jpeg"})
    ]

    # In public, a count and no link; nor with a wrong code, which gets no form either.
    url = f"{stack.url}/complaints/{tracking_id}"
    for headers in ({}, {"X-Access-Code": "ZZZZ-ZZZZ"}):
        public = requests.get(url, headers=headers | {"Accept-Language": "en"}, timeout=30)
        assert public.status_code == 200, public.text
        assert public.json()["attachments_count"] == 1
        assert "attachments" not in public.json()
        assert [e["text"] for e in public.json()["timeline"] if e["type"] == "attachment_added"] == [
            "The reporter added a photo."
        ]
        no_link(public.text, stack)
    for wrong in (None, "ZZZZ-ZZZZ", "", code[::-1]):
        refused = ask(stack, tracking_id, code=wrong, size=len(photo))
        assert refused.status_code == 404, (wrong, refused.text)
        no_link(refused.text, stack)

    # With the code, and for the agency's operator: links that work, for five minutes.
    citizen = requests.get(url, headers={"X-Access-Code": code}, timeout=30).json()
    operator = as_user(stack, "op.disdukcapil", "GET", f"/ops/complaints/{tracking_id}")
    assert operator.status_code == 200, operator.text
    for view in (citizen, operator.json()):
        assert view["attachments_count"] == 1
        [shown] = view["attachments"]
        assert (shown["attachment_id"], shown["content_type"]) == (attachment_id, "image/jpeg")
        assert "X-Amz-Expires=300" in shown["url"]
        assert FILE_NAME.removesuffix(".jpg") not in json.dumps(view)
        photo_link = requests.get(shown["url"], timeout=30)
        assert photo_link.status_code == 200
        assert photo_link.headers["Content-Type"] == "image/jpeg"
        assert photo_link.content == stored
        thumbnail_link = requests.get(shown["thumbnail_url"], timeout=30)
        assert thumbnail_link.status_code == 200
        assert max(Image.open(io.BytesIO(thumbnail_link.content)).size) <= 320

    # Another agency's operator: no such complaint, and nothing that leads to the file.
    asked = {"filename": "foto.jpg", "content_type": "image/jpeg", "size": 9}
    for method, path, body in (
        ("GET", f"/ops/complaints/{tracking_id}", None),
        ("POST", f"/ops/complaints/{tracking_id}/attachments", asked),
    ):
        other = as_user(stack, "op.pupr", method, path, json=body)
        assert other.status_code == 404, (path, other.text)
        no_link(other.text, stack)


def test_an_agencys_photo_of_the_repair_is_added_in_its_name_and_shown_to_the_citizen(
    local_stack: LocalStack,
) -> None:
    stack = local_stack
    receipt = filed(stack)
    tracking_id = receipt["tracking_id"]
    assigned(stack, receipt)
    photo = png()
    path = f"/ops/complaints/{tracking_id}/attachments"
    asked = {"filename": "perbaikan_loket.png", "content_type": "image/png", "size": len(photo)}
    form = granted(as_user(stack, "op.disdukcapil", "POST", path, json=asked), tracking_id)
    posted = upload(stack, form, photo, filename="perbaikan_loket.png", part_type="image/png")
    assert posted.status_code == 204, posted.text
    assert worked(stack, tracking_id, form["attachment_id"]).state is AttachmentState.ADDED

    [event] = [e for e in complaint_store(stack).timeline(tracking_id) if e.type.startswith("attachment_")]
    assert event.type == "attachment_added"
    assert (event.actor.role.value, event.actor.agency_id) == ("operator", "kab-tangerang.disdukcapil")
    stored = read(stack, f"evidence/{tracking_id}/{form['attachment_id']}")
    assert Image.open(io.BytesIO(stored)).format == "PNG"
    view = requests.get(
        f"{stack.url}/complaints/{tracking_id}",
        headers={"X-Access-Code": receipt["access_code"], "Accept-Language": "en"},
        timeout=30,
    ).json()
    assert [a["attachment_id"] for a in view["attachments"]] == [form["attachment_id"]]
    assert requests.get(view["attachments"][0]["url"], timeout=30).content == stored
    # In the agency's name, never an official's.
    texts = [e["text"] for e in view["timeline"] if e["type"] == "attachment_added"]
    assert texts == [f"{view['agency']['name']} added a photo."]


# -- refusals (Done when 2): each with its documented status, none reaching evidence/ -------------


@pytest.mark.parametrize(
    ("asked", "field", "messages"),
    [
        (
            {"size": 11 * 1024 * 1024},
            "size",
            {"id": "Berkas maksimal 10 MB.", "en": "A file may be at most 10 MB."},
        ),
        (
            {"content_type": "text/html"},
            "content_type",
            {
                "id": "Jenis berkas ini tidak diterima. Pilih salah satu: application/pdf, image/heic, "
                "image/jpeg, image/png, image/webp.",
                "en": "This type of file is not accepted. Choose one of: application/pdf, image/heic, "
                "image/jpeg, image/png, image/webp.",
            },
        ),
    ],
    ids=["11 MB", "text/html"],
)
def test_a_form_for_a_file_too_large_or_of_a_type_not_taken_is_422_naming_the_field_in_both_languages(
    local_stack: LocalStack, asked: dict[str, Any], field: str, messages: dict[str, str]
) -> None:
    receipt = filed(local_stack)
    tracking_id = receipt["tracking_id"]
    for language, message in messages.items():
        refused = ask(local_stack, tracking_id, code=receipt["access_code"], language=language, **asked)
        assert refused.status_code == 422, refused.text
        assert error_fields(refused) == [(field, message)]
    assert complaint_store(local_stack).get(tracking_id).attachments == ()
    assert (
        keys(local_stack, f"quarantine/{tracking_id}/") | keys(local_stack, f"evidence/{tracking_id}/")
        == set()
    )


@pytest.mark.parametrize(
    ("declared", "body", "part", "reason", "said"),
    [
        (
            "application/pdf",
            png(64, 48),
            ("bukti.pdf", "image/png"),
            "not_declared_type",
            "the file is not of the type it was declared as",
        ),
        (
            "image/jpeg",
            HTML,
            ("foto_jalan.jpg", "text/html"),
            "unknown_type",
            "the file is not a photo (JPEG, PNG, WebP, HEIC) or a PDF",
        ),
    ],
    ids=["a PNG declared as PDF", "an HTML page named .jpg"],
)
def test_a_file_that_is_not_what_it_was_declared_is_taken_by_s3_and_rejected_by_the_worker(
    local_stack: LocalStack, declared: str, body: bytes, part: tuple[str, str], reason: str, said: str
) -> None:
    stack = local_stack
    receipt = filed(stack)
    tracking_id = receipt["tracking_id"]
    form = granted(
        ask(stack, tracking_id, code=receipt["access_code"], content_type=declared, size=len(body)),
        tracking_id,
    )
    assert form["upload"]["fields"]["Content-Type"] == declared
    # S3 takes it: the policy's type is the declared one, whatever the file part says.
    posted = upload(stack, form, body, filename=part[0], part_type=part[1])
    assert posted.status_code == 204, posted.text

    attachment = worked(stack, tracking_id, form["attachment_id"])
    assert (attachment.state, attachment.reason) == (AttachmentState.REJECTED, reason)
    assert attachment_events(stack, tracking_id) == [
        ("attachment_rejected", {"attachment_id": form["attachment_id"], "reason": reason})
    ]
    assert keys(stack, f"evidence/{tracking_id}/") == set()
    assert keys(stack, f"quarantine/{tracking_id}/") == set()
    view = requests.get(
        f"{stack.url}/complaints/{tracking_id}",
        headers={"X-Access-Code": receipt["access_code"], "Accept-Language": "en"},
        timeout=30,
    ).json()
    assert (view["attachments_count"], view["attachments"]) == (0, [])
    assert [e["text"] for e in view["timeline"] if e["type"] == "attachment_rejected"] == [
        f"An attachment could not be accepted: {said}."
    ]


def test_a_sixth_attachment_is_422_naming_attachments_in_both_languages(local_stack: LocalStack) -> None:
    receipt = filed(local_stack)
    tracking_id, code = receipt["tracking_id"], receipt["access_code"]
    for _ in range(5):
        granted(ask(local_stack, tracking_id, code=code), tracking_id)
    for language, message in (
        ("id", "Satu laporan memuat paling banyak 5 lampiran."),
        ("en", "A report holds at most 5 attachments."),
    ):
        sixth = ask(local_stack, tracking_id, code=code, language=language)
        assert sixth.status_code == 422, sixth.text
        assert error_fields(sixth) == [("attachments", message)]
    assert len(complaint_store(local_stack).get(tracking_id).attachments) == 5
    assert keys(local_stack, f"evidence/{tracking_id}/") == set()


def test_an_upload_over_the_declared_size_or_of_another_type_is_refused_by_s3_and_stores_nothing(
    local_stack: LocalStack,
) -> None:
    stack = local_stack
    receipt = filed(stack)
    tracking_id, code = receipt["tracking_id"], receipt["access_code"]
    photo = phone_photo(320, 240)

    larger = granted(ask(stack, tracking_id, code=code, size=len(photo) - 1), tracking_id)
    too_large = upload(stack, larger, photo, filename=FILE_NAME, part_type="image/jpeg")
    assert too_large.status_code == 400, too_large.text
    error = s3_error(too_large)
    assert (error["Code"], error["ProposedSize"], error["MaxSizeAllowed"]) == (
        "EntityTooLarge",
        str(len(photo)),
        str(len(photo) - 1),
    )

    other = granted(ask(stack, tracking_id, code=code, size=len(photo)), tracking_id)
    retyped = upload(
        stack, other, HTML, filename="foto.jpg", part_type="text/html", **{"Content-Type": "text/html"}
    )
    assert retyped.status_code == 403, retyped.text
    assert s3_error(retyped)["Code"] == "AccessDenied"

    attachments_quiet(stack)  # an event, had S3 sent one, would have been handled by now
    assert keys(stack, f"quarantine/{tracking_id}/") | keys(stack, f"evidence/{tracking_id}/") == set()
    complaint = complaint_store(stack).get(tracking_id)
    assert [a.state for a in complaint.attachments] == [AttachmentState.PENDING] * 2
    assert attachment_events(stack, tracking_id) == []
