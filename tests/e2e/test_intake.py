"""Citizens file and track complaints over HTTP, against the whole local stack."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
import requests

from aduan.domain.tracking import problem
from aduan_local.stack import LocalStack
from tests.e2e.conftest import LogCapture
from tests.e2e.helpers import complaint_store, eventually, quiet, report, send_sms, sms_to

pytestmark = pytest.mark.e2e


def submit(stack: LocalStack, body: Any, **headers: str) -> requests.Response:
    return requests.post(f"{stack.url}/complaints", json=body, headers=headers, timeout=30)


def fields(response: requests.Response) -> dict[str, str]:
    return {detail["field"]: detail["message"] for detail in response.json()["error"]["details"]}


def test_a_report_gets_a_tracking_id_and_an_access_code(local_stack: LocalStack) -> None:
    body = report()
    response = submit(local_stack, body)
    assert response.status_code == 201
    receipt = response.json()
    assert len(receipt["tracking_id"]) == 10
    assert receipt["tracking_id_display"] == f"{receipt['tracking_id'][:5]}-{receipt['tracking_id'][5:]}"
    assert len(receipt["access_code"]) == 8
    assert receipt["status"] == "submitted"

    tracked = requests.get(
        f"{local_stack.url}/complaints/{receipt['tracking_id_display'].lower()}", timeout=10
    )
    assert tracked.status_code == 200
    view = tracked.json()
    assert view["tracking_id"] == receipt["tracking_id"]
    assert view["timeline"][0]["type"] == "submitted"
    assert "reporter" not in view
    assert "Siti" not in tracked.text
    assert body["reporter"]["phone"].removeprefix("+62") not in tracked.text


def test_the_citizen_is_told_by_sms_with_the_tracking_id_and_access_code(local_stack: LocalStack) -> None:
    phone = "+6281299990001"
    receipt = submit(local_stack, report(reporter={"phone": phone})).json()
    quiet(local_stack)  # the acknowledgement, and the assignment after it, sent
    received = [text for text in sms_to(local_stack, phone) if "diterima" in text]
    assert len(received) == 1
    assert receipt["tracking_id_display"] in received[0]
    assert receipt["access_code"] in received[0]


def test_an_email_only_reporter_is_told_by_email(local_stack: LocalStack) -> None:
    address = f"warga-{uuid.uuid4().hex[:6]}@example.id"
    receipt = submit(local_stack, report(reporter={"email": address})).json()

    def emails() -> list[dict[str, Any]]:
        outbox = requests.get(f"{local_stack.url}/_local/outbox", timeout=10).json()
        return [email for email in outbox["email"] if email["to"] == address]

    quiet(local_stack)
    sent = [email for email in emails() if "diterima" in email["subject"]]
    assert len(sent) == 1
    assert receipt["tracking_id_display"] in sent[0]["subject"]


def test_a_retry_with_the_same_idempotency_key_files_nothing_new(local_stack: LocalStack) -> None:
    key = str(uuid.uuid4())
    first = submit(local_stack, report(), **{"Idempotency-Key": key})
    again = submit(local_stack, report(), **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    different = submit(
        local_stack, report(title="Jalan berlubang di depan pasar"), **{"Idempotency-Key": key}
    )
    assert different.status_code == 422
    assert different.json()["error"]["code"] == "idempotency_mismatch"


def test_two_concurrent_requests_with_one_key_make_one_complaint(local_stack: LocalStack) -> None:
    key = str(uuid.uuid4())
    phone = "+6281299990002"
    answers: list[dict[str, Any]] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        barrier.wait()
        answers.append(
            submit(local_stack, report(reporter={"phone": phone}), **{"Idempotency-Key": key}).json()
        )

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({answer["tracking_id"] for answer in answers}) == 1
    quiet(local_stack)
    received = [text for text in sms_to(local_stack, phone) if "diterima" in text]
    assert len(received) == 1, "one complaint, one acknowledgement"


@pytest.mark.parametrize(
    ("change", "field", "indonesian", "english"),
    [
        ({"title": "Rusak"}, "title", "Minimal 10 karakter", "At least 10 characters"),
        ({"description": "x" * 4001}, "description", "Maksimal 4000 karakter", "At most 4000 characters"),
        ({"classification": "gossip"}, "classification", "Pilih salah satu", "Choose one of"),
        ({"category": "sihir"}, "category", "Kategori tidak dikenal", "Unknown category"),
        ({"location": {"region_code": "99.99"}}, "location.region_code", "Kode wilayah", "Unknown region"),
        ({"incident_date": "2099-01-01"}, "incident_date", "masa depan", "future"),
        ({"reporter": {"name": "Budi"}}, "reporter", "nomor telepon atau email", "phone number or an email"),
        (
            {"reporter": {"phone": "12345"}},
            "reporter.phone",
            "Nomor telepon tidak valid",
            "Not a valid phone",
        ),
        ({"reporter": {"email": "budi@"}}, "reporter.email", "email tidak valid", "Not a valid email"),
        ({"privacy": "secret"}, "privacy", "Pilih salah satu", "Choose one of"),
        ({"mood": "angry"}, "mood", "tidak dikenal", "not allowed"),
        ({"title": 12345}, "title", "berupa teks", "Must be text"),
    ],
)
def test_each_invalid_field_is_named_in_indonesian_and_english(
    local_stack: LocalStack, change: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    in_indonesian = submit(local_stack, report(**change))
    assert in_indonesian.status_code == 422
    assert in_indonesian.json()["error"]["code"] == "validation_failed"
    assert indonesian in fields(in_indonesian)[field]

    in_english = submit(local_stack, report(**change, language="en"))
    assert english in fields(in_english)[field]
    by_header = submit(
        local_stack,
        {k: v for k, v in report(**change).items() if k != "language"},
        **{"Accept-Language": "en-US,en;q=0.9"},
    )
    assert english in fields(by_header)[field]


def test_a_missing_field_is_named(local_stack: LocalStack) -> None:
    body = report()
    del body["description"]
    response = submit(local_stack, body)
    assert response.status_code == 422
    assert fields(response)["description"] == "Wajib diisi."


def test_a_body_over_64_kb_is_413(local_stack: LocalStack) -> None:
    response = submit(local_stack, report(description="a" * 70_000))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_body_that_is_not_json_is_415(local_stack: LocalStack) -> None:
    response = requests.post(
        f"{local_stack.url}/complaints",
        data="title=hello",
        headers={"content-type": "text/plain"},
        timeout=10,
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("body", ['{"title": ', "[1, 2, 3]", '"just a string"', "null"])
def test_malformed_or_non_object_json_is_a_4xx_not_a_500(local_stack: LocalStack, body: str) -> None:
    response = requests.post(
        f"{local_stack.url}/complaints", data=body, headers={"content-type": "application/json"}, timeout=10
    )
    assert response.status_code in (400, 422)
    assert "error" in response.json()


# A valid tracking ID (its check character right) that no report was given: the body "ABCDEFGHJ"
# is not random, and a random one matches it with odds of 1 in 31^9.
NEVER_ISSUED = "ABCDEFGHJ4"


def test_a_confidential_report_is_404_without_its_access_code(local_stack: LocalStack) -> None:
    receipt = submit(local_stack, report(privacy="confidential")).json()
    url = f"{local_stack.url}/complaints/{receipt['tracking_id']}"
    hidden = requests.get(url, timeout=10)
    assert problem(NEVER_ISSUED) is None, "the unknown ID must be a valid one, not a typo"
    unknown = requests.get(f"{local_stack.url}/complaints/{NEVER_ISSUED}", timeout=10)
    wrong_code = requests.get(url, headers={"X-Access-Code": "ZZZZZZZZ"}, timeout=10)
    answers = {"no code": hidden, "never issued": unknown, "wrong code": wrong_code}
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 404)
    # Byte for byte the same: nothing tells a confidential report from one that does not exist.
    assert {name: a.content for name, a in answers.items()} == dict.fromkeys(answers, unknown.content)
    assert hidden.json()["error"]["code"] == "not_found"

    shown = requests.get(url, headers={"X-Access-Code": receipt["access_code"]}, timeout=10)
    assert shown.status_code == 200
    assert shown.json()["description"].startswith("Saya merekam e-KTP")


def test_a_tracking_id_with_a_typo_gets_a_hint(local_stack: LocalStack) -> None:
    tracking_id = submit(local_stack, report()).json()["tracking_id"]
    swapped = tracking_id[:3] + tracking_id[4] + tracking_id[3] + tracking_id[5:]
    if swapped == tracking_id:
        pytest.skip("neighbours equal; the swap changes nothing")
    response = requests.get(
        f"{local_stack.url}/complaints/{swapped}", timeout=10, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invalid_tracking_id"
    assert "one character is wrong" in fields(response)["tracking_id"]


def test_when_the_routing_queue_fails_the_report_is_still_accepted_and_kept(
    local_stack: LocalStack, stack_logs: LogCapture
) -> None:
    local_stack.inject_faults([{"service": "sqs", "operation": "SendMessage", "rate": 1.0}])
    try:
        response = submit(local_stack, report())
    finally:
        local_stack.inject_faults([])
    assert response.status_code == 201
    tracking_id = response.json()["tracking_id"]
    # A report accepted while the queue works is routed; the one whose message was lost waits,
    # still findable, for the sweeper.
    control = submit(local_stack, report()).json()["tracking_id"]

    def status(of: str) -> str:
        return str(requests.get(f"{local_stack.url}/complaints/{of}", timeout=10).json()["status"])

    assert eventually(lambda: status(control) == "assigned")
    quiet(local_stack)  # nothing routes the lost one but the sweeper
    assert status(tracking_id) == "submitted"
    assert eventually(
        lambda: any("message not sent" in line and tracking_id in line for line in stack_logs.lines)
    )


def test_when_the_acknowledgement_cannot_be_queued_routing_sends_it_from_the_outbox(
    local_stack: LocalStack,
) -> None:
    phone = "+6281377770002"
    notification_queue = local_stack.resources.ref("NotificationQueue")
    rule = {"params": {"QueueUrl": notification_queue}, "function": "IntakeFunction"}
    local_stack.inject_faults([{"service": "sqs", "operation": "SendMessage", "rate": 1.0, **rule}])
    try:
        response = submit(local_stack, report(reporter={"name": "Siti Aminah", "phone": phone}))
    finally:
        local_stack.inject_faults([])
    assert response.status_code == 201
    receipt = response.json()
    quiet(local_stack)  # routing sent it from the outbox; a duplicate would have landed by now
    texts = sms_to(local_stack, phone)
    received = [t for t in texts if "diterima" in t]
    assert len(received) == 1
    assert receipt["tracking_id_display"] in received[0]
    assert receipt["access_code"] in received[0]
    assert len([t for t in texts if "diteruskan ke" in t]) == 1
    # Sent, the receipt left the outbox: no item keeps the code (docs/architecture.md, "Secrets at rest").
    assert complaint_store(local_stack).outbox(receipt["tracking_id"]) == []


def test_categories_and_agencies_list_the_seed_data(local_stack: LocalStack) -> None:
    categories = requests.get(f"{local_stack.url}/categories", timeout=10).json()["categories"]
    assert {"kependudukan", "kesehatan", "infrastruktur", "lainnya"} <= {c["code"] for c in categories}
    assert all(c["name_id"] and c["name_en"] for c in categories)
    agencies = requests.get(f"{local_stack.url}/agencies", timeout=10).json()["agencies"]
    ids = {agency["id"] for agency in agencies}
    assert {"kemenpanrb", "kab-tangerang", "kab-tangerang.disdukcapil", "kota-tangerang.disdukcapil"} <= ids
    assert not any("sms_numbers" in agency or "emails" in agency for agency in agencies), (
        "contacts stay private"
    )


def test_regions_name_every_seeded_code_and_filter_by_level_and_parent(local_stack: LocalStack) -> None:
    regions = requests.get(f"{local_stack.url}/regions", timeout=10).json()["regions"]
    by_code = {region["code"]: region for region in regions}
    assert by_code["36.03"] == {
        "code": "36.03",
        "name": "Kabupaten Tangerang",
        "level": "regency",
        "parent_code": "36",
    }
    assert by_code["36.71"]["name"] == "Kota Tangerang"
    regencies = requests.get(
        f"{local_stack.url}/regions", params={"level": "regency", "parent": "36"}, timeout=10
    ).json()["regions"]
    assert [r["code"] for r in regencies] == [
        "36.01", "36.02", "36.03", "36.04", "36.71", "36.72", "36.73", "36.74"
    ]  # fmt: skip
    refused = requests.get(f"{local_stack.url}/regions", params={"level": "village"}, timeout=10)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "level"


# -- SMS ------------------------------------------------------------------------------------------


def writes(calls: dict[str, Any]) -> dict[str, float]:
    """Everything the functions stored or sent, from `/_local/calls`: DynamoDB write units,
    messages queued, texts and mail."""
    totals: dict[str, float] = {"dynamodb.write": 0}
    for entry in calls["functions"].values():
        totals["dynamodb.write"] += entry.get("units", {}).get("dynamodb.write", 0)
        for name, count in entry.get("calls", {}).items():
            if name.startswith(("sqs.SendMessage", "sns.Publish", "sesv2.SendEmail")):
                totals[name] = totals.get(name, 0) + count
    return totals


def test_an_sms_with_a_wrong_signature_is_refused_and_nothing_stored(local_stack: LocalStack) -> None:
    phone = "+6281299990003"
    before = writes(quiet(local_stack))
    response = send_sms(
        local_stack,
        phone,
        "Jalan di depan SDN 1 Cikupa berlubang besar sudah dua bulan",
        "SMbad",
        token="wrong",
    )
    assert response.status_code == 403
    unsigned = requests.post(
        f"{local_stack.url}/sms/inbound",
        data="From=%2B6281299990003&Body=halo&MessageSid=SMnosig",
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert unsigned.status_code == 403
    assert writes(quiet(local_stack)) == before, "a refused webhook wrote or sent something"
    store = complaint_store(local_stack)
    assert store.by_reporter(phone) == [], "a complaint was filed for the sender"
    assert [store.idempotent_response(f"sms:{sid}") for sid in ("SMbad", "SMnosig")] == [None, None]
    assert sms_to(local_stack, phone) == []


def test_a_web_report_that_meets_an_aws_failure_gets_a_503_in_its_language_and_its_retry_files_it(
    local_stack: LocalStack,
) -> None:
    throttled = {"error": "ProvisionedThroughputExceededException", "status": 400}
    local_stack.inject_faults(
        [{"service": "dynamodb", "operation": "*", "rate": 1.0, "function": "IntakeFunction", **throttled}]
    )
    body, key = report(language="en"), str(uuid.uuid4())
    try:
        refused = submit(local_stack, body, **{"Idempotency-Key": key})
    finally:
        local_stack.inject_faults([])
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/json"
    assert refused.headers["retry-after"] == "1"
    error = refused.json()["error"]
    assert (error["code"], error["message"]) == (
        "service_unavailable",
        "The service is busy; try again in a moment.",
    )
    assert submit(local_stack, body, **{"Idempotency-Key": key}).status_code == 201


def test_an_sms_that_meets_an_aws_failure_gets_a_503_and_its_retry_files_it_once(
    local_stack: LocalStack,
) -> None:
    phone = "+6281299990009"
    text = "Lampu jalan di Jl. Raya Cikupa mati semua sudah seminggu, rawan kecelakaan malam hari"
    throttled = {"error": "ProvisionedThroughputExceededException", "status": 400}
    local_stack.inject_faults(
        [{"service": "dynamodb", "operation": "*", "rate": 1.0, "function": "SmsFunction", **throttled}]
    )
    try:
        refused = send_sms(local_stack, phone, text, "SMretry")
    finally:
        local_stack.inject_faults([])
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "service_unavailable"
    assert refused.headers["retry-after"] == "1"
    for _ in range(2):  # the gateway retries, perhaps twice: one report
        assert send_sms(local_stack, phone, text, "SMretry").status_code == 200
    quiet(local_stack)
    assert len([t for t in sms_to(local_stack, phone) if "diterima" in t]) == 1


def test_an_sms_report_is_filed_and_acknowledged_by_sms(local_stack: LocalStack) -> None:
    phone = "+6281299990004"
    response = send_sms(
        local_stack,
        phone,
        "Jalan di depan SDN 1 Cikupa berlubang besar sudah dua bulan, bahaya utk motor",
        "SM1",
    )
    assert response.status_code == 200
    assert "<Response></Response>" in response.text
    quiet(local_stack)
    messages = sms_to(local_stack, phone)
    assert len(messages) == 1
    assert "diterima" in messages[0]
    assert len(messages[0]) <= 160
    # The gateway retries the webhook: the same MessageSid files nothing new.
    send_sms(
        local_stack,
        phone,
        "Jalan di depan SDN 1 Cikupa berlubang besar sudah dua bulan, bahaya utk motor",
        "SM1",
    )
    quiet(local_stack)
    assert len(sms_to(local_stack, phone)) == 1


def test_cek_answers_with_the_status_by_sms(local_stack: LocalStack) -> None:
    phone = "+6281299990005"
    receipt = submit(local_stack, report(reporter={"phone": phone})).json()
    eventually(lambda: sms_to(local_stack, phone))
    send_sms(local_stack, phone, f"cek  {receipt['tracking_id_display'].lower()}.", "SM2")
    answers = eventually(
        lambda: [
            m for m in sms_to(local_stack, phone) if "Batas" in m or "Diterima" in m or "Diteruskan" in m
        ]
    )
    assert answers
    assert receipt["tracking_id_display"] in answers[0]
    assert len(answers[0]) <= 160


def test_cek_from_another_number_learns_nothing(local_stack: LocalStack) -> None:
    receipt = submit(local_stack, report(reporter={"phone": "+6281299990006"})).json()
    stranger = "+6281299990007"
    send_sms(local_stack, stranger, f"CEK {receipt['tracking_id']}", "SM3")
    answers = eventually(lambda: sms_to(local_stack, stranger))
    assert answers
    assert "tidak ditemukan" in answers[0]


def test_a_short_text_gets_a_helpful_answer(local_stack: LocalStack) -> None:
    phone = "+6281299990008"
    send_sms(local_stack, phone, "halo", "SM4")
    answers = eventually(lambda: sms_to(local_stack, phone))
    assert "min. 30 huruf" in answers[0]


def test_balas_adds_the_citizens_reply(local_stack: LocalStack) -> None:
    phone = "+6281299990010"  # its own: the 503 test counts the receipts of ...0009
    receipt = submit(local_stack, report(reporter={"phone": phone})).json()
    send_sms(
        local_stack,
        phone,
        f"BALAS {receipt['tracking_id']} fotokopi KK sudah saya titipkan di kecamatan",
        "SM5",
    )
    assert eventually(lambda: [m for m in sms_to(local_stack, phone) if "balasan Anda sudah diterima" in m])
    timeline = requests.get(f"{local_stack.url}/complaints/{receipt['tracking_id']}", timeout=10).json()[
        "timeline"
    ]
    assert "commented" in [event["type"] for event in timeline]
    assert "fotokopi" not in json.dumps(timeline), "the reply's text is for the operator, not the public page"


def test_no_reporter_identity_appears_in_any_log_line(
    local_stack: LocalStack, stack_logs: LogCapture
) -> None:
    submit(
        local_stack,
        report(
            reporter={"name": "Rahmat Hidayat", "phone": "+6281277776666", "email": "rahmat.h@example.id"}
        ),
    )
    send_sms(
        local_stack, "+6281277775555", "Puskesmas Curug tutup jam 10 padahal jadwal sampai jam 2 siang", "SM6"
    )
    quiet(local_stack)  # every worker done with both reports, and has logged what it would
    identities = [
        "Rahmat Hidayat",
        "81277776666",
        "rahmat.h@example.id",
        "81277775555",
        "Siti Aminah",
        "81234567890",
    ]
    leaks = [line for line in stack_logs.lines for identity in identities if identity in line]
    assert leaks == []
