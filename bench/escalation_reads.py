"""Escalation read amplification: items the deadline check reads per due complaint.

Loads N complaints with running clocks into the real table (built from template.yaml, in moto
server), of which DUE have a step due now, runs the check's queries (one per shard of the sparse
DueIndex) and reports DynamoDB's own counts (ScannedCount) against the due items, at several table
sizes; beside it, the floor a check without the index would pay (a Scan reads every item).

    python bench/escalation_reads.py [--sizes 1000,10000,100000] [--due 1000]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from aduan.aws.due_index import DEFAULT_SHARDS, DUE_INDEX, due_shard
from aduan.domain.workdays import iso
from aduan_local.client import free_port
from aduan_local.template import create_table, load_template

NOW = datetime(2026, 3, 24, 17, 0, tzinfo=UTC)


def load(dynamodb: Any, table: str, total: int, due: int) -> None:
    """`total` complaints with a clock; `due` of them due before NOW, the rest later."""
    items = []
    for n in range(total):
        tracking_id = f"B{n:09d}"
        when = NOW - timedelta(minutes=1 + n % 60) if n < due else NOW + timedelta(hours=1 + n % 500)
        items.append(
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": f"C#{tracking_id}"},
                        "sk": {"S": "#COMPLAINT"},
                        "tracking_id": {"S": tracking_id},
                        "status": {"S": "assigned"},
                        "due_shard": {"S": due_shard(tracking_id, DEFAULT_SHARDS)},
                        "next_due_at": {"S": iso(when)},
                    }
                }
            }
        )
    for start in range(0, len(items), 25):
        pending = {table: items[start : start + 25]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def check_reads(dynamodb: Any, table: str) -> tuple[int, int, int]:
    """(items read, items returned, requests) of the check's queries, as DynamoDB counts them."""
    scanned = returned = requests = 0
    paginator = dynamodb.get_paginator("query")
    for shard in range(DEFAULT_SHARDS):
        for page in paginator.paginate(
            TableName=table,
            IndexName=DUE_INDEX,
            KeyConditionExpression="due_shard = :shard AND next_due_at <= :now",
            ExpressionAttributeValues={":shard": {"S": f"DUE#{shard}"}, ":now": {"S": iso(NOW)}},
        ):
            scanned += page["ScannedCount"]
            returned += page["Count"]
            requests += 1
    return scanned, returned, requests


def run(sizes: list[int], due: int) -> list[dict[str, Any]]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's access log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://{host}:{port}",
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
            load(dynamodb, table, size, min(due, size))
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            scanned, returned, requests = check_reads(dynamodb, table)
            took = time.perf_counter() - started
            rows.append(
                {
                    "complaints": size,
                    "due": min(due, size),
                    "read": scanned,
                    "returned": returned,
                    "requests": requests,
                    "amplification": scanned / max(returned, 1),
                    "scan_floor": size / max(min(due, size), 1),
                    "check_seconds": took,
                    "load_seconds": loaded,
                }
            )
            dynamodb.delete_table(TableName=table)
    finally:
        server.stop()
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| complaints with a running clock | due | items read by the check | requests "
        "| read amplification | a Scan would read per due item |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['complaints']:,} | {row['due']:,} | {row['read']:,} | {row['requests']} | "
            f"{row['amplification']:.3f} | {row['scan_floor']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--due", type=int, default=1000)
    args = parser.parse_args()
    rows = run([int(size) for size in args.sizes.split(",")], args.due)
    print(table(rows))
    for row in rows:
        assert row["returned"] == row["due"], row
        assert row["amplification"] <= 1.1, row


if __name__ == "__main__":
    main()
