"""The due index: which complaints have a step due by a given time.

`DueIndex` is a sparse global secondary index of the complaints table: only a complaint whose
clock runs carries `due_shard` and `next_due_at` (the next moment a step of it falls due), so the
deadline check reads exactly the complaints that are due, whatever the table's size. Writes are
spread over `shards` partitions by a stable hash of the tracking ID. Reading the index needs no
complaint model, so the scheduled check imports this module and not the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aduan.domain.workdays import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DUE_INDEX = "DueIndex"
DEFAULT_SHARDS = 8


def query_items(client: DynamoDBClient, table_name: str, **request: Any) -> Iterator[dict[str, Any]]:
    """Every item a Query matches, page after page (the store's reads and the due index's)."""
    paginator = client.get_paginator("query")
    for page in paginator.paginate(TableName=table_name, **request):
        yield from page.get("Items", [])


def due_shard(tracking_id: str, shards: int) -> str:
    """The write shard of the due index: a stable hash, so one complaint always lands in one shard."""
    digest = hashlib.sha256(tracking_id.encode()).digest()
    return f"DUE#{int.from_bytes(digest[:4], 'big') % shards}"


class DueIndexReader:
    """Reads the due index, one shard at a time (one paginated Query each)."""

    def __init__(self, client: DynamoDBClient, table_name: str, *, shards: int = DEFAULT_SHARDS) -> None:
        self._client = client
        self._table = table_name
        self.shards = shards

    def due(self, now: datetime) -> Iterator[str]:
        for shard in range(self.shards):
            yield from self.due_in_shard(shard, now)

    def due_in_shard(self, shard: int, now: datetime) -> Iterator[str]:
        """Tracking IDs in one shard of the due index whose next step is due by `now`."""
        for item in query_items(
            self._client,
            self._table,
            IndexName=DUE_INDEX,
            KeyConditionExpression="due_shard = :shard AND next_due_at <= :now",
            ExpressionAttributeValues={":shard": {"S": f"DUE#{shard}"}, ":now": {"S": iso(now)}},
        ):
            yield item["pk"]["S"].removeprefix("C#")
