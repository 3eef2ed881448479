"""No view outgrows a Lambda response: a citizen's messages on one complaint are capped per day, and
timelines come a page at a time with a cursor a client cannot bend (issue #21, item 9), over HTTP."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests

from aduan.domain.effects import CITIZEN_MESSAGES_PER_DAY
from aduan_local.stack import LocalStack
from tests.e2e.helpers import report


def _filed(stack: LocalStack) -> dict[str, Any]:
    # Its own number: the daily allowance per destination is the other tests' business.
    filed = requests.post(
        f"{stack.url}/complaints", json=report(reporter={"phone": "0813-7700-5521"}), timeout=30
    )
    assert filed.status_code == 201, filed.text
    receipt: dict[str, Any] = filed.json()
    return receipt


def test_the_eleventh_message_of_a_day_is_429_naming_the_text(local_stack: LocalStack) -> None:
    receipt = _filed(local_stack)
    url = f"{local_stack.url}/complaints/{receipt['tracking_id']}/replies"
    headers = {"X-Access-Code": receipt["access_code"], "Accept-Language": "en"}
    for n in range(CITIZEN_MESSAGES_PER_DAY):
        sent = requests.post(
            url, json={"kind": "reply", "text": f"Tambahan keterangan {n}"}, headers=headers, timeout=30
        )
        assert sent.status_code == 200, sent.text
    capped = requests.post(url, json={"kind": "reply", "text": "Satu lagi"}, headers=headers, timeout=30)
    assert capped.status_code == 429, capped.text
    assert 0 < int(capped.headers["retry-after"]) <= 24 * 3600
    error = capped.json()["error"]
    assert error["code"] == "rate_limited"
    assert [detail["field"] for detail in error["details"]] == ["text"]
    assert "10 messages on this report today" in error["details"][0]["message"]

    tracked = requests.get(
        f"{local_stack.url}/complaints/{receipt['tracking_id']}", headers=headers, timeout=30
    ).json()
    assert tracked["timeline_before"] is None  # a short story is one page
    assert [event["text"] for event in tracked["timeline"] if event.get("text", "").startswith("Satu")] == []


@pytest.mark.parametrize(
    "cursor",
    [
        "bm90LWEtY3Vyc29y",
        base64.urlsafe_b64encode(b"#COMPLAINT").decode(),
        base64.urlsafe_b64encode(b"E#9999-12-31T23:59:59.999999Z#v000001#00' OR 1=1").decode(),
        "%00%ff",
    ],
)
def test_a_crafted_timeline_cursor_is_422_naming_it_on_both_views(
    local_stack: LocalStack, cursor: str
) -> None:
    receipt = _filed(local_stack)
    token = local_stack.token("op.disdukcapil")["token"]
    for path, headers in (
        (f"/complaints/{receipt['tracking_id']}", {}),
        (f"/ops/complaints/{receipt['tracking_id']}", {"authorization": f"Bearer {token}"}),
    ):
        answer = requests.get(
            f"{local_stack.url}{path}?timeline_before={cursor}", headers=headers, timeout=30
        )
        assert answer.status_code == 422, (path, answer.status_code, answer.text)
        assert [detail["field"] for detail in answer.json()["error"]["details"]] == ["timeline_before"]
