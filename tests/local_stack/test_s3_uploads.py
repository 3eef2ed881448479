"""S3 in the local stack as a browser and a queue see it (issue #14, point 6): buckets from the
template, a presigned POST's policy enforced as S3 enforces it (moto checks none of it), CORS
answered from the bucket's rules, presigned GETs that expire, and bucket notifications in AWS's
event shape. Over real HTTP, with what boto3's `generate_presigned_post` gives a function."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus
from xml.etree import ElementTree

import boto3
import botocore.auth
import pytest
import requests
from botocore.exceptions import ClientError

from aduan_local.s3_post import post_signature
from aduan_local.stack import LocalStack

pytestmark = pytest.mark.e2e

SITE = "http://site.test"  # the origin the sample bucket's CORS rule allows
PHOTO = b"\xff\xd8\xff\xe0" + b"x" * 996  # 1000 bytes; the type is the policy's, not the bytes'


@pytest.fixture(scope="module")
def s3(test_stack: LocalStack) -> Any:
    """An S3 client made as a function of the stack makes one: from its own environment."""
    environment = test_stack.pools["SenderFunction"]._environment  # what its worker is given
    return boto3.client(
        "s3",
        endpoint_url=environment["AWS_ENDPOINT_URL"],
        region_name=environment["AWS_REGION"],
        aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture(scope="module")
def bucket(test_stack: LocalStack) -> str:
    return str(test_stack.resources.ref("UploadsBucket"))


class Inbox:
    """Every message the bucket has sent to UploadsQueue: read, deleted, and kept here."""

    def __init__(self, stack: LocalStack) -> None:
        self.sqs = stack.client("sqs")
        self.url = stack.resources.ref("UploadsQueue")
        self.seen: list[dict[str, Any]] = []

    def read(self) -> list[dict[str, Any]]:
        while messages := self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                self.seen.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return self.seen

    def records(self, key: str) -> list[dict[str, Any]]:
        """The event records of one object key. moto sends them while it answers the request that
        made the object, so once that request is answered they are all here, or none will come."""
        return [
            record
            for body in self.read()
            for record in body.get("Records", [])
            if unquote_plus(record["s3"]["object"]["key"]) == key
        ]


@pytest.fixture(scope="module")
def inbox(test_stack: LocalStack) -> Inbox:
    return Inbox(test_stack)


def quarantined(name: str = "foto.jpg") -> str:
    return f"quarantine/{uuid.uuid4().hex[:12]}/{name}"


def upload_form(s3: Any, bucket: str, key: str, *, most: int = 1024, expires: int = 900) -> dict[str, Any]:
    """A presigned POST as the evidence endpoint makes it: one key, one type, a size range."""
    form: dict[str, Any] = s3.generate_presigned_post(
        bucket,
        key,
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[{"Content-Type": "image/jpeg"}, ["content-length-range", 1, most]],
        ExpiresIn=expires,
    )
    return form


def post(
    form: dict[str, Any], data: bytes = PHOTO, origin: str | None = SITE, **fields: str
) -> requests.Response:
    """The browser's upload: the form's fields (some changed), then the file, last."""
    headers = {"Origin": origin} if origin else {}
    return requests.post(
        form["url"],
        data={**form["fields"], **fields},
        files={"file": ("IMG_0001.png", data, "image/png")},
        headers=headers,
        timeout=10,
    )


def error(response: requests.Response) -> dict[str, str]:
    """The elements of S3's error document."""
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Error", response.text
    return {child.tag: child.text or "" for child in root}


