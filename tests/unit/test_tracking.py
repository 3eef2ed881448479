"""Tracking IDs survive being read out and typed on a phone: every single typo is caught."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aduan.domain.errors import InvalidTrackingId
from aduan.domain.tracking import (
    ALPHABET,
    LENGTH,
    access_code_hash,
    access_code_key,
    access_code_matches,
    display_form,
    new_access_code,
    new_tracking_id,
    parse_tracking_id,
    problem,
    rekeyed,
    reporter_key,
    seal_access_code,
    unseal_access_code,
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


PEPPER = access_code_key(b"reporter-key-secret")


def test_access_codes_are_stored_as_hashes_and_checked_case_insensitively() -> None:
    tracking_id, code = new_tracking_id(), new_access_code()
    stored = access_code_hash(tracking_id, code, PEPPER)
    assert code not in stored
    assert access_code_matches(tracking_id, code.lower(), stored, PEPPER)
    assert not access_code_matches(tracking_id, new_access_code(), stored, PEPPER)
    assert not access_code_matches(new_tracking_id(), code, stored, PEPPER)


def unkeyed(tracking_id: str, code: str) -> str:
    """What the table held before the pepper, and what anyone with a dump could test guesses on."""
    return hashlib.sha256(f"{tracking_id}:{code}".encode()).hexdigest()


def test_a_dump_of_the_table_without_the_pepper_cannot_test_a_guessed_code() -> None:
    tracking_id, code = new_tracking_id(), new_access_code()
    stored = access_code_hash(tracking_id, code, PEPPER)
    assert stored.startswith("v2:"), "the stored form says which rule checks it"
    assert unkeyed(tracking_id, code) not in stored, "a guess hashed without the pepper finds nothing"
    # The right code under any other key (a guessed pepper) is no match either.
    assert stored != access_code_hash(tracking_id, code, access_code_key(b"a guessed secret"))
    assert not access_code_matches(tracking_id, code, stored, access_code_key(b"a guessed secret"))
    assert access_code_key(b"reporter-key-secret") != b"reporter-key-secret"  # a subkey, not the key


def test_a_complaint_filed_before_the_pepper_is_still_opened_by_its_code() -> None:
    tracking_id, code = new_tracking_id(), new_access_code()
    filed_before = unkeyed(tracking_id, code)  # v1: no prefix
    assert access_code_matches(tracking_id, code.lower(), filed_before, PEPPER)
    assert not access_code_matches(tracking_id, new_access_code(), filed_before, PEPPER)
    # ...and can be re-keyed in place without its code: the v2 form of the same code.
    assert rekeyed(filed_before, PEPPER) == access_code_hash(tracking_id, code, PEPPER)
    assert rekeyed(rekeyed(filed_before, PEPPER), PEPPER) == rekeyed(filed_before, PEPPER)


@given(st.text(ALPHABET, min_size=8, max_size=8), st.text(min_size=1, max_size=60))
def test_a_sealed_code_opens_only_with_its_key_and_context(code: str, context: str) -> None:
    sealed = seal_access_code(code, PEPPER, context)
    assert sealed.startswith("sealed:")
    assert len(sealed) == len("sealed:") + 8
    assert unseal_access_code(sealed, PEPPER, context) == code
    # Another key or another record's context opens it to some other code (a 1 in 31^8 chance aside).
    assert unseal_access_code(sealed, access_code_key(b"another"), context) != code
    assert unseal_access_code(sealed, PEPPER, context + "x") != code


def test_a_sealed_code_is_not_the_code_and_differs_per_record() -> None:
    code = new_access_code()
    one, two = seal_access_code(code, PEPPER, "web:key-1"), seal_access_code(code, PEPPER, "web:key-2")
    assert code not in one
    assert code not in two
    assert one != two
    assert unseal_access_code(code, PEPPER, "web:key-1") == code  # a record written before sealing


def test_reporter_key_hides_the_phone_number_and_depends_on_the_secret() -> None:
    phone = "+6281234567890"
    key = reporter_key(phone, b"secret-one")
    assert phone not in key
    assert phone[1:] not in key
    assert key == reporter_key(phone, b"secret-one")
    assert key != reporter_key(phone, b"secret-two")
