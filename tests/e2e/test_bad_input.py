"""Bad input at every public door of the running stack, over real HTTP: generated requests to the
routes that need no token (template.yaml's `Authorizer: NONE`), and schemathesis driven by the
published OpenAPI document. Every answer is a clear 4xx (or a success), never a 5xx, and no worker
crashes. (The intake handler in process and the SMS parser have their own fuzzing in
tests/integration/test_intake_fuzz.py; this adds the HTTP path and the other public routes.)

ADUAN_SOAK_FUZZ_EXAMPLES sets the number of examples per test (25 here, where CI's 15 minutes are
shared by everything; `make soak` sets 500).
"""

from __future__ import annotations

import base64
import json
import os
import re
import string
from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aduan.domain.errors import MalformedRequest
from aduan.doors.whatsapp import read_item
from aduan_local.client import whatsapp_message, whatsapp_payload
from aduan_local.stack import LocalStack
from aduan_local.template import ROOT
from tests.conftest import LogCapture
from tests.crafted import deep_json, fuzzed_phones, huge_numbers, whatsapp_payloads
from tests.e2e.helpers import SMS_TOKEN, eventually, quiet, report, send_sms, send_whatsapp
from tests.e2e.test_evidence import png, upload, worked
from tests.privacy import IDENTITIES

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

EXAMPLES = int(os.environ.get("ADUAN_SOAK_FUZZ_EXAMPLES", "25"))
OPENAPI = ROOT / "docs" / "openapi.json"
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

# Any Latin-1 text an HTTP client can send as a header value (no leading or trailing space).
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=60).map(str.strip)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def clear(response: requests.Response) -> None:
    """Not a 5xx; and an API error is JSON with a code and a message."""
    assert response.status_code < 500, f"{response.status_code} {response.text[:300]}"
    if response.status_code >= 400 and response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        body = response.json()
        assert body.get("error", {}).get("code") or body.get("message"), body


@pytest.fixture(scope="module")
def filed(local_stack: LocalStack) -> dict[str, Any]:
    """One real complaint for the follow-up routes."""
    response = requests.post(
        f"{local_stack.url}/complaints",
        json=report(reporter={"name": "Ratna Sari Dewi", "phone": "+6281299000001"}),
        timeout=30,
    )
    assert response.status_code == 201
    receipt: dict[str, Any] = response.json()
    return receipt


@pytest.fixture(scope="module")
def logs_before(stack_logs: LogCapture) -> int:
    return len(stack_logs.lines)


@fuzz
@given(tracking_id=st.text(max_size=30), code=st.none() | header_text, language=st.none() | header_text)
def test_tracking_any_id_with_any_code_answers_clearly(
    local_stack: LocalStack, logs_before: int, tracking_id: str, code: str | None, language: str | None
) -> None:
    headers = {k: v for k, v in {"x-access-code": code, "accept-language": language}.items() if v is not None}
    response = requests.get(
        f"{local_stack.url}/complaints/{quote(tracking_id, safe='')}", headers=headers, timeout=30
    )
    clear(response)


@fuzz
@given(
    body=json_values
    | st.fixed_dictionaries(
        {"kind": st.sampled_from(["reply", "reopen", "rating", "x"]) | st.text(max_size=8)},
        optional={
            "text": st.text(max_size=300) | st.integers(),
            "rating": st.integers() | st.text(max_size=3),
        },
    ),
    right_code=st.booleans(),
    right_id=st.booleans(),
)
def test_a_follow_up_with_any_body_answers_clearly(
    local_stack: LocalStack, filed: dict[str, Any], body: Any, right_code: bool, right_id: bool
) -> None:
    tracking_id = filed["tracking_id"] if right_id else "K7MX4RPA2Q"
    code = filed["access_code"] if right_code else "WRONG-CODE"
    response = requests.post(
        f"{local_stack.url}/complaints/{tracking_id}/replies",
        json=body,
        headers={"x-access-code": code},
        timeout=30,
    )
    clear(response)


phones = fuzzed_phones  # a range no test writes a number in (tests/phones.py)
sms_text = st.text(max_size=300) | st.builds(
    lambda verb, rest: f"{verb} {rest}",
    st.sampled_from(["CEK", "STATUS", "BALAS", "cek", "balas"]),
    st.text(alphabet=string.ascii_letters + string.digits + " -", max_size=40),
)


