"""moto's TransactWriteItems without copying every table it touches on every call.

moto makes a transaction atomic by deep-copying each table it writes to before the first write,
and putting the copy back if any part fails. The copy costs time in proportion to the table: at a
thousand complaints (`make soak`) one transaction took seconds, and intake timed out. This does
the same in two passes: check every part's condition against the items as they are, and write only
when all hold; a write that still fails puts back the few items the transaction had touched.
The stack serialises DynamoDB requests (`stack.emulator`), so nothing changes between the passes,
and the parts of one transaction name distinct items, so each condition sees what moto's would.
Errors are moto's own: `TransactionCanceledException` with one reason per part.
"""

from __future__ import annotations

from typing import Any

OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    parts = [_part(backend, item, TransactWriteSingleOpException) for item in transact_items]
    seen: set[tuple[str, str]] = set()
    for table_name, key, _op_type, _op in parts:
        identity = (table_name, str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)

    errors = [_check(backend, part, ConditionalCheckFailed) for part in parts]
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)

    before = [(table_name, key, backend.get_item(table_name, key)) for table_name, key, _, _ in parts]
    try:
        for part in parts:
            _write(backend, part)
    except Exception:
        for table_name, key, item in before:  # put back what the transaction touched
            if item is None:
                backend.delete_item(table_name, key)
            else:
                backend.put_item(table_name, item.to_json()["Attributes"])
        raise


def _part(
    backend: Any, item: dict[str, Any], single_op: type[Exception]
) -> tuple[str, dict[str, Any], str, Any]:
    if len(item) > 1:
        raise single_op()
    op_type, op = next(iter(item.items()))
    table_name = op["TableName"]
    if op_type == "Put":
        table = backend.get_table(table_name)
        attrs = op["Item"]
        key = {table.hash_key_attr: attrs[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = attrs[table.range_key_attr]
    else:
        key = op["Key"]
    return table_name, key, op_type, op


def _check(
    backend: Any, part: tuple[str, dict[str, Any], str, Any], failed: type[Exception]
) -> tuple[str | None, str | None, dict[str, Any] | None]:
    from moto.dynamodb.comparisons import get_filter_expression

    table_name, key, op_type, op = part
    if op_type not in OPERATIONS:
        return "ValueError", "Unsupported transaction operation", None
    expression = op.get("ConditionExpression")
    if expression is None:
        return None, None, None
    current = backend.get_item(table_name, key)
    condition = get_filter_expression(
        expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    )
    if condition.expr(current):
        return None, None, None
    original = None
    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
        original = current.to_json()["Attributes"]
    return "ConditionalCheckFailed", str(failed(item=original).message), original  # type: ignore[call-arg,attr-defined]


def _write(backend: Any, part: tuple[str, dict[str, Any], str, Any]) -> None:
    table_name, key, op_type, op = part
    names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    if op_type == "Put":
        backend.put_item(
            table_name, op["Item"], expression_attribute_names=names, expression_attribute_values=values
        )
    elif op_type == "Delete":
        backend.delete_item(
            table_name, key, expression_attribute_names=names, expression_attribute_values=values
        )
    elif op_type == "Update":
        backend.update_item(
            table_name,
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
