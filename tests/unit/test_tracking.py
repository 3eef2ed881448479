"""Tracking IDs survive being read out and typed on a phone: every single typo is caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aduan.domain.errors import InvalidTrackingId
from aduan.domain.tracking import (
    ALPHABET,
    LENGTH,
    access_code_hash,
    access_code_matches,
    display_form,
    new_access_code,
    new_tracking_id,
    parse_tracking_id,
    problem,
    reporter_key,
)

GENERATED = 10_000


def test_ids_are_short_and_free_of_look_alike_symbols() -> None:
    for _ in range(1_000):
        tracking_id = new_tracking_id()
        assert len(display_form(tracking_id)) <= 12
        assert not set(tracking_id) & set("0O1IL")
        assert problem(tracking_id) is None


def test_every_single_substitution_and_adjacent_swap_of_10000_ids_is_rejected() -> None:
    missed: list[str] = []
    checked = 0
    for _ in range(GENERATED):
        tracking_id = new_tracking_id()
        for position in range(LENGTH):
            for symbol in ALPHABET:
                if symbol != tracking_id[position]:
                    typo = tracking_id[:position] + symbol + tracking_id[position + 1 :]
                    checked += 1
                    if problem(typo) != "check":
                        missed.append(typo)
        for position in range(LENGTH - 1):
            a, b = tracking_id[position], tracking_id[position + 1]
            if a != b:
                swapped = tracking_id[:position] + b + a + tracking_id[position + 2 :]
                checked += 1
                if problem(swapped) != "check":
                    missed.append(swapped)
    assert checked > GENERATED * LENGTH * (len(ALPHABET) - 1)
    assert missed == []


def test_people_may_type_in_lower_case_with_spaces_or_hyphens() -> None:
    tracking_id = new_tracking_id()
    typed = " " + display_form(tracking_id).lower().replace("-", " - ") + " "
    assert parse_tracking_id(typed) == tracking_id


@pytest.mark.parametrize("text", ["", "ABC", "ABCDEFGHJKM", "ABCDE-FGHJ0", "OOOOOOOOOO", "1234567890"])
def test_text_that_cannot_be_an_id_is_a_format_problem(text: str) -> None:
    assert problem(text) == "format"
    with pytest.raises(InvalidTrackingId) as raised:
        parse_tracking_id(text)
    assert raised.value.details["reason"] == "format"


@given(st.text(max_size=40))
def test_any_text_gets_an_answer_never_a_crash(text: str) -> None:
    assert problem(text) in (None, "format", "check")


def test_access_codes_are_stored_as_hashes_and_checked_case_insensitively() -> None:
    tracking_id, code = new_tracking_id(), new_access_code()
    stored = access_code_hash(tracking_id, code)
    assert code not in stored
    assert access_code_matches(tracking_id, code.lower(), stored)
    assert not access_code_matches(tracking_id, new_access_code(), stored)
    assert not access_code_matches(new_tracking_id(), code, stored)


def test_reporter_key_hides_the_phone_number_and_depends_on_the_secret() -> None:
    phone = "+6281234567890"
    key = reporter_key(phone, b"secret-one")
    assert phone not in key
    assert phone[1:] not in key
    assert key == reporter_key(phone, b"secret-one")
    assert key != reporter_key(phone, b"secret-two")
