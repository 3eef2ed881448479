"""The complaint store in DynamoDB: one table (single-table design) for complaints, timelines,
idempotency records and outboxes. The notification ledger shares the table (`aduan.aws.ledger`).

Items (docs/architecture.md has the picture):
  pk=C#<tracking_id>  sk=#COMPLAINT                 the complaint; `version` guards every change
  pk=C#<tracking_id>  sk=E#<time>#v<version>#<n>    its timeline, append-only, same partition
  pk=QUOTA#<day>#<subject>#<HMAC>  sk=#QUOTA         a day's count of complaints per destination or
                                                    client, raised in the creating transaction (TTL)
Index attributes on the complaint item, present only while they mean something (sparse):
  due_shard=DUE#<n>, next_due_at   while a clock runs: the next moment a step falls due
  inbox=<agency_id>#<status>, created_at   while an agency holds it
  reporter_key=HMAC(lookup)         when the reporter gave a phone number or wrote by WhatsApp
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from aduan.aws.clients import error_code
from aduan.aws.due_index import DEFAULT_SHARDS, DueIndexReader, due_shard, query_items
from aduan.aws.items import from_item, json_document, to_item
from aduan.domain.allowance import Quota
from aduan.domain.errors import Conflict, NotFound, ValidationFailed
from aduan.domain.models import Complaint, ComplaintSummary, FiledComplaint, Status, TimelineEvent
from aduan.domain.ports import TIMELINE_PAGE, Idempotency, Page
from aduan.domain.tracking import reporter_key
from aduan.domain.workdays import as_utc, iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

COMPLAINT_SK = "#COMPLAINT"
IDEMPOTENCY_SK = "#IDEMPOTENCY"
OUTBOX_SK = "#OUTBOX"
QUOTA_PREFIX = (
    "QUOTA#"  # pk=QUOTA#<Jakarta day>#<subject>#<keyed hash>: a day's count (aduan.domain.allowance)
)
QUOTA_SK = "#QUOTA"
OUTBOX_TTL = timedelta(days=7)  # routing (or the sweeper) reads it within minutes; kept a week
EVENT_PREFIX = "E#"
STORED_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # how a model's UTC datetimes are serialised
INBOX_INDEX = "InboxIndex"
# What `filed_between` reads of each row, each by a placeholder (`status` is a reserved word).
FILED_NAMES = {f"#{name}": name for name in FiledComplaint.model_fields}
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
        quotas: Sequence[Quota] = (),
    ) -> None:
        complaint_put = self._complaint_put(complaint, next_due_at)
        complaint_put["ConditionExpression"] = "attribute_not_exists(pk)"
        items = [{"Put": complaint_put}, self._event_put(complaint, event, 0)]
        names = ["complaint", "event"]
        if idempotency is not None:
            items.append(self._idempotency_put(idempotency, complaint.created_at))
            names.append("idempotency")
        if outbox:
            document = {
                "pk": complaint_pk(complaint.tracking_id),
                "sk": OUTBOX_SK,
                "messages": list(outbox),
                "expires_at": int((complaint.created_at + OUTBOX_TTL).timestamp()),
            }
            items.append({"Put": {"TableName": self._table, "Item": to_item(document)}})
            names.append("outbox")
        for quota in quotas:
            items.append({"Update": self._quota_update(quota)})
            names.append(f"quota:{quota.subject}")
        # Two complaints from one client (a carrier's shared address) raising its count at the same
        # moment cancel each other's transaction: try again, as nothing of either was written.
        for pause in (0.0, 0.05, 0.2):
            time.sleep(pause)
            try:
                self._transact(items, names=names)
                return
            except Conflict as conflict:
                if conflict.details.get("item") != "contended":
                    raise
        raise Conflict("too many writes at once; retry", item="contended")

    def _quota_update(self, quota: Quota) -> dict[str, Any]:
        """One more on a day's count, unless it has reached its limit. The key holds a keyed hash
        of what is counted (a phone number, an email, a client's address), never the thing itself."""
        counted = reporter_key(f"{quota.subject}:{quota.value}", self._reporter_secret)
        return {
            "TableName": self._table,
            "Key": {
                "pk": {"S": f"{QUOTA_PREFIX}{quota.day}#{quota.subject}#{counted}"},
                "sk": {"S": QUOTA_SK},
            },
            "UpdateExpression": "SET expires_at = if_not_exists(expires_at, :expires) ADD complaints :one",
            "ConditionExpression": "attribute_not_exists(complaints) OR complaints < :limit",
            "ExpressionAttributeValues": {
                ":one": {"N": "1"},
                ":limit": {"N": str(quota.limit)},
                ":expires": {"N": str(int(quota.expires_at.timestamp()))},
            },
        }

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

    def drop_from_outbox(self, tracking_id: str, notification_id: str) -> None:
        """Take a settled message (a receipt with the access code) out of the outbox; the item
        goes with its last message. Only intake writes an outbox, once: no version to guard."""
        key = {"pk": {"S": complaint_pk(tracking_id)}, "sk": {"S": OUTBOX_SK}}
        response = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        if "Item" not in response:
            return
        document = from_item(response["Item"])
        kept = [message for message in document["messages"] if message.get("id") != notification_id]
        if not kept:
            self._client.delete_item(TableName=self._table, Key=key)
        elif len(kept) < len(document["messages"]):
            self._client.put_item(TableName=self._table, Item=to_item({**document, "messages": kept}))

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
        self,
        complaint: Complaint,
        events: Sequence[TimelineEvent],
        *,
        next_due_at: datetime | None,
        idempotency: Idempotency | None = None,
    ) -> Complaint:
        changed = complaint.model_copy(update={"version": complaint.version + 1})
        complaint_put = self._complaint_put(changed, next_due_at)
        complaint_put["ConditionExpression"] = "version = :read"
        complaint_put["ExpressionAttributeValues"] = {":read": {"N": str(complaint.version)}}
        items: list[dict[str, Any]] = [{"Put": complaint_put}]
        names = ["complaint"]
        if idempotency is not None:
            items.append(self._idempotency_put(idempotency, changed.updated_at))
            names.append("idempotency")
        items += [self._event_put(changed, event, n) for n, event in enumerate(events)]
        self._transact(items, names=names)
        return changed

    def _idempotency_put(self, idempotency: Idempotency, now: datetime) -> dict[str, Any]:
        """The record of what a request answered, written once while it lives: a second is
        ConditionalCheckFailed. TTL deletes lazily (up to days late), so an expired record no
        longer holds its key."""
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
            "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
            "ExpressionAttributeValues": {":now": {"N": str(int(now.timestamp()))}},
        }
        return {"Put": put}

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
        if complaint.reporter.lookup:
            document["reporter_key"] = reporter_key(complaint.reporter.lookup, self._reporter_secret)
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
            contended = any(reason.get("Code") == "TransactionConflict" for reason in reasons)
            item = failed[0] if failed else ("contended" if contended else "unknown")
            if item.startswith("quota:"):
                subject = item.removeprefix("quota:")
                raise Conflict("a daily allowance is used up", item="quota", subject=subject) from error
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

    def get_with_recent_timeline(
        self, tracking_id: str, before: str | None = None, limit: int = TIMELINE_PAGE
    ) -> tuple[Complaint, list[TimelineEvent], str | None]:
        """The complaint and its newest `limit` events (older than the cursor `before`), oldest first,
        and the cursor of the events before them (None when there are none): one Query, newest first,
        that reaches the complaint item too unless there are more events; then one GetItem."""
        pk = complaint_pk(tracking_id)
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND sk < :after_events",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":after_events": {"S": EVENT_PREFIX + "\uffff"}},
            "ScanIndexForward": False,
            "ConsistentRead": True,
            "Limit": limit + 3,  # the events, the one that says there are more, the outbox, the complaint
        }
        if before is not None:
            request["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": timeline_position(before)}}
        complaint: Complaint | None = None
        newest: list[tuple[str, TimelineEvent]] = []
        earlier = None
        for item in self._query(**request):
            sk = item["sk"]["S"]
            if sk.startswith(EVENT_PREFIX):
                if len(newest) == limit:
                    earlier = timeline_cursor(newest[-1][0])
                    break
                newest.append((sk, TimelineEvent.model_validate(_domain_fields(from_item(item)))))
            elif sk == COMPLAINT_SK:
                complaint = Complaint.model_validate(_domain_fields(from_item(item)))
                break
        if complaint is None:
            complaint = self.get(tracking_id)  # NotFound when there is no such complaint
        return complaint, [event for _, event in reversed(newest)], earlier

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
        partition = f"{agency_id}#{status}"
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INBOX_INDEX,
            "KeyConditionExpression": "inbox = :inbox",
            "ExpressionAttributeValues": {":inbox": {"S": partition}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = _inbox_start_key(cursor, partition)
        response = self._client.query(**request)
        rows = [ComplaintSummary.model_validate(from_item(item)) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        next_cursor = base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None
        return Page(rows, next_cursor)

    def filed_between(
        self, agency_id: str, status: Status, start: datetime, end: datetime
    ) -> list[FiledComplaint]:
        """Every complaint an agency holds in one status, filed in [start, end) (all pages), with
        only the attributes the statistics count: not the title, the privacy or the clock that an
        inbox row carries."""
        items = self._query(
            IndexName=INBOX_INDEX,
            KeyConditionExpression="inbox = :inbox AND created_at BETWEEN :start AND :end",
            ProjectionExpression=", ".join(FILED_NAMES),
            ExpressionAttributeNames=FILED_NAMES,
            ExpressionAttributeValues={
                ":inbox": {"S": f"{agency_id}#{status}"},
                # BETWEEN includes both ends: stop a microsecond before `end`, in UTC as stored.
                ":start": {"S": as_utc(start).strftime(STORED_TIME)},
                ":end": {"S": as_utc(end - timedelta(microseconds=1)).strftime(STORED_TIME)},
            },
        )
        return [FiledComplaint.model_validate(from_item(item)) for item in items]

    def by_reporter(self, lookup: str) -> list[str]:
        items = self._query(
            IndexName=REPORTER_INDEX,
            KeyConditionExpression="reporter_key = :key",
            ExpressionAttributeValues={":key": {"S": reporter_key(lookup, self._reporter_secret)}},
            ScanIndexForward=False,
        )
        return [item["tracking_id"]["S"] for item in items]

    def _query(self, **request: Any) -> Iterator[dict[str, Any]]:
        return query_items(self._client, self._table, **request)


# A timeline cursor is the sort key of the oldest event shown, as the store writes them.
_EVENT_SK = re.compile(r"^E#\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#[A-Za-z0-9#:_-]{1,120}$")


def timeline_cursor(sk: str) -> str:
    return base64.urlsafe_b64encode(sk.encode()).decode("ascii").rstrip("=")


def timeline_position(cursor: str) -> str:
    """The sort key a timeline cursor stands for; a cursor this store never gave is the client's
    mistake (422 naming `timeline_before`), never a query DynamoDB refuses."""
    try:
        sk = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")).decode()
    except (ValueError, UnicodeError):
        sk = ""
    if len(cursor) > 300 or not _EVENT_SK.fullmatch(sk):
        raise ValidationFailed([("timeline_before", "invalid_cursor", {})])
    return sk


_INBOX_KEY = frozenset({"pk", "sk", "inbox", "created_at"})  # the table's keys and the index's


def _inbox_start_key(cursor: str, partition: str) -> dict[str, Any]:
    """The ExclusiveStartKey a cursor stands for, if it is one this store gave for this partition.
    A cursor comes back from a client: a key of another agency's partition, of another item or of
    another shape would make DynamoDB refuse the query (a 503) or start where it was never asked
    to, so it is refused as the client's mistake (422 naming `cursor`)."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, RecursionError):  # not base64, not UTF-8, not JSON, or nested past the parser
        key = None
    if (
        isinstance(key, dict)
        and set(key) == _INBOX_KEY
        and all(isinstance(value, dict) and set(value) == {"S"} for value in key.values())
        and all(isinstance(value["S"], str) for value in key.values())
        and key["inbox"]["S"] == partition
        and key["pk"]["S"].startswith("C#")
        and key["sk"]["S"] == COMPLAINT_SK
    ):
        return key
    raise ValidationFailed([("cursor", "invalid_cursor", {})])


_STORE_ATTRIBUTES = frozenset({"pk", "sk", "due_shard", "next_due_at", "inbox", "reporter_key"})


def _domain_fields(document: dict[str, Any]) -> dict[str, Any]:
    """The item less the keys and index attributes that only the store writes."""
    return {key: value for key, value in document.items() if key not in _STORE_ATTRIBUTES}
