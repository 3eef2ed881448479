"""Agency operators, coordinators and citizens over HTTP, behind real tokens: who may see and do
what, a whole complaint's story, and two operators acting at once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from aduan_local.stack import LocalStack
from tests.e2e.helpers import (
    eventually,
    moto_signing_key,
    quiet,
    report,
    send_sms,
    signed_token,
    sms_to,
    token_claims,
)

pytestmark = pytest.mark.e2e

PASSWORD = "Aduan-local-1"


@pytest.fixture(scope="module")
def tokens(local_stack: LocalStack) -> dict[str, str | None]:
    from aduan_admin.cli import add_user

    cognito = local_stack.client("cognito-idp")
    add_user(
        cognito, local_stack.resources.ref("UserPool"), "coord.kota-tangerang",
        role="coordinator", agency_id="kota-tangerang", password=PASSWORD,
    )  # fmt: skip
    local_stack.add_user("coord.kota-tangerang", PASSWORD)  # a coordinator: the helper enrols its TOTP
    signed_in = {
        user: local_stack.token(user)["token"]
        if user in local_stack.demo_users
        else sign_in(local_stack, user)
        for user in (
            "op.disdukcapil",
            "op.pupr",
            "coord.kab-tangerang",
            "coord.kota-tangerang",
            "admin.nasional",
        )
    }
    key, kid = moto_signing_key()
    claims = token_claims(signed_in["op.disdukcapil"])
    past = datetime.now(UTC) - timedelta(hours=3)
    expired = signed_token(
        claims | {"iat": int(past.timestamp()), "exp": int((past + timedelta(hours=1)).timestamp())}, key, kid
    )
    from joserfc.jwk import RSAKey

    forged = signed_token(claims | {"custom:role": "national"}, RSAKey.generate_key(2048), kid)
    return {**signed_in, "no token": None, "expired token": expired, "forged token": forged}


def sign_in(stack: LocalStack, username: str) -> str:
    response = requests.post(
        f"{stack.url}/ops/session", json={"username": username, "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def call(stack: LocalStack, token: str | None, method: str, path: str, body: Any = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{stack.url}{path}", json=body, headers=headers, timeout=30)


def assigned(stack: LocalStack, **overrides: Any) -> dict[str, Any]:
    receipt = requests.post(f"{stack.url}/complaints", json=report(**overrides), timeout=30).json()
    status = eventually(
        lambda: (
            requests.get(
                f"{stack.url}/complaints/{receipt['tracking_id']}",
                headers={"X-Access-Code": receipt["access_code"]},
                timeout=10,
            ).json()["status"]
            == "assigned"
        )
    )
    assert status
    return receipt  # type: ignore[no-any-return]


def test_a_wrong_password_is_401_and_a_right_one_gives_a_token(local_stack: LocalStack) -> None:
    wrong = requests.post(
        f"{local_stack.url}/ops/session", json={"username": "op.pupr", "password": "nope"}, timeout=10
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthorized"
    assert sign_in(local_stack, "op.pupr")


# Who sees what (DESIGN §1): the agency holding it, the coordinator above it and the national
# administrator reach the complaint; identity only for a public report, except national.
CALLERS = ["no token", "expired token", "forged token", "op.disdukcapil", "op.pupr", "coord.kab-tangerang",
           "coord.kota-tangerang", "admin.nasional"]  # fmt: skip
# Every cell of the matrix, written out. Per caller: the answers to its complaint view, inbox and
# statistics; whether its inbox lists the complaint (None: no inbox); and the answer to its
# `acknowledge`, taken in CALLERS order: the agency's operator acts first (200), a role that may
# not acknowledge meets 403, and outside the scope the 404 of a complaint that does not exist;
# and the answer to asking for an upload form (201 for anyone in scope).
ANSWERS: dict[str, tuple[int, int, int, bool | None, int, int]] = {
    "no token":             (401, 401, 401, None, 401, 401),
    "expired token":        (401, 401, 401, None, 401, 401),
    "forged token":         (401, 401, 401, None, 401, 401),
    "op.disdukcapil":       (200, 200, 403, True, 200, 201),
    "op.pupr":              (404, 200, 403, False, 404, 404),
    "coord.kab-tangerang":  (200, 200, 200, False, 403, 201),
    "coord.kota-tangerang": (404, 200, 200, False, 404, 404),
    "admin.nasional":       (200, 200, 200, False, 403, 201),
}  # fmt: skip
PHOTO_OF_THE_FOLLOW_UP: dict[str, Any] = {
    "filename": "perbaikan.jpg",
    "content_type": "image/jpeg",
    "size": 250_000,
}
# The citizen's door to an upload form (`POST /complaints/{id}/attachments`): the access code alone
# opens it. Without it, with a wrong one, with another complaint's, or with an operator's token in
# its place, the 404 of a complaint that does not exist, whatever the report's privacy.
CITIZEN_ATTACH = {
    "citizen with the code": 201,
    "citizen without a code": 404,
    "citizen with a wrong code": 404,
    "citizen with another complaint's code": 404,
    "op.disdukcapil's token, no code": 404,
}
# Who is shown the reporter (the view's `reporter`, the name, the phone in any digit form, in
# anything the caller is answered): for an anonymous or confidential report, only national.
SHOWN_THE_REPORTER = {
    "public": {"op.disdukcapil", "coord.kab-tangerang", "admin.nasional"},
    "anonymous": {"admin.nasional"},
    "confidential": {"admin.nasional"},
}


def expected_cells(privacy: str) -> dict[tuple[str, str], Any]:
    """The matrix's cells as ANSWERS and SHOWN_THE_REPORTER write them out."""
    cells: dict[tuple[str, str], Any] = {}
    for caller, (view, inbox, stats, listed, acknowledge, attach) in ANSWERS.items():
        shown = caller in SHOWN_THE_REPORTER[privacy]
        cells |= {(caller, "view"): view, (caller, "inbox"): inbox, (caller, "stats"): stats,
                  (caller, "acknowledge"): acknowledge, (caller, "attach"): attach,
                  (caller, "name shown"): shown, (caller, "phone shown"): shown}  # fmt: skip
        if listed is not None:
            cells[(caller, "listed")] = listed
        if view == 200:
            cells[(caller, "reporter")] = shown
    cells |= {(caller, "attach"): answer for caller, answer in CITIZEN_ATTACH.items()}
    return cells


