"""Two of moto server's costs paid per request or per message, cut without changing an answer.

- **The SQS clock.** moto decides whether each message is visible or delayed by reading the clock
  through datetime arithmetic (`moto.core.utils.unix_time_millis`: an aware now made naive, minus
  an epoch built afresh, about 9 µs), once per message, on every ReceiveMessage and every
  queue-attribute read. With a few thousand messages waiting (a soak's notification backlog) that
  clock was most of the emulator's CPU, and each poller's receive paid for the whole queue. The
  same seconds come from `time.time()` (0.1 µs); a call with a datetime keeps moto's arithmetic.
- **The dispatcher's module list.** To find the service a request is for, moto server lists its
  own package folder (`os.listdir` and an `isdir` for each of some 200 entries) on every request.
  The folder does not change while the stack runs: it is listed once.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any


def install() -> None:
    from moto import backends
    from moto.core import utils
    from moto.sqs import models

    models.unix_time = _seconds(utils.unix_time)  # type: ignore[attr-defined]
    models.unix_time_millis = _milliseconds(utils.unix_time_millis)  # type: ignore[attr-defined]
    if not hasattr(backends.list_of_moto_modules, "listed"):
        modules = tuple(backends.list_of_moto_modules())

        def list_of_moto_modules() -> tuple[str, ...]:
            return modules

        list_of_moto_modules.listed = True  # type: ignore[attr-defined]
        backends.list_of_moto_modules = list_of_moto_modules


def _seconds(moto_own: Any) -> Any:
    def unix_time(dt: datetime | None = None) -> float:
        return time.time() if dt is None else float(moto_own(dt))

    return unix_time


def _milliseconds(moto_own: Any) -> Any:
    def unix_time_millis(dt: datetime | None = None) -> float:
        return time.time() * 1000.0 if dt is None else float(moto_own(dt))

    return unix_time_millis
