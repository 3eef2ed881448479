"""What one complaint's whole story sends its citizen, and what that costs: a citizen by SMS and a
citizen by WhatsApp, side by side in one run of the local stack (bench/story.py tells both, with a
day between the citizen's messages and each operator's step).

Counted from the outbox: every SMS to the citizen's number, every WhatsApp message to their ID by
kind (free text inside the 24-hour window, a paid template outside it), and any SMS the WhatsApp
citizen got instead. Priced with `bench/prices-ap-southeast-3.json`.

    python bench/message_cost.py
"""

from __future__ import annotations

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


def measure() -> dict[str, Any]:
    logging.getLogger("aduan_local").setLevel(logging.WARNING)
    options = StackOptions(
        port=free_port(), timers=False, seeders=default_seeders(), stack_name="message-cost"
    )
    with LocalStack(options) as stack:
        token = stack.token(story.OPERATOR)["token"]
        by_sms = story.Story(stack, "+6281200009701", token)
        by_whatsapp = story.WhatsAppStory(stack, "+6281200009702", token)
        for citizen in (by_sms, by_whatsapp):
            citizen.until_rated()
        stack.fire("EscalationCheckFunction", max(c.reply_window_ends() for c in (by_sms, by_whatsapp)))
        for citizen in (by_sms, by_whatsapp):
            story.eventually(citizen.closed)
        story.quiet(stack)
        outbox = stack.outbox()
    kinds = Counter(message["type"] for message in outbox["whatsapp"] if message["to"] == by_whatsapp.wa_id)
    templates = [
        message["template"]["name"]
        for message in outbox["whatsapp"]
        if message["to"] == by_whatsapp.wa_id and message["type"] == "template"
    ]
    return {
        "sms": {"sms": sum(message["to"] == by_sms.phone for message in outbox["sms"])},
        "whatsapp": {
            "text": kinds.get("text", 0),
            "template": kinds.get("template", 0),
            "templates": templates,
            "sms": sum(message["to"] == by_whatsapp.phone for message in outbox["sms"]),
        },
    }


def table(result: dict[str, Any]) -> str:
    prices = {key: value["usd"] for key, value in json.loads(PRICES.read_text())["prices"].items()}
    sms_price = prices["sns_sms_indonesia_per_message"]
    template_price = prices["whatsapp_utility_template_indonesia_per_message"]
    by_sms, by_whatsapp = result["sms"]["sms"], result["whatsapp"]
    whatsapp_paid = by_whatsapp["template"] * template_price
    rows = [
        "| the citizen | messages to them | free (inside the 24-hour window) | paid | USD a complaint |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| by SMS | {by_sms} SMS | 0 | {by_sms} SMS | "
        + (
            f"{by_sms * sms_price:.4f}"
            if sms_price is not None
            else f"{by_sms} x the SMS price (not confirmed)"
        )
        + " |",
        f"| by WhatsApp | {by_whatsapp['text'] + by_whatsapp['template']} WhatsApp"
        + (f" + {by_whatsapp['sms']} SMS" if by_whatsapp["sms"] else "")
        + f" | {by_whatsapp['text']} texts | {by_whatsapp['template']} utility templates"
        + f" | {whatsapp_paid:.4f}"
        + (" + its SMS" if by_whatsapp["sms"] else "")
        + " |",
    ]
    breakeven = whatsapp_paid / by_sms if by_sms else 0.0
    ratio = (
        f"WhatsApp costs {whatsapp_paid / (by_sms * sms_price):.2f} of SMS."
        if sms_price
        else f"WhatsApp is the cheaper channel at any SMS price above {breakeven:.4f} USD a message."
    )
    return (
        "\n".join(rows)
        + f"\n\nThe templates sent: {', '.join(by_whatsapp['templates']) or 'none'}. "
        + f"At {template_price} USD a utility template (the prices file), {ratio}\n"
    )


def failures(result: dict[str, Any]) -> list[str]:
    """The WhatsApp citizen is never texted by SMS, and the SMS citizen gets every message."""
    wrong = []
    if result["whatsapp"]["sms"]:
        wrong.append(f"the WhatsApp citizen got {result['whatsapp']['sms']} SMS")
    if result["whatsapp"]["text"] + result["whatsapp"]["template"] != result["sms"]["sms"]:
        wrong.append(f"the two citizens were told different numbers of things: {result}")
    return wrong


def main() -> None:
    result = measure()
    print(table(result))
    if failures(result):
        raise SystemExit("\n".join(failures(result)))


if __name__ == "__main__":
    main()
