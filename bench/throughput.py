"""Throughput of the local stack: complaints a second accepted (201 from POST /complaints) and
fully routed and notified (the citizen has both SMS: the receipt and "assigned"), with 1 and 2
warm workers per function, and where the CPU went, to name the bottleneck.

CPU is read per process from /proc (each function's workers) and, inside the stack's own process
(moto server, the gateway, the SQS pollers and this load generator share one interpreter), the
emulator's own share from its request timing. Each run is bounded: COMPLAINTS complaints.

    python bench/throughput.py [--complaints 120] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from aduan_local.client import free_port
from aduan_local.seed import default_seeders
from aduan_local.stack import LocalStack, StackOptions

CLIENTS = 8  # concurrent citizens posting
TICKS = os.sysconf("SC_CLK_TCK")


def _report(phone: str) -> dict[str, Any]:
    return {
        "title": "Jalan rusak di depan pasar",
        "description": "Jalan berlubang besar di depan pasar Cikupa, sudah dua bulan tidak diperbaiki.",
        "classification": "complaint",
        "category": "kependudukan",
        "location": {"region_code": "36.03", "address": "Jl. Raya Cikupa"},
        "incident_date": "2026-01-15",
        "reporter": {"name": "Warga", "phone": phone},
        "privacy": "public",
        "language": "id",
    }


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _cpu(stack: LocalStack) -> dict[str, float]:
    seconds = {name: sum(_cpu_of(pid) for pid in pool.pids()) for name, pool in stack.pools.items()}
    seconds["stack process"] = sum(os.times()[:2])
    seconds["emulator (in the stack process)"] = stack.moto.busy["cpu"]
    seconds["DynamoDB lock held (wall)"] = stack.moto.busy["dynamodb_lock"]
    return seconds


def _notified(stack: LocalStack, phones: set[str]) -> int:
    texts: dict[str, set[str]] = {}
    for message in stack.outbox()["sms"]:
        if message["to"] in phones:
            kinds = texts.setdefault(message["to"], set())
            kinds.update(kind for kind in ("diterima", "diteruskan ke") if kind in message["body"])
    return sum(1 for kinds in texts.values() if len(kinds) == 2)


def run(workers: int, complaints: int) -> dict[str, Any]:
    logging.getLogger("aduan_local").setLevel(logging.WARNING)
    options = StackOptions(
        port=free_port(),
        timers=False,
        seeders=default_seeders(),
        workers=workers,
        stack_name=f"throughput-{workers}",
    )
    with LocalStack(options) as stack, requests.Session() as session:

        def submit(phone: str) -> None:
            response = session.post(f"{stack.url}/complaints", json=_report(phone), timeout=60)
            response.raise_for_status()

        warm = {f"+628130{workers}{n:05d}" for n in range(CLIENTS * workers)}  # every worker warm
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(submit, warm))
        while _notified(stack, warm) < len(warm):
            time.sleep(0.2)
        phones = [f"+628131{workers}{n:05d}" for n in range(complaints)]
        before = _cpu(stack)
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(submit, phones))
        accepted = time.perf_counter() - started
        deadline = started + 300
        while _notified(stack, set(phones)) < complaints:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{workers} worker(s): not every citizen was notified in 300 s")
            time.sleep(0.1)
        done = time.perf_counter() - started
        after = _cpu(stack)
    cpu = {name: after[name] - before.get(name, 0.0) for name in after}
    return {"workers": workers, "complaints": complaints, "accepted_s": accepted, "done_s": done, "cpu": cpu}


def bottleneck(result: dict[str, Any]) -> str:
    """The component that used the most CPU over the run, and how busy the DynamoDB lock was."""
    cpu, wall = result["cpu"], result["done_s"]
    emulator = cpu["emulator (in the stack process)"]
    components = {
        "moto server (the emulator)": emulator,
        "gateway, pollers and load (the stack process less moto)": cpu["stack process"] - emulator,
    } | {name: seconds for name, seconds in cpu.items() if name.endswith("Function")}
    top = max(components, key=lambda name: components[name])
    return (
        f"{top}: {components[top] / wall:.0%} of a core; the emulator's DynamoDB lock held "
        f"{cpu['DynamoDB lock held (wall)'] / wall:.0%} of the run"
    )


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| workers per function | complaints | accepted / s | routed and notified / s | bottleneck |",
        "| ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        rows.append(
            f"| {r['workers']} | {r['complaints']} | {r['complaints'] / r['accepted_s']:.1f} | "
            f"{r['complaints'] / r['done_s']:.1f} | {bottleneck(r)} |"
        )
    rows += ["", "CPU seconds over the run (wall seconds for the lock):", ""]
    names = sorted(results[0]["cpu"])
    rows.append("| | " + " | ".join(f"{r['workers']} worker(s)" for r in results) + " |")
    rows.append("| --- |" + " ---: |" * len(results))
    rows.append(
        "| wall, until the last citizen was notified | "
        + " | ".join(f"{r['done_s']:.1f}" for r in results)
        + " |"
    )
    for name in names:
        rows.append(f"| {name} | " + " | ".join(f"{r['cpu'].get(name, 0):.1f}" for r in results) + " |")
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=120)
    parser.add_argument("--workers", default="1,2")
    arguments = parser.parse_args()
    results = [run(int(w), arguments.complaints) for w in arguments.workers.split(",")]
    print(table(results))


if __name__ == "__main__":
    main()
