"""Which of Meta's WhatsApp refusals may pass (tried again) and which never will (recorded once):
by Meta's code first, since Meta answers its throttling codes with HTTP 400; by the status only
when the code is one Aduan does not know."""

from __future__ import annotations

import pytest

from aduan.domain.whatsapp_messages import PERMANENT_CODES, TRANSIENT_CODES, is_permanent


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (130429, 400),  # throughput: Meta's status is 400, not 429
        (131048, 400),  # spam rate limit
        (131056, 400),  # pair rate limit
        (131000, 500),  # something went wrong
        (131016, 500),  # service unavailable
        (133004, 503),  # server temporarily unavailable
        (0, 401),  # the token: a rotation fixes every send at once
        (190, 401),
        (131005, 403),  # access denied: the app's permission, not this message
    ],
)
def test_what_time_or_an_operator_can_fix_is_tried_again(code: int, status: int) -> None:
    assert not is_permanent(code, status)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (131026, 400),  # not a WhatsApp user
        (131047, 400),  # more than 24 hours since the citizen last wrote
        (131051, 400),
        (132000, 400),
        (132001, 404),
        (132005, 400),
        (132007, 400),
        (132012, 400),
        (132015, 400),
        (132016, 400),
        (100, 400),
        (131008, 400),
        (131009, 400),
        (133010, 400),
    ],
)
def test_what_asking_again_cannot_change_is_given_up(code: int, status: int) -> None:
    assert is_permanent(code, status)


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (500, False),
        (502, False),
        (503, False),
        (408, False),
        (429, False),
        (400, True),
        (404, True),
        (302, True),
    ],
)
def test_an_answer_without_a_known_code_is_judged_by_its_status(status: int, permanent: bool) -> None:
    assert is_permanent(None, status) is permanent
    assert is_permanent(999999, status) is permanent


def test_no_code_is_in_both_tables() -> None:
    assert not TRANSIENT_CODES.keys() & PERMANENT_CODES.keys()
