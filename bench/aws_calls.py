"""AWS calls per complaint over its whole story, and what a million complaints cost at list prices.

Starts the local stack (the real template, seeded), runs one story to warm every function (its
secret and reference-data loads are once per process, not per complaint), then STORIES more, and
reads the stack's counts (`GET /_local/calls`: counted from botocore's events in every worker and
in the SQS pollers that stand in for Lambda's event source mappings). Beside each count, the
minimum the design needs (MINIMUM, below) and, where the count is above it, why.

    python bench/aws_calls.py [--stories 4]
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import story

from aduan_local.client import free_port
from aduan_local.seed import default_seeders
from aduan_local.stack import LocalStack, StackOptions

PRICES = Path(__file__).parent / "prices-ap-southeast-3.json"

# The story's changes of state: submitted, assigned, acknowledged, info_requested, info_provided,
# responded, reopened, responded, rated, closed. Each is one transaction (the complaint and its
# event, conditional on the version read), and each after the first reads the complaint first.
STATE_CHANGES = 10
OPERATOR_ACTIONS = 4  # acknowledge, request_info, respond, respond: the operator opens it first
BATCH = 10  # SQS and Lambda's event source mapping: up to ten messages a batch


def minimum(deliveries: float, to_citizen: float, messages: float) -> dict[str, tuple[float, str]]:
    """What the design needs per complaint over the story, by service and operation, and why.
    `deliveries` are the notifications sent, `to_citizen` those to the citizen, `messages` the SQS
    messages the story puts on queues: all three are counted, not assumed."""
    return {
        "dynamodb.TransactWriteItems": (STATE_CHANGES, "one per change of state"),
        "dynamodb.GetItem": (
            STATE_CHANGES - 1 - OPERATOR_ACTIONS + to_citizen,
            "the version each later change is conditional on (an operator's action reuses the "
            "complaint they opened), and the citizen's contact for each message to them: queues "
            "never carry addresses",
        ),
        "dynamodb.Query": (OPERATOR_ACTIONS, "the operator opens the complaint with its timeline"),
        "dynamodb.PutItem": (2 * deliveries, "per delivery: its exactly-once claim and its timeline event"),
        "dynamodb.UpdateItem": (deliveries, "per delivery: settling its claim"),
        "sqs.SendMessage": (
            9,
            "one per invocation and queue that has something to say: the SMS report (routing and "
            "the receipt), the SMS answer, routing, request_info, respond x2, reopen, rate, close",
        ),
        "sqs.SendMessageBatch": (1 / BATCH, "the deadline check: one per ten due"),
        "sqs.ReceiveMessage": (messages / BATCH, "full batches of ten"),
        "sqs.DeleteMessageBatch": (messages / BATCH, "full batches of ten"),
        "sns.Publish": (deliveries, "each SMS the design sends"),
        "sesv2.SendEmail": (deliveries, "each email the design sends"),
    }


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
        told = story.run_stories(stack, stories, first_phone=9100)
        counts = story.quiet(stack)
        outbox = stack.outbox()
    phones = {s.phone for s in told}
    to_citizen = sum(1 for m in outbox["sms"] if m["to"] in phones)
    return {"stories": stories, "counts": counts, "to_citizen": to_citizen}


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
        "to_citizen": result["to_citizen"] / n,
    }


def _number(value: float) -> str:
    return f"{value:,.1f}".replace(".0", "") if value >= 1 or value == 0 else f"{value:.2f}"


def calls_table(result: dict[str, Any]) -> str:
    figures = per_complaint(result)
    functions, mappings = figures["functions"], figures["mappings"]
    deliveries = functions.get("sns.Publish", 0) + functions.get("sesv2.SendEmail", 0)
    messages = functions.get("sqs.SendMessage", 0) + 1  # + the deadline check's one due message
    needed = minimum(deliveries, figures["to_citizen"], messages)
    needed["sns.Publish"] = (functions.get("sns.Publish", 0), needed["sns.Publish"][1])
    needed["sesv2.SendEmail"] = (functions.get("sesv2.SendEmail", 0), needed["sesv2.SendEmail"][1])
    rows = [
        "| call | by | per complaint | minimum | why the minimum | above it because |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for source, counted in (("functions", functions), ("event source mappings", mappings)):
        for name in sorted(counted):
            value = counted[name]
            floor, why = needed.get(name, (0.0, "idle polling: a cost per hour, not per complaint"))
            above = ABOVE.get(name, "") if value > floor + 1e-9 else ""
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
    print(calls_table(result))
    print(cost_table(result))


if __name__ == "__main__":
    main()
