"""Cold start: a function's import and initialisation in a fresh process, beside its floor.

What a cold start makes is not written here by hand: it is read from a real first invocation.
`first_invocations()` starts the local stack (the real template, seeded) and runs one story
(bench/story.py), so that each function's first worker imports its handler and serves its first
event; the stack's call ledger records, from botocore's own hook for each client class made
(`aduan_local.calls`), every AWS client the worker created by the end of that first invocation,
with its configuration (endpoint, timeouts, retries), and the Aduan modules loaded by then. The
attachment function's first event is S3's test event (sent when the bucket's notification is set
up), which builds nothing; its workers are then stopped and the story's citizen uploads a photo, so
that a fresh worker's first invocation is the one every later cold start serves: an upload.

Then, in fresh processes with no AWS behind them, alternated:
- ours: import the handler module, import the Aduan modules its first invocation had loaded (the
  adapters its first request builds, which the runtime imports on first use), and create the same
  clients as the runtime creates them (`aduan.aws.clients.client`, and `s3_client` for S3); each
  client made is checked against the one the first invocation made (service and configuration),
  so the reproduction is the real cold start;
- the floor: import boto3 and create the same clients, each with the same configuration as ours
  (`Config` with the same connect and read timeouts and retries, and S3's signature version and
  addressing style; the endpoint from the same environment), checked equal to ours: what no
  Python Lambda with these clients can avoid.

    python bench/cold_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from aduan_local.template import (
    OFFLINE_ENVIRONMENT,
    load_template,
    merged_function_properties,
    resources_of_type,
)

ROOT = Path(__file__).resolve().parents[1]
CONFIGURATION = ("connect_timeout", "read_timeout", "retries")  # of a client, as the ledger records it
# And what the evidence bucket's client sets besides (SigV4; path style on loopback, else virtual):
# the ledger does not record it, so the floor takes it from ours. Other clients set neither.
S3_CONFIGURATION = ("signature_version", "s3")
# How the runtime makes each client (`aduan.doors.runtime`): S3's has its own configuration.
MAKE_CLIENT = """
from aduan.aws.clients import client, s3_client
def make(service):
    return s3_client() if service == "s3" else client(service)
"""

DESCRIBE = """
def describe(client):
    config = client.meta.config
    return {{
        "service": client.meta.service_model.service_name,
        "endpoint_url": client.meta.endpoint_url,
        "connect_timeout": config.connect_timeout,
        "read_timeout": config.read_timeout,
        "retries": config.retries,
        "signature_version": config.signature_version,
        "s3": config.s3,
    }}
"""  # a template, like the two below: its braces doubled

FUNCTION = (
    """
import sys, time
started = time.perf_counter()
sys.path.insert(0, {code!r})
import app  # the handler module: its imports and its composition root
import importlib
for module in {modules!r}:  # what its first invocation had loaded: the adapters its request built
    importlib.import_module(module)"""
    + MAKE_CLIENT  # no braces in it: the format below leaves it as it is
    + """
made = [make(service) for service in {services!r}]  # and the clients it created
took = time.perf_counter() - started
import json"""
    + DESCRIBE
    + """
print(json.dumps({{"seconds": took, "clients": [describe(c) for c in made]}}))
"""
)

FLOOR = (
    """
import time
started = time.perf_counter()
import boto3
from botocore.config import Config
made = [
    boto3.client(c["service"], config=Config(**{{k: c[k] for k in {configuration!r} if k in c}}))
    for c in {clients!r}
]
took = time.perf_counter() - started
import json"""
    + DESCRIBE
    + """
print(json.dumps({{"seconds": took, "clients": [describe(c) for c in made]}}))
"""
)


def first_invocations() -> dict[str, dict[str, Any]]:
    """Per function (its code directory's name): the clients its first invocation created, each
    with its configuration, and the Aduan modules loaded by then; from the local stack's ledger."""
    import attachments
    import story

    from aduan_local.client import free_port
    from aduan_local.seed import default_seeders
    from aduan_local.stack import LocalStack, StackOptions

    logging.getLogger("aduan_local").setLevel(logging.WARNING)
    options = StackOptions(port=free_port(), timers=False, seeders=default_seeders(), stack_name="cold-start")
    with LocalStack(options) as stack:
        (citizen,) = story.run_stories(stack, 1, first_phone=9500)
        # The attachment function's first worker served S3's test event, which builds nothing: once
        # it has, a fresh worker serves the upload.
        story.eventually(lambda: stack.calls.snapshot()["functions"].get("AttachmentFunction"))
        stack.pools["AttachmentFunction"].kill_workers("a cold start for an upload")
        citizen.add_photo(attachments.make(attachments.Spec("a photo", "image/jpeg", (1600, 1200), 90)).body)
        # The WhatsApp webhook and worker: a citizen's report by WhatsApp, once its receipt is out.
        story.WhatsAppStory(stack, "+6281200009601", stack.token(story.OPERATOR)["token"]).report()
        counts = story.quiet(stack)
    template = load_template()
    code = {
        logical_id: Path(str(merged_function_properties(template, resource)["CodeUri"])).name
        for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items()
    }
    missing = sorted(set(code) - set(counts["functions"]))
    if missing:
        raise SystemExit(f"the story never invoked {missing}: no first invocation to read")
    return {code[name]: entry["cold_start"] for name, entry in sorted(counts["functions"].items())}


def _configuration(client: dict[str, Any]) -> dict[str, Any]:
    return {key: client[key] for key in ("service", *CONFIGURATION)}


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
    # What aduan.domain.files imports: the attachment function loads it at init. pi-heif is
    # not here: it is loaded by a worker's first HEIC (bench/attachments.py times it).
    "Pillow (Image, ImageOps, ImageCms)": "from PIL import Image, ImageCms, ImageOps",
}
STAGE_MODULES = {
    "pydantic": "pydantic",
    "pydantic's schema machinery (first model)": "pydantic",
    "Aduan's models": "aduan.domain.models",
    "Powertools Logger and Metrics": "aduan.observability",
    "Powertools event handler": "aws_lambda_powertools.event_handler",
    "Pillow (Image, ImageOps, ImageCms)": "PIL.Image",
}

