"""Transitions the lifecycle forbids, over HTTP: each is refused with its documented 4xx and JSON
error (docs/api.md, "Errors"), and the complaint is untouched afterwards: the same version, the same
status, no new step in its timeline."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from aduan_local.stack import LocalStack
from tests.e2e.helpers import as_user, eventually, report

pytestmark = pytest.mark.e2e


def filed_and_assigned(stack: LocalStack, phone: str) -> dict[str, Any]:
    """A public report routed to Disdukcapil Kab. Tangerang (`assigned`), as its receipt."""
    body = report(reporter={"name": "Dewi Lestari", "phone": phone})
    receipt: dict[str, Any] = requests.post(f"{stack.url}/complaints", json=body, timeout=30).json()
    assert eventually(lambda: state(stack, receipt["tracking_id"])["status"] == "assigned")
    return receipt


def state(stack: LocalStack, tracking_id: str) -> dict[str, Any]:
    """What a refused action must leave as it was: version, status, and the timeline's steps
    (delivery events, which change nothing, left out: they arrive when the worker sends)."""
    view = as_user(stack, "admin.nasional", "GET", f"/ops/complaints/{tracking_id}").json()
    steps = [event["type"] for event in view["timeline"] if event["type"] != "notification"]
    return {"version": view["version"], "status": view["status"], "steps": steps}


def assert_refused(response: requests.Response, status: int, code: str, message: str) -> dict[str, Any]:
    """The documented status and JSON error body (Indonesian: the request names no language)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert (error["code"], error["message"]) == (code, message)
    assert isinstance(error.get("details", []), list)
    return error


NOT_ALLOWED = "Anda tidak berwenang melakukan ini."  # api_texts "forbidden", id
NOT_IN_THIS_STATUS = "Tindakan ini tidak bisa dilakukan pada status laporan sekarang."


# A role taking an action DESIGN §1 gives to another, on a complaint in its scope: (user, action,
# the reporter's phone).
ANOTHER_ROLES_ACTION = {
    # The operator "responds"; the coordinator verifies and forwards.
    "a coordinator responds": (
        "coord.kab-tangerang", {"action": "respond", "text": "Sudah kami tangani."}, "+6281288120001"
    ),
    # "any open status → archived by a coordinator or the national administrator".
    "an operator archives": ("op.disdukcapil", {"action": "archive", "reason": "spam"}, "+6281288120002"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(ANOTHER_ROLES_ACTION))
def test_a_role_may_not_take_an_action_design_gives_another(local_stack: LocalStack, case: str) -> None:
    user, action, phone = ANOTHER_ROLES_ACTION[case]
    tracking_id = filed_and_assigned(local_stack, phone)["tracking_id"]
    before = state(local_stack, tracking_id)
    response = as_user(
        local_stack,
        user,
        "POST",
        f"/ops/complaints/{tracking_id}/actions",
        json=action | {"version": before["version"]},
    )
    assert_refused(response, 403, "forbidden", NOT_ALLOWED)
    assert state(local_stack, tracking_id) == before


def test_a_citizen_may_neither_close_nor_reopen_a_complaint_in_progress(local_stack: LocalStack) -> None:
    # DESIGN §1: `closed` follows `responded`, and the citizen reopens a response; an `in_progress`
    # complaint has neither. No door lets a citizen close at all (docs/architecture.md, Lifecycle).
    receipt = filed_and_assigned(local_stack, "+6281288120003")
    tracking_id = receipt["tracking_id"]
    acknowledged = as_user(
        local_stack, "op.disdukcapil", "POST", f"/ops/complaints/{tracking_id}/actions",
        json={"action": "acknowledge"},
    )  # fmt: skip
    assert acknowledged.status_code == 200, acknowledged.text
    before = state(local_stack, tracking_id)
    assert before["status"] == "in_progress"

    def reply(body: dict[str, Any]) -> requests.Response:
        return requests.post(
            f"{local_stack.url}/complaints/{tracking_id}/replies",
            json=body,
            headers={"X-Access-Code": receipt["access_code"]},
            timeout=30,
        )

    closing = reply({"kind": "close", "text": "Sudah selesai, terima kasih."})
    error = assert_refused(closing, 422, "validation_failed", "Ada isian yang perlu diperbaiki.")
    assert [detail["field"] for detail in error["details"]] == ["kind"]
    reopening = reply({"kind": "reopen", "text": "Belum selesai."})
    assert_refused(reopening, 409, "invalid_transition", NOT_IN_THIS_STATUS)
    assert state(local_stack, tracking_id) == before
