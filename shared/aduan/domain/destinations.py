"""Where Aduan may send a text: numbers of the countries an operator allows (Indonesia, +62, unless
`SmsCountryCodes` says more), and of those only the numbers an SMS reaches at an ordinary price.

A text to a premium-rate, satellite or other non-geographic number costs Aduan many times an
Indonesian one, and a form that sends texts to any number someone types is the usual way of turning
a public service into a cash machine for whoever rents those numbers ("SMS pumping"). So a reporter's
phone is refused at intake unless it is a mobile number of an allowed country, and every text is
checked once more, cheaply, just before it leaves (`may_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

INDONESIA = "62"
DEFAULT_COUNTRY_CODES: tuple[str, ...] = (INDONESIA,)

_COUNTRY_CODE = re.compile(r"^\+?(\d{1,3})$")


def country_codes(text: str | Iterable[str]) -> tuple[str, ...]:
    """Country calling codes from how an operator writes them ("62", "+62, +60"); ValueError for
    anything that is not one."""
    items = text.split(",") if isinstance(text, str) else list(text)
    codes = []
    for item in items:
        found = _COUNTRY_CODE.match(item.strip())
        if not found:
            raise ValueError(f"not a country calling code: {item.strip()!r}")
        codes.append(found.group(1))
    if not codes:
        raise ValueError("no country calling code")
    return tuple(dict.fromkeys(codes))


def phone_problem(phone_e164: str, allowed: Iterable[str] = DEFAULT_COUNTRY_CODES) -> str | None:
    """None when Aduan may text `phone_e164`; else the code of the message that says why not:
    `phone_not_reachable` (premium rate, satellite or another non-geographic number, or a number
    whose type no one can tell), `phone_country_not_allowed`, or `phone_not_mobile` (a landline)."""
    import phonenumbers  # deferred: only reports with a phone number need it
    from phonenumbers import PhoneNumberType

    try:
        number = phonenumbers.parse(phone_e164, None)
    except phonenumbers.NumberParseException:
        return "phone_not_reachable"
    kind = phonenumbers.number_type(number)
    # Types a text reaches at the ordinary price; FIXED_LINE_OR_MOBILE is where a country's plan
    # cannot tell the two apart (the United States). Region 001 holds the non-geographic numbers:
    # satellite (+870, +881), international premium rate (+979), shared cost (+808), networks (+882).
    ordinary = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.FIXED_LINE)
    region = phonenumbers.region_code_for_number(number)
    if region in (None, "001") or not phonenumbers.is_valid_number(number) or kind not in ordinary:
        return "phone_not_reachable"
    if str(number.country_code) not in set(allowed):
        return "phone_country_not_allowed"
    if kind == PhoneNumberType.FIXED_LINE:  # ordinary, but no text reaches a landline
        return "phone_not_mobile"
    return None


def may_text(phone_e164: str, allowed: Iterable[str] = DEFAULT_COUNTRY_CODES) -> bool:
    """The last check before a text leaves: an E.164 number of an allowed country. Country calling
    codes are a prefix code (none is the start of another), so a prefix test is exact, and this
    needs no phone number metadata."""
    return (
        phone_e164.startswith("+")
        and phone_e164[1:].isdigit()
        and any(phone_e164.startswith(f"+{code}") for code in allowed)
    )
