"""AWS calls per complaint over its whole story, and what a million complaints cost at list prices.

Starts the local stack (the real template, seeded), runs one story to warm every function (its
secret and reference-data loads are once per process, not per complaint), then STORIES more, and
reads the stack's counts (`GET /_local/calls`: counted from botocore's events in every worker and
in the SQS pollers that stand in for Lambda's event source mappings). Beside each count, the
minimum the design needs (`minimum()`), every number of it written from STORY: the story's steps
and the notifications each must send (template, recipient, channel), as DESIGN and the effects
table say, not from what a run sent; where a count is above it, why. The deliveries the outbox
received are compared with STORY too, and a run that differs (a text missing or sent twice, a
write more or less) says so and exits non-zero.

    python bench/aws_calls.py [--stories 4]
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import story

from aduan_local.client import free_port
from aduan_local.seed import default_seeders
from aduan_local.stack import LocalStack, StackOptions

PRICES = Path(__file__).parent / "prices-ap-southeast-3.json"

BATCH = 10  # SQS and Lambda's event source mapping: up to ten messages a batch
AGENCY = "agency:kab-tangerang.disdukcapil:0"  # its one number and one email (infra/seed/agencies.json)
DESIGN = "DESIGN §1 Notifications"
OURS = "Aduan's choice (docs/architecture.md, the effects table)"


@dataclass(frozen=True)
class Step:
    """One step of bench/story.py: whether it changes the complaint's state (one transaction),
    whether an operator takes it (they open the complaint first), and who must be told what:
    (template, recipient, channel) for each notification, with where that comes from."""

    name: str
    change: bool
    operator: bool
    told: tuple[tuple[str, str, str], ...]
    source: str = ""


# The story as it must go, written from DESIGN and the effects table; not from what a run sent.
# tests/infrastructure/test_bench_aws_calls.py walks the same story through the use cases.
STORY = (
    Step("reported by SMS", True, False, (("received", "citizen", "sms"),), DESIGN),
    Step(
        "routed: assigned",
        True,
        False,
        (
            ("assigned", "citizen", "sms"),
            ("new_assignment", AGENCY, "sms"),
            ("new_assignment", AGENCY, "email"),
        ),
        DESIGN,
    ),
    Step("acknowledged", True, True, ()),
    Step("information requested", True, True, (("info_requested", "citizen", "sms"),), DESIGN),
    Step("information given (BALAS by SMS)", True, False, (("reply_received", "citizen", "sms"),), OURS),
    Step("responded", True, True, (("responded", "citizen", "sms"),), DESIGN),
    Step(
        "reopened by the citizen",
        True,
        False,
        (("reopened", AGENCY, "sms"), ("reopened", AGENCY, "email")),
        OURS,
    ),
    Step("responded again", True, True, (("responded", "citizen", "sms"),), DESIGN),
    Step("rated", True, False, ()),
    Step("closed by the deadline check (no reply)", True, False, (("closed", "citizen", "sms"),), DESIGN),
)


def expected(story: tuple[Step, ...] = STORY) -> dict[str, int]:
    """What the story must do, per complaint, counted from the table: changes of state, operator
    actions, notifications by channel and recipient, and the SQS messages it puts on queues (each
    notification, the report's routing message, and the deadline check's one due message)."""
    told = [notification for step in story for notification in step.told]
    return {
        "changes": sum(step.change for step in story),
        "operator_actions": sum(step.operator for step in story),
        "steps_telling": sum(bool(step.told) for step in story),
        "deliveries": len(told),
        "sms": sum(channel == "sms" for _t, _r, channel in told),
        "email": sum(channel == "email" for _t, _r, channel in told),
        "citizen_sms": sum(r == "citizen" and c == "sms" for _t, r, c in told),
        "agency_sms": sum(r.startswith("agency:") and c == "sms" for _t, r, c in told),
        "agency_email": sum(r.startswith("agency:") and c == "email" for _t, r, c in told),
        "to_citizen": sum(r == "citizen" for _t, r, _c in told),
        "receipts": sum(template == "received" for template, _r, _c in told),  # with the access code
        "messages": len(told) + 2,
    }


def minimum(story: tuple[Step, ...] = STORY) -> dict[str, tuple[float, str]]:
    """What the design needs per complaint over the story, by service and operation, and why:
    every number from the story's table (STORY), none from a measurement."""
    need = expected(story)
    return {
        "dynamodb.TransactWriteItems": (need["changes"], "one per change of state"),
        "dynamodb.GetItem": (
            need["changes"] - 1 - need["operator_actions"] + need["to_citizen"] + need["receipts"],
            "the version each later change is conditional on (an operator's action reuses the "
            "complaint they opened), the citizen's contact for each message to them (queues "
            "never carry addresses), and the outbox a delivered receipt leaves",
        ),
        "dynamodb.DeleteItem": (
            need["receipts"],
            "a delivered receipt's copy in the complaint's outbox: no stored copy keeps the access code",
        ),
        "dynamodb.Query": (need["operator_actions"], "the operator opens the complaint with its timeline"),
        "dynamodb.PutItem": (
            2 * need["deliveries"],
            "per delivery: its exactly-once claim and its timeline event",
        ),
        "dynamodb.UpdateItem": (need["deliveries"], "per delivery: settling its claim"),
        "sqs.SendMessage": (
            need["steps_telling"] + 1,
            "one per step that tells someone (all its notifications in one call) and the report's "
            "routing message",
        ),
        "sqs.SendMessageBatch": (1 / BATCH, "the deadline check: one per ten due"),
        "sqs.ReceiveMessage": (need["messages"] / BATCH, "full batches of ten"),
        "sqs.DeleteMessageBatch": (need["messages"] / BATCH, "full batches of ten"),
        "sns.Publish": (need["sms"], "each SMS the story's table says goes out"),
        "sesv2.SendEmail": (need["email"], "each email the story's table says goes out"),
    }