def phone_shown(phone: str, responses: list[requests.Response]) -> bool:
    """Whether any answer carries the phone in one of its digit forms (62..., 08..., 8...),
    however it is spaced or punctuated, and whatever digits run before or after it."""
    import re

    from tests.privacy import phone_forms

    runs = [re.sub(r"\D", "", run) for r in responses for run in re.findall(r"\d[\d\s().+-]*", r.text)]
    return any(form in run for form in phone_forms(phone) for run in runs)


@pytest.mark.parametrize("privacy", ["public", "anonymous", "confidential"])
def test_the_authorization_matrix(
    local_stack: LocalStack, tokens: dict[str, str | None], privacy: str
) -> None:
    name, phone = f"Pelapor {privacy.title()}", "+6281277001122"
    receipt = assigned(local_stack, privacy=privacy, reporter={"name": name, "phone": phone})
    tracking_id = receipt["tracking_id"]
    cells: dict[tuple[str, str], Any] = {}
    for caller in CALLERS:
        token = tokens[caller]
        view = call(local_stack, token, "GET", f"/ops/complaints/{tracking_id}")
        inbox = call(local_stack, token, "GET", "/ops/complaints")
        stats = call(local_stack, token, "GET", "/ops/stats")
        cells[(caller, "view")] = view.status_code
        cells[(caller, "inbox")] = inbox.status_code
        cells[(caller, "stats")] = stats.status_code
        if inbox.status_code == 200:
            listed = {row["tracking_id"] for row in inbox.json()["complaints"]}
            cells[(caller, "listed")] = tracking_id in listed
        if view.status_code == 200:
            cells[(caller, "reporter")] = view.json()["reporter"] is not None
        answers = [view, inbox, stats]
        cells[(caller, "name shown")] = any(name in response.text for response in answers)
        cells[(caller, "phone shown")] = phone_shown(phone, answers)
    # Acting, in CALLERS order: only the agency's operator may acknowledge.
    for caller in CALLERS:
        path = f"/ops/complaints/{tracking_id}/actions"
        acknowledged = call(local_stack, tokens[caller], "POST", path, {"action": "acknowledge"})
        cells[(caller, "acknowledge")] = acknowledged.status_code
        path = f"/ops/complaints/{tracking_id}/attachments"
        cells[(caller, "attach")] = call(
            local_stack, tokens[caller], "POST", path, PHOTO_OF_THE_FOLLOW_UP
        ).status_code
    other = requests.post(f"{local_stack.url}/complaints", json=report(), timeout=30).json()
    codes = {
        "citizen with the code": {"X-Access-Code": receipt["access_code"]},
        "citizen without a code": {},
        "citizen with a wrong code": {"X-Access-Code": "ZZZZ-ZZZZ"},
        "citizen with another complaint's code": {"X-Access-Code": other["access_code"]},
        "op.disdukcapil's token, no code": {"Authorization": f"Bearer {tokens['op.disdukcapil']}"},
    }
    for caller, headers in codes.items():
        cells[(caller, "attach")] = requests.post(
            f"{local_stack.url}/complaints/{tracking_id}/attachments",
            json=PHOTO_OF_THE_FOLLOW_UP,
            headers=headers,
            timeout=30,
        ).status_code
    expected = expected_cells(privacy)
    differing = {cell: (cells.get(cell), expected.get(cell)) for cell in cells.keys() | expected.keys()
                 if cells.get(cell) != expected.get(cell)}  # fmt: skip
    assert differing == {}, f"(caller, cell): (found, written in the test), {privacy} report"


