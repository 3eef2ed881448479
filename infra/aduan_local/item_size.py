"""moto's 400 KB item limit checked once per item, not once per attribute.

moto builds an item attribute by attribute, and each assignment sums the size of every attribute
already set (`LimitedSizeDict.__setitem__`): quadratic in the attributes. A complaint item has about
thirty, so one write cost over a millisecond of sizing alone, the largest part of every PutItem,
transaction and batch write the local stack serves. This builds the item's attributes first and
checks the same sum, against the same limit, once. Later assignments (an UpdateItem's) keep moto's
own check. Errors are moto's own: `ItemSizeTooLarge`.
"""

from __future__ import annotations

from typing import Any

LIMIT = 405_000  # moto's: DynamoDB's documented 400 KB, measured between 409 and 410 KB


def install() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    Item.__init__ = _item_init  # type: ignore[method-assign]


def size(attrs: dict[str, Any]) -> int:
    """The item's size as moto's check sums it: each name's bytes and each value's size."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.utilities import bytesize

    return sum(
        bytesize(name) + (value.size() if type(value) is DynamoType else bytesize(str(value)))
        for name, value in attrs.items()
    )


def _item_init(item: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    item.hash_key = hash_key
    item.range_key = range_key
    converted = {name: DynamoType(value) for name, value in attrs.items()}
    if size(converted) > LIMIT:
        raise ItemSizeTooLarge
    item.attrs = LimitedSizeDict(converted)  # its constructor's update() does not re-check
