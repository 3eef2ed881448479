"""The DynamoDB store: one table (single-table design), the only module that speaks DynamoDB.

Items (docs/architecture.md has the picture):
  pk=C#<tracking_id>  sk=#COMPLAINT                 the complaint; `version` guards every change
  pk=C#<tracking_id>  sk=E#<time>#v<version>#<n>    its timeline, append-only, same partition
Index attributes on the complaint item, present only while they mean something (sparse):
  due_shard=DUE#<n>, next_due_at   while a clock runs: the next moment a step falls due
  inbox=<agency_id>#<status>, created_at   while an agency holds it
  reporter_key=HMAC(phone)          when the reporter gave a phone number
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from aduan.errors import Conflict, NotFound
from aduan.models import Complaint, ComplaintSummary, Status, TimelineEvent
from aduan.ports import Page
from aduan.tracking import reporter_key
from aduan.workdays import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

COMPLAINT_SK = "#COMPLAINT"
EVENT_PREFIX = "E#"
DUE_INDEX = "DueIndex"
INBOX_INDEX = "InboxIndex"
REPORTER_INDEX = "ReporterIndex"
DEFAULT_SHARDS = 8

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def complaint_pk(tracking_id: str) -> str:
    return f"C#{tracking_id}"


def due_shard(tracking_id: str, shards: int) -> str:
    """The write shard of the due index: a stable hash, so one complaint always lands in one shard."""
    digest = hashlib.sha256(tracking_id.encode()).digest()
    return f"DUE#{int.from_bytes(digest[:4], 'big') % shards}"


def _to_item(document: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in document.items() if value is not None}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the domain speaks int and float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def _json_document(model: Complaint | TimelineEvent) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(model.model_dump_json(), parse_float=Decimal)
    return document


class DynamoComplaintStore:
    """ComplaintRepository on DynamoDB."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        reporter_secret: bytes,
        shards: int = DEFAULT_SHARDS,
    ) -> None:
        self._client = client
        self._table = table_name
        self._reporter_secret = reporter_secret
        self._shards = shards

    # -- writes -------------------------------------------------------------------------------

    def create(self, complaint: Complaint, event: TimelineEvent, *, next_due_at: datetime | None) -> None:
        complaint_put = self._complaint_put(complaint, next_due_at)
        complaint_put["ConditionExpression"] = "attribute_not_exists(pk)"
        self._transact([{"Put": complaint_put}, self._event_put(complaint, event, 0)])

    def save(
        self, complaint: Complaint, events: Sequence[TimelineEvent], *, next_due_at: datetime | None
    ) -> Complaint:
        changed = complaint.model_copy(update={"version": complaint.version + 1})
        complaint_put = self._complaint_put(changed, next_due_at)
        complaint_put["ConditionExpression"] = "version = :read"
        complaint_put["ExpressionAttributeValues"] = {":read": {"N": str(complaint.version)}}
        puts = [self._event_put(changed, event, n) for n, event in enumerate(events)]
        self._transact([{"Put": complaint_put}, *puts])
        return changed

    def _complaint_put(self, complaint: Complaint, next_due_at: datetime | None) -> dict[str, Any]:
        document = _json_document(complaint)
        document |= {"pk": complaint_pk(complaint.tracking_id), "sk": COMPLAINT_SK}
        if next_due_at is not None:
            document |= {
                "due_shard": due_shard(complaint.tracking_id, self._shards),
                "next_due_at": iso(next_due_at),
            }
        if complaint.agency_id is not None:
            document["inbox"] = f"{complaint.agency_id}#{complaint.status}"
        if complaint.reporter.phone:
            document["reporter_key"] = reporter_key(complaint.reporter.phone, self._reporter_secret)
        return {"TableName": self._table, "Item": _to_item(document)}

    def _event_put(self, complaint: Complaint, event: TimelineEvent, n: int) -> dict[str, Any]:
        stamp = event.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        document = _json_document(event) | {
            "pk": complaint_pk(complaint.tracking_id),
            "sk": f"{EVENT_PREFIX}{stamp}#v{complaint.version:06d}#{n:02d}",
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": _to_item(document),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _transact(self, items: list[dict[str, Any]]) -> None:
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("TransactionCanceledException", "TransactionConflictException"):
                raise Conflict("the complaint was changed by someone else; read it again") from error
            raise

    # -- reads --------------------------------------------------------------------------------

    def get(self, tracking_id: str) -> Complaint:
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": complaint_pk(tracking_id)}, "sk": {"S": COMPLAINT_SK}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            raise NotFound("no complaint with this tracking ID")
        return Complaint.model_validate(_domain_fields(_from_item(response["Item"])))

    def timeline(self, tracking_id: str) -> list[TimelineEvent]:
        events = []
        for item in self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
            ExpressionAttributeValues={
                ":pk": {"S": complaint_pk(tracking_id)},
                ":events": {"S": EVENT_PREFIX},
            },
        ):
            events.append(TimelineEvent.model_validate(_domain_fields(_from_item(item))))
        return events

    def due(self, now: datetime) -> Iterator[str]:
        for shard in range(self._shards):
            yield from self.due_in_shard(shard, now)

    def due_in_shard(self, shard: int, now: datetime) -> Iterator[str]:
        """Tracking IDs in one shard of the due index whose next step is due by `now`."""
        for item in self._query(
            IndexName=DUE_INDEX,
            KeyConditionExpression="due_shard = :shard AND next_due_at <= :now",
            ExpressionAttributeValues={":shard": {"S": f"DUE#{shard}"}, ":now": {"S": iso(now)}},
        ):
            yield item["pk"]["S"].removeprefix("C#")

    def inbox(self, agency_id: str, status: Status, *, limit: int = 50, cursor: str | None = None) -> Page:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INBOX_INDEX,
            "KeyConditionExpression": "inbox = :inbox",
            "ExpressionAttributeValues": {":inbox": {"S": f"{agency_id}#{status}"}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = json.loads(base64.urlsafe_b64decode(cursor))
        response = self._client.query(**request)
        rows = [ComplaintSummary.model_validate(_from_item(item)) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        next_cursor = base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None
        return Page(rows, next_cursor)

    def by_reporter_phone(self, phone_e164: str) -> list[str]:
        items = self._query(
            IndexName=REPORTER_INDEX,
            KeyConditionExpression="reporter_key = :key",
            ExpressionAttributeValues={":key": {"S": reporter_key(phone_e164, self._reporter_secret)}},
            ScanIndexForward=False,
        )
        return [item["tracking_id"]["S"] for item in items]

    def _query(self, **request: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(TableName=self._table, **request):
            yield from page.get("Items", [])


_STORE_ATTRIBUTES = frozenset({"pk", "sk", "due_shard", "next_due_at", "inbox", "reporter_key"})


def _domain_fields(document: dict[str, Any]) -> dict[str, Any]:
    """The item less the keys and index attributes that only the store writes."""
    return {key: value for key, value in document.items() if key not in _STORE_ATTRIBUTES}
