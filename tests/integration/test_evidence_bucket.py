"""The evidence bucket's adapter on S3 (moto, behind the local stack's S3 front, which checks POST
policies as S3 does): what the upload form's policy holds, that a browser's upload with it lands at
its key, that a link fetches the file; how the S3 client is configured for AWS and for the local
stack; and a complaint stored before attachments existed still reads."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from aduan.aws import clients
from aduan.aws.complaint_store import DynamoComplaintStore
from aduan.aws.evidence_bucket import S3EvidenceBucket
from aduan.aws.items import json_document, to_item
from aduan_local.resources import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from tests.conftest import REGION
from tests.factories import complaint

pytestmark = pytest.mark.integration


def s3_bucket(endpoint: str) -> S3EvidenceBucket:
    """A fresh bucket on the emulator, its client configured as `clients.s3_client` configures one
    for a configured endpoint, with the stack's credentials (the S3 front checks POST signatures)."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return S3EvidenceBucket(client, name)


def s3_post(form: dict[str, Any], body: bytes, content_type: str | None = None) -> int:
    """A browser's upload: the form's fields, then the file (multipart), to the form's URL."""
    fields = dict(form["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    response = requests.post(
        form["url"], data=fields, files={"file": ("IMG_0001.jpg", body, "image/jpeg")}, timeout=30
    )
    return response.status_code


@pytest.fixture
def bucket(moto_endpoint: str) -> S3EvidenceBucket:
    return s3_bucket(moto_endpoint)


def test_the_upload_form_is_a_sigv4_post_to_the_bucket_with_the_exact_conditions(
    bucket: S3EvidenceBucket, moto_endpoint: str
) -> None:
    key = "quarantine/K7MX4RPA27/0123456789abcdef"
    form = bucket.upload_form(key, "application/pdf", 5_000_000, 900)

    assert form["url"].startswith(moto_endpoint)  # path style on loopback: no bucket subdomain
    assert set(form["fields"]) == {
        "key",
        "Content-Type",
        "policy",
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-signature",
    }
    assert form["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert s3_post(form, b"%PDF-1.4\n%%EOF\n", "application/pdf") == 204
    assert bucket.read(key, 100) == b"%PDF-1.4\n%%EOF\n"


def test_a_link_fetches_the_stored_file(bucket: S3EvidenceBucket) -> None:
    bucket.store("evidence/K7MX4RPA27/0123456789abcdef", b"\xff\xd8\xff jpeg", "image/jpeg")
    response = requests.get(bucket.link("evidence/K7MX4RPA27/0123456789abcdef"), timeout=30)
    assert response.status_code == 200
    assert response.content == b"\xff\xd8\xff jpeg"
    assert response.headers["content-type"] == "image/jpeg"


def test_a_read_asks_for_no_more_than_its_limit(bucket: S3EvidenceBucket) -> None:
    bucket.store("quarantine/K7MX4RPA27/0123456789abcdef", b"a" * 1000, "image/jpeg")
    assert bucket.read("quarantine/K7MX4RPA27/0123456789abcdef", 11) == b"a" * 11


@pytest.mark.parametrize(
    ("endpoint", "style", "host"),
    [
        (None, "virtual", "https://aduan-evidence.s3.ap-southeast-3.amazonaws.com/"),
        ("http://127.0.0.1:4566", "path", "http://127.0.0.1:4566/aduan-evidence"),
    ],
)
def test_the_s3_client_signs_sigv4_virtual_hosted_in_aws_and_path_style_on_a_configured_endpoint(
    monkeypatch: pytest.MonkeyPatch, endpoint: str | None, style: str, host: str
) -> None:
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "x"),
        ("AWS_SECRET_ACCESS_KEY", "x"),
        ("AWS_DEFAULT_REGION", REGION),
    ):
        monkeypatch.setenv(name, value)  # a form is signed offline: any credentials will do
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    if endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    clients.s3_client.cache_clear()
    try:
        client = clients.s3_client()
        assert client.meta.config.signature_version == "s3v4"
        assert client.meta.config.s3["addressing_style"] == style
        form = S3EvidenceBucket(client, "aduan-evidence").upload_form("quarantine/x", "image/png", 10, 60)
        assert form["url"] == host
    finally:
        clients.s3_client.cache_clear()


def test_a_complaint_stored_before_attachments_existed_still_reads(
    dynamodb: Any, complaints_table: str
) -> None:
    case = complaint()
    document = json_document(case) | {"pk": f"C#{case.tracking_id}", "sk": "#COMPLAINT"}
    del document["attachments"]
    dynamodb.put_item(TableName=complaints_table, Item=to_item(document))

    store = DynamoComplaintStore(dynamodb, complaints_table, reporter_secret=b"s")
    assert store.get(case.tracking_id) == case
    assert store.get(case.tracking_id).attachments == ()
