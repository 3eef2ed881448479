"""The attachment worker's door: S3 events out of SQS records (keys URL-decoded, the test event
ignored), a record that is no S3 event dropped without crashing the batch, each upload processed
once, and log lines that name IDs and outcomes, never a key's link, a file name or its bytes."""

from __future__ import annotations

import importlib.util
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote_plus

import pytest
from PIL import Image

from aduan.attachment import request_upload
from aduan.domain.evidence import AttachmentRequest
from aduan.domain.models import Actor, Role
from aduan.doors.runtime import Runtime
from aduan.doors.s3_events import CreatedObject, MalformedEvent, created_objects
from aduan.doors.settings import load_settings
from aduan_local.template import OFFLINE_ENVIRONMENT
from tests.factories import ACCESS_KEY
from tests.fakes import FakeEvidenceBucket, FakeQueue
from tests.unit.world import World

ROOT = Path(__file__).resolve().parents[2]


def s3_event(key: str, size: int, name: str = "ObjectCreated:Post") -> str:
    """An S3 event as S3 writes it: the key URL-encoded as in a form."""
    record = {
        "eventName": name,
        "s3": {"bucket": {"name": "b"}, "object": {"key": quote_plus(key), "size": size}},
    }
    return json.dumps({"Records": [record]})


def test_an_s3_event_names_its_objects_with_their_keys_decoded() -> None:
    assert created_objects(s3_event("quarantine/K7MX4RPA27/0123456789abcdef", 42)) == [
        CreatedObject("quarantine/K7MX4RPA27/0123456789abcdef", 42)
    ]
    assert created_objects(s3_event("quarantine/a b+c", 1)) == [CreatedObject("quarantine/a b+c", 1)]


def test_the_test_event_and_other_kinds_of_event_name_no_object() -> None:
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-03-16T03:00:00.000Z"}
    assert created_objects(json.dumps(test_event)) == []
    assert created_objects(s3_event("quarantine/x", 0, "ObjectRemoved:Delete")) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("not json", "not_json"),
        ("[1, 2]", "not_an_object"),
        ('{"Records": "x"}', "no_records"),
        ('{"Records": [{"eventName": "ObjectCreated:Put", "s3": 1}]}', "no_object"),
        (
            '{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": 7, "size": 1}}}]}',
            "bad_object",
        ),
        (
            '{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "k", "size": -1}}}]}',
            "bad_object",
        ),
        ("[" * 50_000, "not_json"),
    ],
)
def test_a_body_that_is_no_s3_event_says_what_is_wrong(body: str, problem: str) -> None:
    with pytest.raises(MalformedEvent) as raised:
        created_objects(body)
    assert raised.value.problem == problem


# -- the function, with fakes for every adapter --------------------------------------------------


@dataclass
class Context:
    function_name: str = "AttachmentFunction"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:ap-southeast-3:123456789012:function:AttachmentFunction"
    aws_request_id: str = "request-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture
def function(monkeypatch: pytest.MonkeyPatch, world: World) -> tuple[ModuleType, FakeEvidenceBucket]:
    """functions/attachment/app.py imported as Lambda imports it, then given fakes."""
    environment = OFFLINE_ENVIRONMENT | {
        "EVIDENCE_BUCKET": "aduan-evidence",
        "ATTACHMENT_QUEUE_URL": "https://sqs.ap-southeast-3.amazonaws.com/1/a",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "attachment_app", ROOT / "functions" / "attachment" / "app.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bucket = FakeEvidenceBucket()
    module.runtime = Runtime(
        load_settings(),
        complaints=world.complaints,
        reference=world.reference,
        evidence_bucket=bucket,
        attachment_queue=FakeQueue(),
    )
    return module, bucket


@pytest.fixture
def world() -> World:
    return World()


class Recorder:
    """The door's log lines, as the message and its extra fields."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []

    def info(self, message: str, *, extra: dict[str, Any]) -> None:
        self.lines.append({"message": message, **extra})

    warning = info


def sqs(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"m{n}", "body": body, "receiptHandle": f"r{n}", "attributes": {}}
            for n, body in enumerate(bodies)
        ]
    }


def test_a_batch_of_an_upload_the_test_event_and_garbage_fails_nothing_and_logs_no_link(
    function: tuple[ModuleType, FakeEvidenceBucket], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, bucket = function
    now = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
    receipt = world.report(now)
    out = io.BytesIO()
    Image.new("RGB", (64, 48)).save(out, format="JPEG")
    photo = out.getvalue()
    request = AttachmentRequest(filename="KTP_Siti_Aminah.jpg", content_type="image/jpeg", size=len(photo))
    form = request_upload(
        receipt.tracking_id,
        request,
        Actor(role=Role.CITIZEN),
        complaints=world.complaints,
        reference=world.reference,
        bucket=bucket,
        now=datetime.now(UTC),
        access_code=receipt.access_code,
        access_key=ACCESS_KEY,
    )
    assert bucket.post(form["upload"], photo) == 204
    key = f"quarantine/{receipt.tracking_id}/{form['attachment_id']}"
    event = s3_event(key, len(photo))

    log = Recorder()
    monkeypatch.setattr(module, "logger", log)
    answer = module.handler(sqs(json.dumps({"Event": "s3:TestEvent"}), "{oops", event, event), Context())

    assert answer == {"batchItemFailures": []}
    added = [e for e in world.complaints.timeline(receipt.tracking_id) if e.type == "attachment_added"]
    assert len(added) == 1
    outcomes = [(line.get("outcome"), line.get("problem")) for line in log.lines]
    assert outcomes == [(None, "not_json"), ("added", None), ("done_before", None)]
    assert log.lines[1]["attachment_id"] == form["attachment_id"]
    printed = json.dumps(log.lines)
    for leak in (key, "KTP_Siti", "amazonaws", "oops"):
        assert leak not in printed, leak
