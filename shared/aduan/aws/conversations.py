"""DynamoDB: what Aduan keeps of WhatsApp conversations, each item with a TTL.

  pk=WA#<HMAC(sender)>  sk=#WINDOW   the sender's latest message time: the 24-hour customer-service
                                    window runs from it (kept 8 days)
  pk=WA#<HMAC(sender)>  sk=#DRAFT    a report whose place Aduan asked for, until it is filed (a day)
  pk=WAMID#<wamid>      sk=#SEEN     a message acted on (kept 8 days: Meta retries for 7)
  pk=WAOUT#<wamid>      sk=#SENT     a message Aduan sent: its notification and how far it got
                                    (sent, delivered, read, failed), kept 30 days as the ledger is

The sender is keyed under the reporter-key secret, as the reporter index is: a dump of the table
names no one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from aduan.aws.clients import error_code
from aduan.domain.tracking import reporter_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEPT = timedelta(days=8)
DRAFT_KEPT = timedelta(days=1)  # far past the half hour a draft waits for its place
SENT_KEPT = timedelta(days=30)


class DynamoConversations:
    def __init__(self, client: DynamoDBClient, table_name: str, secret: Callable[[], bytes]) -> None:
        self._client = client
        self._table = table_name
        self._secret_source: Callable[[], bytes] | bytes = secret

    def _secret(self) -> bytes:
        if callable(self._secret_source):
            self._secret_source = self._secret_source()
        return self._secret_source

    def window_key(self, sender: str) -> dict[str, Any]:
        """The key of the item holding `sender`'s latest message time."""
        return {
            "pk": {"S": f"WA#{reporter_key(f'whatsapp:{sender}', self._secret())}"},
            "sk": {"S": "#WINDOW"},
        }

    def seen(self, message_id: str) -> bool:
        item = self._client.get_item(
            TableName=self._table, Key=_seen_key(message_id), ConsistentRead=True, ProjectionExpression="pk"
        )
        return "Item" in item

    def remember(self, message_id: str, now: datetime) -> None:
        self._client.put_item(
            TableName=self._table, Item={**_seen_key(message_id), "expires_at": _expiry(now)}
        )

    def opened(self, sender: str, at: datetime) -> None:
        """The sender wrote at `at`: the window runs from it, unless a later message is recorded."""
        moment = str(int(at.timestamp()))
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self.window_key(sender),
                UpdateExpression="SET last_message_at = :at, expires_at = :expires",
                ConditionExpression="attribute_not_exists(last_message_at) OR last_message_at < :at",
                ExpressionAttributeValues={":at": {"N": moment}, ":expires": _expiry(at)},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def last_message(self, sender: str) -> datetime | None:
        item = self._client.get_item(
            TableName=self._table, Key=self.window_key(sender), ConsistentRead=True
        ).get("Item")
        if not item or "last_message_at" not in item:
            return None
        return datetime.fromtimestamp(int(item["last_message_at"]["N"]), UTC)

    def _draft_key(self, sender: str) -> dict[str, Any]:
        return {**self.window_key(sender), "sk": {"S": "#DRAFT"}}

    def draft(self, sender: str, now: datetime) -> dict[str, Any] | None:
        item = self._client.get_item(
            TableName=self._table, Key=self._draft_key(sender), ConsistentRead=True
        ).get("Item")
        if not item or int(item["expires_at"]["N"]) < now.timestamp():  # TTL deletes lazily
            return None
        draft: dict[str, Any] = json.loads(item["draft"]["S"])
        return draft

    def hold(self, sender: str, draft: dict[str, Any], now: datetime) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **self._draft_key(sender),
                    "message_id": {"S": str(draft["message_id"])},
                    "draft": {"S": json.dumps(draft, separators=(",", ":"), ensure_ascii=False)},
                    "expires_at": {"N": str(int((now + DRAFT_KEPT).timestamp()))},
                },
                ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                ExpressionAttributeValues={":now": {"N": str(int(now.timestamp()))}},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def release(self, sender: str, message_id: str) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=self._draft_key(sender),
                ConditionExpression="message_id = :id",
                ExpressionAttributeValues={":id": {"S": message_id}},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def sent(self, message_id: str, notification: dict[str, Any], now: datetime) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                **_sent_key(message_id),
                "notification": {"S": json.dumps(notification, separators=(",", ":"))},
                "status_rank": {"N": "0"},
                "expires_at": {"N": str(int((now + SENT_KEPT).timestamp()))},
            },
        )

    def advanced(self, message_id: str, status: str, rank: int) -> dict[str, Any] | None:
        try:
            item = self._client.update_item(
                TableName=self._table,
                Key=_sent_key(message_id),
                UpdateExpression="SET status_rank = :rank, #status = :status",
                ConditionExpression="attribute_exists(pk) AND status_rank < :rank",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":rank": {"N": str(rank)}, ":status": {"S": status}},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return None
        notification: dict[str, Any] = json.loads(item["notification"]["S"])
        return notification


def _sent_key(message_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"WAOUT#{message_id}"}, "sk": {"S": "#SENT"}}


def _seen_key(message_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"WAMID#{message_id}"}, "sk": {"S": "#SEEN"}}


def _expiry(now: datetime) -> dict[str, str]:
    return {"N": str(int((now + KEPT).timestamp()))}