def test_two_operators_acting_at_once_one_wins_the_other_gets_409(
    local_stack: LocalStack, tokens: dict[str, str | None]
) -> None:
    tracking_id = assigned(local_stack)["tracking_id"]
    token = tokens["op.disdukcapil"]
    version = call(local_stack, token, "GET", f"/ops/complaints/{tracking_id}").json()["version"]
    answers: list[int] = []
    barrier = threading.Barrier(2)

    def operator(action: dict[str, Any]) -> None:
        barrier.wait()
        answers.append(
            call(local_stack, token, "POST", f"/ops/complaints/{tracking_id}/actions", action).status_code
        )

    actions = [
        {"action": "acknowledge", "version": version},
        {"action": "respond", "version": version, "text": "Sudah diproses."},
    ]
    threads = [threading.Thread(target=operator, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409]
    view = call(local_stack, token, "GET", f"/ops/complaints/{tracking_id}").json()
    assert view["version"] == version + 1
    changes = [e["type"] for e in view["timeline"] if e["type"] in ("acknowledged", "responded")]
    assert len(changes) == 1


def test_a_whole_story_over_http(local_stack: LocalStack, tokens: dict[str, str | None]) -> None:
    phone = "+6281277009988"
    operator = tokens["op.disdukcapil"]
    send_sms(
        local_stack, phone, "KTP elektronik sy blm jadi sdh 3 bln, rekam di kecamatan Cikupa", "SMstory1"
    )
    received = eventually(lambda: [m for m in sms_to(local_stack, phone) if "diterima" in m])
    display = received[0].split("laporan ")[1].split(" ")[0]
    tracking_id = display.replace("-", "")
    access_code = received[0].split("Kode akses: ")[1].split(" ")[0]
    assert eventually(
        lambda: call(local_stack, operator, "GET", f"/ops/complaints/{tracking_id}").status_code == 200
    )

    def act(body: dict[str, Any]) -> dict[str, Any]:
        view = call(local_stack, operator, "GET", f"/ops/complaints/{tracking_id}").json()
        response = call(
            local_stack,
            operator,
            "POST",
            f"/ops/complaints/{tracking_id}/actions",
            body | {"version": view["version"]},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    assert act({"action": "acknowledge"})["status"] == "in_progress"
    # An SMS report is anonymous: a question that asks for what identifies the reporter is held...
    question = {"action": "request_info", "text": "Mohon kirim nomor registrasi perekaman e-KTP."}
    held = call(local_stack, operator, "POST", f"/ops/complaints/{tracking_id}/actions", question)
    assert held.status_code == 422, held.text
    assert held.json()["error"]["code"] == "text_held"
    assert [detail["field"] for detail in held.json()["error"]["details"]] == ["text"]
    # ...until the operator confirms it (a registration number is what Disdukcapil needs here).
    assert act(question | {"confirm": True})["status"] == "waiting_on_citizen"
    send_sms(local_stack, phone, f"BALAS {display} nomor registrasinya 3603-2026-0001", "SMstory2")
    assert eventually(
        lambda: (
            call(local_stack, operator, "GET", f"/ops/complaints/{tracking_id}").json()["status"]
            == "in_progress"
        )
    )
    assert (
        act({"action": "respond", "text": "KTP sudah dicetak, silakan ambil di kecamatan."})["status"]
        == "responded"
    )

    reopened = requests.post(
        f"{local_stack.url}/complaints/{tracking_id}/replies",
        json={"kind": "reopen", "text": "Saya ke kecamatan tapi KTP belum ada."},
        headers={"X-Access-Code": access_code},
        timeout=30,
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "in_progress"
    assert (
        act({"action": "respond", "text": "Mohon maaf, KTP sudah dikirim ke kecamatan hari ini."})["status"]
        == "responded"
    )
    rated = requests.post(
        f"{local_stack.url}/complaints/{tracking_id}/replies",
        json={"kind": "rate", "rating": 4},
        headers={"X-Access-Code": access_code},
        timeout=30,
    )
    assert rated.status_code == 200, rated.text

    # The reply window runs out: the escalation worker is told so at that time, for this complaint
    # alone (firing the scheduled check that far ahead would close every complaint in the stack).
    window_due = call(local_stack, operator, "GET", f"/ops/complaints/{tracking_id}").json()["due_at"]
    message = {"type": "complaint.due", "tracking_id": tracking_id, "now": window_due.replace("Z", "+00:00")}
    local_stack.client("sqs").send_message(
        QueueUrl=local_stack.resources.ref("EscalationQueue"), MessageBody=json.dumps(message)
    )
    closed = eventually(
        lambda: (
            call(local_stack, operator, "GET", f"/ops/complaints/{tracking_id}").json()["status"] == "closed"
        )
    )
    assert closed

    view = call(local_stack, operator, "GET", f"/ops/complaints/{tracking_id}").json()
    steps = [e["type"] for e in view["timeline"] if e["type"] != "notification"]
    assert steps == [
        "submitted", "assigned", "acknowledged", "info_requested", "info_provided", "responded",
        "reopened", "responded", "rated", "closed",
    ]  # fmt: skip
    assert view["rating"] == 4
    quiet(local_stack)  # every text of the story sent, and no second one on its way
    texts = sms_to(local_stack, phone)
    for marker in ("diterima", "diteruskan ke", "minta info", "sudah menanggapi", "ditutup"):
        found = [t for t in texts if marker in t]
        assert found, marker
    assert len([t for t in texts if "minta info" in t]) == 1
    assert len([t for t in texts if "sudah menanggapi" in t]) == 2, "two responses, each told once"
    assert len([t for t in texts if "ditutup" in t]) == 1


def test_the_inbox_filters_by_status_overdue_and_due_date_and_pages(
    local_stack: LocalStack, tokens: dict[str, str | None]
) -> None:
    token = tokens["op.disdukcapil"]
    ours = {assigned(local_stack)["tracking_id"] for _ in range(3)}

    def listed(query: str) -> list[dict[str, Any]]:
        response = call(local_stack, token, "GET", f"/ops/complaints?{query}")
        assert response.status_code == 200, response.text
        return response.json()["complaints"]  # type: ignore[no-any-return]

    assigned_rows = listed("status=assigned&limit=100")
    assert ours <= {row["tracking_id"] for row in assigned_rows}
    assert all(row["status"] == "assigned" for row in assigned_rows)
    assert not ours & {row["tracking_id"] for row in listed("overdue=true&limit=100")}, (
        "due in days, not overdue"
    )
    assert ours <= {row["tracking_id"] for row in listed("due_within_days=30&limit=100")}
    assert not ours & {row["tracking_id"] for row in listed("status=assigned&due_within_days=0&limit=100")}
    urgent = [row["due_at"] for row in listed("status=assigned&order=urgent&limit=100") if row["due_at"]]
    assert urgent == sorted(urgent)

    first = call(local_stack, token, "GET", "/ops/complaints?status=assigned&limit=2").json()
    assert len(first["complaints"]) == 2
    assert first["cursor"]
    second = call(
        local_stack, token, "GET", f"/ops/complaints?status=assigned&limit=2&cursor={first['cursor']}"
    ).json()
    assert not {r["tracking_id"] for r in first["complaints"]} & {
        r["tracking_id"] for r in second["complaints"]
    }
    bad = call(local_stack, token, "GET", "/ops/complaints?status=flying&limit=1000")
    assert bad.status_code == 422
    assert {detail["field"] for detail in bad.json()["error"]["details"]} == {"status", "limit"}
