"""Four of moto server's costs paid per request, per message or per item, cut without changing
an answer.

- **The SQS clock.** moto decides whether each message is visible or delayed by reading the clock
  through datetime arithmetic (`moto.core.utils.unix_time_millis`: an aware now made naive, minus
  an epoch built afresh, about 9 µs), once per message, on every ReceiveMessage and every
  queue-attribute read. With a few thousand messages waiting (a soak's notification backlog) that
  clock was most of the emulator's CPU, and each poller's receive paid for the whole queue. The
  same seconds come from `time.time()` (0.1 µs); a call with a datetime keeps moto's arithmetic.
- **The dispatcher's module list.** To find the service a request is for, moto server lists its
  own package folder (`os.listdir` and an `isdir` for each of some 200 entries) on every request.
  The folder does not change while the stack runs: it is listed once.
- **Projection.** moto projects an item (an index's INCLUDE or KEYS_ONLY, a ProjectionExpression)
  by turning the whole item into plain JSON once for each attribute kept, and building it back:
  for an inbox row, sixteen conversions of a complaint of thirty attributes. Top-level names are
  kept by name instead (nested paths keep moto's own). With the groups below, the statistics of
  2,000 complaints read in-process took 7.1 s with moto's projection and 4.4 s with this.
- **Query.** moto answers every Query, of the table or of an index, by sorting every item of the
  table (`Table.all_items`, DynamoType comparisons) and then looking at each. At a soak's size
  (tens of thousands of items) one query of the reporter index took about a second. A query of
  the table needs only the items of its partition key. A query of an index needs only the items
  whose index partition key is the one asked for: the items are grouped by that attribute's value
  once, and the groups serve every index query until the next write to any table (a PutItem, a
  DeleteItem or an UpdateItem, which changes an item in place; transactions and batches go through
  these). moto still checks and sorts what it is handed, so a group can hold too much, never too
  little. Ninety inbox-index queries over 30,000 items finding 6,000 (the statistics' reads at a
  soak's size) took 22 s in moto, 5 to 7 s with every item handed over unsorted, and 3.3 to 3.7 s
  from the groups: what is left is moto writing the 6,000 items out.
"""

from __future__ import annotations

import copy
import itertools
import time
from datetime import datetime
from typing import Any


def install() -> None:
    from moto import backends
    from moto.core import utils
    from moto.sqs import models

    models.unix_time = _seconds(utils.unix_time)  # type: ignore[attr-defined]
    models.unix_time_millis = _milliseconds(utils.unix_time_millis)  # type: ignore[attr-defined]
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    if not hasattr(Item.project, "by_name"):
        Item.project = _projected(Item.project)  # type: ignore[method-assign]
    if not hasattr(Table.query, "narrowed"):
        from moto.dynamodb.models import DynamoDBBackend

        Table.query = _narrowed(Table.query)  # type: ignore[method-assign]
        Table.put_item = _writing(Table.put_item)  # type: ignore[method-assign]
        Table.delete_item = _writing(Table.delete_item)  # type: ignore[method-assign]
        DynamoDBBackend.update_item = _writing(DynamoDBBackend.update_item)  # type: ignore[method-assign]
    if not hasattr(backends.list_of_moto_modules, "listed"):
        modules = tuple(backends.list_of_moto_modules())

        def list_of_moto_modules() -> tuple[str, ...]:
            return modules

        list_of_moto_modules.listed = True  # type: ignore[attr-defined]
        backends.list_of_moto_modules = list_of_moto_modules


_INDEX_NAME = 7  # Table.query's positional parameters: hash_key, range_comparison, range_objs,
# limit, exclusive_start_key, scan_index_forward, projection_expressions, index_name, ...


def _narrowed(moto_own: Any) -> Any:
    def query(table: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[_INDEX_NAME] if len(args) > _INDEX_NAME else None)
        hash_key = args[0] if args else kwargs.get("hash_key")
        if index_name:
            wanted = kwargs.get("hash_key_conditions") or []
            table.all_items = lambda: _grouped(table, wanted)
        else:
            table.all_items = lambda: list(_members(table, table.items.get(hash_key)))
        try:
            return moto_own(table, *args, **kwargs)
        finally:
            del table.all_items  # moto's own again, for everything else (sorted, as Scan pages need)

    query.narrowed = True  # type: ignore[attr-defined]
    query.moto_own = moto_own  # type: ignore[attr-defined]
    return query


# Writes finished, across every table: a grouping made before the latest is not used again. A
# write counts once it is done, so a grouping begun during a write is made again on the next query.
_writes = itertools.count()
_written = [0]


def _writing(moto_own: Any) -> Any:
    def write(*args: Any, **kwargs: Any) -> Any:
        try:
            return moto_own(*args, **kwargs)
        finally:
            _written[0] = next(_writes) + 1

    return write


def _grouped(table: Any, wanted: list[tuple[str, Any]]) -> list[Any]:
    """The items whose attribute is the partition key value asked for (by its first condition),
    from the table's grouping by that attribute, made afresh if any write came since."""
    if not wanted:
        return [item for group in table.items.values() for item in _members(table, group)]
    name, value = wanted[0]
    made, groups = table.__dict__.get("aduan_groups", {}).get(name, (-1, None))
    if made != _written[0] or groups is None:
        made, groups = _written[0], {}
        for partition in table.items.values():
            for item in _members(table, partition):
                held = item.attrs.get(name)
                if held is not None:
                    groups.setdefault((held.type, str(held.value)), []).append(item)
        table.__dict__.setdefault("aduan_groups", {})[name] = (made, groups)
    return groups.get((value.type, str(value.value)), [])


def _projected(moto_own: Any) -> Any:
    """An index's projection (and a ProjectionExpression) of top-level names, kept by name: moto
    turns the whole item into plain JSON once for every name kept, and builds it back."""

    def project(item: Any, expressions: list[list[str]]) -> Any:
        if not all(len(path) == 1 and "[" not in path[0] for path in expressions):
            return moto_own(item, expressions)  # nested paths and list indexes: moto's own
        names = {path[0] for path in expressions}
        kept = {name: copy.deepcopy(value) for name, value in item.attrs.items() if name in names}
        return type(item)(hash_key=item.hash_key, range_key=item.range_key, attrs=kept)

    project.by_name = True  # type: ignore[attr-defined]
    project.moto_own = moto_own  # type: ignore[attr-defined]
    return project


def _members(table: Any, group: Any) -> Any:
    """The items under one partition key: a dict by sort key, or the one item of a hash-only table."""
    if group is None:
        return []
    return group.values() if table.range_key_attr else [group]


def _seconds(moto_own: Any) -> Any:
    def unix_time(dt: datetime | None = None) -> float:
        return time.time() if dt is None else float(moto_own(dt))

    return unix_time


def _milliseconds(moto_own: Any) -> Any:
    def unix_time_millis(dt: datetime | None = None) -> float:
        return time.time() * 1000.0 if dt is None else float(moto_own(dt))

    return unix_time_millis
