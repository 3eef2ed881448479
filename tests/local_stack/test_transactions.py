"""The local emulator's transactions (aduan_local.transactions) are all-or-nothing, as DynamoDB's
are, and name the failing part the way DynamoDB does."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.integration


def put(table: str, pk: str, **condition: Any) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "#X"}}, **condition}}


def test_a_failed_condition_writes_no_part_and_names_the_part(dynamodb: Any, complaints_table: str) -> None:
    dynamodb.transact_write_items(TransactItems=[put(complaints_table, "taken")])
    absent = {"ConditionExpression": "attribute_not_exists(pk)"}
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(
            TransactItems=[
                put(complaints_table, "fresh", **absent),
                put(complaints_table, "taken", **absent, ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            ]
        )
    reasons = raised.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"]["pk"] == {"S": "taken"}
    key = {"pk": {"S": "fresh"}, "sk": {"S": "#X"}}
    assert "Item" not in dynamodb.get_item(TableName=complaints_table, Key=key)


def test_one_item_twice_in_a_transaction_is_refused(dynamodb: Any, complaints_table: str) -> None:
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(
            TransactItems=[put(complaints_table, "twice"), put(complaints_table, "twice")]
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"
