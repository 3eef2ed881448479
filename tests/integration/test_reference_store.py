"""Reference data in the single table (moto server, table from template.yaml): seeding is idempotent,
loading gives back exactly the seed files, and operators and the local stack seed the same way."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from aduan.aws.reference_store import KINDS, DynamoReferenceStore, SeedIncomplete
from aduan.domain.reference import ReferenceData, load_seed
from aduan_admin.cli import main as admin
from aduan_admin.cli import seed_table
from aduan_local.resources import Resources
from aduan_local.seed import default_seeders
from tests.conftest import REGION

pytestmark = pytest.mark.integration

SEED_DIR = Path(__file__).resolve().parents[2] / "infra" / "seed"


@pytest.fixture(scope="module")
def seed() -> ReferenceData:
    return load_seed(SEED_DIR)


def reference_items(dynamodb: Any, table: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every REF# item, read by Query per kind (the test must not lean on the code under test)."""
    items = {}
    for kind in KINDS:
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": kind}},
        }
        while True:
            page = dynamodb.query(**request)
            items |= {(item["pk"]["S"], item["sk"]["S"]): item for item in page["Items"]}
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return items


def test_seeding_twice_leaves_the_same_items(
    dynamodb: Any, complaints_table: str, seed: ReferenceData
) -> None:
    store = DynamoReferenceStore(dynamodb, complaints_table)
    first = store.put_all(seed)
    after_first = reference_items(dynamodb, complaints_table)
    second = store.put_all(seed)

    assert reference_items(dynamodb, complaints_table) == after_first
    assert first == second
    assert first.written == {
        "REF#AGENCY": 15,
        "REF#CATEGORY": 11,
        "REF#RULE": 11,
        "REF#REGION": 164,
        "REF#KEYWORD": 10,
    }
    assert sum(second.removed.values()) == 0
    assert after_first[("REF#RULE", "kependudukan#36.03")]["agency_id"] == {"S": "kab-tangerang.disdukcapil"}


def test_loading_gives_back_the_seed_files(dynamodb: Any, complaints_table: str, seed: ReferenceData) -> None:
    store = DynamoReferenceStore(dynamodb, complaints_table)
    store.put_all(seed)

    loaded = store.load(consistent=True)

    assert loaded == seed
    assert [category.code for category in loaded.categories] == [
        category.code for category in seed.categories
    ]
    assert loaded.rule_for("kependudukan", "36.03.18").agency_id == "kab-tangerang.disdukcapil"  # type: ignore[union-attr]


def test_loading_follows_pages(dynamodb: Any, complaints_table: str, seed: ReferenceData) -> None:
    DynamoReferenceStore(dynamodb, complaints_table).put_all(seed)
    calls = CountingClient(dynamodb)

    loaded = DynamoReferenceStore(calls, complaints_table, page_size=40).load()  # type: ignore[arg-type]

    assert loaded == seed
    assert calls.count("query") > len(KINDS)  # 164 regions need five pages of 40
    assert calls.count("scan") == 0


def test_reference_items_leave_complaints_alone(
    dynamodb: Any, complaints_table: str, seed: ReferenceData
) -> None:
    dynamodb.put_item(
        TableName=complaints_table, Item={"pk": {"S": "C#K7MX4RPA27"}, "sk": {"S": "#COMPLAINT"}}
    )
    DynamoReferenceStore(dynamodb, complaints_table).put_all(seed)
    assert "Item" in dynamodb.get_item(
        TableName=complaints_table, Key={"pk": {"S": "C#K7MX4RPA27"}, "sk": {"S": "#COMPLAINT"}}
    )


def test_a_rule_removed_from_the_seed_is_removed_from_the_table(
    dynamodb: Any, complaints_table: str, seed: ReferenceData
) -> None:
    store = DynamoReferenceStore(dynamodb, complaints_table)
    store.put_all(seed)
    fewer = ReferenceData(
        agencies=seed.agencies,
        categories=seed.categories,
        rules=tuple(rule for rule in seed.rules if rule.region_prefix != "36.71"),
        regions=seed.regions,
        keywords=seed.keywords,
    )

    kept = store.put_all(fewer, prune=False)
    assert sum(kept.removed.values()) == 0
    assert store.load(consistent=True).rule_for("kependudukan", "36.71") is not None

    pruned = store.put_all(fewer)
    assert pruned.removed["REF#RULE"] == 1
    assert store.load(consistent=True).rule_for("kependudukan", "36.71") is None