# Calls the design makes at exactly its minimum: a run with more or fewer is a regression.
AT_MINIMUM = (
    "dynamodb.TransactWriteItems",
    "dynamodb.PutItem",
    "dynamodb.UpdateItem",
    "dynamodb.DeleteItem",
    "sns.Publish",
    "sesv2.SendEmail",
)

# Calls counted that the story needs none of, and why they are there.
NOT_NEEDED = {"sqs.ReceiveMessage.empty": "idle polling: a cost per hour, not per complaint"}

# Why a count is above the minimum, where it is.
ABOVE = {
    "dynamodb.GetItem": "each operator action reads the complaint again (the version it is "
    "conditional on), although the operator opened it a moment before",
    "dynamodb.Query": "each operator action and each citizen reply answers with the complaint and "
    "its whole timeline, read again after the write (the answer could be built from the read and "
    "the events just written); and the deadline check's eight shard queries, per run, are shared "
    "here by the few complaints of this bench",
    "sqs.SendMessage": "routing sends the citizen's and the agency's notifications one message at "
    "a time, where one SendMessageBatch would carry them all",
    "sqs.SendMessageBatch": "the deadline check ran once for the few complaints of this bench; "
    "its eight shard queries and its batch are per run, shared by every complaint due in it",
    "sqs.ReceiveMessage": "one complaint at a time never fills a batch: a poll brings one or two "
    "messages and the 1 s batching window polls again; under load batches fill towards ten",
    "sqs.DeleteMessageBatch": "one per batch, and batches are small when complaints come one at a time",
}


def measure(stories: int) -> dict[str, Any]:
    logging.getLogger("aduan_local").setLevel(logging.WARNING)
    options = StackOptions(port=free_port(), timers=False, seeders=default_seeders(), stack_name="aws-calls")
    with LocalStack(options) as stack:
        story.run_stories(stack, 1, first_phone=9000)  # warm: clients, secrets, reference data
        story.quiet(stack)
        stack.calls.reset()
        before = _ids(stack.outbox())
        told = story.run_stories(stack, stories, first_phone=9100)
        counts = story.quiet(stack)
        outbox = stack.outbox()
    sent = {channel: [m for m in messages if m["id"] not in before] for channel, messages in outbox.items()}
    return {"stories": stories, "counts": counts, "delivered": delivered(sent, {s.phone for s in told})}


