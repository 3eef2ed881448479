"""Escalation read amplification: items the deadline check reads per complaint that is due.

The table holds complaints in every state the deadline check meets, each made by Aduan's own use
cases (intake, routing, the operators' and coordinators' actions, the escalation worker) against
the real store in moto server (the table built from template.yaml), so each carries the due-index
attributes exactly as the store writes them: due now (a step's time has passed), due later (routed
an hour ago; or still in routing's grace), its due steps already taken (the next one is tomorrow),
paused (waiting on the citizen), closed (the reply window ran out) and archived. One of each is made
so; the rest of the table is copies of those items under fresh tracking IDs (the use cases' writes
are transactions, which moto makes slow at a million items). Then the real deadline check runs
(`aduan.escalation_check.find_due` over `aduan.aws.due_index.DueIndexReader`) and DynamoDB's own
counts of its queries are summed (ScannedCount: the items a Query read, before any filter).
The copies are written straight into the emulator's table (`load`), the check reads through boto3.

Read amplification is items read over the items that are due (known from how they were made, not
from what the check returned), so a check that reads a single item that is not due shows above 1.
The check must also queue exactly the due complaints. Beside it, what a Scan would read per due item.

    python bench/escalation_reads.py [--sizes 1000,10000,100000] [--due 1000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from aduan.aws.complaint_store import COMPLAINT_SK, DynamoComplaintStore, complaint_pk
from aduan.aws.due_index import DEFAULT_SHARDS, DueIndexReader, due_shard
from aduan.domain.models import Actor, Channel, Role, Status
from aduan.domain.reference import ReferenceData, load_seed
from aduan.domain.tracking import access_code_key, new_tracking_id
from aduan.escalation import escalate
from aduan.escalation_check import find_due
from aduan.intake import ComplaintInput, submit_complaint
from aduan.operations import ActionRequest, act
from aduan.routing import route_complaint
from aduan_local.client import example_report, free_port
from aduan_local.template import create_table, load_template

NOW = datetime(2026, 3, 24, 17, 0, tzinfo=UTC)  # Wednesday 00:00 WIB
AGENCY = "kab-tangerang.disdukcapil"  # where the example report (KTP, Cikupa) is routed
OPERATOR = Actor(role=Role.OPERATOR, agency_id=AGENCY, user_id="op.disdukcapil")
COORDINATOR = Actor(role=Role.COORDINATOR, agency_id="kab-tangerang", user_id="coord.kab-tangerang")
SECRET = b"bench-reporter-key"


class Collected:
    """A queue that keeps what it is given (the notification, routing and escalation queues)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any], *, delay_seconds: int = 0) -> None:
        self.messages.append(message)

    def send_batch(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.messages.extend(messages)
        return []


@dataclass
class World:
    """The real store on a table, the seed's reference data, and queues that keep their messages."""

    store: DynamoComplaintStore
    reference: ReferenceData
    queue: Collected = field(default_factory=Collected)

    def report(self, at: datetime) -> str:
        body = ComplaintInput.model_validate(example_report(), context={"now": at})
        receipt = submit_complaint(
            body,
            channel=Channel.WEB,
            now=at,
            reference=self.reference,
            complaints=self.store,
            routing=self.queue,
            notifications=self.queue,
            access_key=access_code_key(SECRET),
        )
        return receipt.tracking_id

    def routed(self, at: datetime) -> str:
        tracking_id = self.report(at)
        routed = route_complaint(
            tracking_id, complaints=self.store, reference=self.reference, notifications=self.queue, now=at
        )
        assert routed.outcome == "assigned", routed
        return tracking_id

    def act(self, tracking_id: str, actor: Actor, at: datetime, **request: Any) -> None:
        act(
            tracking_id,
            ActionRequest(**request),
            actor,
            complaints=self.store,
            reference=self.reference,
            notifications=self.queue,
            now=at,
        )

    def escalate(self, tracking_id: str, at: datetime) -> list[str]:
        return escalate(
            tracking_id,
            at,
            complaints=self.store,
            reference=self.reference,
            notifications=self.queue,
            routing=self.queue,
        ).steps


def _due(world: World) -> str:
    """Routed ten days ago: its warning and level 1 are due (the agency never answered)."""
    return world.routed(NOW - timedelta(days=10))


def _due_later(world: World) -> str:
    """Routed an hour ago: its first step, the warning, is days away."""
    return world.routed(NOW - timedelta(hours=1))


def _in_routing_grace(world: World) -> str:
    """Submitted a minute ago and not routed yet: the sweeper looks at it once the grace is over."""
    return world.report(NOW - timedelta(minutes=1))


def _steps_taken(world: World) -> str:
    """Due as `_due` was, and the escalation worker took the steps: level 2 is the next, tomorrow."""
    tracking_id = world.routed(NOW - timedelta(days=10))
    assert world.escalate(tracking_id, NOW) == ["warning", "level_1"]
    return tracking_id


def _paused(world: World) -> str:
    """Routed ten days ago, then the agency asked the citizen: waiting, its clock paused."""
    at = NOW - timedelta(days=10)
    tracking_id = world.routed(at)
    world.act(tracking_id, OPERATOR, at + timedelta(hours=1), action="acknowledge")
    world.act(
        tracking_id,
        OPERATOR,
        at + timedelta(hours=2),
        action="request_info",
        text="Mohon kirim nomor registrasi.",
    )
    return tracking_id


def _closed(world: World) -> str:
    """Answered nineteen days ago; the reply window ran out and the worker closed it."""
    at = NOW - timedelta(days=20)
    tracking_id = world.routed(at)
    world.act(tracking_id, OPERATOR, at + timedelta(hours=1), action="acknowledge")
    world.act(tracking_id, OPERATOR, at + timedelta(days=1), action="respond", text="KTP sudah dicetak.")
    assert world.escalate(tracking_id, NOW) == ["auto_close"]
    return tracking_id


def _archived(world: World) -> str:
    """Routed ten days ago and archived by the region's coordinator the next day."""
    at = NOW - timedelta(days=10)
    tracking_id = world.routed(at)
    world.act(tracking_id, COORDINATOR, at + timedelta(days=1), action="archive", reason="duplicate")
    return tracking_id


# Every state the check meets, how it is made, its status, and whether a check at NOW must read it.
KINDS: dict[str, tuple[Callable[[World], str], Status, bool]] = {
    "due": (_due, Status.ASSIGNED, True),
    "due later": (_due_later, Status.ASSIGNED, False),
    "in routing's grace": (_in_routing_grace, Status.SUBMITTED, False),
    "due steps taken": (_steps_taken, Status.ASSIGNED, False),
    "paused": (_paused, Status.WAITING_ON_CITIZEN, False),
    "closed": (_closed, Status.CLOSED, False),
    "archived": (_archived, Status.ARCHIVED, False),
}


@dataclass(frozen=True)
class Loaded:
    """What a table holds: complaints by kind, the tracking IDs due at NOW, and each kind's
    complaint item as the store wrote it."""

    counts: dict[str, int]
    due: frozenset[str]
    exemplars: dict[str, dict[str, Any]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def exemplars(dynamodb: Any, table: str, reference: ReferenceData) -> dict[str, dict[str, Any]]:
    """One complaint of each kind, made by the use cases; its complaint item as the store wrote it."""
    world = World(DynamoComplaintStore(dynamodb, table, reporter_secret=SECRET), reference)
    made = {}
    for kind, (make, status, _due_now) in KINDS.items():
        tracking_id = make(world)
        item = dynamodb.get_item(
            TableName=table,
            Key={"pk": {"S": complaint_pk(tracking_id)}, "sk": {"S": COMPLAINT_SK}},
            ConsistentRead=True,
        )["Item"]
        assert item["status"]["S"] == status.value, (kind, item["status"])
        made[kind] = item
    return made


def copy_of(item: dict[str, Any], tracking_id: str) -> dict[str, Any]:
    """The same complaint item under another tracking ID (its due shard follows the ID)."""
    copied = dict(item) | {"pk": {"S": complaint_pk(tracking_id)}, "tracking_id": {"S": tracking_id}}
    if "due_shard" in item:
        copied["due_shard"] = {"S": due_shard(tracking_id, DEFAULT_SHARDS)}
    return copied


def mix(total: int, due: int) -> dict[str, int]:
    """`due` complaints due now; the rest of `total` shared alike by the kinds that are not."""
    others = [kind for kind, (_make, _status, due_now) in KINDS.items() if not due_now]
    rest = max(total - due, len(others))
    counts = {
        kind: rest // len(others) + (1 if n < rest % len(others) else 0) for n, kind in enumerate(others)
    }
    return {"due": max(due, 1)} | counts


def load(dynamodb: Any, table: str, total: int, due: int, reference: ReferenceData | None = None) -> Loaded:
    """`total` complaints of every kind, `due` of them due at NOW; the kinds' exemplars included.

    The exemplars go through the use cases and the real store; their copies go straight into the
    emulator's table through moto's own `put_item` (which keeps the indexes as a write through the
    API does): a million writes over HTTP would take most of an hour, and they are set-up, not what
    is measured. The check itself reads through boto3."""
    made = exemplars(dynamodb, table, reference or load_seed_once())
    counts = mix(total, due)
    due_ids = {made["due"]["tracking_id"]["S"]}
    backend = _backend(dynamodb)
    for kind, count in counts.items():
        for _ in range(count - 1):  # the exemplar is the first
            tracking_id = new_tracking_id()
            backend.put_item(table, copy_of(made[kind], tracking_id))
            if KINDS[kind][2]:
                due_ids.add(tracking_id)
    return Loaded(counts, frozenset(due_ids), made)


def _backend(dynamodb: Any) -> Any:
    """moto's DynamoDB in this process, for the region the client talks to (the emulator runs here)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][dynamodb.meta.region_name]


_SEED: list[ReferenceData] = []


def load_seed_once() -> ReferenceData:
    from aduan_admin.cli import DEFAULT_SEED_DIR

    if not _SEED:
        _SEED.append(load_seed(DEFAULT_SEED_DIR))
    return _SEED[0]


@dataclass(frozen=True)
class Reads:
    """The check's queries as DynamoDB counted them, and the tracking IDs it queued."""

    read: int  # ScannedCount: items the queries read
    returned: int  # Count: items they returned
    requests: int
    queued: frozenset[str]

    def amplification(self, due: int) -> float:
        return self.read / max(due, 1)


def check_reads(
    dynamodb: Any, table: str, reader: Callable[[Any, str], Any] = DueIndexReader, now: datetime = NOW
) -> Reads:
    """Run the deadline check (`find_due`) over `reader` (the real DueIndexReader unless a test
    gives another) and sum what DynamoDB reports for each of its Query pages."""
    counted = {"read": 0, "returned": 0, "requests": 0}

    def count(parsed: dict[str, Any], **_: Any) -> None:
        counted["read"] += parsed.get("ScannedCount", 0)
        counted["returned"] += parsed.get("Count", 0)
        counted["requests"] += 1

    queue = Collected()
    dynamodb.meta.events.register("after-call.dynamodb.Query", count)
    try:
        queued, finished = find_due(reader(dynamodb, table), queue, now, time_left=lambda: 900.0)
    finally:
        dynamodb.meta.events.unregister("after-call.dynamodb.Query", count)
    assert finished, "the check stopped early: it had 900 s"
    assert queued == len(queue.messages)
    return Reads(
        counted["read"],
        counted["returned"],
        counted["requests"],
        frozenset(message["tracking_id"] for message in queue.messages),
    )


def run(sizes: list[int], due: int) -> list[dict[str, Any]]:
    """One table per size; `due` of each are due (at most a tenth of it, so that most must not be read)."""
    import logging

    from aduan_local.stack import emulator

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's access log
    port = free_port()
    server = emulator("127.0.0.1", port)
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="ap-southeast-3",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",  # noqa: S106 - the emulator's dummy credentials
    )
    properties = load_template()["Resources"]["ComplaintsTable"]["Properties"]
    rows = []
    try:
        for size in sizes:
            table = f"bench-{size}"
            create_table(dynamodb, properties, table)
            started = time.perf_counter()
            loaded = load(dynamodb, table, size, min(due, max(size // 10, 1)))
            load_seconds = time.perf_counter() - started
            started = time.perf_counter()
            reads = check_reads(dynamodb, table)
            rows.append(
                {
                    "complaints": loaded.total,
                    "due": len(loaded.due),
                    "not_due": loaded.total - len(loaded.due),
                    "read": reads.read,
                    "returned": reads.returned,
                    "requests": reads.requests,
                    "queued_exactly_the_due": reads.queued == loaded.due,
                    "amplification": reads.amplification(len(loaded.due)),
                    "scan_floor": loaded.total / len(loaded.due),
                    "check_seconds": time.perf_counter() - started,
                    "load_seconds": load_seconds,
                }
            )
            dynamodb.delete_table(TableName=table)
    finally:
        server.stop()
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    kinds = ", ".join(kind for kind, (_make, _status, due_now) in KINDS.items() if not due_now)
    lines = [
        f"| complaints | due | not due ({kinds}) | items read by the check | requests "
        "| queued exactly the due | read amplification | a Scan would read per due item |",
        "| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['complaints']:,} | {row['due']:,} | {row['not_due']:,} | {row['read']:,} | "
            f"{row['requests']} | {'yes' if row['queued_exactly_the_due'] else '**no**'} | "
            f"{row['amplification']:.3f} | {row['scan_floor']:.0f} |"
        )
    return "\n".join(lines)


def failures(rows: list[dict[str, Any]]) -> list[str]:
    """What a run must not show: an item read that was not due, or a due complaint not queued."""
    return [
        f"{row['complaints']:,} complaints: amplification {row['amplification']:.3f}, "
        f"queued exactly the due: {row['queued_exactly_the_due']}"
        for row in rows
        if row["amplification"] != 1.0 or not row["queued_exactly_the_due"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--due", type=int, default=1000)
    args = parser.parse_args()
    rows = run([int(size) for size in args.sizes.split(",")], args.due)
    print(table(rows))
    if failures(rows):
        raise SystemExit("\n".join(failures(rows)))


if __name__ == "__main__":
    main()