@fuzz
@given(sender=phones | header_text, text=sms_text, sid=st.text(max_size=40))
def test_a_signed_sms_with_any_text_answers_clearly(
    local_stack: LocalStack, sender: str, text: str, sid: str
) -> None:
    clear(send_sms(local_stack, sender, text, f"SM{sid}"))


@fuzz
@given(raw=st.binary(max_size=300), signature=st.none() | header_text)
def test_an_unsigned_or_garbled_sms_webhook_is_refused_clearly(
    local_stack: LocalStack, raw: bytes, signature: str | None
) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["x-twilio-signature"] = signature
    response = requests.post(f"{local_stack.url}/sms/inbound", data=raw, headers=headers, timeout=30)
    clear(response)
    assert response.status_code in (403, 413), response.text  # nothing is read without the signature


@fuzz
@given(phone=phones, data=st.data())
def test_a_signed_whatsapp_payload_of_any_shape_is_taken(
    local_stack: LocalStack, phone: str, data: Any
) -> None:
    payload = data.draw(
        whatsapp_payloads(phone.removeprefix("+"), most=2)
    )  # every shape; the unit test, more
    response = send_whatsapp(local_stack, json.dumps(payload).encode())
    clear(response)
    assert response.status_code == 200, response.text  # signed by Meta: taken, whatever it holds


@fuzz
@given(raw=st.binary(max_size=300), signature=st.none() | header_text)
def test_an_unsigned_or_garbled_whatsapp_webhook_is_refused_clearly(
    local_stack: LocalStack, raw: bytes, signature: str | None
) -> None:
    headers = {"content-type": "application/json"} | (
        {"x-hub-signature-256": signature} if signature is not None else {}
    )
    response = requests.post(f"{local_stack.url}/whatsapp/webhook", data=raw, headers=headers, timeout=30)
    clear(response)
    assert response.status_code == 403, response.text  # nothing is read without the signature


def test_after_any_payloads_only_poison_waits_in_the_whatsapp_dlq(local_stack: LocalStack) -> None:
    citizen = "+6281299000003"
    poison = {k: v for k, v in whatsapp_message(citizen, body="tanpa ID").items() if k != "id"}
    good = whatsapp_message(citizen, body="CEK")
    assert send_whatsapp(local_stack, whatsapp_payload(poison, good)).status_code == 200
    sqs = local_stack.client("sqs")
    dlq = local_stack.resources.ref("WhatsAppDeadLetterQueue")

    def dead_letters() -> list[str]:
        """Every message in the DLQ once: each batch is hidden while the next is read, then shown again."""
        quiet(local_stack)
        bodies: dict[str, str] = {}
        handles = []
        while received := sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
            "Messages", []
        ):
            bodies |= {message["MessageId"]: message["Body"] for message in received}
            handles += [message["ReceiptHandle"] for message in received]
        for handle in handles:
            sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=handle, VisibilityTimeout=0)
        return list(bodies.values())

    bodies = eventually(
        lambda: (found := dead_letters()) and any("tanpa ID" in b for b in found) and found, timeout=120
    )
    assert bodies, "the item without a message ID never reached the DLQ"
    for body in bodies:
        with pytest.raises(MalformedRequest):
            read_item(body)  # each is poison: nothing a retry could have read


def test_a_signed_sms_with_a_wrong_token_is_refused(local_stack: LocalStack) -> None:
    response = send_sms(local_stack, "+6281299000002", "jalan rusak", "SMx", token=SMS_TOKEN + "x")
    assert response.status_code == 403


@fuzz
@given(body=json_values | st.fixed_dictionaries({"username": header_text, "password": header_text}))
def test_the_operators_sign_in_answers_clearly(local_stack: LocalStack, body: Any) -> None:
    response = requests.post(f"{local_stack.url}/ops/session", json=body, timeout=30)
    clear(response)
    assert response.status_code != 200 or "token" in response.json()


@fuzz
@given(
    path=st.sampled_from(["/ops/session/challenge", "/ops/session/mfa"]),
    body=json_values
    | st.fixed_dictionaries(
        {"username": header_text, "session": header_text},
        optional={"new_password": header_text, "code": header_text},
    ),
)
def test_the_sign_in_steps_answer_clearly_and_give_no_token_to_a_made_up_session(
    local_stack: LocalStack, path: str, body: Any
) -> None:
    """Whoever calls the steps with a session they made up gets a clear 4xx, never a token, a
    TOTP secret, or a 503 from a session Cognito would refuse to parse."""
    response = requests.post(f"{local_stack.url}{path}", json=body, timeout=30)
    clear(response)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])
    assert not {"token", "secret", "otpauth_uri"} & set(response.json())


