"""Expectations written out, never computed by the code under test: a change to how Twilio's
signature is checked, how webhooks are signed, or how tracking IDs are checked (which would
invalidate every ID already texted to citizens) turns these red."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from aduan.domain.errors import InvalidSignature, MalformedRequest
from aduan.domain.tracking import display_form, new_tracking_id, parse_tracking_id, problem
from aduan.domain.webhooks import webhook_signature
from aduan.doors.twilio import inbound, twilio_signature

# Twilio's published example (auth token 12345, https://mycompany.com/myapp.php?foo=1&bar=2), as
# the official helper library tests it: twilio/twilio-python, tests/unit/test_request_validator.py
# (commit 30368b08ba580a6c18202ab20bfc68d59559ebd7), `test_compute_signature`.
TWILIO_TOKEN = "12345"
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
TWILIO_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_signs_its_published_example_as_we_check_it() -> None:
    assert twilio_signature(TWILIO_URL, TWILIO_PARAMS, TWILIO_TOKEN) == TWILIO_SIGNATURE


def test_a_webhook_with_twilios_example_signature_passes_the_check_and_one_character_off_does_not() -> None:
    body = urlencode(TWILIO_PARAMS)  # a form body, as Twilio posts it: `+` is sent as %2B
    with pytest.raises(MalformedRequest):  # signed right; only the MessageSid is missing
        inbound(TWILIO_URL, body, TWILIO_SIGNATURE, TWILIO_TOKEN)
    with pytest.raises(InvalidSignature):
        inbound(TWILIO_URL, body, TWILIO_SIGNATURE.replace("B8=", "B9="), TWILIO_TOKEN)
    with pytest.raises(InvalidSignature):
        inbound(TWILIO_URL.replace("bar=2", "bar=3"), body, TWILIO_SIGNATURE, TWILIO_TOKEN)


# Computed by hand, outside the code under test:
#   printf '%s' '1773630000.{"event":"new_assignment","tracking_id":"K7MX4-RPA27"}' \
#     | openssl dgst -sha256 -hmac 'whsec-disdukcapil-kab-tangerang'
WEBHOOK_KEY = "whsec-disdukcapil-kab-tangerang"
WEBHOOK_TIMESTAMP = 1773630000  # Monday 16 March 2026, 10:00 WIB
WEBHOOK_BODY = '{"event":"new_assignment","tracking_id":"K7MX4-RPA27"}'
WEBHOOK_DIGEST = "3acc3ddda1acd0398d8aa16d84cdcdd0923ed5a65706cc88edfe2df1aacd2682"


def test_a_webhook_is_signed_as_the_receivers_were_told() -> None:
    assert webhook_signature(WEBHOOK_KEY, WEBHOOK_TIMESTAMP, WEBHOOK_BODY) == WEBHOOK_DIGEST
    assert webhook_signature(WEBHOOK_KEY, WEBHOOK_TIMESTAMP + 1, WEBHOOK_BODY) != WEBHOOK_DIGEST


# docs/architecture.md, "Tracking IDs": ten symbols of 23456789ABCDEFGHJKMNPQRSTUVWXYZ (values 0 to
# 30 in that order), weights 1 to 10, and the weighted sum is 0 mod 31. The five IDs below were
# worked out with these lines, before any test ran, and are written out so that they stay fixed.
DOCUMENTED_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VALID_IDS = ["K7MX4RPA27", "ZZZZZZZZZP", "HJKMNPQRSK", "BT5W8XD3FK", "23456789A9"]


def documented_rule_holds(tracking_id: str) -> bool:
    values = [DOCUMENTED_ALPHABET.index(symbol) for symbol in tracking_id]
    return len(values) == 10 and sum(w * v for w, v in enumerate(values, start=1)) % 31 == 0


@pytest.mark.parametrize("tracking_id", VALID_IDS)
def test_an_id_texted_to_a_citizen_stays_valid(tracking_id: str) -> None:
    assert documented_rule_holds(tracking_id)
    assert problem(tracking_id) is None
    assert parse_tracking_id(display_form(tracking_id).lower()) == tracking_id


@pytest.mark.parametrize("tracking_id", VALID_IDS)
def test_any_one_character_changed_is_a_typo(tracking_id: str) -> None:
    for position, symbol in enumerate(tracking_id):
        typo = tracking_id[:position] + ("3" if symbol == "2" else "2") + tracking_id[position + 1 :]
        assert problem(typo) == "check", typo


def test_new_ids_follow_the_documented_rule() -> None:
    assert all(documented_rule_holds(new_tracking_id()) for _ in range(1_000))


def test_the_example_the_docs_show_is_a_valid_id() -> None:
    assert display_form(VALID_IDS[0]) == "K7MX4-RPA27"
    assert problem("K7MX4-RPA2Q") == "check"  # the old example: a typo of it
