"""An API function answers before its timeout: a request still running 1.5 s before it gets the JSON
503 with Retry-After, never API Gateway's bare 503 for a killed Lambda (issue #23, point 9)."""

from __future__ import annotations

import json
import signal
import time

from aduan.domain.models import Language
from aduan.doors.http_api import ANSWER_MARGIN_MS, in_time


class Context:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_a_request_still_running_near_the_timeout_gets_the_json_503() -> None:
    def stuck() -> dict[str, object]:
        try:
            time.sleep(5)  # an AWS call that hangs
        except Exception:  # code on the way that catches everything must not swallow the alarm
            return {"statusCode": 200}
        return {"statusCode": 200}

    started = time.monotonic()
    answer = in_time(Context(ANSWER_MARGIN_MS + 100), stuck, lambda: Language.EN)
    assert time.monotonic() - started < 2
    assert answer["statusCode"] == 503
    assert answer["headers"]["retry-after"] == "1"
    assert json.loads(answer["body"])["error"]["code"] == "service_unavailable"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0), "no alarm left behind"


def test_a_request_in_time_gets_its_own_answer_and_leaves_no_alarm() -> None:
    before = signal.getsignal(signal.SIGALRM)
    answer = in_time(Context(10_000), lambda: {"statusCode": 201}, lambda: Language.ID)
    assert answer == {"statusCode": 201}
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == before, "the process's own alarm handler is back"
