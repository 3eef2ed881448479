"""Evidence on a complaint (issue #14, DESIGN §4.1): a citizen with the access code or an operator
in scope gets an upload form, at most five files a complaint; the attachment worker checks each
uploaded object and records it once, whatever S3 and SQS redeliver; the views show links only to
those who may see them, and the public view only a count."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Body
from PIL import Image

from aduan.attachment import ATTEMPTS, Processed, process_upload, request_upload
from aduan.citizen import track_complaint
from aduan.domain import evidence, files
from aduan.domain.allowance import JAKARTA
from aduan.domain.errors import Conflict, InvalidTransition, NotFound, RateLimited, ValidationFailed
from aduan.domain.evidence import AttachmentRequest, parse_upload_key, quarantine_key
from aduan.domain.models import Actor, AttachmentState, Complaint, Language, Privacy, Role
from aduan.doors import http_api
from aduan.intake import Receipt
from aduan.operations import view_complaint
from tests.factories import ACCESS_KEY, ASSIGNED_AT
from tests.fakes import FakeEvidenceBucket
from tests.unit.world import DISDUKCAPIL, OPERATOR, World

NOW = ASSIGNED_AT
CITIZEN = Actor(role=Role.CITIZEN)
PUPR = Actor(role=Role.OPERATOR, agency_id="kab-tangerang.pupr", user_id="op.pupr")
KOTA_COORDINATOR = Actor(role=Role.COORDINATOR, agency_id="kota-tangerang", user_id="coord.kota")
KAB_COORDINATOR = Actor(role=Role.COORDINATOR, agency_id="kab-tangerang", user_id="coord.kab")
PHOTO = AttachmentRequest(filename="jalan_rusak.jpg", content_type="image/jpeg", size=40_000)


def jpeg(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (120, 90, 60)).save(out, format="JPEG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def bucket() -> FakeEvidenceBucket:
    return FakeEvidenceBucket()


def routed(world: World, **fields: Any) -> Receipt:
    receipt = world.report(NOW, **fields)
    world.route(receipt.tracking_id, NOW)
    return receipt


def ask(
    world: World,
    bucket: FakeEvidenceBucket,
    receipt: Receipt,
    request: AttachmentRequest = PHOTO,
    *,
    minutes: int = 0,
    actor: Actor = CITIZEN,
    code: str | None = "",
) -> dict[str, Any]:
    """An upload form, as the citizen (with the receipt's code unless `code` says otherwise) or `actor`."""
    return request_upload(
        receipt.tracking_id,
        request,
        actor,
        complaints=world.complaints,
        reference=world.reference,
        bucket=bucket,
        now=NOW + timedelta(minutes=minutes),
        access_code=receipt.access_code if code == "" else code,
        access_key=ACCESS_KEY,
    )


def upload(bucket: FakeEvidenceBucket, form: dict[str, Any], body: bytes) -> None:
    assert bucket.post(form["upload"], body) == 204


def process(
    world: World, bucket: FakeEvidenceBucket, key: str, size: int | None = None, minutes: int = 1
) -> Processed:
    found = bucket.objects.get(key)
    return process_upload(
        key,
        size if size is not None else (len(found[0]) if found else 0),
        complaints=world.complaints,
        reference=world.reference,
        bucket=bucket,
        now=NOW + timedelta(minutes=minutes),
    )


def key_of(receipt: Receipt, form: dict[str, Any]) -> str:
    return quarantine_key(receipt.tracking_id, form["attachment_id"])


def events(world: World, tracking_id: str, kind: str) -> list[Any]:
    return [event for event in world.complaints.timeline(tracking_id) if event.type == kind]


def stored(world: World, tracking_id: str) -> Complaint:
    return world.complaints.get(tracking_id)


# -- asking for a form ---------------------------------------------------------------------------


def test_a_citizen_with_the_code_gets_a_form_for_exactly_this_key_type_and_size(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    form = ask(world, bucket, receipt)

    assert form["expires_at"] == NOW + timedelta(minutes=15)
    assert len(form["attachment_id"]) == 16
    assert int(form["attachment_id"], 16) >= 0
    fields = form["upload"]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    key = f"quarantine/{receipt.tracking_id}/{form['attachment_id']}"
    assert {"key": key} in policy["conditions"]
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]
    assert ["content-length-range", 1, 40_000] in policy["conditions"]
    [attachment] = stored(world, receipt.tracking_id).attachments
    assert (attachment.state, attachment.uploaded_by, attachment.size) == (
        AttachmentState.PENDING,
        CITIZEN,
        40_000,
    )
    assert "jalan_rusak" not in stored(world, receipt.tracking_id).model_dump_json()  # never the name


@pytest.mark.parametrize("privacy", [Privacy.PUBLIC, Privacy.CONFIDENTIAL])
@pytest.mark.parametrize("code", [None, "WRONG234"])
def test_without_the_right_code_there_is_no_such_complaint(
    world: World, bucket: FakeEvidenceBucket, privacy: Privacy, code: str | None
) -> None:
    receipt = routed(world, privacy=privacy)
    with pytest.raises(NotFound):
        ask(world, bucket, receipt, code=code)
    assert stored(world, receipt.tracking_id).attachments == ()


def test_a_sixth_file_is_refused_naming_the_field_and_nothing_is_written(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    for _ in range(evidence.MAX_ATTACHMENTS):
        ask(world, bucket, receipt)
    version = stored(world, receipt.tracking_id).version

    with pytest.raises(ValidationFailed) as refused:
        ask(world, bucket, receipt, minutes=5)
    assert refused.value.problems == [("attachments", "too_many_attachments", {"limit": 5})]
    assert stored(world, receipt.tracking_id).version == version


def test_a_rejected_file_frees_its_slot(world: World, bucket: FakeEvidenceBucket) -> None:
    receipt = routed(world)
    forms = [ask(world, bucket, receipt) for _ in range(evidence.MAX_ATTACHMENTS)]
    upload(bucket, forms[0], b"<html><body>bukan foto</body></html>")
    assert process(world, bucket, key_of(receipt, forms[0])).outcome == "rejected"

    again = ask(world, bucket, receipt, minutes=2)
    assert again["attachment_id"] not in {form["attachment_id"] for form in forms}
    with pytest.raises(ValidationFailed):
        ask(world, bucket, receipt, minutes=3)


def test_a_form_not_used_in_its_fifteen_minutes_frees_its_slot(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    for _ in range(evidence.MAX_ATTACHMENTS):
        ask(world, bucket, receipt)
    with pytest.raises(ValidationFailed):
        ask(world, bucket, receipt, minutes=14)

    ask(world, bucket, receipt, minutes=15)
    # Unused forms an hour past their end are dropped as a new one is kept: asking again and again
    # cannot grow the item.
    ask(world, bucket, receipt, minutes=80)
    assert len(stored(world, receipt.tracking_id).attachments) == 2


def test_a_citizen_s_eleventh_form_of_the_day_is_refused_until_midnight_and_staff_s_are_not(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    """A rejected file frees its slot: without a daily cap, a loop of forms and garbage would keep
    the attachment worker (and the timeline) busy for ever."""
    receipt = routed(world)
    for n in range(evidence.CITIZEN_FORMS_PER_DAY):
        form = ask(world, bucket, receipt, minutes=n)
        upload(bucket, form, b"<html>bukan foto</html>")
        assert process(world, bucket, key_of(receipt, form), minutes=n).outcome == "rejected"
    version = stored(world, receipt.tracking_id).version
    with pytest.raises(RateLimited) as refused:
        ask(world, bucket, receipt, minutes=11)
    assert refused.value.problems == [
        ("attachments", "daily_limit_upload_forms", {"limit": evidence.CITIZEN_FORMS_PER_DAY})
    ]
    midnight = NOW.astimezone(JAKARTA).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    assert refused.value.retry_after == int((midnight - (NOW + timedelta(minutes=11))).total_seconds())
    assert stored(world, receipt.tracking_id).version == version

    ask(world, bucket, receipt, actor=OPERATOR, code=None, minutes=12)  # the agency's own photo
    minutes_to_midnight = int((midnight - NOW).total_seconds() // 60)
    assert ask(world, bucket, receipt, minutes=minutes_to_midnight)["attachment_id"]


def test_the_daily_cap_answers_429_naming_attachments_in_both_languages() -> None:
    error = RateLimited("upload_forms", 10, 3600, field="attachments")
    assert http_api.domain_error_details(error, Language.EN) == [
        {
            "field": "attachments",
            "message": "You have asked to upload 10 times on this report today. Try again tomorrow.",
        }
    ]
    assert http_api.domain_error_details(error, Language.ID)[0]["message"].startswith(
        "Anda sudah meminta 10 kali"
    )
    assert http_api.status_of(error.code) == 429


def test_an_operator_in_scope_and_its_coordinator_get_forms_and_other_agencies_get_not_found(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    ask(world, bucket, receipt, actor=OPERATOR, code=None)
    ask(world, bucket, receipt, actor=KAB_COORDINATOR, code=None)
    for outsider in (PUPR, KOTA_COORDINATOR):
        with pytest.raises(NotFound):
            ask(world, bucket, receipt, actor=outsider, code=None)

    by = [a.uploaded_by for a in stored(world, receipt.tracking_id).attachments]
    assert by == [OPERATOR, KAB_COORDINATOR]  # with the agency and the user, for the audit


def test_an_archived_complaint_takes_no_files(world: World, bucket: FakeEvidenceBucket) -> None:
    receipt = routed(world)
    complaint = stored(world, receipt.tracking_id)
    world.act(complaint, "archive", NOW, actor=KAB_COORDINATOR, reason="spam")
    with pytest.raises(InvalidTransition):
        ask(world, bucket, receipt, minutes=1)


def test_a_form_asked_for_while_the_complaint_changes_is_written_on_the_new_version(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    world.complaints.conflict_on_next_save()
    ask(world, bucket, receipt)
    assert len(stored(world, receipt.tracking_id).attachments) == 1

    for _ in range(ATTEMPTS - 1):  # each lost write means another won: five more tries get through
        world.complaints.conflict_on_next_save()
    ask(world, bucket, receipt)
    assert len(stored(world, receipt.tracking_id).attachments) == 2

    for _ in range(ATTEMPTS):
        world.complaints.conflict_on_next_save()
    with pytest.raises(Conflict):
        ask(world, bucket, receipt)


# -- the request's fields: 422 naming each, in the caller's language ------------------------------


def _answer(body: dict[str, Any], language: str) -> tuple[int, dict[str, str]]:
    """POST `body` through a resolver validating it as the doors do: the status and {field: message}."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.post("/attachments")
    def attach(request: Annotated[AttachmentRequest, Body()]) -> dict[str, str]:
        return {"ok": request.content_type}

    http_api.answer_errors(app, lambda: http_api.language_of(language))
    event = {
        "version": "2.0",
        "routeKey": "POST /attachments",
        "rawPath": "/attachments",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/attachments"}, "stage": "$default"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
    answer = app.resolve(event, None)
    details = json.loads(answer["body"]).get("error", {}).get("details", [])
    return answer["statusCode"], {detail["field"]: detail["message"] for detail in details}


GOOD = {"filename": "IMG_2041.HEIC", "content_type": "image/heic", "size": 3_500_000}


def test_a_good_request_passes_the_door() -> None:
    assert _answer(GOOD, "en")[0] == 200


@pytest.mark.parametrize(
    ("change", "field", "indonesian", "english"),
    [
        ({"size": 11 * 1024 * 1024}, "size", "Berkas maksimal 10 MB.", "A file may be at most 10 MB."),
        ({"size": 0}, "size", "Minimal 1.", "Must be at least 1."),
        ({"size": "5000"}, "size", "Harus berupa bilangan bulat.", "Must be a whole number."),
        (
            {"content_type": "text/html"},
            "content_type",
            "Jenis berkas ini tidak diterima. Pilih salah satu: application/pdf, image/heic, "
            "image/jpeg, image/png, image/webp.",
            "This type of file is not accepted. Choose one of: application/pdf, image/heic, "
            "image/jpeg, image/png, image/webp.",
        ),
        ({"filename": ""}, "filename", "Minimal 1 karakter.", "At least 1 characters."),
        ({"filename": "x" * 256}, "filename", "Maksimal 255 karakter.", "At most 255 characters."),
        (
            {"filename": "KTP\x00.jpg"},
            "filename",
            "Mengandung karakter kontrol atau karakter tidak sah.",
            "Contains a control character or an invalid one.",
        ),
        ({"path": "/etc/passwd"}, "path", "Kolom ini tidak dikenal.", "This field is not allowed."),
    ],
)
def test_each_wrong_field_is_a_422_naming_it_in_both_languages(
    change: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    assert _answer(GOOD | change, "id") == (422, {field: indonesian})
    assert _answer(GOOD | change, "en") == (422, {field: english})


def test_a_sixth_file_answers_422_naming_attachments_in_both_languages() -> None:
    error = ValidationFailed([("attachments", "too_many_attachments", {"limit": 5})])
    assert http_api.domain_error_details(error, Language.ID) == [
        {"field": "attachments", "message": "Satu laporan memuat paling banyak 5 lampiran."}
    ]
    assert http_api.domain_error_details(error, Language.EN) == [
        {"field": "attachments", "message": "A report holds at most 5 attachments."}
    ]
    assert http_api.status_of(error.code) == 422


def test_the_limits_are_the_ones_the_bytes_are_checked_against() -> None:
    assert files.ALLOWED_TYPES is evidence.ALLOWED_TYPES
    assert files.MAX_BYTES is evidence.MAX_BYTES


# -- keys --------------------------------------------------------------------------------------------


def test_a_quarantine_key_parses_back_and_anything_else_is_ignored() -> None:
    key = quarantine_key("K7MX4RPA27", "0123456789abcdef")
    parsed = parse_upload_key(key)
    assert parsed is not None
    assert (parsed.tracking_id, parsed.attachment_id) == (
        "K7MX4RPA27",
        "0123456789abcdef",
    )
    for crafted in [
        "evidence/K7MX4RPA27/0123456789abcdef",
        "quarantine/K7MX4RPA28/0123456789abcdef",  # a wrong check symbol
        "quarantine/k7mx4rpa27/0123456789abcdef",
        "quarantine/K7MX4RPA27/0123456789ABCDEF",
        "quarantine/K7MX4RPA27/0123456789abcdef/x",
        "quarantine/K7MX4RPA27/../../evidence/x",
        "quarantine/K7MX4RPA27/0123456789abcdef.thumb.jpg",
        "quarantine//0123456789abcdef",
        "",
        "quarantine/" + "A" * 10_000,
    ]:
        assert parse_upload_key(crafted) is None, crafted


# -- the attachment worker ---------------------------------------------------------------------------


def test_an_uploaded_photo_is_stored_with_a_thumbnail_and_recorded_once(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    body = jpeg(3000, 2000)
    form = ask(
        world, bucket, receipt, AttachmentRequest(filename="a.jpg", content_type="image/jpeg", size=len(body))
    )
    upload(bucket, form, body)
    key = key_of(receipt, form)

    processed = process(world, bucket, key)

    tracking_id, attachment_id = receipt.tracking_id, form["attachment_id"]
    assert processed == Processed("added", tracking_id, attachment_id)
    assert key not in bucket.objects  # the original is gone
    image, content_type = bucket.objects[evidence.evidence_key(tracking_id, attachment_id)]
    assert content_type == "image/jpeg"
    assert max(Image.open(io.BytesIO(image)).size) == 2048
    thumbnail, _ = bucket.objects[evidence.thumbnail_key(tracking_id, attachment_id)]
    assert max(Image.open(io.BytesIO(thumbnail)).size) == 320
    [attachment] = stored(world, tracking_id).attachments
    assert (attachment.state, attachment.width, attachment.height, attachment.has_thumbnail) == (
        AttachmentState.ADDED,
        2048,
        1365,
        True,
    )
    [event] = events(world, tracking_id, "attachment_added")
    assert (event.public, event.actor, event.data) == (
        True,
        CITIZEN,
        {"attachment_id": attachment_id, "content_type": "image/jpeg"},
    )


def test_a_redelivered_event_and_a_second_worker_record_nothing_twice(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    form = ask(world, bucket, receipt)
    upload(bucket, form, jpeg())
    key = key_of(receipt, form)
    size = len(bucket.objects[key][0])

    # A second worker holds the same message: it read the complaint while the object was pending.
    world.complaints.meanwhile(lambda: process(world, bucket, key, size))
    assert process(world, bucket, key, size).outcome == "done_before"
    assert process(world, bucket, key, size).outcome == "done_before"  # SQS delivers it once more

    assert len(events(world, receipt.tracking_id, "attachment_added")) == 1
    assert key not in bucket.objects


def test_a_worker_killed_before_its_write_leaves_the_upload_to_the_retry(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    form = ask(world, bucket, receipt)
    upload(bucket, form, jpeg())
    key = key_of(receipt, form)
    bucket.fail_next(TimeoutError("killed while storing the thumbnail"))
    with pytest.raises(TimeoutError):
        process(world, bucket, key)
    assert key in bucket.objects
    assert events(world, receipt.tracking_id, "attachment_added") == []

    assert process(world, bucket, key).outcome == "added"
    assert process(world, bucket, key, size=1).outcome == "done_before"
    assert len(events(world, receipt.tracking_id, "attachment_added")) == 1


@pytest.mark.parametrize(
    ("declared", "body", "reason"),
    [
        ("image/jpeg", b"<html><script>alert(1)</script></html>", "unknown_type"),
        ("application/pdf", None, "not_declared_type"),  # a PNG declared as PDF
        ("image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "unreadable"),
        ("application/pdf", b"%PDF-1.4\n no end", "not_pdf"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_rejected_with_its_reason_once(
    world: World, bucket: FakeEvidenceBucket, declared: str, body: bytes | None, reason: str
) -> None:
    if body is None:
        out = io.BytesIO()
        Image.new("RGB", (20, 20)).save(out, format="PNG")
        body = out.getvalue()
    receipt = routed(world)
    form = ask(world, bucket, receipt, AttachmentRequest(filename="f", content_type=declared, size=len(body)))
    upload(bucket, form, body)
    key = key_of(receipt, form)

    assert process(world, bucket, key).reason == reason
    assert process(world, bucket, key, size=len(body)).outcome == "done_before"

    [event] = events(world, receipt.tracking_id, "attachment_rejected")
    assert event.data == {"attachment_id": form["attachment_id"], "reason": reason}
    assert not any(key.startswith("evidence/") for key in bucket.objects)  # nothing reaches it
    assert key not in bucket.objects


def test_an_object_the_lifecycle_removed_is_rejected_as_missing(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    form = ask(world, bucket, receipt)
    processed = process(world, bucket, key_of(receipt, form), size=1000)
    assert (processed.outcome, processed.reason) == ("rejected", "missing")
    assert stored(world, receipt.tracking_id).attachments[0].reason == "missing"


def test_an_upload_processed_late_is_added_unless_its_slot_went_to_another(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    alone = ask(world, bucket, receipt)
    upload(bucket, alone, jpeg())  # in time; its event comes after the form's end
    assert process(world, bucket, key_of(receipt, alone), minutes=40).outcome == "added"

    crowded = routed(world)
    late = ask(world, bucket, crowded)
    upload(bucket, late, jpeg())
    for _ in range(evidence.MAX_ATTACHMENTS - 1):
        ask(world, bucket, crowded, minutes=10)
    ask(world, bucket, crowded, minutes=16)  # the late one's slot, free since minute 15
    processed = process(world, bucket, key_of(crowded, late), minutes=17)
    assert (processed.outcome, processed.reason) == ("rejected", "expired")
    assert key_of(crowded, late) not in bucket.objects


def test_an_event_past_the_hour_s_grace_is_deleted_unrecorded(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    form = ask(world, bucket, receipt)
    upload(bucket, form, jpeg())
    ask(world, bucket, receipt, minutes=80)  # drops the pending one, an hour past its end

    assert process(world, bucket, key_of(receipt, form), minutes=81).outcome == "unknown"
    assert key_of(receipt, form) not in bucket.objects
    assert events(world, receipt.tracking_id, "attachment_added") == []


def test_a_crafted_or_foreign_key_is_ignored_and_an_unknown_one_is_removed(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    bucket.store("quarantine/../evidence/x", b"x", "image/jpeg")
    assert process(world, bucket, "quarantine/../evidence/x").outcome == "ignored"
    assert "quarantine/../evidence/x" in bucket.objects  # left to the lifecycle rule

    nobody = quarantine_key("K7MX4RPA27", "0123456789abcdef")
    bucket.store(nobody, jpeg(), "image/jpeg")
    assert process(world, bucket, nobody).outcome == "unknown"
    assert nobody not in bucket.objects

    receipt = routed(world)
    stranger = quarantine_key(receipt.tracking_id, "fedcba9876543210")
    bucket.store(stranger, jpeg(), "image/jpeg")
    before = world.complaints.timeline(receipt.tracking_id)
    assert process(world, bucket, stranger).outcome == "unknown"
    assert world.complaints.timeline(receipt.tracking_id) == before
    assert stranger not in bucket.objects
    assert stored(world, receipt.tracking_id).attachments == ()


# -- who sees what -----------------------------------------------------------------------------------


def with_photo_and_pdf(world: World, bucket: FakeEvidenceBucket, **fields: Any) -> Receipt:
    receipt = routed(world, **fields)
    for request, body in (
        (PHOTO, jpeg()),
        (AttachmentRequest(filename="surat.pdf", content_type="application/pdf", size=len(PDF)), PDF),
    ):
        form = ask(world, bucket, receipt, request)
        upload(bucket, form, body)
        process(world, bucket, key_of(receipt, form))
    ask(world, bucket, receipt)  # a third, pending: never shown nor counted
    return receipt


def track(world: World, receipt: Receipt, code: str | None, bucket: Any) -> dict[str, Any]:
    return track_complaint(
        receipt.tracking_id,
        code,
        complaints=world.complaints,
        names=world.reference,
        language=Language.EN,
        access_key=ACCESS_KEY,
        bucket=bucket,
    )


def test_the_public_view_counts_the_files_and_touches_no_bucket(world: World) -> None:
    bucket = FakeEvidenceBucket()
    receipt = with_photo_and_pdf(world, bucket)

    def no_bucket() -> FakeEvidenceBucket:
        raise AssertionError("the public view built the bucket")

    view = track(world, receipt, None, no_bucket)
    assert view["attachments_count"] == 2
    assert "attachments" not in view
    assert "amazonaws" not in json.dumps(view, default=str)
    assert "jalan_rusak" not in json.dumps(view, default=str)
    texts = [entry["text"] for entry in view["timeline"] if entry["type"] == "attachment_added"]
    assert texts == ["The reporter added a photo.", "The reporter added a PDF document."]


def test_the_citizen_with_the_code_gets_links_and_a_pdf_has_no_thumbnail(world: World) -> None:
    bucket = FakeEvidenceBucket()
    receipt = with_photo_and_pdf(world, bucket)
    view = track(world, receipt, receipt.access_code, lambda: bucket)

    photo, pdf = view["attachments"]
    assert photo["content_type"] == "image/jpeg"
    assert pdf["content_type"] == "application/pdf"
    assert photo["url"].endswith("X-Amz-Expires=300&X-Amz-Signature=fake")
    assert f"evidence/{receipt.tracking_id}/{photo['attachment_id']}?" in photo["url"]
    assert ".thumb.jpg?" in photo["thumbnail_url"]
    assert pdf["thumbnail_url"] is None
    assert set(photo) == {"attachment_id", "content_type", "url", "thumbnail_url"}


def test_operators_in_scope_get_links_and_another_agency_gets_not_found(world: World) -> None:
    bucket = FakeEvidenceBucket()
    receipt = with_photo_and_pdf(world, bucket, privacy=Privacy.CONFIDENTIAL)

    def view(actor: Actor) -> dict[str, Any]:
        return view_complaint(
            receipt.tracking_id,
            actor,
            complaints=world.complaints,
            reference=world.reference,
            language=Language.ID,
            bucket=lambda: bucket,
        )

    seen = view(OPERATOR)
    assert seen["attachments_count"] == 2
    assert len(seen["attachments"]) == 2
    assert [e["text"] for e in seen["timeline"] if e["type"] == "attachment_added"] == [
        "Pelapor menambahkan sebuah foto.",
        "Pelapor menambahkan sebuah dokumen PDF.",
    ]
    assert view(KAB_COORDINATOR)["attachments_count"] == 2
    for outsider in (PUPR, KOTA_COORDINATOR):
        with pytest.raises(NotFound):
            view(outsider)


def test_an_operator_s_photo_reads_as_its_agency_s_never_its_name(
    world: World, bucket: FakeEvidenceBucket
) -> None:
    receipt = routed(world)
    form = ask(world, bucket, receipt, actor=OPERATOR, code=None)
    upload(bucket, form, jpeg())
    process(world, bucket, key_of(receipt, form))

    view = track(world, receipt, None, None)
    [text] = [entry["text"] for entry in view["timeline"] if entry["type"] == "attachment_added"]
    assert text == f"{world.reference.agency_name(DISDUKCAPIL)} added a photo."
    assert "op.disdukcapil" not in json.dumps(view, default=str)


def test_a_complaint_stored_before_attachments_existed_reads_with_none() -> None:
    document = json.loads(World().assigned(NOW).model_dump_json())
    del document["attachments"]
    assert Complaint.model_validate(document).attachments == ()
