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

import attachments
import aws_calls
import cold_start
import escalation_reads
import message_cost
import throughput
import warm_latency

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
    first = cold_start.first_invocations()
    cold = cold_start.measure(runs, first)
    cold_parts = cold_start.breakdown(runs, first)
    rows = escalation_reads.run(sizes, due=1000)
    calls = aws_calls.measure(int(os.environ.get("BENCH_STORIES", "4")))
    complaints = int(os.environ.get("BENCH_COMPLAINTS", "120"))
    flow = [throughput.run(workers, complaints) for workers in (1, 2)]
    photos = attachments.measure(runs)
    messages = message_cost.measure()
    # Last: it empties the process's emulator state when it is done.
    warm = warm_latency.measure(
        int(os.environ.get("BENCH_WARM_SUBMISSIONS", "40")), int(os.environ.get("BENCH_WARM_BATCHES", "10"))
    )
    sections = [
        header(),
        "## Cold start\n\n"
        "What each function's first invocation created, read from the local stack's call ledger "
        "after one story (botocore's hook for each client class made, in the worker): the AWS "
        "clients with their configuration, and the Aduan modules it had loaded. The attachment "
        "function's is an upload: the citizen of the story adds a photo, served by a fresh worker "
        "(its first worker served S3's test event, which builds nothing).\n\n"
        + cold_start.clients_table(first)
        + "\n\nEach function's import and initialisation (its module, its composition root, the "
        "Aduan modules and the AWS clients above) in a fresh process, beside the floor: a process "
        "that only imports boto3 and creates the same clients with the same configuration as ours "
        "(timeouts and retries, and S3's signature version and addressing style; the endpoint from "
        "the same environment), checked equal. Medians, "
        "the two alternated in one run. The goal is a ratio of at most 1.15.\n\n"
        + cold_start.table(cold, runs)
        + "\n\nWhere the time above the floor goes (medians; each stage timed after boto3 and the "
        "clients are loaded, and only when the function loads it). The deadline check loads no "
        "model; every other function pays for pydantic and its schema "
        "machinery, which is most of the gap: docs/performance.md says what would remove it. The "
        "attachment function also loads Pillow at init (`aduan.domain.files`), so that its first "
        "file does not pay for it; pi-heif waits for the first HEIC (the next section).\n\n"
        + cold_start.breakdown_table(cold_parts)
        + "\n",
        "## Escalation read amplification\n\n"
        "The real deadline check (`find_due` over `DueIndexReader`) on a table of complaints in "
        "every state it meets, made by the use cases against the real store: due now, and the "
        "ones it must not read (due later, in routing's grace, their due steps taken, paused, "
        "closed, archived). Items read (DynamoDB's `ScannedCount`, summed over its queries of the "
        "8 shards of the sparse `DueIndex`) per complaint that is due, known from how each was made; "
        "a tenth of the table is due, at most 1,000. The goal is exactly 1, whatever the table's "
        "size, with exactly the due complaints queued. The last column is what a `Scan` would read "
        "per due complaint.\n\n" + escalation_reads.table(rows) + "\n",
        "## AWS calls per complaint\n\n"
        "The whole story of tests/e2e/test_operators.py (SMS report, assigned, acknowledged, "
        "information asked and given by SMS, responded, reopened, responded, rated, closed by the "
        "deadline check), counted from botocore's events in every function's workers and in the "
        "SQS pollers that stand in for Lambda's event source mappings, after one warm-up story; "
        f"per complaint over {calls['stories']} stories. First the deliveries the outbox received, "
        "beside what the story must send (`STORY` in `bench/aws_calls.py`: each step's notifications, "
        "template, recipient and channel, from DESIGN and the effects table). Then each call beside "
        "the minimum the design needs (`minimum()`, every number of it from `STORY`, none from "
        "this run) and why any count is above it.\n\n"
        + aws_calls.deliveries_table(calls)
        + "\n"
        + aws_calls.calls_table(calls)
        + "\n",
        "## Cost per million complaints\n\n"
        "From the counts above and the handlers' measured durations (on this machine, against the "
        "emulator: not arm64 on AWS), at the list prices of `bench/prices-ap-southeast-3.json` "
        "(see its notes: the Jakarta prices could not be confirmed here and are assumed equal to "
        "N. Virginia's). DynamoDB units are estimated from the sizes of the items written and "
        "read (plus one write per global secondary index a written item carries). Idle SQS polls "
        "and the deadline check's schedule are a cost per hour, not per complaint, and are left "
        "out; so are storage, logs and data transfer.\n\n" + aws_calls.cost_table(calls) + "\n",
        "## Messages and their cost over a complaint's story, by SMS and by WhatsApp\n\n"
        "One citizen by SMS and one by WhatsApp tell the same story in one run (`bench/story.py`: "
        "report, assigned, information asked and given, responded, reopened, responded again, rated, "
        "closed by the deadline check), with a day between the citizen's last message and each "
        "operator's step (the WhatsApp window moved back 25 hours, never a sleep). What the outbox "
        "received for each, priced with the prices file: SMS by the message, WhatsApp free inside "
        "the 24-hour window and by the utility template outside it (`bench/message_cost.py`).\n\n"
        + message_cost.table(messages)
        + "\n",
        "## Throughput of the local stack\n\n"
        f"{complaints} complaints posted by {throughput.CLIENTS} concurrent clients after a warm-up; "
        "accepted: every POST /complaints answered 201; routed and notified: every citizen has both "
        "SMS (the receipt and 'assigned'). CPU from /proc per worker process, and the emulator's "
        "own share of the stack's process from its request timing.\n\n" + throughput.table(flow) + "\n",
        "## Time per photo\n\n"
        "The attachment worker's check (`aduan.domain.files.examine`: the type from the bytes, the "
        "pixel bound, a full decode, upright, at most 2048 px, sRGB, re-encoded with no metadata, a "
        "320 px thumbnail) of photos made with Pillow in the run, beside the floor: Pillow's own "
        "decode, resize and save of the same file, with the same decoder settings, resampling, "
        "format, quality and thumbnail and no checks (`bench/attachments.py`, `reencode`), what any "
        "re-encoder must pay. Before anything is timed, what the two made is compared (the same "
        "type, pixels and mode stored, the same thumbnail, no metadata in either), or the run stops. "
        f"CPU time of the process (the wall clock here also counts other processes' turns), medians "
        f"of {runs} rounds in this process, the two alternated; the ratio is the median of each "
        "round's. Then each side's peak "
        "resident memory, in a fresh process a run (the largest of them), beside the memory the "
        "template gives the function; and the worker's whole path for the 5 MB JPEG "
        "(`process_upload` on the real store and bucket against the emulator in this process), "
        "alternated with `examine` alone on the same bytes.\n\n" + attachments.tables(photos) + "\n",
        "## Warm latency\n\n"
        "The intake handler on a new web complaint (POST /complaints, payload 2.0) and the routing "
        "handler on an SQS batch of ten submitted complaints, called in this process after warm-up, "
        "beside the floor: the AWS calls that handler makes (recorded from botocore), made again by "
        "bare boto3 clients configured as ours (timeouts, retries), with fresh tracking IDs. Both "
        "over HTTP to the same in-process emulator, "
        "alternated round by round; the ratio is of the medians. Then one profiled run of each, self "
        "time by the code it was spent in: the extra column is where our code's time goes.\n\n"
        + warm_latency.table(warm)
        + "\n\n"
        + warm_latency.profile_table(warm)
        + "\n",
    ]
    RESULTS.write_text("\n".join(sections))
    print(RESULTS.read_text())
    wrong = (
        escalation_reads.failures(rows)
        + aws_calls.mismatches(calls)
        + attachments.failures(photos)
        + message_cost.failures(messages)
    )
    if wrong:
        raise SystemExit("\n".join(wrong))


if __name__ == "__main__":
    main()
