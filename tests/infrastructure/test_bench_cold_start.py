"""bench/cold_start.py compares like with like: the clients a cold start makes are the ones the
local stack's ledger saw a function's first invocation create (not a hand-written list), and the
floor makes the same clients with the same configuration as ours, or the benchmark stops."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from aduan_local.calls import CallCounter, CallLedger

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import cold_start

OURS = {"connect_timeout": 2, "read_timeout": 5, "retries": {"mode": "standard", "total_max_attempts": 4}}


def session() -> boto3.session.Session:
    return boto3.session.Session(
        region_name="ap-southeast-3",
        aws_access_key_id="offline",
        aws_secret_access_key="offline",
    )


def test_the_ledger_keeps_the_clients_of_a_workers_first_invocation_with_their_configuration() -> None:
    counter, ledger = CallCounter(), CallLedger()
    made = session()
    counter.attach(made.events)
    config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    made.client("dynamodb", config=config)
    made.client("sqs")  # boto3's defaults: recorded as they are
    first = {"init_ms": 9.0, "duration_ms": 1.0, "calls": counter.take(), "modules": ["aduan.x"]}
    ledger.invoked("CheckFunction", 256, first)
    made.client("sns", config=config)  # on a later invocation: not the cold start's
    ledger.invoked("CheckFunction", 256, {"duration_ms": 1.0, "calls": counter.take()})

    cold = ledger.snapshot()["functions"]["CheckFunction"]["cold_start"]
    assert cold["modules"] == ["aduan.x"]
    assert [client["service"] for client in cold["clients"]] == ["dynamodb", "sqs"]
    assert {key: cold["clients"][0][key] for key in OURS} == OURS
    assert cold["clients"][1]["connect_timeout"] == 60  # boto3's default, not ours


FIRST = [
    {"service": service, "endpoint_url": f"https://{service}.ap-southeast-3.amazonaws.com", **OURS}
    for service in ("dynamodb", "sqs")
]


def run_both(configuration: tuple[str, ...]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    code = str(cold_start.ROOT / "functions" / "escalation_check")
    services = [client["service"] for client in FIRST]
    ours = cold_start._run(cold_start.FUNCTION.format(code=code, modules=[], services=services))
    floor = cold_start._run(cold_start.FLOOR.format(clients=FIRST, configuration=configuration))
    assert ours["seconds"] > 0
    assert floor["seconds"] > 0
    return ours["clients"], floor["clients"]


def test_the_floor_makes_our_clients_configured_as_ours() -> None:
    ours, floor = run_both(cold_start.CONFIGURATION)
    assert floor == ours
    cold_start._check_like_with_like("escalation_check", FIRST, ours, floor)


def test_a_floor_on_boto3s_defaults_stops_the_benchmark() -> None:
    ours, floor = run_both(())  # the floor as it was: bare clients, boto3's timeouts and retries
    assert floor != ours
    with pytest.raises(SystemExit, match="the floor's clients"):
        cold_start._check_like_with_like("escalation_check", FIRST, ours, floor)


def test_a_cold_start_that_makes_other_clients_than_the_first_invocation_stops_it() -> None:
    ours, floor = run_both(cold_start.CONFIGURATION)
    with pytest.raises(SystemExit, match="its first invocation"):
        cold_start._check_like_with_like(
            "escalation_check", [*FIRST, {**FIRST[0], "service": "sns"}], ours, floor
        )
