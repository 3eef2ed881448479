"""No DynamoDB Scan on any code path, however it is spelt: a paginator's Scan fails the call in the
tests (tests/conftest.py) and in the local stack's functions (aduan_local.calls), where `make lint`'s
grep and a count of `client.scan` calls would let it through."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from aduan.aws.reference_store import DynamoReferenceStore
from aduan_local.calls import REFUSED_SCAN, CallCounter, CallLedger, RefusedScan
from tests.conftest import REGION, SCANS_REFUSED

pytestmark = pytest.mark.integration


class ScanningClient:
    """A DynamoDB client that answers every Query with a paginated Scan of the whole table."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def query(self, **request: Any) -> dict[str, Any]:
        pages = self._client.get_paginator("scan").paginate(TableName=request["TableName"])
        result: dict[str, Any] = pages.build_full_result()
        return result


def test_a_paginated_scan_under_a_code_path_fails_the_test(dynamodb: Any, complaints_table: str) -> None:
    store = DynamoReferenceStore(ScanningClient(dynamodb), complaints_table)

    with pytest.raises(AssertionError, match=r"DynamoDB Scan from .*reference_store\.py"):
        store.load()

    # The session fails on every refused Scan, swallowed or not: this one was on purpose.
    assert SCANS_REFUSED.pop().endswith("shared/aduan/aws/reference_store.py")
    assert SCANS_REFUSED == []


def test_a_test_may_still_scan_the_emulator_to_see_what_was_stored(
    dynamodb: Any, complaints_table: str
) -> None:
    pages = dynamodb.get_paginator("scan").paginate(TableName=complaints_table)
    assert pages.build_full_result()["Items"] == []


def test_the_local_stack_refuses_every_scan_of_a_function_and_remembers_it(
    moto_endpoint: str, complaints_table: str
) -> None:
    session = boto3.session.Session(region_name=REGION)
    counter = CallCounter()
    counter.attach(session.events)  # as each worker does before it imports the handler
    dynamodb = session.client("dynamodb", endpoint_url=moto_endpoint)

    with pytest.raises(RefusedScan):
        dynamodb.get_paginator("scan").paginate(TableName=complaints_table).build_full_result()
    with pytest.raises(RefusedScan):
        dynamodb.scan(TableName=complaints_table)
    dynamodb.get_item(TableName=complaints_table, Key={"pk": {"S": "x"}, "sk": {"S": "y"}})

    ledger = CallLedger()
    ledger.invoked("CitizenFunction", 256, {"duration_ms": 3.0, "calls": counter.take()})
    assert ledger.snapshot()["functions"]["CitizenFunction"]["calls"] == {
        REFUSED_SCAN: 2,
        "dynamodb.GetItem": 1,
    }
    ledger.reset()  # what a test does between measurements: the refused Scans stay
    assert ledger.scans == {"CitizenFunction": 2}