def test_unprocessed_items_are_retried(dynamodb: Any, complaints_table: str, seed: ReferenceData) -> None:
    throttled = ThrottlingClient(dynamodb, throttle_first=3)
    waits: list[float] = []

    DynamoReferenceStore(throttled, complaints_table, sleep=waits.append).put_all(seed)  # type: ignore[arg-type]

    assert len(waits) == 3
    assert waits == sorted(waits)  # backing off
    assert DynamoReferenceStore(dynamodb, complaints_table).load(consistent=True) == seed


def test_a_batch_that_never_gets_through_is_an_error(
    dynamodb: Any, complaints_table: str, seed: ReferenceData
) -> None:
    throttled = ThrottlingClient(dynamodb, throttle_first=1000)
    store = DynamoReferenceStore(throttled, complaints_table, sleep=lambda _: None)  # type: ignore[arg-type]
    with pytest.raises(SeedIncomplete):
        store.put_all(seed)


@pytest.mark.filterwarnings("ignore:Tried to parse AWS")  # moto does not emulate the handle
def test_aduan_admin_seeds_the_table_of_a_stack(
    dynamodb: Any,
    complaints_table: str,
    moto_endpoint: str,
    seed: ReferenceData,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import boto3

    cloudformation = boto3.client("cloudformation", endpoint_url=moto_endpoint, region_name=REGION)
    stack = f"aduan-test-{uuid.uuid4().hex[:6]}"
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(
            {
                "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                "Outputs": {"TableName": {"Value": complaints_table}},
            }
        ),
    )

    admin(["seed", "--stack", stack, "--endpoint-url", moto_endpoint, "--region", REGION])
    admin(["seed", "--table", complaints_table, "--endpoint-url", moto_endpoint, "--region", REGION])

    counts = "agency 15, category 11, rule 11, region 164, keyword 10"
    expected = f"seeded {complaints_table}: {counts} (stale removed: 0)"
    assert capsys.readouterr().out.splitlines() == [expected, expected]
    assert DynamoReferenceStore(dynamodb, complaints_table).load(consistent=True) == seed


def test_the_local_stack_seeds_through_the_admin_command(
    dynamodb: Any, complaints_table: str, moto_endpoint: str, seed: ReferenceData
) -> None:
    resources = Resources(
        "aduan-local", REGION, moto_endpoint, {}, refs={"ComplaintsTable": complaints_table}
    )

    for seeder in default_seeders():
        seeder(resources)

    assert DynamoReferenceStore(dynamodb, complaints_table).load(consistent=True) == seed
    assert reference_items(dynamodb, complaints_table) == _seeded_by_admin(dynamodb, seed)


def _seeded_by_admin(dynamodb: Any, seed: ReferenceData) -> dict[tuple[str, str], dict[str, Any]]:
    from aduan_local.template import create_table, load_template

    table = f"complaints-{uuid.uuid4().hex[:8]}"
    create_table(dynamodb, load_template()["Resources"]["ComplaintsTable"]["Properties"], table)
    seed_table(dynamodb, table, SEED_DIR)
    return reference_items(dynamodb, table)


class CountingClient:
    """The real client, counting calls by operation."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self._client, name)

    def count(self, name: str) -> int:
        return self.calls.count(name)


class ThrottlingClient:
    """The real client, except that the first `throttle_first` BatchWriteItem calls write only half
    of their requests and return the rest as UnprocessedItems, as DynamoDB does when throttled."""

    def __init__(self, client: Any, throttle_first: int) -> None:
        self._client = client
        self._left = throttle_first

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:  # noqa: N803
        if self._left <= 0:
            return dict(self._client.batch_write_item(RequestItems=RequestItems))
        self._left -= 1
        ((table, requests),) = RequestItems.items()
        half = len(requests) // 2
        if half:
            self._client.batch_write_item(RequestItems={table: requests[:half]})
        return {"UnprocessedItems": {table: requests[half:]}}
