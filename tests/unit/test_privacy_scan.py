"""The privacy scan has no holes: a number after a run of other digits, a phone inside a traceback,
a DEBUG line and a reporter a fixture wrote straight into the store are all caught."""

from __future__ import annotations

import logging

import pytest

from aduan.domain.models import Reporter
from tests.factories import complaint
from tests.privacy import IDENTITIES, Identities, captured

PHONE = "0812-3456-7890"
LOGGER = "tests.privacy_scan"  # not under aduan_local: the session's own scan must not see these


@pytest.fixture
def identities() -> Identities:
    registry = Identities()
    registry.phone(PHONE)
    return registry


@pytest.mark.parametrize(
    "line",
    [
        "ref 12345 081234567890",
        # Digits first, then the number: the old pattern's run stopped after 24 characters.
        "ref 1234567890123 081234567890",
        "batch 2026031610000012 6281234567890 queued",
        "ids 4411 5522 6633 7744 (0812) 3456 7890",
    ],
)
def test_a_number_after_a_run_of_other_digits_is_found(identities: Identities, line: str) -> None:
    assert [identity for identity, _ in identities.leaks([line])] == ["81234567890"]


def test_a_phone_in_a_traceback_is_found(identities: Identities) -> None:
    with captured(LOGGER) as capture:
        try:
            raise ValueError(f"no agency answers {PHONE}")
        except ValueError:
            logging.getLogger(LOGGER).exception("routing failed")

    [line] = capture.lines
    assert line.startswith("routing failed\nTraceback")
    assert identities.leaks(capture.lines)


def test_a_debug_line_is_captured_and_found(identities: Identities) -> None:
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)  # whatever the logger's level was, the capture sees DEBUG
    with captured(LOGGER) as capture:
        logger.debug("sms to %s", PHONE)
    assert logger.level == logging.INFO
    assert identities.leaks(capture.lines)


def test_a_reporter_written_straight_into_the_store_is_registered() -> None:
    line = "sms to 6285712349876 queued"
    assert IDENTITIES.leaks([line]) == []
    complaint(reporter=Reporter(name="Wahyu Pratama", phone="+6285712349876"))
    assert [identity for identity, _ in IDENTITIES.leaks([line])] == ["85712349876"]
    assert IDENTITIES.leaks(["reporter Wahyu Pratama"])