# -- issue #21: shapes a parser chokes on, and what an operator's client sends back -----------------

crafted_json = (
    deep_json
    | huge_numbers
    | st.builds(
        lambda name, value: "{" + json.dumps(name) + ": " + value + "}",
        st.sampled_from(["title", "rating", "version", "username", "kind", "language"]),
        huge_numbers | deep_json,
    )
)
DEEP = "[" * 20_000 + "]" * 20_000
HUGE = '{"rating": ' + "9" * 5_000 + "}"


@pytest.fixture(scope="module")
def operator_token(local_stack: LocalStack) -> str:
    token: str = local_stack.token("op.disdukcapil")["token"]
    return token


@pytest.fixture(scope="module")
def json_routes(
    local_stack: LocalStack, filed: dict[str, Any], operator_token: str
) -> dict[str, dict[str, str]]:
    """Every route that reads a JSON body, with what it needs to get as far as reading it."""
    tracking_id = filed["tracking_id"]
    return {
        "/complaints": {},
        f"/complaints/{tracking_id}/replies": {"x-access-code": filed["access_code"]},
        f"/ops/complaints/{tracking_id}/actions": {"authorization": f"Bearer {operator_token}"},
        "/ops/session": {},
        "/ops/session/challenge": {},
        "/ops/session/mfa": {},
        f"/complaints/{tracking_id}/attachments": {"x-access-code": filed["access_code"]},
        f"/ops/complaints/{tracking_id}/attachments": {"authorization": f"Bearer {operator_token}"},
    }


def post_raw(stack: LocalStack, path: str, body: str, headers: dict[str, str]) -> requests.Response:
    headers = {"content-type": "application/json", "accept-language": "en", **headers}
    return requests.post(f"{stack.url}{path}", data=body.encode(), headers=headers, timeout=60)


@pytest.mark.parametrize("body", [DEEP, HUGE], ids=["nested 20,000 deep", "a 5,000-digit number"])
@pytest.mark.parametrize(
    "route",
    range(8),
    ids=["complaints", "replies", "actions", "session", "challenge", "mfa", "attachments", "ops attachments"],
)
def test_json_a_parser_chokes_on_is_400_on_every_json_route(
    local_stack: LocalStack, json_routes: dict[str, dict[str, str]], body: str, route: int
) -> None:
    path, headers = list(json_routes.items())[route]
    response = post_raw(local_stack, path, body, headers)
    assert response.status_code == 400, f"{path}: {response.status_code} {response.text[:200]}"
    error = response.json()["error"]
    assert error["code"] == "malformed_json"
    assert [detail["field"] for detail in error["details"]] == ["body"]
    assert error["details"][0]["message"].startswith(("The body is nested", "A number"))


@fuzz
@given(body=crafted_json, route=st.sampled_from([0, 1, 2, 3, 6, 7]))  # the sign-in steps have their own
def test_deep_nesting_and_huge_numbers_answer_clearly_on_every_json_route(
    local_stack: LocalStack, json_routes: dict[str, dict[str, str]], body: str, route: int
) -> None:
    path, headers = list(json_routes.items())[route]
    response = post_raw(local_stack, path, body, headers)
    clear(response)
    assert response.status_code in (400, 401, 404, 409, 413, 422), (path, response.status_code)


# -- evidence (issue #14): the name a device gives a file is checked, and never makes a key ---------

REFUSED_NAMES = {
    "a NUL": "KTP\x00.jpg",
    "an escape sequence": "foto\x1b[2J.jpg",
    "a bidi override": "KTP_Siti\u202egpj.exe",
    "bidi isolates": "\u2066foto\u2069.jpg",
    "10,000 characters": "a" * 10_000 + ".jpg",
    "empty": "",
    "zero-width only": "\u200b\u200b",
}
TAKEN_NAMES = {
    "a path up": "../../x",
    "a Windows path": "..\\..\\Windows\\win.ini",
    "an absolute path": "/etc/passwd",
    "an encoded path": "%2e%2e%2fevidence%2fx.jpg",
    "another key": "evidence/K7MX4RPA27/0123456789abcdef",
    "S3's file-name variable": "${filename}",
    "a line break, made a space": "foto\r\nX-Amz-Meta-Note: 1.jpg",
}


