"""Reads are audited: every request through the HTTP API leaves one access-log line in the template's
format (docs/operations.md, "Access logs"), naming the operator who read, and no citizen's identity."""

from __future__ import annotations

import json
from typing import Any

import requests

from aduan_local.stack import LocalStack
from tests.e2e.helpers import eventually, quiet, report, token_claims
from tests.privacy import Identities

# A number and a name of this file's own: the scan below must find them in the request, not in the log.
PHONE = "0813-7700-4411"
NAME = "Ratna Wulandari"


def _lines_of(stack: LocalStack, request_id: str) -> list[dict[str, Any]]:
    return [line for line in map(json.loads, stack.access_log.lines()) if line["requestId"] == request_id]


def _logged(stack: LocalStack, response: requests.Response) -> dict[str, Any]:
    """The access-log line of one response (API Gateway's request ID is its correlation ID)."""
    eventually(lambda: _lines_of(stack, response.headers["apigw-requestid"]), timeout=10)
    quiet(stack)  # one line a response: a second would be written by now
    found = _lines_of(stack, response.headers["apigw-requestid"])
    assert len(found) == 1, found
    return found[0]


def test_an_operator_s_read_is_logged_with_who_read_and_a_citizen_s_identity_never(
    local_stack: LocalStack,
) -> None:
    body = report(reporter={"name": NAME, "phone": PHONE}, privacy="confidential")
    filed = requests.post(f"{local_stack.url}/complaints", json=body, timeout=30)
    assert filed.status_code == 201, filed.text
    tracking_id = filed.json()["tracking_id"]
    token = local_stack.token("op.disdukcapil")["token"]
    bearer = {"authorization": f"Bearer {token}"}

    def read_it() -> requests.Response | None:  # in the operator's scope once routed
        read = requests.get(f"{local_stack.url}/ops/complaints/{tracking_id}", headers=bearer, timeout=30)
        return read if read.status_code == 200 else None

    read = eventually(read_it)
    assert read is not None, "the complaint never reached the operator's agency"

    line = _logged(local_stack, read)
    assert line["route"] == "GET /ops/complaints/{tracking_id}"
    assert line["path"] == f"/ops/complaints/{tracking_id}"
    assert line["status"] == str(read.status_code)
    assert line["operator"] == token_claims(token)["sub"]  # who read it, as an opaque ID
    citizen = _logged(local_stack, filed)
    assert citizen["route"] == "POST /complaints"
    assert citizen["status"] == "201"
    assert citizen["operator"] == "-"

    # The citizen's name and number were in the request; no line of the log carries them.
    identities = Identities()
    identities.reporter(body["reporter"])
    assert identities.phones
    assert identities.names
    assert identities.leaks(local_stack.access_log.lines()) == []
    assert identities.leaks([json.dumps(body)]) != []  # and it would find them where they are


def test_a_refused_token_and_an_unknown_route_are_logged_too(local_stack: LocalStack) -> None:
    refused = requests.get(
        f"{local_stack.url}/ops/complaints", headers={"authorization": "Bearer not-a-token"}, timeout=30
    )
    assert refused.status_code == 401
    unknown = requests.get(f"{local_stack.url}/ops/nothing-here", timeout=30)
    assert unknown.status_code == 404

    def logged(path: str, route: str, status: str, authorizer_error: str) -> bool:
        lines = [json.loads(line) for line in local_stack.access_log.lines()]  # written after the answer
        return any(
            (line["path"], line["route"], line["status"], line["authorizerError"])
            == (path, route, status, authorizer_error)
            for line in lines
        )

    route = "GET /ops/complaints"
    assert eventually(lambda: logged("/ops/complaints", route, "401", "Unauthorized"), timeout=10)
    assert eventually(lambda: logged("/ops/nothing-here", "-", "404", "-"), timeout=10)
