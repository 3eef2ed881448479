"""Reference data in the single table: one partition per kind, one item per agency, category,
rule, region or keyword list.

  pk=REF#AGENCY    sk=<agency id>                 an aduan.domain.models.Agency
  pk=REF#CATEGORY  sk=<code>                      an aduan.domain.models.Category (+ `position`: list order)
  pk=REF#RULE      sk=<category>#<region prefix>  an aduan.domain.reference.RoutingRule
  pk=REF#REGION    sk=<Kemendagri code>           an aduan.domain.reference.Region
  pk=REF#KEYWORD   sk=<category>                  an aduan.domain.reference.CategoryKeywords

Loading is one paginated Query per kind (never a Scan); seeding is BatchWriteItem in chunks of 25,
idempotent, and by default removes reference items the seed no longer has, so the table matches
the files in the repo.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from aduan.aws.items import from_item, json_document, to_item
from aduan.domain.models import Agency, Category
from aduan.domain.reference import CategoryKeywords, ReferenceData, Region, RoutingRule

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

AGENCY = "REF#AGENCY"
CATEGORY = "REF#CATEGORY"
RULE = "REF#RULE"
REGION = "REF#REGION"
KEYWORD = "REF#KEYWORD"
KINDS = (AGENCY, CATEGORY, RULE, REGION, KEYWORD)
BATCH_SIZE = 25  # BatchWriteItem's limit
MAX_ATTEMPTS = 8


class SeedIncomplete(RuntimeError):
    """DynamoDB kept returning unprocessed items: part of the seed was not written."""


@dataclass(frozen=True)
class SeedReport:
    """What `put_all` did, by kind: items written and stale items removed."""

    written: dict[str, int]
    removed: dict[str, int]


def _item(pk: str, sk: str, model: BaseModel, **extra: Any) -> dict[str, Any]:
    return to_item(json_document(model) | extra | {"pk": pk, "sk": sk})


def _document(item: dict[str, Any]) -> dict[str, Any]:
    document = from_item(item)
    for key in ("pk", "sk", "position"):
        document.pop(key, None)
    return document


def items_of(reference: ReferenceData) -> list[dict[str, Any]]:
    """Every item that stores `reference`, keyed as the module docstring says."""
    items = [_item(AGENCY, agency.id, agency) for agency in reference.agencies]
    # Categories keep the seed's order (the web form lists them so): sk order is alphabetical.
    items += [
        _item(CATEGORY, category.code, category, position=n)
        for n, category in enumerate(reference.categories)
    ]
    items += [_item(RULE, rule.key, rule) for rule in reference.rules]
    items += [_item(REGION, region.code, region) for region in reference.regions]
    items += [_item(KEYWORD, entry.category, entry) for entry in reference.keywords]
    return items


class DynamoReferenceStore:
    """Reads and seeds the reference data in the single table."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        page_size: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._table = table_name
        self._page_size = page_size
        self._sleep = sleep

    # -- reads ------------------------------------------------------------------------------------

    def load(self, *, consistent: bool = False) -> ReferenceData:
        """All reference data: five Queries (more pages if a kind outgrows 1 MB), checked on load."""
        categories = sorted(self._query(CATEGORY, consistent), key=lambda item: int(item["position"]["N"]))
        return ReferenceData(
            agencies=tuple(
                Agency.model_validate(_document(item)) for item in self._query(AGENCY, consistent)
            ),
            categories=tuple(Category.model_validate(_document(item)) for item in categories),
            rules=tuple(
                RoutingRule.model_validate(_document(item)) for item in self._query(RULE, consistent)
            ),
            regions=tuple(Region.model_validate(_document(item)) for item in self._query(REGION, consistent)),
            keywords=tuple(
                CategoryKeywords.model_validate(_document(item)) for item in self._query(KEYWORD, consistent)
            ),
        )

    def _query(self, pk: str, consistent: bool, keys_only: bool = False) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ConsistentRead": consistent,
        }
        if keys_only:
            request["ProjectionExpression"] = "pk, sk"
        if self._page_size:
            request["Limit"] = self._page_size
        while True:
            page = self._client.query(**request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- writes -----------------------------------------------------------------------------------

    def put_all(self, reference: ReferenceData, *, prune: bool = True) -> SeedReport:
        """Write every item of `reference` (a rerun rewrites the same items: idempotent) and, with
        `prune`, delete reference items the seed no longer has (a removed rule stops routing)."""
        items = items_of(reference)
        wanted = {(item["pk"]["S"], item["sk"]["S"]) for item in items}
        stale = []
        if prune:
            stale = [
                {"pk": item["pk"], "sk": item["sk"]}
                for kind in KINDS
                for item in self._query(kind, consistent=True, keys_only=True)
                if (item["pk"]["S"], item["sk"]["S"]) not in wanted
            ]
        requests = [{"PutRequest": {"Item": item}} for item in items]
        requests += [{"DeleteRequest": {"Key": key}} for key in stale]
        self._batch_write(requests)
        return SeedReport(
            written={kind: sum(item["pk"]["S"] == kind for item in items) for kind in KINDS},
            removed={kind: sum(key["pk"]["S"] == kind for key in stale) for kind in KINDS},
        )

    def _batch_write(self, requests: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(requests), BATCH_SIZE):
            pending: list[Any] = list(requests[start : start + BATCH_SIZE])
            for attempt in range(MAX_ATTEMPTS):
                response = self._client.batch_write_item(RequestItems={self._table: pending})
                pending = list(response.get("UnprocessedItems", {}).get(self._table, []))
                if not pending:
                    break
                # Throttled: back off exponentially, as the SDK guidance for BatchWriteItem says.
                self._sleep(min(0.05 * 2**attempt, 2.0))
            else:
                raise SeedIncomplete(
                    f"{len(pending)} reference items still unprocessed after {MAX_ATTEMPTS} tries"
                )