def _ids(outbox: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {str(message.get("id")) for messages in outbox.values() for message in messages}


def delivered(sent: dict[str, list[dict[str, Any]]], citizens: set[str]) -> dict[str, int]:
    """What the outbox received during the measured stories, by recipient and channel (the agency's
    contacts from the seed, the citizens by the stories' phones); anything else is `other`."""
    from aduan.domain.notifications import Channel
    from aduan.domain.reference import load_seed
    from aduan_admin.cli import DEFAULT_SEED_DIR

    agency = AGENCY.split(":")[1]
    seed = load_seed(DEFAULT_SEED_DIR)
    agency_sms = set(seed.agency_contacts(agency, Channel.SMS))
    agency_email = set(seed.agency_contacts(agency, Channel.EMAIL))
    counts = Counter(
        "citizen_sms" if m["to"] in citizens else "agency_sms" if m["to"] in agency_sms else "other"
        for m in sent.get("sms", [])
    )
    counts.update("agency_email" if m["to"] in agency_email else "other" for m in sent.get("email", []))
    counts.update("other" for _ in sent.get("webhook", []))
    return {kind: counts.get(kind, 0) for kind in ("citizen_sms", "agency_sms", "agency_email", "other")}


def deliveries_table(result: dict[str, Any]) -> str:
    """Each kind of delivery per complaint: what the story's table says, beside what went out."""
    need = expected() | {"other": 0}
    got = {kind: count / result["stories"] for kind, count in result["delivered"].items()}
    rows = ["| delivered | expected (STORY) | measured (the outbox) | |", "| --- | ---: | ---: | --- |"]
    for kind in ("citizen_sms", "agency_sms", "agency_email", "other"):
        verdict = "" if got[kind] == need[kind] else "**differs**"
        rows.append(f"| {kind.replace('_', ' ')} | {need[kind]} | {_number(got[kind])} | {verdict} |")
    return "\n".join(rows) + "\n"


def mismatches(result: dict[str, Any]) -> list[str]:
    """Where a run differs from the story's expectation: a delivery missing or extra, or a call
    the design already makes at its minimum made more or less often."""
    need = expected() | {"other": 0}
    wrong = [
        f"{kind}: expected {need[kind]}, delivered {count / result['stories']:g} per complaint"
        for kind, count in result["delivered"].items()
        if count != need[kind] * result["stories"]
    ]
    functions = per_complaint(result)["functions"]
    for name in AT_MINIMUM:
        floor = minimum()[name][0]
        if abs(functions.get(name, 0) - floor) > 1e-9:
            wrong.append(f"{name}: {functions.get(name, 0):g} per complaint, the story needs {floor:g}")
    return wrong


def per_complaint(result: dict[str, Any]) -> dict[str, Any]:
    """Counts divided by the number of stories: calls by function, ESM calls, API requests, units."""
    n = result["stories"]
    counts = result["counts"]
    calls: Counter[str] = Counter()
    units: Counter[str] = Counter()
    invocations: dict[str, float] = {}
    gb_seconds = 0.0
    for name, entry in counts["functions"].items():
        calls.update(entry.get("calls", {}))
        units.update(entry.get("units", {}))
        invocations[name] = entry["invocations"] / n
        gb_seconds += entry["billed_ms"] / 1000 * entry["memory_mb"] / 1024 / n
    mappings = counts["event_source_mappings"]
    esm: Counter[str] = Counter(mappings.get("calls", {}))
    units.update(mappings.get("units", {}))
    units["sqs.requests"] -= esm["sqs.ReceiveMessage.empty"]  # idle polls: per hour, not per complaint
    return {
        "functions": {k: v / n for k, v in calls.items()},
        "mappings": {k: v / n for k, v in esm.items()},
        "units": {k: v / n for k, v in units.items()},
        "invocations": invocations,
        "gb_seconds": gb_seconds,
        "api_requests": sum(counts["api_requests"].values()) / n,
    }


def _number(value: float) -> str:
    return f"{value:,.1f}".replace(".0", "") if value >= 1 or value == 0 else f"{value:.2f}"


def calls_table(result: dict[str, Any]) -> str:
    figures = per_complaint(result)
    functions, mappings = figures["functions"], figures["mappings"]
    needed = minimum()
    rows = [
        "| call | by | per complaint | minimum | why the minimum | above it because |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for source, counted in (("functions", functions), ("event source mappings", mappings)):
        for name in sorted(counted):
            value = counted[name]
            floor, why = needed.get(name, (0.0, NOT_NEEDED.get(name, "**not in the story's table**")))
            above = ABOVE.get(name, "") if value > floor + 1e-9 else ""
            if name in AT_MINIMUM and abs(value - floor) > 1e-9:
                above = "**differs from the story's expectation**"
            rows.append(f"| `{name}` | {source} | {_number(value)} | {_number(floor)} | {why} | {above} |")
    rows.append(
        f"| API Gateway requests | HTTP API | {_number(figures['api_requests'])} | "
        f"{_number(figures['api_requests'])} | the story's own requests (SMS webhooks, operator, citizen) | |"
    )
    for name, value in sorted(figures["invocations"].items()):
        rows.append(f"| Lambda invocations | {name} | {_number(value)} | | | |")
    return "\n".join(rows) + "\n"


def cost_table(result: dict[str, Any]) -> str:
    prices = {k: v["usd"] for k, v in json.loads(PRICES.read_text())["prices"].items()}
    figures = per_complaint(result)
    units, functions = figures["units"], figures["functions"]
    million = 1_000_000
    lines = [
        ("Lambda requests", sum(figures["invocations"].values()), prices["lambda_requests_per_million"]),
        ("Lambda GB-seconds (arm64)", figures["gb_seconds"], prices["lambda_arm64_gb_second"] * million),
        (
            "DynamoDB write request units",
            units.get("dynamodb.write", 0),
            prices["dynamodb_on_demand_write_request_units_per_million"],
        ),
        (
            "DynamoDB read request units",
            units.get("dynamodb.read", 0),
            prices["dynamodb_on_demand_read_request_units_per_million"],
        ),
        (
            "SQS requests (64 KB chunks)",
            units.get("sqs.requests", 0),
            prices["sqs_standard_requests_per_million"],
        ),
        (
            "API Gateway HTTP API requests",
            figures["api_requests"],
            prices["apigateway_http_api_requests_per_million"],
        ),
    ]
    rows = [
        "| item | per complaint | per million complaints | USD per million units | USD per million |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    total = 0.0
    for name, per, price in lines:
        cost = per * price
        total += cost
        rows.append(f"| {name} | {per:,.3f} | {per * million:,.0f} | {price:,.4f} | {cost:,.2f} |")
    rows.append(f"| **AWS, without messages** | | | | **{total:,.2f}** |")
    sms, email = functions.get("sns.Publish", 0), functions.get("sesv2.SendEmail", 0)
    sms_price = prices["sns_sms_indonesia_per_message"]
    sms_cost = f"{sms * sms_price * million:,.2f}" if sms_price is not None else "price not confirmed"
    rows.append(
        f"| SMS (SNS, to Indonesia) | {sms:,.2f} | {sms * million:,.0f} | "
        f"{'' if sms_price is None else sms_price * million} | {sms_cost} |"
    )
    email_price = prices["ses_email_per_thousand"] * 1000
    rows.append(
        f"| email (SES) | {email:,.2f} | {email * million:,.0f} | {email_price:,.2f} | "
        f"{email * email_price:,.2f} |"
    )
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=4)
    result = measure(parser.parse_args().stories)
    print(deliveries_table(result))
    print(calls_table(result))
    print(cost_table(result))
    if mismatches(result):
        raise SystemExit("\n".join(mismatches(result)))


if __name__ == "__main__":
    main()
