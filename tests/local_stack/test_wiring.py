"""The local stack wires a SAM template as AWS would: HTTP API events, SQS event sources with
partial batch failures and DLQs, schedules with an explicit time, the JWT authorizer, and each
function's own environment. Everything over real HTTP."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from joserfc.jwk import RSAKey

from aduan_local.stack import LocalStack
from tests.conftest import LogCapture
from tests.e2e.helpers import eventually, moto_signing_key, quiet, signed_token, token_claims

pytestmark = pytest.mark.e2e


def test_a_request_reaches_the_handler_as_an_http_api_payload_2_event(test_stack: LocalStack) -> None:
    response = requests.post(
        f"{test_stack.url}/echo/siti?lang=id&lang=en&x=1",
        json={"judul": "Jalan berlubang"},
        headers={"X-Custom": "a", "Cookie": "session=abc; theme=dark"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"]
    assert "seen=1" in response.headers["set-cookie"]
    event = response.json()["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /echo/{name}"
    assert event["rawPath"] == "/echo/siti"
    assert event["rawQueryString"] == "lang=id&lang=en&x=1"
    assert event["queryStringParameters"] == {"lang": "id,en", "x": "1"}
    assert event["pathParameters"] == {"name": "siti"}
    assert event["headers"]["x-custom"] == "a"
    assert all(name == name.lower() for name in event["headers"])
    assert event["cookies"] == ["session=abc", "theme=dark"]
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["http"]["path"] == "/echo/siti"
    assert event["requestContext"]["stage"] == "$default"
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == {"judul": "Jalan berlubang"}
    assert 0 < response.json()["remaining_ms"] <= 5000


def test_a_binary_body_arrives_base64_encoded(test_stack: LocalStack) -> None:
    payload = bytes(range(256))
    response = requests.put(
        f"{test_stack.url}/echo/photo",
        data=payload,
        headers={"content-type": "image/jpeg"},
        timeout=10,
    )
    event = response.json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_an_unknown_route_is_404_as_api_gateway_answers(test_stack: LocalStack) -> None:
    response = requests.get(f"{test_stack.url}/nowhere", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def records(stack: LocalStack, body: str) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").query(
        TableName=stack.resources.ref("RecordsTable"),
        KeyConditionExpression="pk = :body",
        ExpressionAttributeValues={":body": {"S": body}},
    )["Items"]
    return items


def test_an_sqs_function_receives_what_another_function_sent(test_stack: LocalStack) -> None:
    body = f"laporan-{uuid.uuid4()}"
    sent = requests.post(f"{test_stack.url}/send", data=body, timeout=10)
    assert sent.status_code == 200
    received = eventually(lambda: records(test_stack, body))
    assert len(received) == 1
    assert received[0]["source"]["S"] == test_stack.resources.get_att("WorkQueue", "Arn")


def test_only_the_failed_record_is_delivered_again_and_then_lands_in_the_dlq(test_stack: LocalStack) -> None:
    sqs = test_stack.client("sqs")
    queue = test_stack.resources.ref("WorkQueue")
    tag = uuid.uuid4().hex[:8]
    good = [f"ok-{tag}-{n}" for n in range(4)]
    bad = f"fail-{tag}"
    sqs.send_message_batch(
        QueueUrl=queue, Entries=[{"Id": str(n), "MessageBody": body} for n, body in enumerate([*good, bad])]
    )

    # maxReceiveCount is 3: the failing record is delivered three times, then moved to the DLQ.
    assert eventually(lambda: len(records(test_stack, bad)) >= 3, timeout=30)
    dlq = test_stack.resources.ref("WorkDeadLetterQueue")

    def dead_letters() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        return [message for message in messages if message["Body"] == bad]

    landed = eventually(dead_letters, timeout=30)
    assert [message["Body"] for message in landed] == [bad]
    assert len(records(test_stack, bad)) == 3
    for body in good:
        assert len(records(test_stack, body)) == 1, f"{body} was delivered again"


def test_a_message_counts_as_work_until_its_function_is_done_with_it(test_stack: LocalStack) -> None:
    body = f"later-{uuid.uuid4()}"
    test_stack.client("sqs").send_message(
        QueueUrl=test_stack.resources.ref("WorkQueue"), MessageBody=body, DelaySeconds=3
    )
    activity = requests.get(f"{test_stack.url}/_local/activity", timeout=10).json()
    assert set(activity["queues"]) == {"WorkQueue"}, "a DLQ is consumed by nothing: not work"
    assert activity["queues"]["WorkQueue"]["delayed"] == 1
    with pytest.raises(AssertionError, match="WorkQueue"):
        quiet(test_stack, timeout=1)

    counts = quiet(test_stack)
    assert len(records(test_stack, body)) == 1, "quiet waited for the delayed message to be handled"
    assert counts["functions"]["ConsumerFunction"]["invocations"] >= 1
    idle = requests.get(f"{test_stack.url}/_local/activity", timeout=10).json()
    assert idle == {"busy": [], "queues": {"WorkQueue": {"visible": 0, "in_flight": 0, "delayed": 0}}}


def test_a_scheduled_function_gets_the_event_time_it_was_fired_with(test_stack: LocalStack) -> None:
    response = requests.post(
        f"{test_stack.url}/_local/schedules/ClockFunction",
        params={"time": "2026-03-24T17:00:00Z"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["result"] == {
        "time": "2026-03-24T17:00:00Z",
        "source": "aws.scheduler",
        "detail_type": "Scheduled Event",
    }


def test_a_schedule_time_without_a_zone_is_refused(test_stack: LocalStack) -> None:
    response = requests.post(
        f"{test_stack.url}/_local/schedules/ClockFunction", params={"time": "2026-03-24T17:00:00"}, timeout=10
    )
    assert response.status_code == 400


# -- the JWT authorizer -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def operator_tokens(test_stack: LocalStack) -> dict[str, str]:
    cognito = test_stack.client("cognito-idp")
    pool = test_stack.resources.ref("UserPool")
    client = test_stack.resources.ref("UserPoolClient")
    cognito.admin_create_user(UserPoolId=pool, Username="op.test", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="op.test", Password="Rahasia-123!", Permanent=True
    )
    result = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "op.test", "PASSWORD": "Rahasia-123!"},
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"]}


def private(stack: LocalStack, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{stack.url}/private", headers=headers, timeout=10)


def test_a_valid_token_passes_and_its_claims_reach_the_function(
    test_stack: LocalStack, operator_tokens: dict[str, str]
) -> None:
    response = private(test_stack, operator_tokens["id"])
    assert response.status_code == 200
    claims = response.json()["event"]["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["cognito:username"] == "op.test"
    assert all(isinstance(value, str) for value in claims.values())
    assert private(test_stack, operator_tokens["access"]).status_code == 200


def test_a_missing_token_is_refused_before_the_function_runs(test_stack: LocalStack) -> None:
    response = private(test_stack, None)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_an_expired_token_is_refused(test_stack: LocalStack, operator_tokens: dict[str, str]) -> None:
    key, kid = moto_signing_key()
    claims = token_claims(operator_tokens["id"])
    past = datetime.now(UTC) - timedelta(hours=2)
    claims |= {"iat": int(past.timestamp()), "exp": int((past + timedelta(hours=1)).timestamp())}
    assert private(test_stack, signed_token(claims, key, kid)).status_code == 401
    # The same claims, still valid, signed by the same key: accepted. The expiry is what failed.
    claims["exp"] = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    assert private(test_stack, signed_token(claims, key, kid)).status_code == 200


def test_a_forged_token_is_refused(test_stack: LocalStack, operator_tokens: dict[str, str]) -> None:
    _, kid = moto_signing_key()
    forger = RSAKey.generate_key(2048)
    assert (
        private(test_stack, signed_token(token_claims(operator_tokens["id"]), forger, kid)).status_code == 401
    )
    header, _payload, signature = operator_tokens["id"].split(".")
    tampered_claims = token_claims(operator_tokens["id"]) | {"cognito:username": "admin.nasional"}
    tampered = base64.urlsafe_b64encode(json.dumps(tampered_claims).encode()).decode().rstrip("=")
    assert private(test_stack, f"{header}.{tampered}.{signature}").status_code == 401


def test_a_token_for_another_audience_is_refused(
    test_stack: LocalStack, operator_tokens: dict[str, str]
) -> None:
    key, kid = moto_signing_key()
    claims = token_claims(operator_tokens["id"]) | {"aud": "some-other-app"}
    assert private(test_stack, signed_token(claims, key, kid)).status_code == 401


# -- each function's own environment ----------------------------------------------------------


def test_a_function_whose_template_lacks_a_variable_fails_loudly(
    test_stack: LocalStack, stack_logs: LogCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even when the developer's own shell has the variable, the function must not see it.
    monkeypatch.setenv("NOT_IN_TEMPLATE", "from the developer's shell")
    response = requests.get(f"{test_stack.url}/misconfigured", timeout=10)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    # The worker's output reaches the log through a relay thread, after the 500 has been answered.
    assert eventually(lambda: any("KeyError: 'NOT_IN_TEMPLATE'" in line for line in stack_logs.lines))


def test_invocations_are_logged_with_function_request_id_duration_and_first_init(
    test_stack: LocalStack, stack_logs: LogCapture
) -> None:
    for _ in range(2):
        requests.get(f"{test_stack.url}/echo/log", timeout=10)
    lines = [line for line in stack_logs.lines if line.startswith("EchoFunction ")]
    assert len(lines) >= 2
    assert any(" init " in line for line in lines)
    assert " init " not in lines[-1]  # warm: the worker stayed up
    assert lines[-1].endswith(" ms")


# -- the CLI against a running stack ------------------------------------------------------------


def _cli(stack: LocalStack, *args: str, stdin: str | None = None) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "aduan_local.cli", "--url", stack.url, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return completed.stdout


def test_the_cli_invokes_a_function_with_an_event_file(test_stack: LocalStack, tmp_path: Any) -> None:
    event_file = tmp_path / "event.json"
    event_file.write_text(
        json.dumps({"time": "2026-01-02T03:04:05Z", "source": "cli", "detail-type": "manual"})
    )
    answer = json.loads(_cli(test_stack, "invoke", "ClockFunction", "--event", str(event_file)))
    assert answer["result"] == {"time": "2026-01-02T03:04:05Z", "source": "cli", "detail_type": "manual"}


def test_the_cli_fires_a_schedule_and_reads_the_outbox(test_stack: LocalStack) -> None:
    fired = json.loads(_cli(test_stack, "fire", "ClockFunction", "--time", "2026-08-17T00:00:00+07:00"))
    assert fired["result"]["time"] == "2026-08-16T17:00:00Z"
    assert set(json.loads(_cli(test_stack, "outbox"))) == {"sms", "email", "webhook", "whatsapp"}
