"""A day's counts of complaints per destination and client, kept by the complaint store in the
transaction that creates the complaint: on the fake and on DynamoDB (moto, the table built from
template.yaml) alike, so that the stories told with the fake hold for the table."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest

from aduan.aws.complaint_store import DynamoComplaintStore
from aduan.domain.allowance import CLIENT, PHONE, Allowance, Quota
from aduan.domain.errors import Conflict
from aduan.domain.models import Actor, Role, Status, TimelineEvent
from aduan.domain.ports import Idempotency
from tests.factories import ASSIGNED_AT, complaint
from tests.fakes import FakeComplaintStore

pytestmark = pytest.mark.integration

SECRET = b"allowance-secret"
NOW = ASSIGNED_AT
PHONE_NUMBER = "+6281234567890"
ADDRESS = "203.0.113.7"


@pytest.fixture(params=["fake", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Any:
    if request.param == "fake":
        return FakeComplaintStore(reporter_secret=SECRET)
    return DynamoComplaintStore(
        request.getfixturevalue("dynamodb"),
        request.getfixturevalue("complaints_table"),
        reporter_secret=SECRET,
    )


def quotas(limit: int = 2, phone: str = PHONE_NUMBER, client: str = ADDRESS) -> list[Quota]:
    allowance = Allowance(per_destination=limit, per_client=limit)
    return allowance.quotas(phone=phone, email=None, client=client, now=NOW)


def create(store: Any, counted: list[Quota], key: str | None = None) -> str:
    case = complaint()
    event = TimelineEvent(
        at=NOW, type="submitted", actor=Actor(role=Role.CITIZEN), to_status=Status.SUBMITTED
    )
    record = (
        Idempotency(key, "f", {"tracking_id": case.tracking_id}, NOW + timedelta(days=1)) if key else None
    )
    store.create(case, event, next_due_at=None, idempotency=record, quotas=counted)
    return case.tracking_id


def test_a_count_at_its_limit_refuses_the_complaint_and_writes_nothing(store: Any) -> None:
    first, second = create(store, quotas()), create(store, quotas())

    with pytest.raises(Conflict) as refused:
        create(store, quotas(client="198.51.100.1"))  # the phone is used up; the client is new

    assert refused.value.details == {"item": "quota", "subject": PHONE}
    # Nothing of the refused complaint was written, its new client's count included.
    create(store, quotas(phone="+6285712345678", client="198.51.100.1"))
    create(store, quotas(phone="+6285712345679", client="198.51.100.1"))
    with pytest.raises(Conflict) as again:
        create(store, quotas(phone="+6285712345670", client="198.51.100.1"))
    assert again.value.details["subject"] == CLIENT
    assert {store.get(first).tracking_id, store.get(second).tracking_id} == {first, second}


def test_a_replayed_key_fails_on_its_record_and_counts_nothing(store: Any) -> None:
    create(store, quotas(), key="web:once")
    with pytest.raises(Conflict) as replayed:
        create(store, quotas(), key="web:once")
    assert replayed.value.details["item"] == "idempotency"

    create(store, quotas())  # the second of two: the replay took none
    with pytest.raises(Conflict) as used_up:
        create(store, quotas(), key="web:once")  # both fail; the replay is what the caller must hear
    assert used_up.value.details["item"] == "idempotency"


def test_each_day_counts_afresh(store: Any) -> None:
    create(store, quotas(limit=1))
    tomorrow = Allowance(1, 1).quotas(
        phone=PHONE_NUMBER, email=None, client=ADDRESS, now=NOW + timedelta(days=1)
    )
    create(store, tomorrow)


def test_the_table_keeps_keyed_hashes_of_what_it_counts_never_the_number_or_the_address(
    dynamodb: Any, complaints_table: str
) -> None:
    store = DynamoComplaintStore(dynamodb, complaints_table, reporter_secret=SECRET)
    create(store, quotas())
    counts = [
        item
        for item in dynamodb.get_paginator("scan")
        .paginate(TableName=complaints_table)
        .build_full_result()["Items"]
        if item["pk"]["S"].startswith("QUOTA#")
    ]  # a test may Scan the emulator; no code path does
    assert len(counts) == 2
    assert PHONE_NUMBER[1:] not in json.dumps(counts)
    assert ADDRESS not in json.dumps(counts)
    assert {item["complaints"]["N"] for item in counts} == {"1"}
    # Removed by the table's TTL a day after the Jakarta day they count.
    assert {int(item["expires_at"]["N"]) for item in counts} == {int(quotas()[0].expires_at.timestamp())}


def test_complaints_from_one_client_at_the_same_moment_are_all_counted(
    dynamodb: Any, complaints_table: str
) -> None:
    store = DynamoComplaintStore(dynamodb, complaints_table, reporter_secret=SECRET)
    errors: list[Exception] = []

    def file(n: int) -> None:
        try:
            create(store, quotas(limit=8, phone=f"+62812990{n:05d}"))
        except Exception as error:  # pragma: no cover - what the assertion reports
            errors.append(error)

    threads = [threading.Thread(target=file, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(errors) == 4
    assert {json.dumps(error.details) for error in errors if isinstance(error, Conflict)} == {
        json.dumps({"item": "quota", "subject": CLIENT})
    }
