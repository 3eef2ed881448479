"""What an operator's client sends back in a query is the client's text (issue #21, item 5): an
inbox cursor that `inbox` did not write, or a report period that ends before it starts, is a 422
naming the parameter, never a 500 and never a page of something else. (The store checks its own
part of the cursor: tests/integration/test_store.py.)"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from aduan.domain.errors import ValidationFailed
from aduan.domain.models import Actor, Language, Role, Status
from aduan.domain.ports import Page
from aduan.operations import inbox, statistics

OPERATOR = Actor(role=Role.OPERATOR, agency_id="kab-tangerang.disdukcapil", user_id="op.disdukcapil")
COORDINATOR = Actor(role=Role.COORDINATOR, agency_id="kab-tangerang", user_id="coord.kab-tangerang")
NOW = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)


class Inbox:
    """A store whose inbox records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, Status, str | None]] = []

    def inbox(self, agency_id: str, status: Status, *, limit: int = 50, cursor: str | None = None) -> Page:
        self.asked.append((agency_id, status, cursor))
        return Page([], None)


def encoded(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def page(cursor: str | None, status: Status | None = None) -> tuple[dict[str, Any], Inbox]:
    store = Inbox()
    answer = inbox(
        OPERATOR,
        complaints=store,  # type: ignore[arg-type]
        language=Language.ID,
        now=NOW,
        status=status,
        cursor=cursor,
    )
    return answer, store


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!!",
        "w6nDqQ==",  # base64 of text that is not JSON
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),  # not UTF-8
        "ÄÖÜ",  # not ASCII, so not base64
        encoded([1]),
        encoded({"s": 0}),
        encoded({"s": "0", "k": None}),
        encoded({"s": True, "k": None}),
        encoded({"s": -1, "k": None}),  # would read the statuses from the end
        encoded({"s": 6, "k": None}),  # past the last status of the filter
        encoded({"s": 0, "k": {"pk": {"S": "REF#AGENCY"}}}),
        encoded({"s": 0, "k": None, "agency": "kab-tangerang.pupr"}),
        base64.urlsafe_b64encode(b"[" * 1400 + b"]" * 1400).decode()[:2000],
    ],
)
def test_a_cursor_inbox_did_not_write_is_422_naming_cursor_and_reads_nothing(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        page(cursor)
    assert refused.value.problems == [("cursor", "invalid_cursor", {})]


def test_a_cursor_it_wrote_is_taken_as_written() -> None:
    _, store = page(encoded({"s": 2, "k": "opaque-store-cursor"}))
    assert store.asked[0] == ("kab-tangerang.disdukcapil", Status.ASSIGNED, "opaque-store-cursor")
    with pytest.raises(ValidationFailed):  # the same cursor for a one-status filter points past it
        page(encoded({"s": 2, "k": "opaque-store-cursor"}), status=Status.ASSIGNED)


def test_a_report_period_that_ends_before_it_starts_is_422_naming_to() -> None:
    with pytest.raises(ValidationFailed) as refused:
        statistics(
            COORDINATOR,
            complaints=Inbox(),  # type: ignore[arg-type]
            reference=None,  # type: ignore[arg-type]
            start=datetime(2026, 3, 2, tzinfo=UTC),
            end=datetime(2026, 3, 1, tzinfo=UTC),
        )
    assert refused.value.problems == [("to", "date_order", {})]
