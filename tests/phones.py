"""Whose phone numbers are whose in the tests that share one local stack (tests/e2e, tests/browser).

A text counted for a test's number must be that test's, so each number a test writes out is
written in one place only (one test, one helper or one module's constant), and the numbers the
tests make up come from ranges of their own, here, that no written number falls in.
tests/infrastructure/test_phone_numbers.py keeps it so.
"""

from __future__ import annotations

import itertools
import os

# Each range is a prefix and six digits: +62813900000000 is not a number, +6281390000000 is.
RANGES = {
    "fuzzed": "+6281390",  # the fuzzers' senders and reporters (tests/crafted.py)
    "outbound": "+6281391",  # the outbound-abuse bursts (tests/e2e/test_outbound_abuse.py)
    "reliability": "+6281392",  # the reliability suite's citizens (tests/e2e/test_reliability.py)
    "load": "+6281393",  # its minute of load
    "fresh": "+6281394",  # each test's reporter when it names none (tests/e2e/helpers.report)
    "batch": "+6281395",  # the hundred senders of one WhatsApp payload (tests/e2e/test_whatsapp.py)
}

_next = itertools.count(1)
_by_test: dict[str, str] = {}


def number(kind: str, n: int) -> str:
    """The `n`-th number of a range, in E.164."""
    if not 0 <= n < 10**6:
        raise ValueError(f"{n} is outside the {kind} range")
    return f"{RANGES[kind]}{n:06d}"


def this_tests() -> str:
    """The running test's own number: the same each time it asks (two of its reports are the same
    request), another for every other test of the session."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    if test not in _by_test:
        _by_test[test] = number("fresh", next(_next))
    return _by_test[test]
