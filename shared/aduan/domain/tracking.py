"""Tracking IDs a person can read out and type into an SMS, and the citizen's secret access code.

A tracking ID is nine random symbols and one check symbol from a 31-letter alphabet without
look-alikes (no 0/O, 1/I/L). 31 is prime, so a weighted sum mod 31 with weights 1..10 catches
every single wrong symbol (weight x difference is never 0 mod 31) and every swap of two
neighbours (difference of neighbouring weights is 1).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Literal

from aduan.domain.errors import InvalidTrackingId

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)  # 31, prime
BODY_LENGTH = 9
LENGTH = BODY_LENGTH + 1
ACCESS_CODE_LENGTH = 8
_SEPARATORS = str.maketrans("", "", " -._/")


def _check_symbol(body: str) -> str:
    total = sum(weight * _VALUE[symbol] for weight, symbol in enumerate(body, start=1))
    # Choose the check value c so that total + LENGTH * c == 0 (mod 31).
    inverse = pow(LENGTH, -1, _MODULUS)
    return ALPHABET[(-total * inverse) % _MODULUS]


def new_tracking_id() -> str:
    """A fresh random tracking ID, canonical form (upper case, no separators)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_symbol(body)


Problem = Literal["format", "check"]


def problem(text: str) -> Problem | None:
    """Why `text` is not a valid tracking ID: `format`, `check` (a typo), or None when it is valid."""
    candidate = canonical_form(text)
    if len(candidate) != LENGTH or any(symbol not in _VALUE for symbol in candidate):
        return "format"
    if _check_symbol(candidate[:BODY_LENGTH]) != candidate[BODY_LENGTH]:
        return "check"
    return None


def canonical_form(text: str) -> str:
    """Upper case without spaces, hyphens or dots: how people type what they read."""
    return text.translate(_SEPARATORS).upper()


def parse_tracking_id(text: str) -> str:
    """The canonical tracking ID in `text`, or InvalidTrackingId saying whether it is a typo."""
    reason = problem(text)
    if reason is not None:
        raise InvalidTrackingId("not a valid tracking ID", reason=reason)
    return canonical_form(text)


def display_form(tracking_id: str) -> str:
    """Grouped for reading aloud: `K7MX4-RPA2Q`."""
    return f"{tracking_id[:5]}-{tracking_id[5:]}"


def new_access_code() -> str:
    """The citizen's secret for confidential details and web replies (about 40 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def access_code_hash(tracking_id: str, access_code: str) -> str:
    """What is stored instead of the access code; salted by the tracking ID."""
    material = f"{tracking_id}:{canonical_form(access_code)}".encode()
    return hashlib.sha256(material).hexdigest()


def access_code_matches(tracking_id: str, access_code: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented access code with the stored hash."""
    return hmac.compare_digest(access_code_hash(tracking_id, access_code), stored_hash)


def reporter_key(phone_e164: str, secret: bytes) -> str:
    """Keyed hash of a phone number: finds a citizen's complaints without storing the number in an index."""
    return hmac.new(secret, phone_e164.encode(), hashlib.sha256).hexdigest()
