"""bench/message_cost.py says what it measured and fails a run that went wrong: the WhatsApp citizen
texted by SMS, or the two citizens told different numbers of things; and its price line follows
the prices file (a template is paid, a reply inside the window is not)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import message_cost

MEASURED = {
    "sms": {"sms": 7},
    "whatsapp": {"text": 3, "template": 4, "templates": ["aduan_permintaan_info"] * 4, "sms": 0},
}


def test_a_run_where_each_citizen_was_told_everything_once_passes_and_prices_the_templates() -> None:
    assert message_cost.failures(MEASURED) == []
    table = message_cost.table(MEASURED)
    assert "| by WhatsApp | 7 WhatsApp | 3 texts | 4 utility templates | 0.0800 |" in table
    assert "above 0.0114 USD a message" in table  # 4 x 0.02 over 7 SMS, while SNS's price is unknown


def test_a_whatsapp_citizen_texted_by_sms_or_told_less_fails_the_run() -> None:
    texted = {**MEASURED, "whatsapp": {**MEASURED["whatsapp"], "text": 2, "sms": 1}}
    assert message_cost.failures(texted) == [
        "the WhatsApp citizen got 1 SMS",
        f"the two citizens were told different numbers of things: {texted}",
    ]
