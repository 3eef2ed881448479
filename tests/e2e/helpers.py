"""What end-to-end tests share: a realistic report, polling, waiting for the stack to be quiet,
signed SMS and WhatsApp webhooks, tokens the user pool did not issue."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from typing import Any

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from aduan.aws.complaint_store import DynamoComplaintStore
from aduan.delivery import MAX_BACKOFF_SECONDS
from aduan_local import client
from aduan_local.client import LOCAL_SMS_TOKEN, example_report
from aduan_local.stack import LocalStack
from tests import phones
from tests.privacy import IDENTITIES

SMS_TOKEN = LOCAL_SMS_TOKEN


def report(**overrides: Any) -> dict[str, Any]:
    """A realistic web report; its reporter joins the identities no log line may carry. A test that
    names no reporter gets a number of its own (tests/phones.py), never one another test texts."""
    if "reporter" not in overrides:
        overrides["reporter"] = {**example_report()["reporter"], "phone": phones.this_tests()}
    body = example_report(**overrides)
    IDENTITIES.reporter(body.get("reporter"))
    return body


def eventually(check: Any, timeout: float = 30.0, interval: float = 0.2) -> Any:
    """Poll `check` until it returns something truthy (queues and workers are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def quiet(stack: LocalStack, timeout: float = 60.0, settle: float = 1.0, part: str = "") -> dict[str, Any]:
    """Wait until the stack has nothing left to do, and return its AWS call counts (`/_local/calls`).

    Quiet is: no function inside an invocation, no message waiting or in flight in any queue a
    function consumes (`/_local/activity`), and the call counts unchanged through `settle` seconds
    of polls. A count or a "nothing more" taken before that races the workers. Fails after
    `timeout`, naming what was still busy. `part` narrows it to the functions and queues whose
    names start with it (`"Attachment"`: the attachment worker alone, not the notifications a
    worker holds back for a minute)."""
    deadline = time.monotonic() + timeout
    previous: dict[str, Any] | None = None
    steady_since = time.monotonic()
    while True:
        activity = requests.get(f"{stack.url}/_local/activity", timeout=10).json()
        calls = requests.get(f"{stack.url}/_local/calls", timeout=10).json()
        pending = _pending(activity, part)
        counts = _work(calls, part)
        now = time.monotonic()
        if pending or counts != previous:
            steady_since = now
        if not pending and now - steady_since >= settle:
            return calls  # type: ignore[no-any-return]
        if now > deadline:
            changing = "" if counts == previous else "; AWS calls still being made"
            raise AssertionError(
                f"the stack was not quiet after {timeout:.0f} s: {pending or 'idle'}{changing}"
            )
        previous = counts
        time.sleep(0.1)


def patience(template: dict[str, Any]) -> float:
    """The longest a working stack can go without finishing any work, from template.yaml and the
    delivery's retry policy: a message a killed or failed invocation left in flight waits out its
    queue's visibility timeout, or the back-off the notification worker set on it (at most
    `MAX_BACKOFF_SECONDS`: with the local stack's one-second base, a text SNS refused nine times
    waits 256 s before its tenth try), then an
    invocation may run up to its function's timeout; botocore's back-off between retries is at
    most 20 s on top. Waiting on the stack's progress for this long, rather than a fixed window for
    the whole drain, lets a slower machine drain slower and still fails a stack that stopped."""

    resources = template["Resources"].values()
    default = template.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    visibility = max(
        (r["Properties"].get("VisibilityTimeout", 30) for r in resources if r["Type"] == "AWS::SQS::Queue"),
        default=30,
    )
    timeout = max(
        (
            r["Properties"].get("Timeout", default)
            for r in resources
            if r["Type"] == "AWS::Serverless::Function"
        ),
        default=default,
    )
    return float(max(visibility, MAX_BACKOFF_SECONDS) + timeout + 20)


class Progress:
    """Whether the stack is still getting somewhere: its finished invocations and the pollers'
    deliveries (not the idle receives, nor `own` functions, which the test itself fires), and
    whatever the test watches, compared with the last look."""

    def __init__(self, stack: LocalStack, own: frozenset[str] = frozenset()) -> None:
        self.stack, self.own = stack, own
        self.patience = patience(stack.template)
        self._last: Any = None
        self._since = time.monotonic()

    def stalled(self, *watched: Any) -> float:
        """Seconds since anything changed; the caller fails once it exceeds `patience`."""
        work = _work(requests.get(f"{self.stack.url}/_local/calls", timeout=30).json())
        work["functions"] = {
            name: entry.get("invocations")
            for name, entry in work["functions"].items()
            if name not in self.own
        }
        del work["api_requests"]  # the test's own requests
        now, seen = time.monotonic(), (work, watched)
        if seen != self._last:
            self._last, self._since = seen, now
        return now - self._since


def drained(stack: LocalStack, done: Any, what: str) -> None:
    """Wait until `done()` holds, for as long as the stack keeps making progress (`Progress`)."""
    progress = Progress(stack)
    while not done():
        stalled = progress.stalled()
        assert stalled <= progress.patience, f"{what}: nothing happened for {stalled:.0f} s"
        time.sleep(1)


def _pending(activity: dict[str, Any], part: str = "") -> dict[str, Any]:
    """What `/_local/activity` says is still under way (nothing: an empty dict)."""
    pending: dict[str, Any] = {}
    busy = [name for name in activity["busy"] if name.startswith(part)]
    if busy:
        pending["inside an invocation"] = busy
    queues = {
        name: depth
        for name, depth in activity["queues"].items()
        if name.startswith(part) and any(depth.values())
    }
    if queues:
        pending["queues"] = queues
    return pending


def _work(calls: dict[str, Any], part: str = "") -> dict[str, Any]:
    """The counts that change only when something happens: not the pollers' idle receives."""
    functions = {name: count for name, count in calls["functions"].items() if name.startswith(part)}
    if part:  # the pollers' and the API's counts are the whole stack's
        return {"functions": functions}
    mappings = calls["event_source_mappings"].get("calls", {})
    return {
        "functions": functions,
        "api_requests": calls["api_requests"],
        "event_source_mappings": {k: v for k, v in mappings.items() if not k.endswith(".empty")},
    }


def send_sms(
    stack: LocalStack, sender: str, text: str, sid: str, token: str = LOCAL_SMS_TOKEN
) -> requests.Response:
    """POST a signed inbound SMS webhook; the sender joins the identities no log line may carry."""
    IDENTITIES.phone(sender)
    return client.send_sms(stack.url, sender, text, sid, token)


def sms_to(stack: LocalStack, phone: str) -> list[str]:
    outbox = requests.get(f"{stack.url}/_local/outbox", timeout=10).json()
    return [message["body"] for message in outbox["sms"] if message["to"] == phone]


def texts_once_quiet(stack: LocalStack, phone: str, words: str, timeout: float = 30.0) -> list[str]:
    """The texts to `phone` with `words` in them, for an exact count: waits for the first, then for
    the stack to be quiet (`quiet`), and reads them again, so a second one on its way is counted."""
    eventually(lambda: [text for text in sms_to(stack, phone) if words in text], timeout=timeout)
    quiet(stack)
    return [text for text in sms_to(stack, phone) if words in text]


def complaint_store(stack: LocalStack) -> DynamoComplaintStore:
    """The stack's complaint store, keyed with its reporter secret: what tests read behind the API."""
    secret = stack.client("secretsmanager").get_secret_value(
        SecretId=stack.resources.ref("ReporterKeySecret")
    )["SecretString"]
    return DynamoComplaintStore(
        stack.client("dynamodb"), stack.resources.ref("ComplaintsTable"), reporter_secret=secret.encode()
    )


def as_user(stack: LocalStack, user: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A request to the API as a demo user (`aduan-local token`), behind a real token."""
    headers = {"authorization": f"Bearer {stack.token(user)['token']}"}
    return requests.request(method, f"{stack.url}{path}", headers=headers, timeout=30, **kwargs)


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, read without checking its signature."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def signed_token(claims: dict[str, Any], key: RSAKey, kid: str) -> str:
    return jwt.encode({"alg": "RS256", "kid": kid}, claims, key)


def moto_signing_key() -> tuple[RSAKey, str]:
    """The key moto signs its tokens with: a token it did not issue can still carry its signature."""
    from moto.cognitoidp.models import load_resource

    private = load_resource("cognitoidp/resources/jwks-private.json")
    return RSAKey.import_key(private), private["kid"]


def send_whatsapp(stack: LocalStack, raw: bytes, signature: str | None = None) -> requests.Response:
    """POST Meta's webhook with `raw`, signed with the local app secret unless `signature` says
    otherwise; every sender in it joins the identities no log line may carry."""
    for entry in json.loads(raw).get("entry", []):
        for change in entry.get("changes", []):
            for message in change.get("value", {}).get("messages", []):
                IDENTITIES.phone(f"+{message.get('from', '')}")
    return client.send_whatsapp(stack.url, raw, signature)


def whatsapp_to(stack: LocalStack, wa_id: str) -> list[dict[str, Any]]:
    """What Aduan sent `wa_id` by WhatsApp, as the stand-in Graph API took it (the outbox)."""
    outbox = requests.get(f"{stack.url}/_local/outbox", timeout=10).json()
    return [message for message in outbox["whatsapp"] if message["to"] == wa_id]


def age_whatsapp_window(stack: LocalStack, wa_id: str, by: timedelta) -> None:
    """As if the citizen's latest WhatsApp message were `by` older, for Aduan (its window item)
    and for Meta (the stand-in Graph API): a test's clock, never a sleep."""
    from aduan.aws.conversations import DynamoConversations

    secret = stack.client("secretsmanager").get_secret_value(
        SecretId=stack.resources.ref("ReporterKeySecret")
    )
    table = stack.resources.ref("ComplaintsTable")
    conversations = DynamoConversations(
        stack.client("dynamodb"), table, lambda: secret["SecretString"].encode()
    )
    stack.client("dynamodb").update_item(
        TableName=table,
        Key=conversations.window_key(wa_id),
        UpdateExpression="SET last_message_at = last_message_at - :by",
        ConditionExpression="attribute_exists(last_message_at)",
        ExpressionAttributeValues={":by": {"N": str(int(by.total_seconds()))}},
    )
    stack.graph.age(wa_id, by)
