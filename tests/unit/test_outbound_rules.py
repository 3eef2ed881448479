"""The pure rules of outbound abuse (security issue #21): which numbers Aduan may text, and how many
complaints a day one destination and one client may file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aduan.domain.allowance import (
    CLIENT,
    EMAIL,
    PHONE,
    Allowance,
    client_key,
    email_key,
    jakarta_day,
    next_midnight,
    retry_after,
)
from aduan.domain.destinations import country_codes, may_text, phone_problem
from aduan.doors.settings import MissingConfiguration, load_settings

# -- where a text may go -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("+979123456789", "international premium rate"),
        ("+870773111111", "Inmarsat satellite"),
        ("+881631234567", "Iridium satellite"),
        ("+80812345678", "international shared cost"),
        ("+628001234567", "Indonesian toll free"),
        ("+62 1500 123", "Indonesian universal access number"),
        ("+6280912345678", "no such Indonesian number"),
    ],
)
def test_premium_satellite_and_unverifiable_numbers_are_never_texted(number: str, why: str) -> None:
    assert phone_problem(number) == "phone_not_reachable", why
    assert phone_problem(number, ("62", "870", "979", "881", "808")) == "phone_not_reachable", why


def test_an_indonesian_mobile_number_may_be_texted() -> None:
    assert phone_problem("+6281234567890") is None
    assert phone_problem("+6285712345678") is None


def test_another_country_s_mobile_needs_its_code_allowed() -> None:
    malaysia = "+60123456789"
    assert phone_problem(malaysia) == "phone_country_not_allowed"
    assert phone_problem(malaysia, ("62", "60")) is None


def test_a_landline_is_refused_as_no_text_reaches_it() -> None:
    assert phone_problem("+62215551234") == "phone_not_mobile"


@pytest.mark.parametrize(
    ("typed", "codes"),
    [("62", ("62",)), ("+62, +60", ("62", "60")), (["62", "62", "1"], ("62", "1"))],
)
def test_country_codes_are_read_as_operators_write_them(
    typed: str | list[str], codes: tuple[str, ...]
) -> None:
    assert country_codes(typed) == codes


@pytest.mark.parametrize("typed", ["", "indonesia", "62,", "6200", "+62 60"])
def test_anything_else_is_not_a_country_code(typed: str) -> None:
    with pytest.raises(ValueError, match="country calling code"):
        country_codes(typed)


@pytest.mark.parametrize(
    ("number", "allowed", "texted"),
    [
        ("+6281234567890", ("62",), True),
        ("+979123456789", ("62",), False),
        ("+870773111111", ("62",), False),
        ("+60123456789", ("62",), False),
        ("+60123456789", ("62", "60"), True),
        ("6281234567890", ("62",), False),  # not E.164
        ("+62abc", ("62",), False),
        ("", ("62",), False),
    ],
)
def test_the_last_check_before_a_text_leaves_is_the_country_code(
    number: str, allowed: tuple[str, ...], texted: bool
) -> None:
    assert may_text(number, allowed) is texted


def test_the_functions_read_the_allowed_countries_from_the_template_s_variable() -> None:
    assert load_settings(environ={}).sms_country_codes == ("62",)
    assert load_settings(environ={"SMS_COUNTRY_CODES": "62,60"}).sms_country_codes == ("62", "60")
    with pytest.raises(MissingConfiguration, match="SMS_COUNTRY_CODES"):
        load_settings(environ={"SMS_COUNTRY_CODES": "+62;60"})


def test_the_daily_allowances_come_from_the_template_and_default_to_its_values() -> None:
    defaults = load_settings(environ={})
    assert (defaults.complaints_per_destination_per_day, defaults.complaints_per_client_per_day) == (5, 20)
    given = load_settings(
        environ={"COMPLAINTS_PER_DESTINATION_PER_DAY": "3", "COMPLAINTS_PER_CLIENT_PER_DAY": "40"}
    )
    assert (given.complaints_per_destination_per_day, given.complaints_per_client_per_day) == (3, 40)


# -- how many a day ------------------------------------------------------------------------------

# 23:30 WIB on Monday 16 March 2026 is 16:30 UTC; Jakarta's day ends at 17:00 UTC.
LATE_MONDAY = datetime(2026, 3, 16, 16, 30, tzinfo=UTC)


def test_a_day_is_jakarta_s_day() -> None:
    assert jakarta_day(LATE_MONDAY) == "2026-03-16"
    assert jakarta_day(datetime(2026, 3, 16, 17, 0, tzinfo=UTC)) == "2026-03-17"
    assert jakarta_day(datetime(2026, 3, 15, 23, 0, tzinfo=UTC)) == "2026-03-16"  # 06:00 WIB


def test_a_used_up_allowance_is_whole_again_at_midnight_wib() -> None:
    assert next_midnight(LATE_MONDAY) == datetime(2026, 3, 16, 17, 0, tzinfo=UTC)
    assert retry_after(LATE_MONDAY) == 30 * 60
    assert retry_after(datetime(2026, 3, 16, 16, 59, 59, 500000, tzinfo=UTC)) == 1


def test_a_complaint_counts_against_its_phone_its_email_and_its_client() -> None:
    quotas = Allowance(per_destination=5, per_client=20).quotas(
        phone="+6281234567890", email="Siti.Aminah+aduan@Example.co.id", client="203.0.113.7", now=LATE_MONDAY
    )
    assert [(q.subject, q.value, q.limit, q.day) for q in quotas] == [
        (PHONE, "+6281234567890", 5, "2026-03-16"),
        (EMAIL, "siti.aminah@example.co.id", 5, "2026-03-16"),
        (CLIENT, "203.0.113.7", 20, "2026-03-16"),
    ]
    # Kept a day past the day they count, then removed by the table's TTL.
    assert {q.expires_at for q in quotas} == {datetime(2026, 3, 17, 17, 0, tzinfo=UTC)}


def test_what_a_complaint_lacks_counts_nothing() -> None:
    quotas = Allowance().quotas(phone=None, email="a@example.org", client=None, now=LATE_MONDAY)
    assert [q.subject for q in quotas] == [EMAIL]


def test_one_mailbox_counts_once_however_it_is_written() -> None:
    assert email_key("Siti@Example.org") == email_key("siti+1@example.org") == "siti@example.org"
    assert email_key("+tag@example.org") == "+tag@example.org"  # no mailbox left to strip it from


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),  # the same subscriber's line
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("not an address", "not an address"),
    ],
)
def test_a_client_is_its_ipv4_address_or_its_ipv6_64(address: str, client: str) -> None:
    assert client_key(address) == client
