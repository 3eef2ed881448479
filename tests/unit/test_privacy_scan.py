"""The privacy scan has no holes: a number after a run of other digits, a phone inside a traceback,
a DEBUG line and a reporter a fixture wrote straight into the store are all caught; so are a
presigned form or link of the evidence bucket, a file's name and what its EXIF said."""

from __future__ import annotations

import base64
import json
import logging

import boto3
import pytest

from aduan.domain.models import Reporter
from tests.factories import complaint
from tests.privacy import IDENTITIES, Identities, captured

PHONE = "0812-3456-7890"
LOGGER = "tests.privacy_scan"  # not under aduan_local: the session's own scan must not see these


@pytest.fixture
def identities() -> Identities:
    registry = Identities()
    registry.phone(PHONE)
    return registry


@pytest.mark.parametrize(
    "line",
    [
        "ref 12345 081234567890",
        # Digits first, then the number: the old pattern's run stopped after 24 characters.
        "ref 1234567890123 081234567890",
        "batch 2026031610000012 6281234567890 queued",
        "ids 4411 5522 6633 7744 (0812) 3456 7890",
    ],
)
def test_a_number_after_a_run_of_other_digits_is_found(identities: Identities, line: str) -> None:
    assert [identity for identity, _ in identities.leaks([line])] == ["81234567890"]


def test_a_phone_in_a_traceback_is_found(identities: Identities) -> None:
    with captured(LOGGER) as capture:
        try:
            raise ValueError(f"no agency answers {PHONE}")
        except ValueError:
            logging.getLogger(LOGGER).exception("routing failed")

    [line] = capture.lines
    assert line.startswith("routing failed\nTraceback")
    assert identities.leaks(capture.lines)


def test_a_debug_line_is_captured_and_found(identities: Identities) -> None:
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)  # whatever the logger's level was, the capture sees DEBUG
    with captured(LOGGER) as capture:
        logger.debug("sms to %s", PHONE)
    assert logger.level == logging.INFO
    assert identities.leaks(capture.lines)


def test_a_reporter_written_straight_into_the_store_is_registered() -> None:
    line = "sms to 6285712349876 queued"
    assert IDENTITIES.leaks([line]) == []
    complaint(reporter=Reporter(name="Wahyu Pratama", phone="+6285712349876"))
    assert [identity for identity, _ in IDENTITIES.leaks([line])] == ["85712349876"]
    assert IDENTITIES.leaks(["reporter Wahyu Pratama"])


# -- evidence (DESIGN §4.1): no link, no file name, no EXIF content in a log line -----------------

FILE_NAME = "KTP_Siti_Rahmawati_3603.jpg"
CAMERA = "KameraRahasia Z9"
LATITUDE = "31.41592"  # the seconds of the GPS latitude a test photo carries


def presigned() -> dict[str, str]:
    """What the evidence bucket hands out, made by botocore itself (no request is sent): a POST
    form's fields, its policy, and a GET link."""
    s3 = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9",
        region_name="ap-southeast-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        aws_session_token="FwoGZXIvYXdzEBYaDLocalSessionToken",
    )
    key = "quarantine/K7MX4RPA27/0123456789abcdef"
    form = s3.generate_presigned_post(
        "evidence", key, Fields={"Content-Type": "image/jpeg"}, Conditions=[{"Content-Type": "image/jpeg"}]
    )
    link = s3.generate_presigned_url("get_object", Params={"Bucket": "evidence", "Key": key}, ExpiresIn=300)
    return {
        "fields": json.dumps(form["fields"]),
        "policy": form["fields"]["policy"],
        "decoded policy": base64.b64decode(form["fields"]["policy"]).decode(),
        "signature field": f"x-amz-signature={form['fields']['x-amz-signature']}",
        "credential field": f"X-Amz-Credential: {form['fields']['x-amz-credential']}",
        "link": link,
        "token": f"X-Amz-Security-Token={form['fields']['x-amz-security-token']}",
    }


@pytest.fixture
def file_identities() -> Identities:
    registry = Identities()
    for text in (FILE_NAME, CAMERA, LATITUDE):
        registry.file_text(text)
    return registry


@pytest.mark.parametrize(
    "part", ["fields", "policy", "decoded policy", "signature field", "credential field", "link", "token"]
)
def test_a_presigned_form_or_link_in_a_log_line_is_found(file_identities: Identities, part: str) -> None:
    line = f'{{"level": "INFO", "message": "upload form given", "form": {presigned()[part]!r}}}'
    assert file_identities.leaks([line]), part


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (f'{{"message": "upload form given", "filename": "{FILE_NAME}"}}', FILE_NAME),
        (f"Traceback ...\nValueError: cannot identify image file {FILE_NAME!r}", FILE_NAME),
        (f"exif {{271: '{CAMERA}', 274: 1}}", CAMERA),
        (f"gps {{1: 'S', 2: (6.0, 10.0, {LATITUDE})}}", LATITUDE),
    ],
)
def test_a_file_name_or_exif_content_in_a_log_line_is_found(
    file_identities: Identities, line: str, found: str
) -> None:
    assert [identity for identity, _ in file_identities.leaks([line])] == [found]


@pytest.mark.parametrize(
    "line",
    [
        # What the doors and the worker do log: IDs, the outcome, the reason; never a key's link.
        '{"message": "upload form given", "tracking_id": "K7MX4RPA27", "attachment_id": "0123456789abcdef"}',
        '{"message": "attachment", "outcome": "rejected", "reason": "not_declared_type"}',
        "[AttachmentFunction] 1b4e 412.7 ms init 1312.0 ms",
        '{"expiration_days": 1, "policy": "ExpireUnprocessedUploads"}',
        # A parameter's name without its value: what a fuzzer put in a path, the access log records.
        '127.0.0.1 "GET /complaints/x-amz-credential HTTP/1.1" 404 -',
        '{"route": "GET /complaints/{tracking_id}", "path": "/complaints/X-Amz-Signature", "status": "404"}',
        '{"field": "filename", "value": "foto X-Amz-Meta-Note: 1.jpg", "x-amz-security-token": ""}',
    ],
)
def test_what_the_evidence_code_logs_is_not_taken_for_a_leak(file_identities: Identities, line: str) -> None:
    assert file_identities.leaks([line]) == []


def test_a_short_file_name_is_not_registered() -> None:
    registry = Identities()
    registry.file_text("x.jp")
    registry.file_text("   ")
    assert registry.file_texts == set()