def form_for(stack: LocalStack, receipt: dict[str, Any], filename: str, size: int = 100) -> requests.Response:
    """The citizen asks for a form to upload a PNG under `filename`."""
    return requests.post(
        f"{stack.url}/complaints/{receipt['tracking_id']}/attachments",
        json={"filename": filename, "content_type": "image/png", "size": size},
        headers={"x-access-code": receipt["access_code"], "accept-language": "en"},
        timeout=30,
    )


def keyed_by_id_alone(receipt: dict[str, Any], response: requests.Response) -> str:
    """A form whose key is exactly its attachment's quarantine key (so nothing of any name): the
    attachment ID it was given."""
    form = response.json()
    tracking_id = receipt["tracking_id"]
    key = form["upload"]["fields"]["key"]
    assert re.fullmatch(rf"quarantine/{tracking_id}/[0-9a-f]{{16}}", key), key
    assert key == f"quarantine/{tracking_id}/{form['attachment_id']}"
    return str(form["attachment_id"])


@pytest.mark.parametrize("filename", REFUSED_NAMES.values(), ids=REFUSED_NAMES.keys())
def test_a_file_name_with_control_or_bidi_characters_empty_or_too_long_is_422_naming_filename(
    local_stack: LocalStack, filed: dict[str, Any], filename: str
) -> None:
    response = form_for(local_stack, filed, filename)
    assert response.status_code == 422, response.text[:300]
    assert [d["field"] for d in response.json()["error"]["details"]] == ["filename"]


@pytest.mark.parametrize("filename", TAKEN_NAMES.values(), ids=TAKEN_NAMES.keys())
def test_a_file_name_that_looks_like_a_path_or_a_key_is_taken_and_never_kept_or_made_a_key(
    local_stack: LocalStack, filename: str
) -> None:
    stack, photo = local_stack, png(8, 8)
    receipt = requests.post(f"{stack.url}/complaints", json=report(), timeout=30).json()
    tracking_id = receipt["tracking_id"]
    response = form_for(stack, receipt, filename, size=len(photo))
    assert response.status_code == 201, response.text[:300]
    attachment_id = keyed_by_id_alone(receipt, response)
    # The browser names the file part so too: S3 stores it at the form's key, whatever it is called.
    posted = upload(stack, response.json(), photo, filename=filename, part_type="image/png")
    assert posted.status_code == 204, posted.text[:300]
    assert worked(stack, tracking_id, attachment_id).state.value == "added"

    listed = stack.client("s3").list_objects_v2(Bucket=stack.resources.ref("EvidenceBucket"))
    ours = {item["Key"] for item in listed.get("Contents", []) if tracking_id in item["Key"]}
    stored = f"evidence/{tracking_id}/{attachment_id}"
    assert ours == {stored, f"{stored}.thumb.jpg"}
    item = stack.client("dynamodb").get_item(
        TableName=stack.resources.ref("ComplaintsTable"),
        Key={"pk": {"S": f"C#{tracking_id}"}, "sk": {"S": "#COMPLAINT"}},
        ConsistentRead=True,
    )["Item"]
    policy = base64.b64decode(response.json()["upload"]["fields"]["policy"]).decode()
    for where in (response.text, policy, json.dumps(item)):
        for form in {filename, json.dumps(filename)[1:-1], " ".join(filename.split())}:
            assert form not in where, form


def test_any_file_name_is_refused_naming_it_or_taken_without_it_in_the_key(local_stack: LocalStack) -> None:
    """Generated names, and names built of the pieces that break paths, headers and displays, on
    the citizen's door: 422 naming `filename`, or a form whose key is its attachment's alone. A
    complaint's five places are soon taken; a new report takes over when they are."""
    pieces = ["../", "..\\", "/", "%2f", "\x00", "\r\n", "\u202e", "\u2066", "\u200b", "${filename}",
              "KTP", ".jpg", " ", "~", "\u0130", "\U0001f600", "a" * 300]  # fmt: skip
    names = st.text(max_size=80) | st.lists(st.sampled_from(pieces), max_size=8).map("".join)
    receipts = [requests.post(f"{local_stack.url}/complaints", json=report(), timeout=30).json()]
    answered: Counter[str] = Counter()

    @fuzz
    @given(filename=names)
    def check(filename: str) -> None:
        response = form_for(local_stack, receipts[-1], filename)
        clear(response)
        assert response.status_code in (201, 422), response.text[:300]
        if response.status_code == 201:
            keyed_by_id_alone(receipts[-1], response)
            answered["201"] += 1
            return
        fields = [d["field"] for d in response.json()["error"]["details"]]
        answered[f"422 {' '.join(fields)}"] += 1
        if fields == ["attachments"]:  # five already: the next name goes to a fresh report
            receipts.append(requests.post(f"{local_stack.url}/complaints", json=report(), timeout=30).json())
        else:
            assert fields == ["filename"], response.text[:300]

    check()
    print(f"\nfile names: {dict(answered)} on {len(receipts)} reports")
    assert answered["201"], "no generated name was taken"
    assert answered["422 filename"], "no generated name was refused"