def stored(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as failure:
        if failure.response["Error"]["Code"] != "404":
            raise
        return False
    return True


# -- buckets from the template ------------------------------------------------------------------


def test_buckets_are_made_from_the_template_with_their_cors_and_notifications(
    test_stack: LocalStack, s3: Any, bucket: str
) -> None:
    names = {item["Name"] for item in s3.list_buckets()["Buckets"]}
    assert bucket == "stack-test-uploadsbucket"  # a generated name, lowercase as S3's must be
    assert {bucket, "stack-test-plain"} <= names  # the second named by its BucketName
    assert "EastOnlyBucket" not in test_stack.resources.refs, "its Condition is false in Jakarta"
    assert test_stack.resources.get_att("UploadsBucket", "Arn") == f"arn:aws:s3:::{bucket}"
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "ap-southeast-3"

    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == [
        {
            "AllowedOrigins": [SITE],
            "AllowedMethods": ["POST", "GET"],
            "AllowedHeaders": ["content-type", "x-amz-*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 600,
        }
    ]
    (queue,) = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert queue["QueueArn"] == test_stack.resources.get_att("UploadsQueue", "Arn")
    assert queue["Events"] == ["s3:ObjectCreated:*"]
    assert queue["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "quarantine/"}]
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_setting_the_notification_sent_s3s_test_event_first(inbox: Inbox, bucket: str) -> None:
    tests = [body for body in inbox.read() if body.get("Event") == "s3:TestEvent"]
    assert len(tests) == 1, "one configuration, one test event: a consumer must ignore it"
    (event,) = tests
    assert event["Service"] == "Amazon S3"
    assert event["Bucket"] == bucket
    assert event["RequestId"]
    assert event["HostId"]
    assert datetime.strptime(event["Time"], "%Y-%m-%dT%H:%M:%S.%fZ")


# -- a presigned POST, as S3 takes it ----------------------------------------------------------


def test_the_policy_signature_is_the_one_aws_documents() -> None:
    # The example of S3's "Example: Browser-Based Upload using HTTP POST (Using AWS Signature
    # Version 4)": its policy, CRLF line ends and all, its credentials and its signature.
    lines = [
        '{ "expiration": "2015-12-30T12:00:00.000Z",',
        '  "conditions": [',
        '    {"bucket": "sigv4examplebucket"},',
        '    ["starts-with", "$key", "user/user1/"],',
        '    {"acl": "public-read"},',
        '    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},',
        '    ["starts-with", "$Content-Type", "image/"],',
        '    {"x-amz-meta-uuid": "14365123651274"},',
        '    {"x-amz-server-side-encryption": "AES256"},',
        '    ["starts-with", "$x-amz-meta-tag", ""],',
        "",
        '    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},',
        '    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},',
        '    {"x-amz-date": "20151229T000000Z" }',
        "  ]",
        "}",
    ]
    policy = base64.b64encode("\r\n".join(lines).encode()).decode()
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert post_signature(policy, secret, "20151229", "us-east-1") == (
        "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
    )


def test_a_valid_upload_is_stored_with_the_policys_type_and_announced_once_as_aws_does(
    test_stack: LocalStack, s3: Any, bucket: str, inbox: Inbox
) -> None:
    tag = uuid.uuid4().hex[:12]
    key = f"quarantine/{tag}/foto laporan (1).jpg"
    form = upload_form(s3, bucket, key)
    assert form["url"] == f"{test_stack.endpoint}/{bucket}", "the emulator, reachable from a browser here"

    answer = post(form)

    assert answer.status_code == 204, answer.text
    assert answer.content == b""
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert answer.headers["Access-Control-Expose-Headers"] == "ETag"
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "image/jpeg", "the policy's type, not the file part's"
    assert head["ContentLength"] == len(PHOTO)
    assert answer.headers["ETag"] == head["ETag"]
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PHOTO

    (record,) = inbox.records(key)
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "ap-southeast-3"
    assert record["eventName"] == "ObjectCreated:Post"
    assert datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert record["requestParameters"] == {"sourceIPAddress": "127.0.0.1"}
    assert record["responseElements"]["x-amz-request-id"] == answer.headers["x-amz-request-id"]
    assert record["responseElements"]["x-amz-id-2"] == answer.headers["x-amz-id-2"]
    assert record["userIdentity"]["principalId"]
    assert record["s3"]["s3SchemaVersion"] == "1.0"
    assert record["s3"]["configurationId"]
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert record["s3"]["bucket"]["ownerIdentity"]["principalId"]
    item = record["s3"]["object"]
    assert item["key"] == f"quarantine/{tag}/foto+laporan+%281%29.jpg", "URL-encoded, slashes kept"
    assert item["size"] == len(PHOTO)
    assert item["eTag"] == head["ETag"].strip('"')
    assert len(item["sequencer"]) == 18
    assert int(item["sequencer"], 16)
    assert "versionId" not in item, "the bucket is not versioned"


def test_an_upload_over_the_size_is_refused_as_entity_too_large_and_leaves_nothing(
    s3: Any, bucket: str, inbox: Inbox
) -> None:
    key = quarantined()
    answer = post(upload_form(s3, bucket, key, most=999), PHOTO)
    assert answer.status_code == 400
    details = error(answer)
    assert details["Code"] == "EntityTooLarge"
    assert details["Message"] == "Your proposed upload exceeds the maximum allowed size"
    assert (details["ProposedSize"], details["MaxSizeAllowed"]) == ("1000", "999")
    assert details["RequestId"] == answer.headers["x-amz-request-id"]
    assert answer.headers["Access-Control-Allow-Origin"] == SITE, "the page may read why"
    assert not stored(s3, bucket, key)
    assert inbox.records(key) == []


def test_an_empty_file_is_refused_as_entity_too_small(s3: Any, bucket: str) -> None:
    key = quarantined()
    answer = post(upload_form(s3, bucket, key), b"")
    assert answer.status_code == 400
    details = error(answer)
    assert (details["Code"], details["ProposedSize"], details["MinSizeAllowed"]) == (
        "EntityTooSmall",
        "0",
        "1",
    )
    assert not stored(s3, bucket, key)


def test_another_content_type_is_refused_by_the_policy(s3: Any, bucket: str, inbox: Inbox) -> None:
    key = quarantined()
    answer = post(upload_form(s3, bucket, key), **{"Content-Type": "text/html"})
    assert answer.status_code == 403
    details = error(answer)
    assert details["Code"] == "AccessDenied"
    assert details["Message"] == (
        'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/jpeg"]'
    )
    assert not stored(s3, bucket, key)
    assert inbox.records(key) == []


def test_another_key_is_refused_by_the_policy(s3: Any, bucket: str) -> None:
    key = quarantined()
    elsewhere = key.replace("quarantine/", "evidence/")
    answer = post(upload_form(s3, bucket, key), key=elsewhere)
    assert answer.status_code == 403
    assert (
        error(answer)["Message"]
        == f'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "{key}"]'
    )
    assert not stored(s3, bucket, elsewhere)
    assert not stored(s3, bucket, key)


def test_a_field_the_policy_does_not_name_is_refused_unless_s3_ignores_it(s3: Any, bucket: str) -> None:
    key = quarantined()
    form = upload_form(s3, bucket, key)
    answer = post(form, **{"x-amz-meta-note": "lihat"})
    assert answer.status_code == 403
    assert error(answer)["Message"] == "Invalid according to Policy: Extra input fields: x-amz-meta-note"
    assert not stored(s3, bucket, key)
    assert post(form, **{"x-ignore-progress": "1"}).status_code == 204


def test_a_tampered_policy_is_refused_as_signature_does_not_match(s3: Any, bucket: str) -> None:
    key = quarantined()
    form = upload_form(s3, bucket, key, most=999)
    # The one change a client would want: a larger size, under the signature of the smaller.
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    policy["conditions"][1] = ["content-length-range", 1, 10_000_000]
    tampered = base64.b64encode(json.dumps(policy).encode()).decode()
    answer = post(form, policy=tampered)
    assert answer.status_code == 403
    details = error(answer)
    assert details["Code"] == "SignatureDoesNotMatch"
    assert details["StringToSign"] == tampered
    assert details["SignatureProvided"] == form["fields"]["x-amz-signature"]
    assert details["AWSAccessKeyId"] == "local"
    assert not stored(s3, bucket, key)

    one_byte = form["fields"]["policy"][:10] + ("A" if form["fields"]["policy"][10] != "A" else "B")
    one_byte += form["fields"]["policy"][11:]
    assert error(post(form, policy=one_byte))["Code"] == "SignatureDoesNotMatch"


def test_a_policy_signed_with_unknown_credentials_is_refused(test_stack: LocalStack, bucket: str) -> None:
    stranger = boto3.client(
        "s3",
        endpoint_url=test_stack.endpoint,
        region_name="ap-southeast-3",
        aws_access_key_id="someone",
        aws_secret_access_key="else",
    )
    answer = post(upload_form(stranger, bucket, quarantined()))
    assert answer.status_code == 403
    assert error(answer)["Code"] == "InvalidAccessKeyId"


def test_an_expired_policy_is_refused(s3: Any, bucket: str) -> None:
    key = quarantined()
    form = upload_form(s3, bucket, key, expires=-10)  # its expiration ten seconds ago
    answer = post(form)
    assert answer.status_code == 403
    details = error(answer)
    assert (details["Code"], details["Message"]) == (
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    )
    assert not stored(s3, bucket, key)


def test_a_form_without_its_key_or_its_signature_is_refused_as_s3_refuses_it(s3: Any, bucket: str) -> None:
    form = upload_form(s3, bucket, quarantined())
    without_key = {**form, "fields": {k: v for k, v in form["fields"].items() if k != "key"}}
    details = error(post(without_key))
    assert (details["Code"], details["ArgumentName"]) == ("InvalidArgument", "key")
    unsigned = {**form, "fields": {k: v for k, v in form["fields"].items() if k != "x-amz-signature"}}
    details = error(post(unsigned))
    assert (details["Code"], details["ArgumentName"]) == ("InvalidArgument", "X-Amz-Signature")
    anonymous = {**form, "fields": {"key": form["fields"]["key"]}}
    assert error(post(anonymous))["Code"] == "AccessDenied"


def test_success_action_status_201_answers_s3s_post_response(s3: Any, bucket: str) -> None:
    key = quarantined()
    form = s3.generate_presigned_post(
        bucket, key, Fields={"success_action_status": "201"}, Conditions=[{"success_action_status": "201"}]
    )
    answer = post(form)
    assert answer.status_code == 201
    document = ElementTree.fromstring(answer.content)
    assert document.tag == "PostResponse"
    assert document.findtext("Key") == key
    assert document.findtext("Bucket") == bucket
    assert document.findtext("ETag") == s3.head_object(Bucket=bucket, Key=key)["ETag"]


# -- CORS, from the bucket's rules --------------------------------------------------------------


def preflight(
    url: str, origin: str | None, method: str = "POST", headers: str | None = None
) -> requests.Response:
    sent = {"Access-Control-Request-Method": method}
    if origin:
        sent["Origin"] = origin
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return requests.options(url, headers=sent, timeout=10)


def test_a_preflight_from_the_site_is_allowed_with_the_rules_headers(
    test_stack: LocalStack, bucket: str
) -> None:
    answer = preflight(f"{test_stack.endpoint}/{bucket}", SITE, headers="Content-Type, X-Amz-Date")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert answer.headers["Access-Control-Allow-Methods"] == "POST, GET"
    assert answer.headers["Access-Control-Allow-Headers"] == "content-type, x-amz-date"
    assert answer.headers["Access-Control-Max-Age"] == "600"
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"
    assert answer.headers["Vary"] == "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [
        ("http://evil.test", "POST", None),
        (SITE, "DELETE", None),
        (SITE, "POST", "authorization"),
    ],
    ids=["another origin", "a method the rule lacks", "a header the rule lacks"],
)
def test_a_preflight_the_rules_do_not_allow_is_refused(
    test_stack: LocalStack, bucket: str, origin: str, method: str, headers: str | None
) -> None:
    answer = preflight(f"{test_stack.endpoint}/{bucket}/quarantine/x.jpg", origin, method, headers)
    assert answer.status_code == 403
    details = error(answer)
    assert details["Code"] == "AccessForbidden"
    assert details["Message"].startswith("CORSResponse: This CORS request is not allowed.")
    assert (details["Method"], details["ResourceType"]) == (method, "OBJECT")
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_a_preflight_to_a_bucket_without_cors_or_without_an_origin_is_refused(test_stack: LocalStack) -> None:
    answer = preflight(f"{test_stack.endpoint}/stack-test-plain", SITE)
    assert answer.status_code == 403
    assert error(answer)["Message"] == "CORSResponse: CORS is not enabled for this bucket."
    answer = preflight(f"{test_stack.endpoint}/stack-test-plain", None)
    assert answer.status_code == 400
    assert error(answer)["Message"] == "Insufficient information. Origin request header needed."


def test_an_answer_to_another_origin_carries_no_cors_header(s3: Any, bucket: str) -> None:
    key = quarantined()
    s3.put_object(Bucket=bucket, Key=key, Body=PHOTO, ContentType="image/jpeg")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    answer = requests.get(url, headers={"Origin": "http://evil.test"}, timeout=10)
    assert answer.status_code == 200
    assert not [name for name in answer.headers if name.lower().startswith("access-control-")]


# -- presigned GETs ----------------------------------------------------------------------------


def test_a_presigned_get_works_from_the_site_until_it_expires(
    s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = quarantined()
    s3.put_object(Bucket=bucket, Key=key, Body=PHOTO, ContentType="image/jpeg")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    answer = requests.get(url, headers={"Origin": SITE}, timeout=10)
    assert answer.status_code == 200
    assert answer.content == PHOTO
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert answer.headers["Access-Control-Allow-Origin"] == SITE

    unsigned = requests.get(url.split("?")[0], timeout=10)
    assert unsigned.status_code == 403, "a private bucket serves no anonymous request"
    assert error(unsigned)["Code"] == "AccessDenied"

    # Signed ten minutes ago for five minutes: expired five minutes ago.
    signed_at = (datetime.now(UTC) - timedelta(minutes=10)).replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *_args, **_kw: signed_at)
    stale = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    answer = requests.get(stale, timeout=10)
    assert answer.status_code == 403
    details = error(answer)
    assert (details["Code"], details["Message"]) == ("AccessDenied", "Request has expired")
    assert details["X-Amz-Expires"] == "300"


# -- notifications from every way an object is made ----------------------------------------------


def test_put_copy_and_multipart_are_announced_and_a_key_outside_the_prefix_is_not(
    s3: Any, bucket: str, inbox: Inbox
) -> None:
    put, copied, assembled, outside = (
        quarantined("put.jpg"),
        quarantined("copy.jpg"),
        quarantined("mp.jpg"),
        (f"evidence/{uuid.uuid4().hex[:12]}.jpg"),
    )
    s3.put_object(Bucket=bucket, Key=put, Body=PHOTO)
    s3.copy_object(Bucket=bucket, Key=copied, CopySource={"Bucket": bucket, "Key": put})
    upload = s3.create_multipart_upload(Bucket=bucket, Key=assembled)["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key=assembled, UploadId=upload, PartNumber=1, Body=PHOTO)
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key=assembled,
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    s3.put_object(Bucket=bucket, Key=outside, Body=PHOTO)

    assert [record["eventName"] for record in inbox.records(put)] == ["ObjectCreated:Put"]
    assert [record["eventName"] for record in inbox.records(copied)] == ["ObjectCreated:Copy"]
    (record,) = inbox.records(assembled)
    assert record["eventName"] == "ObjectCreated:CompleteMultipartUpload"
    assert record["s3"]["object"]["eTag"].endswith("-1")
    assert inbox.records(outside) == []
