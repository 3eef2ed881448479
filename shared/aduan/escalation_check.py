"""The scheduled deadline check: queue every complaint whose next step's time has come.

It reads the sparse due index shard by shard (one Query each) and queues the tracking IDs in
batches of 10 for the escalation worker, which takes the steps (`aduan.escalation`). It needs no
complaint model: a check that finds nothing due costs the queries and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aduan.domain.ports import BatchQueue, DueIndex

BATCH = 10


def find_due(
    index: DueIndex, queue: BatchQueue, now: datetime, *, time_left: Callable[[], float]
) -> tuple[int, bool]:
    """Queue every complaint with a step due by `now`; returns (queued, finished). Stops while more
    than 10 s remain when time runs short: what is left stays in the index for the next run."""
    queued = 0
    pending: list[dict[str, Any]] = []
    for shard in range(index.shards):
        for tracking_id in index.due_in_shard(shard, now):
            pending.append({"type": "complaint.due", "tracking_id": tracking_id, "now": now.isoformat()})
            if len(pending) == BATCH:
                queued += _flush(queue, pending)
                if time_left() < 10.0:
                    return queued, False
    queued += _flush(queue, pending)
    return queued, True


def _flush(queue: BatchQueue, pending: list[dict[str, Any]]) -> int:
    if not pending:
        return 0
    failed = queue.send_batch(pending)
    if failed:
        raise RuntimeError(f"{len(failed)} escalation messages not queued; the next run finds them again")
    sent = len(pending)
    pending.clear()
    return sent