@pytest.fixture(scope="module")
def pupr_complaint(local_stack: LocalStack) -> str:
    """A complaint in another agency's inbox (PUPR), which no cursor may bring into Disdukcapil's."""
    body = report(
        title="Jalan berlubang di Jalan Raya Serang",
        description="Jalan rusak berlubang besar di Jalan Raya Serang km 24, Kecamatan Cikupa, dua bulan.",
        category="infrastruktur",
        location={"region_code": "36.03"},
        reporter={"name": "Dewi Lestari", "phone": "+6281299000021"},
    )
    receipt = requests.post(f"{local_stack.url}/complaints", json=body, timeout=30).json()
    tracking_id: str = receipt["tracking_id"]

    def held_by_pupr() -> bool:
        view = requests.get(
            f"{local_stack.url}/complaints/{tracking_id}",
            headers={"x-access-code": receipt["access_code"]},
            timeout=10,
        ).json()
        return bool(view["status"] == "assigned" and view["agency"]["id"] == "kab-tangerang.pupr")

    assert eventually(held_by_pupr)
    return tracking_id


def b64(value: Any) -> str:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(data).decode()


def store_key(inbox: str, tracking_id: str) -> dict[str, Any]:
    return {
        "inbox": {"S": inbox},
        "created_at": {"S": "2099-01-01T00:00:00.000000Z"},
        "pk": {"S": f"C#{tracking_id}"},
        "sk": {"S": "#COMPLAINT"},
    }


def crafted_cursors(tracking_id: str) -> Any:
    """Cursors no inbox wrote: garbage, the outer shape bent, the store's key aimed elsewhere."""
    keys = st.sampled_from(
        [
            store_key("kab-tangerang.pupr#assigned", tracking_id),  # another agency's partition
            store_key("kab-tangerang.disdukcapil#closed", tracking_id),  # a status it does not list
            {"pk": {"S": "REF#AGENCY"}, "sk": {"S": "kab-tangerang"}},  # another item of the table
            {"pk": {"S": f"C#{tracking_id}"}, "sk": {"S": "#COMPLAINT"}},  # the table's key, not the index's
        ]
    )
    return (
        st.text(max_size=60)
        | st.binary(max_size=60).map(b64)
        | json_values.map(b64)
        | st.fixed_dictionaries({"s": st.integers(-3, 8) | st.text(max_size=2), "k": st.none()}).map(b64)
        | st.builds(lambda s, key: b64({"s": s, "k": b64(key)}), st.integers(0, 5), keys)
    )


def test_a_garbage_or_crafted_inbox_cursor_is_422_naming_cursor(
    local_stack: LocalStack, operator_token: str, pupr_complaint: str
) -> None:
    headers = {"authorization": f"Bearer {operator_token}"}
    for cursor in (
        "garbage",
        b64([1]),
        b64({"s": 0, "k": b64(store_key("kab-tangerang.pupr#assigned", pupr_complaint))}),
        b64({"s": 0, "k": b64({"pk": {"S": "REF#AGENCY"}, "sk": {"S": "kab-tangerang"}})}),
    ):
        response = requests.get(
            f"{local_stack.url}/ops/complaints", params={"cursor": cursor}, headers=headers, timeout=30
        )
        assert response.status_code == 422, (cursor, response.status_code, response.text[:200])
        assert [d["field"] for d in response.json()["error"]["details"]] == ["cursor"]