BREAKDOWN = (
    """
import importlib, json, sys, time"""
    + MAKE_CLIENT
    + """
for service in {services!r}:  # the floor first: boto3 and the clients, as the function creates them
    make(service)
sys.path.insert(0, {code!r})
times = {{}}
for name, source in {stages!r}.items():
    started = time.perf_counter()
    exec(source, {{}})
    times[name] = (time.perf_counter() - started) * 1000
started = time.perf_counter()
import app
for module in {modules!r}:
    importlib.import_module(module)
times["the rest: the handler, Aduan's code, adapters"] = (time.perf_counter() - started) * 1000
print(json.dumps(times))
"""
)

LOADED = """
import importlib, sys
sys.path.insert(0, {code!r})
import app
for module in {first!r}:
    importlib.import_module(module)
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


def _run(source: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(_output(source).splitlines()[-1])
    return answer


def breakdown(runs: int, first: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Milliseconds above the floor by stage, per function (medians)."""
    rows = []
    for name, made in first.items():
        code = str(ROOT / "functions" / name)
        services = [client["service"] for client in made["clients"]]
        wanted = set(STAGE_MODULES.values())
        loaded = set(_output(LOADED.format(code=code, first=made["modules"], modules=wanted)).split())
        stages = {stage: source for stage, source in STAGES.items() if STAGE_MODULES[stage] in loaded}
        source = BREAKDOWN.format(code=code, services=services, modules=made["modules"], stages=stages)
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


def measure(runs: int, first: dict[str, dict[str, Any]]) -> list[dict[str, float | str]]:
    rows = []
    for name, made in first.items():
        code = str(ROOT / "functions" / name)
        services = [client["service"] for client in made["clients"]]
        ours_source = FUNCTION.format(code=code, modules=made["modules"], services=services)
        floor_source = FLOOR.format(
            clients=floor_clients(made["clients"], _run(ours_source)["clients"]),  # a warm-up of ours
            configuration=CONFIGURATION + S3_CONFIGURATION,
        )
        ours, floor = [], []
        for _ in range(runs):  # alternate, so that a noisy moment hits both alike
            ours.append(_run(ours_source))
            floor.append(_run(floor_source))
        _check_like_with_like(name, made["clients"], ours[0]["clients"], floor[0]["clients"])
        ours_median = statistics.median(run["seconds"] for run in ours)
        floor_median = statistics.median(run["seconds"] for run in floor)
        rows.append(
            {
                "function": name,
                "ours_ms": ours_median * 1000,
                "floor_ms": floor_median * 1000,
                "ratio": ours_median / floor_median,
            }
        )
    return rows


def floor_clients(first: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The clients the floor makes: the first invocation's, with the S3 settings ours set (the
    ledger does not record them; a client that sets none gets boto3's defaults, as ours does)."""
    extras = {
        client["service"]: {key: client[key] for key in S3_CONFIGURATION if client.get(key) is not None}
        for client in ours
        if client["service"] == "s3"
    }
    return [client | extras.get(client["service"], {}) for client in first]


def _check_like_with_like(
    name: str, first: list[dict[str, Any]], ours: list[dict[str, Any]], floor: list[dict[str, Any]]
) -> None:
    """Ours made the clients the first invocation made, configured as it did; the floor's are
    ours, endpoint included (both resolve it from the same environment)."""
    if [_configuration(c) for c in ours] != [_configuration(c) for c in first]:
        raise SystemExit(f"{name}: the cold start made {ours}, its first invocation {first}")
    if floor != ours:
        raise SystemExit(f"{name}: the floor's clients {floor} are not ours {ours}")


def clients_table(first: dict[str, dict[str, Any]]) -> str:
    """What each function's first invocation created, as the ledger recorded it."""
    lines = [
        "| function | clients its first invocation created | their configuration | Aduan modules loaded |",
        "| --- | --- | --- | ---: |",
    ]
    for name, made in first.items():
        services = ", ".join(client["service"] for client in made["clients"])
        configurations = {
            json.dumps({k: c[k] for k in CONFIGURATION}, sort_keys=True) for c in made["clients"]
        }
        lines.append(
            f"| {name} | {services} | {'; '.join(sorted(configurations))} | {len(made['modules'])} |"
        )
    return "\n".join(lines)


def table(rows: list[dict[str, float | str]], runs: int) -> str:
    lines = [
        f"| function | import + init (median of {runs}) "
        "| floor: boto3 + the same clients, configured as ours | ratio |",
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
    first = first_invocations()
    print(clients_table(first))
    print()
    print(table(measure(args.runs, first), args.runs))
    print()
    print(breakdown_table(breakdown(args.runs, first)))


if __name__ == "__main__":
    main()
