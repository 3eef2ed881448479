"""Generated shapes a JSON parser chokes on, shared by the fuzzers of the API (tests/e2e) and of
intake (tests/integration): nesting far past any route's depth (Python's json recurses once a
level) and numbers past Python's 4,300-digit limit, alone or in place of a field; and the
fuzzers' phone numbers, from a range no test writes a number in (tests/phones.py)."""

from __future__ import annotations

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
