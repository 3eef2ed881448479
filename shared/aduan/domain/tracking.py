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
    """Grouped for reading aloud: `K7MX4-RPA27`."""
    return f"{tracking_id[:5]}-{tracking_id[5:]}"


def new_access_code() -> str:
    """The citizen's secret for confidential details and web replies (about 40 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


# The stored form of an access code is versioned. v2 is keyed: HMAC-SHA256 under a secret pepper
# (`access_code_key`) over the unkeyed digest of v1, so a dump of the table without the pepper
# cannot test a single guess, and a v1 value can be re-keyed in place without knowing its code.
# v1, unprefixed SHA-256 of "<tracking_id>:<code>", is what complaints filed before were given:
# still verified, never written (docs/architecture.md, "Secrets at rest").
KEYED_PREFIX = "v2:"
_PEPPER_LABEL = b"aduan/access-code/v2"
_SEAL_SPACE: int = _MODULUS**ACCESS_CODE_LENGTH
SEALED_PREFIX = "sealed:"


def access_code_key(secret: bytes) -> bytes:
    """The pepper of access-code hashes: a labelled subkey of `secret` (the reporter-key secret),
    so the functions that check a code need no secret of their own."""
    return hmac.new(secret, _PEPPER_LABEL, hashlib.sha256).digest()


def _unkeyed_digest(tracking_id: str, access_code: str) -> str:
    return hashlib.sha256(f"{tracking_id}:{canonical_form(access_code)}".encode()).hexdigest()


def rekeyed(stored_hash: str, key: bytes) -> str:
    """The v2 form of a stored hash (a v2 one unchanged): a v1 value re-keyed without its code."""
    if stored_hash.startswith(KEYED_PREFIX):
        return stored_hash
    return KEYED_PREFIX + hmac.new(key, stored_hash.encode(), hashlib.sha256).hexdigest()


def access_code_hash(tracking_id: str, access_code: str, key: bytes) -> str:
    """What is stored instead of the access code: `v2:` and a keyed hash, salted by the tracking ID."""
    return rekeyed(_unkeyed_digest(tracking_id, access_code), key)


def access_code_matches(tracking_id: str, access_code: str, stored_hash: str, key: bytes) -> bool:
    """Constant-time check of a presented access code against the stored hash, keyed (v2) or,
    for a complaint filed before the pepper, unkeyed (v1)."""
    if stored_hash.startswith(KEYED_PREFIX):
        return hmac.compare_digest(access_code_hash(tracking_id, access_code, key), stored_hash)
    return hmac.compare_digest(_unkeyed_digest(tracking_id, access_code), stored_hash)


def _code_pad(key: bytes, context: str) -> int:
    digest = hmac.new(key, f"seal:{context}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest, "big") % _SEAL_SPACE  # 256 bits mod 31^8: no bias worth the name


def _code_number(code: str) -> int:
    number = 0
    for symbol in code:
        number = number * _MODULUS + _VALUE[symbol]
    return number


def _code_text(number: int) -> str:
    symbols = []
    for _ in range(ACCESS_CODE_LENGTH):
        number, value = divmod(number, _MODULUS)
        symbols.append(ALPHABET[value])
    return "".join(reversed(symbols))


def seal_access_code(access_code: str, key: bytes, context: str) -> str:
    """The code as a record that answers retries keeps it: one-time padded under `key` and
    `context` (an idempotency key, used once), so the stored record alone does not reveal it."""
    sealed = (_code_number(canonical_form(access_code)) + _code_pad(key, context)) % _SEAL_SPACE
    return SEALED_PREFIX + _code_text(sealed)


def unseal_access_code(stored: str, key: bytes, context: str) -> str:
    """The code `seal_access_code` sealed (a record written before sealing holds it plain)."""
    if not stored.startswith(SEALED_PREFIX):
        return stored
    number = (_code_number(stored.removeprefix(SEALED_PREFIX)) - _code_pad(key, context)) % _SEAL_SPACE
    return _code_text(number)


def reporter_key(phone_e164: str, secret: bytes) -> str:
    """Keyed hash of a phone number: finds a citizen's complaints without storing the number in an index."""
    return hmac.new(secret, phone_e164.encode(), hashlib.sha256).hexdigest()
