"""bench/escalation_reads.py can show a regression: with complaints the deadline check must not
read in the table (due later, in routing's grace, due steps taken, paused, closed, archived, each
made by the use cases against the real store), the real check reads exactly the due ones, and a
check or a store that reads one item too many shows an amplification above 1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from aduan.aws.due_index import DUE_INDEX, DueIndexReader, query_items
from aduan_local.client import example_report
from tests.factories import seed
from tests.privacy import IDENTITIES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import escalation_reads

pytestmark = pytest.mark.integration

IDENTITIES.reporter(example_report()["reporter"])  # the reporter of every complaint made here


class UnboundedReader(DueIndexReader):
    """A broken reader: the shard's whole partition of the index, filtered by time in the code."""

    def due_in_shard(self, shard: int, now: datetime) -> Iterator[str]:
        for item in query_items(
            self._client,
            self._table,
            IndexName=DUE_INDEX,
            KeyConditionExpression="due_shard = :shard",
            ExpressionAttributeValues={":shard": {"S": f"DUE#{shard}"}},
        ):
            if datetime.fromisoformat(item["next_due_at"]["S"].replace("Z", "+00:00")) <= now:
                yield item["pk"]["S"].removeprefix("C#")


@pytest.fixture
def loaded(dynamodb: Any, complaints_table: str) -> escalation_reads.Loaded:
    return escalation_reads.load(dynamodb, complaints_table, total=70, due=10, reference=seed())


def test_the_real_check_reads_only_the_due_among_every_kind_it_must_skip(
    dynamodb: Any, complaints_table: str, loaded: escalation_reads.Loaded
) -> None:
    assert loaded.counts["due"] == len(loaded.due) == 10
    assert all(loaded.counts[kind] >= 10 for kind in escalation_reads.KINDS), loaded.counts
    reads = escalation_reads.check_reads(dynamodb, complaints_table)
    assert reads.queued == loaded.due
    assert reads.read == reads.returned == 10
    assert reads.amplification(len(loaded.due)) == 1.0


def test_a_reader_without_the_time_bound_shows_above_1(
    dynamodb: Any, complaints_table: str, loaded: escalation_reads.Loaded
) -> None:
    reads = escalation_reads.check_reads(dynamodb, complaints_table, reader=UnboundedReader)
    assert reads.queued == loaded.due, "it still finds the right ones: only the reads give it away"
    # It reads what carries a due time but is not due: due later, in the grace, steps taken.
    assert reads.read == 10 + 3 * 10
    assert reads.amplification(len(loaded.due)) > 1


def test_a_paused_complaint_left_in_the_index_shows_above_1(
    dynamodb: Any, complaints_table: str, loaded: escalation_reads.Loaded
) -> None:
    """A store that kept the due time of a complaint it paused: the measure charges the read to
    the check, whatever the check returns."""
    paused, due = loaded.exemplars["paused"], loaded.exemplars["due"]
    assert "next_due_at" not in paused
    dynamodb.put_item(
        TableName=complaints_table,
        Item=paused | {"due_shard": due["due_shard"], "next_due_at": due["next_due_at"]},
    )
    reads = escalation_reads.check_reads(dynamodb, complaints_table)
    assert reads.queued == loaded.due | {paused["tracking_id"]["S"]}
    assert reads.read == 11
    assert reads.amplification(len(loaded.due)) > 1
