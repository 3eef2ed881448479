"""Fixtures shared by every kind of test: an AWS emulator on loopback, and complaint factories."""

from __future__ import annotations

import os
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.handlers
import pytest

from aduan_local.client import free_port
from aduan_local.stack import LocalStack, StackOptions
from aduan_local.template import create_table, load_template
from tests.privacy import IDENTITIES, LogCapture, captured

REGION = "ap-southeast-3"  # Jakarta


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real moto server on loopback: boto3 speaks HTTP to it as it would to AWS."""
    from aduan_local.stack import emulator

    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # the emulator accepts any credentials
        AWS_DEFAULT_REGION=REGION,
    )
    port = free_port()
    server = emulator("127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    server.stop()


ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (f"{ROOT / 'shared'}{os.sep}", f"{ROOT / 'functions'}{os.sep}")
SCANS_REFUSED: list[str] = []  # where each refused Scan came from


def _refuse_a_scan_on_a_code_path(model: Any, **_: Any) -> None:
    """Aduan reads by key or index only: a Scan with shipped code on the stack fails, however it
    is spelt (a paginator's too); a test may still Scan the emulator to see what was stored."""
    callers = [frame.f_code.co_filename for frame, _ in traceback.walk_stack(None)]
    shipped = next((caller for caller in callers if caller.startswith(SHIPPED)), None)
    if shipped is not None:
        SCANS_REFUSED.append(shipped)
        raise AssertionError(f"a DynamoDB {model.name} from {shipped}: Aduan reads by key or index only")


@pytest.fixture(scope="session", autouse=True)
def no_scan_on_a_code_path() -> Iterator[None]:
    """Every botocore session made in this run refuses a Scan from shipped code (a client takes
    its session's handlers when it is made); the run fails even if the code swallowed the error."""
    hook = ("before-call.dynamodb.Scan", _refuse_a_scan_on_a_code_path)
    botocore.handlers.BUILTIN_HANDLERS.append(hook)
    if boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION.events.register(*hook)
    yield
    botocore.handlers.BUILTIN_HANDLERS.remove(hook)
    assert not SCANS_REFUSED, f"DynamoDB Scans from shipped code: {sorted(set(SCANS_REFUSED))}"


@pytest.fixture(scope="session")
def dynamodb(moto_endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture
def complaints_table(dynamodb: Any, template: dict[str, Any]) -> str:
    """A fresh table built from template.yaml's own ComplaintsTable properties."""
    name = f"complaints-{uuid.uuid4().hex[:8]}"
    create_table(dynamodb, template["Resources"]["ComplaintsTable"]["Properties"], name)
    return name


# -- the local stack, for end-to-end and browser tests (one per session; the stack's own tests
# start another on their small template: tests/local_stack/conftest.py) -------------------------


@pytest.fixture(scope="session")
def stack_logs() -> Iterator[LogCapture]:
    """Every record of the stack and its functions' output, DEBUG and tracebacks included."""
    with captured("aduan_local") as capture:
        yield capture


@pytest.fixture(scope="session", autouse=True)
def no_reporter_identity_in_any_log(stack_logs: LogCapture) -> Iterator[None]:
    """After the whole session: no log line of the stack or its workers carries a reporter's
    phone number (as typed, E.164 or digits only), email or name that any test submitted, nor a
    file's name, metadata or link that a test uploaded (`IDENTITIES.file_text`)."""
    yield
    leaks = IDENTITIES.leaks(stack_logs.lines)
    shown = "\n".join(f"  {identity!r} in: {line[:300]}" for identity, line in leaks[:10])
    assert not leaks, f"{len(leaks)} log lines carry a reporter's identity or a file's private text:\n{shown}"


@pytest.fixture(scope="session")
def local_stack(stack_logs: LogCapture) -> Iterator[LocalStack]:
    """The whole system as `make run` starts it (the real template, seeded, with the citizen
    pages), on free ports and without real-time timers: tests fire schedules themselves."""
    from aduan_local.cli import WEB
    from aduan_local.seed import default_seeders

    workers = int(os.environ.get("ADUAN_LOCAL_WORKERS", "1"))  # per function; `make soak` runs 4
    options = StackOptions(
        port=free_port(),
        timers=False,
        seeders=default_seeders(),
        web_dir=WEB,
        workers=workers,
        log_level="DEBUG",  # every line a function could write reaches the privacy scan
    )
    # A WhatsApp report that names no place waits 3 s for it here (30 minutes deployed): long enough
    # to see the question, short enough that no later test's `quiet` waits on the delayed message.
    options.parameters["WhatsAppPlaceWaitSeconds"] = "3"
    with LocalStack(options) as stack:
        yield stack
        refused = dict(stack.calls.scans)
    assert not refused, f"functions attempted a DynamoDB Scan (refused by the local stack): {refused}"
