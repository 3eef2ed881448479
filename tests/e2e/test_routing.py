"""Every report reaches the right agency (or the right person to triage it), and each person
hears about it exactly once, whatever the queues redeliver."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from aduan.domain.workdays import WIB, WorkCalendar
from aduan_local.stack import LocalStack
from tests.e2e.helpers import eventually, quiet, report, sms_to

pytestmark = pytest.mark.e2e


def submit(stack: LocalStack, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(f"{stack.url}/complaints", json=body, timeout=30)
    assert response.status_code == 201, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


def view(stack: LocalStack, tracking_id: str) -> dict[str, Any]:
    document: dict[str, Any] = requests.get(f"{stack.url}/complaints/{tracking_id}", timeout=10).json()
    return document


def routed(stack: LocalStack, tracking_id: str) -> dict[str, Any]:
    done = eventually(lambda: (v := view(stack, tracking_id))["status"] != "submitted" and v)
    assert done, f"{tracking_id} was never routed"
    return done  # type: ignore[no-any-return]


def routing_event(stack: LocalStack, tracking_id: str) -> dict[str, Any]:
    """The routing decision as operators see it (data the public timeline does not show)."""
    items = stack.client("dynamodb").query(
        TableName=stack.resources.ref("ComplaintsTable"),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
        ExpressionAttributeValues={":pk": {"S": f"C#{tracking_id}"}, ":events": {"S": "E#"}},
    )["Items"]
    for item in items:
        if item["type"]["S"] in ("assigned", "needs_triage"):
            return {key: next(iter(value.values())) for key, value in item["data"]["M"].items()}
    raise AssertionError("no routing event")


def test_a_kependudukan_report_in_kabupaten_tangerang_reaches_disdukcapil_with_a_wib_deadline(
    local_stack: LocalStack,
) -> None:
    phone = "+6281255550001"
    receipt = submit(local_stack, report(reporter={"phone": phone}))
    complaint = routed(local_stack, receipt["tracking_id"])
    assert complaint["status"] == "assigned"
    assert complaint["agency"]["id"] == "kab-tangerang.disdukcapil"
    assigned_at = datetime.fromisoformat(complaint["timeline"][-1]["at"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(complaint["due_at"].replace("Z", "+00:00"))
    assert due == WorkCalendar(WIB).deadline(assigned_at, 5)
    assert due.astimezone(ZoneInfo(WIB)).strftime("%H:%M:%S") == "23:59:59"
    messages = eventually(lambda: len(sms_to(local_stack, phone)) >= 2 and sms_to(local_stack, phone))
    assert any(receipt["tracking_id_display"] in m and "diteruskan ke" in m for m in messages)
    assert all(len(m) <= 160 for m in messages)


def test_the_agency_hears_of_its_new_assignment(local_stack: LocalStack) -> None:
    receipt = submit(local_stack, report())
    routed(local_stack, receipt["tracking_id"])
    agency = next(a for a in local_stack_reference(local_stack) if a["id"] == "kab-tangerang.disdukcapil")
    number = agency["sms_numbers"][0]
    assert eventually(lambda: [m for m in sms_to(local_stack, number) if receipt["tracking_id_display"] in m])


def local_stack_reference(stack: LocalStack) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").query(
        TableName=stack.resources.ref("ComplaintsTable"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "REF#AGENCY"}},
    )["Items"]
    from aduan.aws.items import from_item

    return [from_item(item) for item in items]


def test_the_same_routing_message_delivered_three_times_routes_once_and_texts_once(
    local_stack: LocalStack,
) -> None:
    phone = "+6281255550002"
    receipt = submit(local_stack, report(reporter={"phone": phone}))
    routed(local_stack, receipt["tracking_id"])
    sqs = local_stack.client("sqs")
    message = json.dumps({"type": "complaint.submitted", "tracking_id": receipt["tracking_id"]})
    for _ in range(3):
        sqs.send_message(QueueUrl=local_stack.resources.ref("RoutingQueue"), MessageBody=message)
    quiet(local_stack)  # the three deliveries and their notifications done
    timeline = view(local_stack, receipt["tracking_id"])["timeline"]
    assert [event["type"] for event in timeline].count("assigned") == 1
    assigned_texts = [m for m in sms_to(local_stack, phone) if "diteruskan ke" in m]
    assert len(assigned_texts) == 1
