"""End-to-end fixtures: the local stack (the same code as `make run`), started once per session
on free ports, and spoken to over real HTTP."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from aduan_local.stack import LocalStack, StackOptions
from tests.conftest import free_port

STACK_TEST_TEMPLATE = Path(__file__).parent / "stack" / "template.yaml"


class LogCapture(logging.Handler):
    """Every log line of the stack and its functions, for tests that read the logs."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="session")
def stack_logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    logger = logging.getLogger("aduan_local")
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    yield capture
    logger.removeHandler(capture)


@pytest.fixture(scope="session")
def test_stack(stack_logs: LogCapture) -> Iterator[LocalStack]:
    """The local stack running the small template of tests/e2e/stack, without real-time timers."""
    options = StackOptions(template=STACK_TEST_TEMPLATE, port=free_port(), timers=False)
    with LocalStack(options) as stack:
        yield stack
