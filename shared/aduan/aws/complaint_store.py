"""The complaint store in DynamoDB: one table (single-table design) for complaints, timelines,
idempotency records and outboxes. The notification ledger shares the table (`aduan.aws.ledger`).

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
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from aduan.aws.clients import error_code
from aduan.aws.due_index import DEFAULT_SHARDS, DueIndexReader, due_shard, query_items
from aduan.aws.items import from_item, json_document, to_item
from aduan.domain.errors import Conflict, NotFound
from aduan.domain.models import Complaint, ComplaintSummary, Status, TimelineEvent
from aduan.domain.ports import Idempotency, Page
from aduan.domain.tracking import reporter_key
from aduan.domain.workdays import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

COMPLAINT_SK = "#COMPLAINT"
IDEMPOTENCY_SK = "#IDEMPOTENCY"
OUTBOX_SK = "#OUTBOX"
OUTBOX_TTL = timedelta(days=7)  # routing (or the sweeper) reads it within minutes; kept a week
EVENT_PREFIX = "E#"
INBOX_INDEX = "InboxIndex"
REPORTER_INDEX = "ReporterIndex"


def complaint_pk(tracking_id: str) -> str:
    return f"C#{tracking_id}"


class DynamoComplaintStore:
    """ComplaintRepository on DynamoDB."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        reporter_secret: bytes | Callable[[], bytes],
        shards: int = DEFAULT_SHARDS,
    ) -> None:
        self._client = client
        self._table = table_name
        # A function that only reads complaints never fetches the key (nor needs the permission).
        self._secret_source = reporter_secret
        self._shards = shards
        self._due = DueIndexReader(client, table_name, shards=shards)

    @property
    def shards(self) -> int:
        """How many write shards the due index has."""
        return self._shards

    @property
    def _reporter_secret(self) -> bytes:
        if callable(self._secret_source):
            self._secret_source = self._secret_source()
        return self._secret_source

    # -- writes -------------------------------------------------------------------------------

    def create(
        self,
        complaint: Complaint,
        event: TimelineEvent,
        *,
        next_due_at: datetime | None,
        idempotency: Idempotency | None = None,
        outbox: Sequence[dict[str, Any]] = (),
    ) -> None:
        complaint_put = self._complaint_put(complaint, next_due_at)
        complaint_put["ConditionExpression"] = "attribute_not_exists(pk)"
        items = [{"Put": complaint_put}, self._event_put(complaint, event, 0)]
        if idempotency is not None:
            document = {
                "pk": f"IDEM#{idempotency.key}",
                "sk": IDEMPOTENCY_SK,
                "fingerprint": idempotency.fingerprint,
                "response": idempotency.response,
                "expires_at": int(idempotency.expires_at.timestamp()),
            }
            put = {
                "TableName": self._table,
                "Item": to_item(document),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
            items.append({"Put": put})
        if outbox:
            document = {
                "pk": complaint_pk(complaint.tracking_id),
                "sk": OUTBOX_SK,
                "messages": list(outbox),
                "expires_at": int((complaint.created_at + OUTBOX_TTL).timestamp()),
            }
            items.append({"Put": {"TableName": self._table, "Item": to_item(document)}})
        self._transact(items, names=["complaint", "event", "idempotency"])

    def outbox(self, tracking_id: str) -> list[dict[str, Any]]:
        """The messages written with the complaint, to send again when their first send may have
        failed (each has a fixed ID: the notification worker delivers it once)."""
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": complaint_pk(tracking_id)}, "sk": {"S": OUTBOX_SK}},
            ConsistentRead=True,
        )
        messages: list[dict[str, Any]] = from_item(response["Item"])["messages"] if "Item" in response else []
        return messages

    def idempotent_response(self, key: str) -> Idempotency | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": f"IDEM#{key}"}, "sk": {"S": IDEMPOTENCY_SK}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        document = from_item(response["Item"])
        expires_at = datetime.fromtimestamp(document["expires_at"], UTC)
        if expires_at < datetime.now(UTC):  # TTL deletes lazily; an expired record no longer counts
            return None
        return Idempotency(key, document["fingerprint"], document["response"], expires_at)

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
        document = json_document(complaint)
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
        return {"TableName": self._table, "Item": to_item(document)}

    def _event_put(self, complaint: Complaint, event: TimelineEvent, n: int) -> dict[str, Any]:
        stamp = event.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        document = json_document(event) | {
            "pk": complaint_pk(complaint.tracking_id),
            "sk": f"{EVENT_PREFIX}{stamp}#v{complaint.version:06d}#{n:02d}",
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item(document),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _transact(self, items: list[dict[str, Any]], names: Sequence[str] = ("complaint",)) -> None:
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            code = error_code(error)
            if code not in ("TransactionCanceledException", "TransactionConflictException"):
                raise
            reasons = error.response.get("CancellationReasons") or []
            failed = [
                names[n] if n < len(names) else "event"
                for n, reason in enumerate(reasons)
                if reason.get("Code") == "ConditionalCheckFailed"
            ]
            item = failed[0] if failed else "unknown"
            raise Conflict("the complaint was changed by someone else; read it again", item=item) from error

    # -- reads --------------------------------------------------------------------------------

    def get(self, tracking_id: str) -> Complaint:
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": complaint_pk(tracking_id)}, "sk": {"S": COMPLAINT_SK}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            raise NotFound("no complaint with this tracking ID")
        return Complaint.model_validate(_domain_fields(from_item(response["Item"])))

    def get_with_timeline(self, tracking_id: str) -> tuple[Complaint, list[TimelineEvent]]:
        complaint: Complaint | None = None
        events = []
        for item in self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": complaint_pk(tracking_id)}},
            ConsistentRead=True,
        ):
            document = _domain_fields(from_item(item))
            if item["sk"]["S"] == COMPLAINT_SK:
                complaint = Complaint.model_validate(document)
            elif item["sk"]["S"].startswith(EVENT_PREFIX):
                events.append(TimelineEvent.model_validate(document))
        if complaint is None:
            raise NotFound("no complaint with this tracking ID")
        return complaint, events

    def append_event(self, tracking_id: str, event: TimelineEvent, event_id: str) -> None:
        """Add an event that changes no state (a delivery attempt); the same `event_id` is written once."""
        stamp = event.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        document = json_document(event) | {
            "pk": complaint_pk(tracking_id),
            "sk": f"{EVENT_PREFIX}{stamp}#{event_id}",
        }
        try:
            self._client.put_item(
                TableName=self._table, Item=to_item(document), ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    def timeline(self, tracking_id: str) -> list[TimelineEvent]:
        events = []
        for item in self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
            ExpressionAttributeValues={
                ":pk": {"S": complaint_pk(tracking_id)},
                ":events": {"S": EVENT_PREFIX},
            },
        ):
            events.append(TimelineEvent.model_validate(_domain_fields(from_item(item))))
        return events

    def due(self, now: datetime) -> Iterator[str]:
        return self._due.due(now)

    def due_in_shard(self, shard: int, now: datetime) -> Iterator[str]:
        return self._due.due_in_shard(shard, now)

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
        rows = [ComplaintSummary.model_validate(from_item(item)) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        next_cursor = base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None
        return Page(rows, next_cursor)

    def filed_between(
        self, agency_id: str, status: Status, start: datetime, end: datetime
    ) -> list[ComplaintSummary]:
        """Every complaint an agency holds in one status, filed in [start, end) (all pages)."""
        items = self._query(
            IndexName=INBOX_INDEX,
            KeyConditionExpression="inbox = :inbox AND created_at BETWEEN :start AND :end",
            ExpressionAttributeValues={
                ":inbox": {"S": f"{agency_id}#{status}"},
                ":start": {"S": start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
                ":end": {"S": end.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
            },
        )
        return [ComplaintSummary.model_validate(from_item(item)) for item in items]

    def by_reporter_phone(self, phone_e164: str) -> list[str]:
        items = self._query(
            IndexName=REPORTER_INDEX,
            KeyConditionExpression="reporter_key = :key",
            ExpressionAttributeValues={":key": {"S": reporter_key(phone_e164, self._reporter_secret)}},
            ScanIndexForward=False,
        )
        return [item["tracking_id"]["S"] for item in items]

    def _query(self, **request: Any) -> Iterator[dict[str, Any]]:
        return query_items(self._client, self._table, **request)


_STORE_ATTRIBUTES = frozenset({"pk", "sk", "due_shard", "next_due_at", "inbox", "reporter_key"})


def _domain_fields(document: dict[str, Any]) -> dict[str, Any]:
    """The item less the keys and index attributes that only the store writes."""
    return {key: value for key, value in document.items() if key not in _STORE_ATTRIBUTES}
