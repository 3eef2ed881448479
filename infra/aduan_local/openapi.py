"""The public API's OpenAPI document, generated from the intake function's own routes and models.

`make openapi` writes docs/openapi.json; tests/unit/test_openapi.py fails when the code and the
document differ.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

from aduan_local.template import ROOT

DOCUMENT = ROOT / "docs" / "openapi.json"


def generate() -> str:
    """Import the intake handler as Lambda would (placeholder configuration, no AWS call) and ask
    Powertools for the OpenAPI document of its resolver."""
    placeholders = {
        "TABLE_NAME": "ComplaintsTable",
        "ROUTING_QUEUE_URL": "RoutingQueue",
        "NOTIFICATION_QUEUE_URL": "NotificationQueue",
        "REPORTER_KEY_SECRET_ARN": "ReporterKeySecret",
        "ORIGIN_SECRET_ARN": "OriginVerifySecret",
        "EVIDENCE_BUCKET": "EvidenceBucket",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-3"),
    }
    for name, value in placeholders.items():
        os.environ.setdefault(name, value)
    path = ROOT / "functions" / "intake" / "app.py"
    spec = importlib.util.spec_from_file_location("aduan_intake_app", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    schema: str = module.app.get_openapi_json_schema(
        title="Aduan public API",
        version="1",
        summary="File and track complaints about public services (DESIGN §3).",
        description=(
            'Errors are JSON: {"error": {"code", "message", "details": [{"field", "message"}]}}, '
            "in the language of the body's `language` or of Accept-Language. The SMS gateway webhook "
            "(POST /sms/inbound, Twilio-compatible, form-encoded) and the operators' /ops API are "
            "described in docs/api.md."
        ),
    )
    return json.dumps(json.loads(schema), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(generate())
    sys.stdout.write(f"wrote {DOCUMENT}\n")
