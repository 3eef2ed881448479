"""The local stack's own tests run it on a small template of their own (sample/), not on Aduan's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aduan_local.client import free_port
from aduan_local.stack import LocalStack, StackOptions
from tests.conftest import LogCapture

SAMPLE_TEMPLATE = Path(__file__).parent / "sample" / "template.yaml"


@pytest.fixture(scope="session")
def test_stack(stack_logs: LogCapture) -> Iterator[LocalStack]:
    """The local stack running the small template of tests/local_stack/sample, without real-time timers."""
    options = StackOptions(template=SAMPLE_TEMPLATE, port=free_port(), timers=False, stack_name="stack-test")
    with LocalStack(options) as stack:
        yield stack
