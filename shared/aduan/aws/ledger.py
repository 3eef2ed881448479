"""The notification ledger in DynamoDB: one item per notification, `NOTIF#<id>`, kept 30 days.

A claim is a conditional put with a lease; settling is a conditional update; a release deletes a
claim still in progress. The delivery use case (`aduan.delivery`) holds the policy around them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from aduan.aws.clients import error_code

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NOTIFICATION_SK = "#NOTIFICATION"
SETTLE_PAUSES = (0.2, 0.5, 1.0, 2.0)  # each try is the SDK's three: about 4 s in all, well inside the timeout


class NotificationLedger:
    """At-most-once delivery: a notification is claimed before it is sent and completed after.

    A claim is a lease: if the worker dies between claim and completion, another may take the
    notification over once the lease ends (set it longer than the function's timeout).
    """

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, notification_id: str) -> dict[str, Any]:
        return {"pk": {"S": f"NOTIF#{notification_id}"}, "sk": {"S": NOTIFICATION_SK}}

    def claim(self, notification_id: str, now: datetime, lease_seconds: int) -> str:
        """`claimed` when this worker may send it; `done` when it was settled before; `busy`
        when another worker holds a live lease."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **self._key(notification_id),
                    "state": {"S": "in_progress"},
                    "lease_until": {"N": str(int(now.timestamp()) + lease_seconds)},
                    "expires_at": {"N": str(int(now.timestamp()) + 30 * 86400)},
                },
                ConditionExpression="attribute_not_exists(pk) OR (#state = :busy AND lease_until < :now)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":busy": {"S": "in_progress"},
                    ":now": {"N": str(int(now.timestamp()))},
                },
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            item = self._client.get_item(
                TableName=self._table, Key=self._key(notification_id), ConsistentRead=True
            )
            state = item.get("Item", {}).get("state", {}).get("S")
            return "busy" if state == "in_progress" else "done"
        return "claimed"

    def settle(self, notification_id: str, outcome: str, pauses: Sequence[float] = SETTLE_PAUSES) -> None:
        """Record that the notification was sent (or failed for good): it is never sent again.

        The message has gone already, so this one write is tried again here, past the SDK's own
        retries, after each of `pauses`: a settle that never lands lets the lease end, and the
        next receive sends the message a second time."""
        for pause in [*pauses, None]:
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=self._key(notification_id),
                    UpdateExpression="SET #state = :done, outcome = :outcome REMOVE lease_until",
                    ConditionExpression="attribute_exists(pk)",  # the claim is there: settle, never create
                    ExpressionAttributeNames={"#state": "state"},
                    ExpressionAttributeValues={":done": {"S": "done"}, ":outcome": {"S": outcome}},
                )
                return
            except (ClientError, BotoCoreError) as error:
                if pause is None or error_code(error) == "ConditionalCheckFailedException":
                    raise
                time.sleep(pause)

    def release(self, notification_id: str) -> None:
        """Give the claim back after a transient failure, so the retry may send it."""
        self._client.delete_item(
            TableName=self._table,
            Key=self._key(notification_id),
            ConditionExpression="#state = :busy",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":busy": {"S": "in_progress"}},
        )
