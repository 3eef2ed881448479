"""Generated shapes a JSON parser chokes on, shared by the fuzzers of the API (tests/e2e) and of
intake (tests/integration): nesting far past any route's depth (Python's json recurses once a
level) and numbers past Python's 4,300-digit limit, alone or in place of a field; and the
fuzzers' phone numbers, from a range no test writes a number in (tests/phones.py); and Meta's
WhatsApp webhook envelope with fields of any shape where Meta's go (tests/unit, tests/e2e)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.phones import number

fuzzed_phones = st.integers(min_value=0, max_value=999_999).map(lambda n: number("fuzzed", n))

deep_json = st.builds(
    lambda depth, brackets, leaf: brackets[0] * depth + leaf + brackets[1] * depth,
    st.integers(min_value=1, max_value=20_000),
    st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"language":"en","x":', "}]")]),
    st.sampled_from(["", "1", '"t"', "null"]),
)
huge_numbers = st.builds(
    lambda sign, digits, fraction, exponent: f"{sign}{'9' * digits}{fraction}{exponent}",
    st.sampled_from(["", "-"]),
    st.integers(min_value=1, max_value=6_000),
    st.sampled_from(["", ".5", "." + "1" * 300]),
    st.sampled_from(["", "e5", "e-99999", "E+" + "9" * 300]),
)

any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)
MESSAGE_KINDS = st.sampled_from(
    ["text", "image", "document", "location", "button", "interactive", "audio", "system", "unknown"]
)


@st.composite
def whatsapp_message(draw: st.DrawFn, sender: str) -> dict[str, Any]:
    """A message in Meta's shape from `sender` (or from anything), fields of any shape, some missing."""
    kind = draw(MESSAGE_KINDS)
    fields = {
        "from": draw(st.one_of(st.just(sender), any_json)),
        "id": draw(st.one_of(st.uuids().map(lambda u: f"wamid.{u.hex}"), any_json)),
        "timestamp": draw(st.one_of(st.just("1750857384"), any_json)),
        "type": kind,
        kind: draw(st.one_of(st.fixed_dictionaries({"body": st.text(max_size=200)}), any_json)),
    }
    return {key: value for key, value in fields.items() if key in ("from", "id") or draw(st.booleans())}


@st.composite
def whatsapp_payloads(draw: st.DrawFn, sender: str, most: int = 4) -> dict[str, Any]:
    """Meta's envelope around up to `most` messages, statuses and contacts of any shape."""
    statuses = st.lists(
        st.dictionaries(st.sampled_from(["id", "status", "timestamp", "errors"]), any_json), max_size=3
    )
    value = {
        "messages": draw(st.lists(whatsapp_message(sender), max_size=most)),
        "statuses": draw(statuses),
        "contacts": draw(any_json),
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"field": "messages", "value": value}]}],
    }
