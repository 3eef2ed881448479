"""The local emulator's item size limit (aduan_local.item_size) holds as moto's did, checked once
per item: an item over DynamoDB's 400 KB is refused on every path that writes one, one under it is
stored, and building an item sizes each attribute once, not once per attribute set before it."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from aduan_local import item_size

pytestmark = pytest.mark.integration


def item(pk: str, payload: int) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "#X"}, "text": {"S": "x" * payload}}


def writes(table: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "put_item": lambda client: client.put_item(TableName=table, Item=body),
        "transact_write_items": lambda client: client.transact_write_items(
            TransactItems=[{"Put": {"TableName": table, "Item": body}}]
        ),
        "batch_write_item": lambda client: client.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": body}}]}
        ),
    }


@pytest.mark.parametrize("path", ["put_item", "transact_write_items", "batch_write_item"])
def test_an_item_over_the_limit_is_refused_and_one_under_it_stored(
    dynamodb: Any, complaints_table: str, path: str
) -> None:
    under = item(f"under-{path}", item_size.LIMIT - 1_000)
    writes(complaints_table, under)[path](dynamodb)
    key = {"pk": under["pk"], "sk": under["sk"]}
    assert dynamodb.get_item(TableName=complaints_table, Key=key)["Item"]["text"] == under["text"]

    over = item(f"over-{path}", item_size.LIMIT + 1)
    with pytest.raises(ClientError) as raised:
        writes(complaints_table, over)[path](dynamodb)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "size" in raised.value.response["Error"]["Message"].lower()
    assert "Item" not in dynamodb.get_item(
        TableName=complaints_table, Key={"pk": over["pk"], "sk": over["sk"]}
    )


def test_an_item_is_sized_once_per_attribute(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    sized = []
    original = DynamoType.size

    def counted(value: DynamoType) -> int:
        sized.append(value)
        return original(value)

    monkeypatch.setattr(DynamoType, "size", counted)
    attrs = {f"a{n}": {"S": "v"} for n in range(100)}
    Item(DynamoType({"S": "pk"}), DynamoType({"S": "#X"}), attrs)
    assert len(sized) == 100  # moto's own check sums every attribute so far: 5,050 for a hundred
