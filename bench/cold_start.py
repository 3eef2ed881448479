"""Cold start: a function's import and initialisation in a fresh process, beside its floor.

The floor is a process that only imports boto3 and creates the clients that function uses: what
no Python Lambda on AWS can avoid. Medians of several runs of each, alternated, in one session.

    python bench/cold_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from aduan_local.template import OFFLINE_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]

# The AWS clients each function creates at import or on its first request.
CLIENTS = {
    "intake": ["dynamodb", "sqs", "secretsmanager"],
    "sms_intake": ["dynamodb", "sqs", "secretsmanager"],
    "routing": ["dynamodb", "sqs", "secretsmanager"],
    "delivery": ["dynamodb", "sqs", "sns", "sesv2", "secretsmanager"],
    "escalation_check": ["dynamodb", "sqs"],
    "escalation": ["dynamodb", "sqs", "secretsmanager"],
    "operations": ["dynamodb", "sqs", "secretsmanager", "cognito-idp"],
}

# The adapters each function's first request builds (the runtime imports them on first use).
ADAPTERS = {
    "intake": ["aduan.aws.complaint_store", "aduan.aws.queues", "aduan.aws.reference_store"],
    "sms_intake": ["aduan.aws.complaint_store", "aduan.aws.queues", "aduan.aws.reference_store"],
    "routing": ["aduan.aws.complaint_store", "aduan.aws.queues", "aduan.aws.reference_store"],
    "delivery": [
        "aduan.aws.complaint_store",
        "aduan.aws.ledger",
        "aduan.aws.queues",
        "aduan.aws.channels",
        "aduan.aws.reference_store",
    ],
    "escalation_check": ["aduan.aws.due_index", "aduan.aws.queues"],
    "escalation": ["aduan.aws.complaint_store", "aduan.aws.queues", "aduan.aws.reference_store"],
    "operations": ["aduan.aws.complaint_store", "aduan.aws.queues", "aduan.aws.reference_store"],
}


FUNCTION = """
import sys, time
started = time.perf_counter()
sys.path.insert(0, {code!r})
import app  # the handler module: its imports and its composition root
import importlib
for adapter in {adapters!r}:  # the adapters its first request builds
    importlib.import_module(adapter)
from aduan.aws.clients import client
for service in {clients!r}:  # and their clients
    client(service)
print(time.perf_counter() - started)
"""

FLOOR = """
import time
started = time.perf_counter()
import boto3
session = boto3.session.Session()
for service in {clients!r}:
    session.client(service)
print(time.perf_counter() - started)
"""


# Where the time above the floor goes: each stage is timed after boto3 and the clients are loaded,
# in this order, and only when the function loads that module at all.
STAGES = {
    "pydantic": "import pydantic",
    "pydantic's schema machinery (first model)": (
        "import pydantic\nclass First(pydantic.BaseModel):\n    field: int = 0"
    ),
    "Aduan's models": "import aduan.domain.models",
    "Powertools Logger and Metrics": "import aduan.observability",
    "Powertools event handler": "import aws_lambda_powertools.event_handler",
}
STAGE_MODULES = {
    "pydantic": "pydantic",
    "pydantic's schema machinery (first model)": "pydantic",
    "Aduan's models": "aduan.domain.models",
    "Powertools Logger and Metrics": "aduan.observability",
    "Powertools event handler": "aws_lambda_powertools.event_handler",
}

BREAKDOWN = """
import importlib, json, sys, time
from aduan.aws.clients import client
for service in {clients!r}:  # the floor first: boto3 and the clients, as the function creates them
    client(service)
sys.path.insert(0, {code!r})
times = {{}}
for name, source in {stages!r}.items():
    started = time.perf_counter()
    exec(source, {{}})
    times[name] = (time.perf_counter() - started) * 1000
started = time.perf_counter()
import app
for adapter in {adapters!r}:
    importlib.import_module(adapter)
times["the rest: the handler, Aduan's code, adapters"] = (time.perf_counter() - started) * 1000
print(json.dumps(times))
"""

LOADED = """
import sys
sys.path.insert(0, {code!r})
import app
print(" ".join(sorted(set(sys.modules) & {modules!r})))
"""


def _output(source: str) -> str:
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", source],
        env={**OFFLINE_ENVIRONMENT, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()


def _run(source: str) -> float:
    return float(_output(source).splitlines()[-1])


def breakdown(runs: int) -> list[dict[str, Any]]:
    """Milliseconds above the floor by stage, per function (medians)."""
    rows = []
    for name, clients in CLIENTS.items():
        code = str(ROOT / "functions" / name)
        loaded = set(_output(LOADED.format(code=code, modules=set(STAGE_MODULES.values()))).split())
        stages = {stage: source for stage, source in STAGES.items() if STAGE_MODULES[stage] in loaded}
        source = BREAKDOWN.format(code=code, clients=clients, adapters=ADAPTERS[name], stages=stages)
        samples = [json.loads(_output(source).splitlines()[-1]) for _ in range(runs)]
        rows.append(
            {"function": name} | {key: statistics.median(s[key] for s in samples) for key in samples[0]}
        )
    return rows


def breakdown_table(rows: list[dict[str, Any]]) -> str:
    columns = [*STAGES, "the rest: the handler, Aduan's code, adapters"]
    lines = ["| function | " + " | ".join(columns) + " | sum |", "| --- |" + " ---: |" * (len(columns) + 1)]
    for row in rows:
        cells = [f"{row[column]:.0f} ms" if column in row else "-" for column in columns]
        total = sum(row.get(column, 0.0) for column in columns)
        lines.append(f"| {row['function']} | " + " | ".join(cells) + f" | {total:.0f} ms |")
    return "\n".join(lines)


def measure(runs: int) -> list[dict[str, float | str]]:
    rows = []
    for name, clients in CLIENTS.items():
        code = str(ROOT / "functions" / name)
        ours, floor = [], []
        for _ in range(runs):  # alternate, so that a noisy moment hits both alike
            ours.append(_run(FUNCTION.format(code=code, clients=clients, adapters=ADAPTERS[name])))
            floor.append(_run(FLOOR.format(clients=clients)))
        ours_median, floor_median = statistics.median(ours), statistics.median(floor)
        rows.append(
            {
                "function": name,
                "ours_ms": ours_median * 1000,
                "floor_ms": floor_median * 1000,
                "ratio": ours_median / floor_median,
            }
        )
    return rows


def table(rows: list[dict[str, float | str]], runs: int) -> str:
    lines = [
        f"| function | import + init (median of {runs}) | floor: boto3 + its clients | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['function']} | {row['ours_ms']:.0f} ms | {row['floor_ms']:.0f} ms | {row['ratio']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(table(measure(args.runs), args.runs))
    print()
    print(breakdown_table(breakdown(args.runs)))


if __name__ == "__main__":
    main()
