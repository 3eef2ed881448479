"""`make bench`: run the benchmarks and write bench/RESULTS.md (date, machine, Python, commit,
then a table per figure). Figures are DynamoDB's own counts, or medians of several runs beside
their floor measured in the same run: this machine is shared and noisy."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import cold_start
import escalation_reads

RESULTS = Path(__file__).parent / "RESULTS.md"


def header() -> str:
    git = shutil.which("git") or "git"
    commit = subprocess.run(  # noqa: S603 - git, with fixed arguments
        [git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        "# Benchmark results\n\n"
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}\n"
        f"- Python: {platform.python_version()}\n"
        f"- commit: {commit}\n"
        "- command: `make bench`\n"
    )


def main() -> None:
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,10000,100000,1000000").split(",")]
    runs = int(os.environ.get("BENCH_RUNS", "7"))
    cold = cold_start.measure(runs)
    rows = escalation_reads.run(sizes, due=1000)
    sections = [
        header(),
        "## Cold start\n\n"
        "Each function's import and initialisation (its module, its composition root and the AWS "
        "clients its first request creates) in a fresh process, beside the floor: a process that "
        "only imports boto3 and creates the same clients. Medians, the two alternated in one run. "
        "The goal is a ratio of at most 1.15.\n\n" + cold_start.table(cold, runs) + "\n",
        "## Escalation read amplification\n\n"
        "Items the deadline check reads (DynamoDB's `ScannedCount`, summed over its queries of the "
        "8 shards of the sparse `DueIndex`) per due complaint, with 1,000 due at every table size. "
        "The goal is at most 1.1, independent of the table's size. The last column is the floor a "
        "check without the index would pay: a `Scan` reads every complaint.\n\n"
        + escalation_reads.table(rows)
        + "\n",
    ]
    RESULTS.write_text("\n".join(sections))
    print(RESULTS.read_text())
    if any(row["amplification"] > 1.1 for row in rows):
        raise SystemExit("read amplification above 1.1")


if __name__ == "__main__":
    main()
