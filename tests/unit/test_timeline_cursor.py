"""A timeline cursor comes back from a client: whatever it holds, it is an event's sort key this
store writes, or a 422 naming `timeline_before`, never an exception of another kind."""

from __future__ import annotations

import base64
import re

from hypothesis import given
from hypothesis import strategies as st

from aduan.aws.complaint_store import timeline_cursor, timeline_position
from aduan.domain.errors import ValidationFailed

EVENT_SK = "E#2026-03-16T03:00:00.000000Z#v000002#00"


def test_a_cursor_the_store_gave_stands_for_its_event() -> None:
    assert timeline_position(timeline_cursor(EVENT_SK)) == EVENT_SK
    assert timeline_position(timeline_cursor("E#2026-03-16T03:00:00.000000Z#Nabc123#2")).endswith("#2")


def _encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@given(
    st.one_of(
        st.text(max_size=400),
        st.binary(max_size=300).map(_encoded),
        st.text(max_size=120).map(lambda tail: _encoded(f"E#{tail}".encode())),
        st.sampled_from(["#COMPLAINT", "#OUTBOX", "E#", EVENT_SK + "\n", EVENT_SK + "'"]).map(
            lambda sk: _encoded(sk.encode())
        ),
    )
)
def test_any_cursor_is_an_event_key_or_a_422_naming_the_field(cursor: str) -> None:
    sk, problems = None, []
    try:
        sk = timeline_position(cursor)
    except ValidationFailed as refused:
        problems = refused.problems
    if sk is None:
        assert problems == [("timeline_before", "invalid_cursor", {})]
    else:  # only the shape the store writes: no other item, no line break, no quote
        assert re.fullmatch(r"E#[0-9T:.Z-]{27}#[A-Za-z0-9#:_-]+", sk), sk