def test_any_cursor_answers_clearly_and_never_with_another_agencys_rows(
    local_stack: LocalStack, operator_token: str, pupr_complaint: str
) -> None:
    headers = {"authorization": f"Bearer {operator_token}"}

    @fuzz
    @given(cursor=crafted_cursors(pupr_complaint), status=st.none() | st.sampled_from(["assigned", "closed"]))
    def check(cursor: str, status: str | None) -> None:
        params = {"cursor": cursor, **({"status": status} if status else {})}
        response = requests.get(
            f"{local_stack.url}/ops/complaints", params=params, headers=headers, timeout=30
        )
        clear(response)
        if response.status_code == 200:
            assert pupr_complaint not in response.text
        else:
            assert response.status_code == 422, response.text[:200]

    check()


def test_statistics_for_a_date_out_of_range_is_422_naming_it(local_stack: LocalStack) -> None:
    headers = {"authorization": f"Bearer {local_stack.token('coord.kab-tangerang')['token']}"}
    for query, field in (
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
    ):
        response = requests.get(f"{local_stack.url}/ops/stats", params=query, headers=headers, timeout=30)
        assert response.status_code == 422, (query, response.status_code, response.text[:200])
        assert [d["field"] for d in response.json()["error"]["details"]] == [field]


@fuzz
@given(
    start=st.none() | st.dates().map(str) | st.text(max_size=12),
    end=st.none() | st.dates().map(str) | st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "-1"]),
)
def test_statistics_for_any_dates_answer_clearly(
    local_stack: LocalStack, start: str | None, end: str | None
) -> None:
    params = {name: value for name, value in (("from", start), ("to", end)) if value is not None}
    headers = {"authorization": f"Bearer {local_stack.token('coord.kab-tangerang')['token']}"}
    response = requests.get(f"{local_stack.url}/ops/stats", params=params, headers=headers, timeout=30)
    clear(response)
    assert response.status_code in (200, 422), response.text[:200]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reporter": {"phone": "+6281299000031", "email": "warga@evil.example?bcc=x"}}, "reporter.email"),
        ({"reporter": {"email": "warga@evil.example%0abcc:x@y.z"}}, "reporter.email"),
        ({"title": "Jalan rusak \u202eparah\u202c sekali"}, "title"),
        ({"title": "KTP belum jadi \u2066tiga bulan\u2069"}, "title"),
        ({"description": "\u200b" * 60}, "description"),
        ({"description": "Kronologi\x1b[2J: KTP belum jadi setelah tiga bulan menunggu."}, "description"),
    ],
)
def test_an_address_or_text_that_reads_otherwise_than_it_shows_is_422_naming_the_field(
    local_stack: LocalStack, changes: dict[str, Any], field: str
) -> None:
    response = requests.post(f"{local_stack.url}/complaints", json=report(**changes), timeout=30)
    assert response.status_code == 422, response.text[:300]
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


@pytest.fixture(scope="module")
def api_schema() -> Any:
    import schemathesis

    return schemathesis.openapi.from_path(str(OPENAPI))


def test_schemathesis_finds_no_server_error_in_the_published_api(
    local_stack: LocalStack, api_schema: Any
) -> None:
    """Cases generated from docs/openapi.json, valid and invalid, against the running stack."""
    from schemathesis import GenerationMode

    answered: dict[str, int] = {}

    @fuzz
    @given(
        case=api_schema.as_strategy(generation_mode=GenerationMode.POSITIVE)
        | api_schema.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )
    def check(case: Any) -> None:
        response = case.call(base_url=local_stack.url, timeout=30)
        if response.status_code == 201 and isinstance(case.body, dict):  # an accepted reporter
            IDENTITIES.reporter(case.body.get("reporter"), generated=True)
        key = f"{case.method} {case.path} {response.status_code}"
        answered[key] = answered.get(key, 0) + 1
        assert response.status_code < 500, f"{key}: {response.text[:300]}"

    check()
    print(f"\nschemathesis: {sum(answered.values())} requests: {dict(sorted(answered.items()))}")
    assert len({key.rsplit(" ", 1)[0] for key in answered}) >= 4  # it reached most operations


def test_no_worker_crashed_or_raised_while_fuzzed(
    local_stack: LocalStack, stack_logs: LogCapture, logs_before: int
) -> None:
    quiet(local_stack, timeout=240)  # the reports the fuzzing filed are routed and told by now
    lines = stack_logs.lines[logs_before:]
    crashes = [
        line
        for line in lines
        if "Traceback (most recent call last)" in line
        or "Runtime exited without answering" in line
        or "Sandbox.Timedout" in line
        or "gateway error" in line
    ]
    assert lines, "nothing was logged: the capture is not working"
    assert crashes == [], "\n".join(crashes[:5])
