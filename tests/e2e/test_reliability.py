"""The reliability suite: complaints over real HTTP while the stack's AWS calls fail and its workers
are killed mid-batch; then nothing lost, nothing duplicated, nothing in a DLQ, no 5xx but a clear 503.
Evidence uploads the same way: each recorded exactly once through redeliveries and a killed worker.
And one minute (ten seconds in `make test`) of load: requests per second, p50/p99, no errors.

Sizes come from the environment, so `make soak` runs the same tests at full size:
ADUAN_SOAK_COMPLAINTS (60 here), ADUAN_SOAK_KILLS (kills of each worker, 2), ADUAN_SOAK_LOAD_SECONDS (10),
ADUAN_SOAK_UPLOADS (0 here: the uploads' test waits out two visibility timeouts of two minutes,
too long for `make test`; the soak runs 30), and ADUAN_LOCAL_WORKERS (warm workers per function,
1 here; the soak runs 4, as Lambda scales a queue's consumers out: a throttled call's back-off
sleeps, and one worker would spend the drain asleep).
"""

from __future__ import annotations

import functools
import json
import math
import os
import random
import re
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from aduan.domain.notification_texts import SMS
from aduan_local.faults import FAULT_LOG_PREFIX
from aduan_local.functions import Kill
from aduan_local.sends import text_digest
from aduan_local.stack import LocalStack
from tests.e2e.helpers import Progress, complaint_store, drained, quiet, report
from tests.e2e.test_evidence import attachments_quiet, filed, granted, phone_photo, png, upload
from tests.phones import number
from tests.privacy import LogCapture

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

COMPLAINTS = int(os.environ.get("ADUAN_SOAK_COMPLAINTS", "60"))
KILLS = int(os.environ.get("ADUAN_SOAK_KILLS", "2"))
LOAD_SECONDS = float(os.environ.get("ADUAN_SOAK_LOAD_SECONDS", "10"))
UPLOADS = int(os.environ.get("ADUAN_SOAK_UPLOADS", "0"))
CLIENTS = 4
# The drain has no fixed window: it waits for as long as the stack makes progress (helpers.Progress),
# which a slower machine makes more slowly. This is only pytest's last resort for a hung test.
HUNG = 3600 + 10 * COMPLAINTS
NAMES = ["Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus Salim", "Rina Marlina", "Yohanes Manuhutu"]
QUEUES = ["RoutingQueue", "NotificationQueue", "EscalationQueue"]
DEAD_LETTER_QUEUES = ["RoutingDeadLetterQueue", "NotificationDeadLetterQueue", "EscalationDeadLetterQueue"]


def typed_phone(e164: str, n: int) -> str:
    """The same number as citizens type it, in turn: E.164, 08..., with dashes, with spaces."""
    national = e164.removeprefix("+62")
    forms = [e164, "0" + national, f"0{national[:3]}-{national[3:7]}-{national[7:]}", f"62 {national}"]
    return forms[n % len(forms)]


@dataclass
class Client:
    """A citizen's app: retries a 503 or a broken connection with the same Idempotency-Key."""

    url: str
    retries: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    unclear: list[str] = field(default_factory=list)  # a 5xx that is not the JSON 503
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, body: dict[str, Any], key: str) -> requests.Response | None:
        for attempt in range(10):
            try:
                response = requests.post(
                    f"{self.url}/complaints", json=body, headers={"Idempotency-Key": key}, timeout=30
                )
            except requests.ConnectionError:
                response = None
            with self._lock:
                if response is not None:
                    self.statuses[response.status_code] += 1
                if response is not None and response.status_code < 500:
                    return response
                if response is not None and not _clear_503(response):
                    self.unclear.append(f"{response.status_code} {response.text[:200]}")
                self.retries += 1
            # As an app does: no sooner than the 503's Retry-After, with jittered back-off.
            after = float(response.headers.get("Retry-After", 0)) if response is not None else 0.0
            time.sleep(max(after, 0.1 * 2**attempt * random.random()))
        return None


def _clear_503(response: requests.Response) -> bool:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return response.status_code == 503 and error["code"] == "service_unavailable" and bool(error["message"])


class Killer(threading.Thread):
    """Kills a function's workers while each is running a batch, `kills` times for each function;
    `workers` counts the processes killed (the stack may run several per function). The pools
    record each kill (`FunctionPool.kills`): when, and what the dead worker had sent and not settled."""

    def __init__(self, stack: LocalStack, functions: list[str], kills: int) -> None:
        super().__init__(name="killer", daemon=True)
        self.stack, self.functions, self.kills = stack, functions, kills
        self.done: Counter[str] = Counter()
        self.workers: Counter[str] = Counter()
        self.stop = threading.Event()
        self._finished_at_kill: dict[str, int] = {}

    def _finished(self, function: str) -> int:
        """The function's invocations that answered (a killed one never does)."""
        entry = self.stack.calls.snapshot()["functions"].get(function, {})
        return int(entry.get("invocations", 0))

    def run(self) -> None:
        while not self.stop.is_set() and any(self.done[f] < self.kills for f in self.functions):
            for function in self.functions:
                pool = self.stack.pools[function]
                # Every slot of the pool is taken while each of its workers runs an invocation (a batch).
                due = self.done[function] < self.kills and self._recovered(function)
                if due and pool.busy() and pool.pids():
                    time.sleep(random.uniform(0, 0.05))  # somewhere in the batch
                    if pool.busy():
                        self.workers[function] += pool.kill_workers()
                        self.done[function] += 1
                        self._finished_at_kill[function] = self._finished(function)
            self.stop.wait(0.005)

    def _recovered(self, function: str) -> bool:
        """The next kill waits until a fresh worker has answered an invocation since the last: the
        emulator's own progress, however slow the machine, rather than a fixed pause."""
        return function not in self._finished_at_kill or (
            self._finished(function) > self._finished_at_kill[function]
        )


@functools.cache
def reader(stack: LocalStack, service: str) -> Any:
    """One client a service for the test's own reads: making one costs more than the read, and a
    thousand statuses a look would take the emulator's time from the workers."""
    return stack.client(service)


def queue_depth(stack: LocalStack, logical_id: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = reader(stack, "sqs").get_queue_attributes(
        QueueUrl=stack.resources.ref(logical_id), AttributeNames=names
    )["Attributes"]
    return sum(int(attributes[name]) for name in names)


def dead_letter_depths(stack: LocalStack) -> dict[str, int]:
    return {name: queue_depth(stack, name) for name in DEAD_LETTER_QUEUES}


def status_of(stack: LocalStack, tracking_id: str) -> str:
    item = reader(stack, "dynamodb").get_item(
        TableName=stack.resources.ref("ComplaintsTable"),
        Key={"pk": {"S": f"C#{tracking_id}"}, "sk": {"S": "#COMPLAINT"}},
        ConsistentRead=True,
    )["Item"]
    return str(item["status"]["S"])


def timeline_of(stack: LocalStack, tracking_id: str) -> list[str]:
    """The complaint's events, delivery attempts included: what a failure message needs."""
    items = reader(stack, "dynamodb").query(
        TableName=stack.resources.ref("ComplaintsTable"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"C#{tracking_id}"}},
    )["Items"]
    return [f"{item['sk']['S']}:{item.get('type', {}).get('S', '')}" for item in items]


def sms_by_phone(stack: LocalStack, phones: set[str]) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {phone: [] for phone in phones}
    for message in requests.get(f"{stack.url}/_local/outbox", timeout=30).json()["sms"]:
        if message["to"] in texts:
            texts[message["to"]].append(message["body"])
    return texts


def texts_since(stack: LocalStack, first: int) -> list[dict[str, Any]]:
    """The SMS SNS accepted from the `first`-th on, in order (the outbox keeps every one)."""
    return list(requests.get(f"{stack.url}/_local/outbox", timeout=30).json()["sms"][first:])


# Each SMS template as a pattern of its words, its values free: which template a text was.
SMS_PATTERNS = {
    name: [
        re.compile(".*?".join(map(re.escape, re.split(r"\{\w+\}", form))), re.DOTALL)
        for form in forms.values()
    ]
    for name, forms in SMS.items()
}


def template_of(body: str) -> str:
    return next((name for name, forms in SMS_PATTERNS.items() if any(f.fullmatch(body) for f in forms)), "?")


def kills_since(stack: LocalStack, first: dict[str, int]) -> list[Kill]:
    return [kill for name, pool in stack.pools.items() for kill in pool.kills[first.get(name, 0) :]]


def unexplained_copies(
    stack: LocalStack, texts: list[dict[str, Any]], kills: list[Kill], receipts: dict[str, dict[str, Any]]
) -> list[str]:
    """Each text SNS took more than once, beyond one copy for each kill of a worker that had sent
    that very text and not settled it ("the one window", docs/architecture.md): named by its notification
    (from the complaint's timeline) and template. Nothing else may send a text twice."""
    open_sends = Counter(
        digest for kill in kills for sent in kill.open_sends.values() for digest in sent["texts"]
    )
    copies = Counter((text["to"], text["body"]) for text in texts)
    by_display = {receipt["tracking_id_display"]: receipt["tracking_id"] for receipt in receipts.values()}
    store, found = complaint_store(stack), []
    for (to, body), count in copies.items():
        if count - 1 <= open_sends[text_digest(to, body)]:
            continue
        template = template_of(body)
        tracking_id = next((t for display, t in by_display.items() if display in body), None)
        ids = sorted(
            {
                str(event.data["notification_id"])
                for event in (store.timeline(tracking_id) if tracking_id else [])
                if event.type == "notification"
                and event.data.get("template") == template
                and event.data.get("channel") == "sms"
            }
        )
        found.append(
            f"notification {ids or '?'} ({template}, complaint {tracking_id}) sent {count} times, "
            f"{open_sends[text_digest(to, body)]} of them explained by a kill with it in flight"
        )
    return found


def fault_rules(stack: LocalStack) -> list[dict[str, Any]]:
    throttled = {"error": "ProvisionedThroughputExceededException", "status": 400}
    return [
        # Above the SDK's retries: what reaches the code. The routing message is lost 1 time in 10;
        # SNS refuses 3 SMS in 10; a throttle surfaces in intake (a 503) and in routing.
        {
            "service": "sqs",
            "operation": "SendMessage",
            "rate": 0.1,
            "params": {"QueueUrl": stack.resources.ref("RoutingQueue")},
        },
        # Intake's acknowledgement is lost 1 time in 10 too: routing sends it from the outbox.
        {
            "service": "sqs",
            "operation": "SendMessage",
            "rate": 0.1,
            "function": "IntakeFunction",
            "params": {"QueueUrl": stack.resources.ref("NotificationQueue")},
        },
        {"service": "sns", "operation": "Publish", "rate": 0.3, "error": "Throttling", "status": 400},
        {"service": "dynamodb", "operation": "*", "rate": 0.02, "function": "IntakeFunction", **throttled},
        {"service": "dynamodb", "operation": "*", "rate": 0.02, "function": "RoutingFunction", **throttled},
        # On the wire, as AWS throttles: 5% of every function's DynamoDB requests, which botocore
        # retries itself (standard mode) before any code sees them.
        {"service": "dynamodb", "operation": "*", "rate": 0.05, "layer": "http", **throttled},
    ]


@pytest.mark.timeout(HUNG)
def test_no_complaint_is_lost_or_told_twice_through_faults_and_killed_workers(
    local_stack: LocalStack, stack_logs: LogCapture
) -> None:
    stack, client = local_stack, Client(local_stack.url)
    first_line = len(stack_logs.lines)
    first_text = len(texts_since(stack, 0))
    first_kill = {name: len(pool.kills) for name, pool in stack.pools.items()}
    dead_letters_before = dead_letter_depths(stack)
    phones = {number("reliability", n): n for n in range(COMPLAINTS)}
    regions = ["36.03", "36.71"]  # both have a disdukcapil: every complaint is assigned
    receipts: dict[str, dict[str, Any]] = {}
    replays_checked = 0
    lost: list[str] = []

    def citizen(phone: str) -> None:
        nonlocal replays_checked
        n = phones[phone]
        body = report(
            reporter={"name": NAMES[n % len(NAMES)], "phone": typed_phone(phone, n)},
            location={"region_code": regions[n % 2], "address": "Kecamatan Cikupa"},
        )
        key = str(uuid.uuid4())
        response = client.submit(body, key)
        if response is None or response.status_code != 201:
            lost.append(f"{phone}: {None if response is None else response.text[:200]}")
            return
        receipts[phone] = response.json()
        if n % 10 == 0:  # the app retries after a lost answer: the same 201, and nothing sent again
            replay = client.submit(body, key)
            assert replay is not None
            assert replay.status_code == 201
            assert replay.json() == receipts[phone]
            assert replay.headers.get("idempotent-replayed") == "true"
            replays_checked += 1

    stack.inject_faults(fault_rules(stack))
    killer = Killer(stack, ["RoutingFunction", "NotificationFunction"], KILLS)
    killer.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(citizen, list(phones)))
        loaded = time.monotonic()

        # Drain: complaints whose routing message was lost wait for the sweeper; fire it (at a time
        # past the grace period) whenever the routing queue is empty and some are still submitted.
        sweeps, routed = 0, {}
        progress = Progress(stack, own=frozenset({"EscalationCheckFunction"}))  # the sweeps are ours
        while True:
            looked = time.monotonic()
            for phone, receipt in receipts.items():
                if phone not in routed:
                    status = status_of(stack, receipt["tracking_id"])
                    if status != "submitted":
                        routed[phone] = status
            texts = sms_by_phone(stack, set(receipts))
            told = all(len(found) >= 2 for found in texts.values())
            if len(routed) == len(receipts) and told and not any(queue_depth(stack, q) for q in QUEUES):
                break
            dead_letters = dead_letter_depths(stack)
            assert dead_letters == dead_letters_before, f"a message went to a DLQ: {dead_letters}"
            stalled = progress.stalled(len(routed), sum(len(found) for found in texts.values()))
            assert stalled <= progress.patience, (
                f"no progress for {stalled:.0f} s: {len(receipts) - len(routed)} unrouted, "
                f"{sum(len(found) < 2 for found in texts.values())} citizens not told: "
                + "; ".join(
                    f"{tracking} {texts[p]} {timeline_of(stack, tracking)}"
                    for p in texts
                    if len(texts[p]) < 2 and (tracking := receipts[p]["tracking_id"])
                )
                + f"; queues {[queue_depth(stack, q) for q in QUEUES + DEAD_LETTER_QUEUES]}"
            )
            if len(routed) < len(receipts) and queue_depth(stack, "RoutingQueue") == 0:
                sweeps += 1
                at = datetime.now(UTC) + timedelta(minutes=11 * sweeps)
                fired = requests.post(
                    f"{stack.url}/_local/schedules/EscalationCheckFunction",
                    params={"time": at.strftime("%Y-%m-%dT%H:%M:%SZ")},
                    timeout=60,
                )
                assert fired.status_code == 200, fired.text
            # The test's own reads (a thousand statuses, the whole outbox) take the emulator's time
            # from the workers: look again after four times as long as this look took, so that
            # however slow the machine, the drain gets at least four fifths of it.
            time.sleep(max(2.0, 4 * (time.monotonic() - looked)))
        drained = time.monotonic()
    finally:
        killer.stop.set()
        stack.inject_faults([])
    quiet(stack)  # a late duplicate would have landed by now

    texts = sms_by_phone(stack, set(receipts))
    sent = texts_since(stack, first_text)
    kills = kills_since(stack, first_kill)
    store = complaint_store(stack)  # one store (its clients and the secret read once) for every phone
    filed = {phone: store.by_reporter(phone) for phone in phones}
    received = {p: [t for t in texts[p] if "diterima" in t] for p in receipts}
    assigned = {p: [t for t in texts[p] if "diteruskan ke" in t] for p in receipts}
    dead_letters = dead_letter_depths(stack)
    lines = stack_logs.lines[first_line:]
    injected = Counter(
        " ".join(line.split(FAULT_LOG_PREFIX)[1].split()[:2]) for line in lines if FAULT_LOG_PREFIX in line
    )
    print(
        f"\nreliability: {COMPLAINTS} complaints by {CLIENTS} clients, {len(receipts)} got a 201 "
        f"({replays_checked} replays checked); client retries {client.retries}; "
        f"answers {dict(client.statuses)}"
        f"\n  faults injected {sum(injected.values())}: {dict(injected)}"
        f"\n  kills mid-batch: {dict(killer.done)}, worker processes {dict(killer.workers)}; "
        f"sweeper fired {sweeps} times"
        f"\n  load {loaded - started:.1f} s, drained {drained - loaded:.1f} s after; "
        f"routed {dict(Counter(routed.values()))}"
        f"\n  DLQ depth before {dead_letters_before}, after {dead_letters}"
        f"\n  {len(sent)} texts; {len(kills)} workers killed "
        f"({dict(Counter(f'{kill.function} {kill.reason}' for kill in kills))}), "
        f"{sum(len(kill.open_sends) for kill in kills)} of them with a text sent and not settled"
    )
    assert lost == []
    assert client.unclear == [], "a 5xx that is not a clear JSON 503"
    assert set(client.statuses) <= {201, 503}
    assert set(routed.values()) == {"assigned"}
    # One complaint per citizen, found through the reporter index: a retry filed nothing twice.
    assert {p: ids for p, ids in filed.items() if ids != [receipts[p]["tracking_id"]]} == {}
    # Every citizen told, each text at least once, every text naming their one complaint.
    assert {p: len(found) for p, found in received.items() if not found} == {}
    assert {p: len(found) for p, found in assigned.items() if not found} == {}
    displays = {p: receipt["tracking_id_display"] for p, receipt in receipts.items()}
    assert {p: found for p, found in texts.items() if any(displays[p] not in t for t in found)} == {}
    # A text twice only in the one window the design cannot close (docs/architecture.md): a worker
    # killed after SNS took that text and before it settled the ledger, as the pool recorded it.
    twice = {p: len(f) for texts in (received, assigned) for p, f in texts.items() if len(f) > 1}
    print(f"  sent twice after a kill between send and settle: {twice}")
    assert unexplained_copies(stack, sent, kills, receipts) == []
    assert dead_letters == dead_letters_before
    # Every kind of fault bit, and the workers were killed while they held a batch.
    assert injected["api sqs.SendMessage"]
    assert injected["api sns.Publish"]
    assert sum(count for kind, count in injected.items() if kind.startswith("http dynamodb.")) > 0
    assert min(killer.done[f] for f in killer.functions) >= 1
    # Worker stdout (the functions' JSON logs) and stderr (the fault lines) both reach the log.
    assert any(line.startswith("[IntakeFunction]") and "complaint accepted" in line for line in lines)
    assert any(line.startswith("[NotificationFunction]") and FAULT_LOG_PREFIX in line for line in lines)


@pytest.mark.timeout(LOAD_SECONDS + 3600)
def test_a_minute_of_load_is_served_without_errors(local_stack: LocalStack) -> None:
    """A few citizens' apps on loopback for LOAD_SECONDS: accepted requests per second and the
    latency of each, with no error and no 5xx."""
    stack = local_stack
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    ends = time.monotonic() + LOAD_SECONDS
    numbers = iter(range(10**6))

    def app() -> None:
        session = requests.Session()
        while time.monotonic() < ends:
            with lock:
                n = next(numbers)
            body = report(reporter={"name": NAMES[n % len(NAMES)], "phone": number("load", n)})
            started = time.perf_counter()
            try:
                response = session.post(
                    f"{stack.url}/complaints",
                    json=body,
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                    timeout=30,
                )
            except requests.RequestException as error:
                with lock:
                    errors.append(repr(error))
                continue
            elapsed = time.perf_counter() - started
            with lock:
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    latencies.append(elapsed)
                else:
                    errors.append(f"{response.status_code} {response.text[:200]}")

    started = time.monotonic()
    threads = [threading.Thread(target=app) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    cut = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(
        f"\nload: {CLIENTS} clients for {seconds:.1f} s: {len(latencies)} complaints accepted, "
        f"{len(latencies) / seconds:.1f}/s; p50 {cut[49] * 1000:.0f} ms, p99 {cut[98] * 1000:.0f} ms; "
        f"answers {dict(statuses)}; errors {len(errors)}"
    )
    assert errors == []
    assert not any(status >= 500 for status in statuses)
    assert len(latencies) > LOAD_SECONDS  # at least one accepted request a second
    # Leave no backlog for the tests after this one: routing and notifications are still flowing.
    drained(
        stack,
        lambda: not any(queue_depth(stack, q) for q in ["RoutingQueue", "NotificationQueue"]),
        "the load's routing and notifications",
    )


# -- evidence (issue #14, point 7): uploads through redeliveries and a killed attachment worker -------

ATTACHMENT_WORKER = "AttachmentFunction"
PER_COMPLAINT = 4  # uploads on each complaint, of the five it takes


def attachment_fault_rules() -> list[dict[str, Any]]:
    """The attachment worker's calls fail now and then, each failure a batch item handed back: its
    message comes again after the queue's visibility timeout. A failed read or store comes back to
    a pending attachment; a failed delete, after the outcome was written, to one already recorded."""
    throttled = {"error": "ProvisionedThroughputExceededException", "status": 400}
    worker = {"function": ATTACHMENT_WORKER}
    return [
        {"service": "s3", "operation": "GetObject", "rate": 0.1, **worker},
        {"service": "s3", "operation": "PutObject", "rate": 0.1, **worker},
        {"service": "s3", "operation": "DeleteObject", "rate": 0.3, **worker},
        {"service": "dynamodb", "operation": "*", "rate": 0.05, **worker, **throttled},
        {"service": "dynamodb", "operation": "*", "rate": 0.05, "layer": "http", **worker, **throttled},
    ]


def s3_event(stack: LocalStack, key: str, size: int) -> str:
    """The notification S3 sends for a POST upload: sent a second time, as S3 now and then does."""
    name = str(stack.resources.ref("EvidenceBucket"))
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": stack.options.region,
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "eventName": "ObjectCreated:Post",
        "s3": {
            "s3SchemaVersion": "1.0",
            "bucket": {"name": name, "arn": f"arn:aws:s3:::{name}"},
            "object": {"key": key, "size": size},
        },
    }
    return json.dumps({"Records": [record]})


def worker_outcomes(lines: list[str]) -> Counter[str]:
    """What the attachment worker logged of each object it handled (`added`, `done_before`...)."""
    outcomes: Counter[str] = Counter()
    prefix = f"[{ATTACHMENT_WORKER}] "
    for line in lines:
        if not line.startswith(prefix):
            continue
        try:
            logged = json.loads(line.removeprefix(prefix))
        except ValueError:
            continue
        if isinstance(logged, dict) and logged.get("message") == "attachment":
            outcomes[str(logged.get("outcome"))] += 1
    return outcomes


@pytest.mark.skipif(UPLOADS == 0, reason="make soak runs it (ADUAN_SOAK_UPLOADS)")
@pytest.mark.timeout(HUNG)
def test_each_upload_is_recorded_once_through_redeliveries_and_a_killed_attachment_worker(
    local_stack: LocalStack, stack_logs: LogCapture
) -> None:
    """UPLOADS photos (every fifth a PNG declared as PDF, to be rejected) while the worker's S3 and
    DynamoDB calls fail, every S3 event comes twice, and the worker is killed mid-file: each
    accepted upload ends as exactly one `attachment_added` or `attachment_rejected`, its files
    where they belong, nothing in quarantine and nothing in the DLQ."""
    stack = local_stack
    first_line = len(stack_logs.lines)
    first_kill = {name: len(pool.kills) for name, pool in stack.pools.items()}
    dead_letters_before = queue_depth(stack, "AttachmentDeadLetterQueue")
    queue = stack.resources.ref("AttachmentQueue")
    # A message fails at most once while faults and kills last (one visibility timeout, less a
    # margin): none is received twice within it. Five receives would send it to the DLQ; this keeps
    # it to two, so an empty DLQ is the design's doing, not luck's.
    window = stack.template["Resources"]["AttachmentQueue"]["Properties"]["VisibilityTimeout"] - 30
    photo, declared_pdf = phone_photo(2600, 1950, grain=True), png(64, 48)
    receipts = [filed(stack) for _ in range(math.ceil(UPLOADS / PER_COMPLAINT))]
    expected: dict[tuple[str, str], str] = {}  # (tracking ID, attachment ID): the event it must end in
    refused: list[str] = []
    asked_again: list[str] = []  # form requests answered 409 conflict (four clients on one complaint)
    lock = threading.Lock()

    def citizen(n: int) -> None:
        receipt = receipts[n // PER_COMPLAINT]
        tracking_id = receipt["tracking_id"]
        rejected = n % 5 == 4
        body, declared, kind = (
            (declared_pdf, "application/pdf", "image/png")
            if rejected
            else (photo, "image/jpeg", "image/jpeg")
        )
        asked: dict[str, Any] = {"filename": f"IMG_{n:04d}.jpg", "content_type": declared, "size": len(body)}

        def ask() -> requests.Response:
            return requests.post(
                f"{stack.url}/complaints/{tracking_id}/attachments",
                json=asked,
                headers={"X-Access-Code": receipt["access_code"]},
                timeout=30,
            )

        answer = ask()
        if answer.status_code == 409 and answer.json()["error"]["code"] == "conflict":
            with lock:  # the API's "ask again" (docs/api.md), as the page's retry button does
                asked_again.append(tracking_id)
            answer = ask()
        form = granted(answer, tracking_id)
        posted = upload(stack, form, body, filename=asked["filename"], part_type=kind)
        with lock:
            if posted.status_code != 204:
                refused.append(f"{posted.status_code} {posted.text[:200]}")
                return
            expected[(tracking_id, form["attachment_id"])] = (
                "attachment_rejected" if rejected else "attachment_added"
            )
        key = form["upload"]["fields"]["key"]
        stack.client("sqs").send_message(QueueUrl=queue, MessageBody=s3_event(stack, key, len(body)))

    store = complaint_store(stack)

    def settled() -> dict[tuple[str, str], str]:
        states = {}
        for receipt in receipts:
            complaint = store.get(receipt["tracking_id"])
            for attachment in complaint.attachments:
                states[(complaint.tracking_id, attachment.attachment_id)] = attachment.state.value
        return {k: state for k, state in states.items() if k in expected and state != "pending"}

    stack.inject_faults(attachment_fault_rules())
    killer = Killer(stack, [ATTACHMENT_WORKER], KILLS)
    killer.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(citizen, range(UPLOADS)))
        uploaded = time.monotonic()
        while time.monotonic() < started + window and len(settled()) < len(expected):
            time.sleep(1)
    finally:
        killer.stop.set()
        stack.inject_faults([])
    drained(
        stack,
        lambda: len(settled()) == len(expected) and queue_depth(stack, "AttachmentQueue") == 0,
        "the uploads",
    )
    finished = time.monotonic()
    attachments_quiet(stack)  # a late redelivery would have landed by now

    recorded = [
        ((receipt["tracking_id"], str(event.data.get("attachment_id"))), event.type)
        for receipt in receipts
        for event in store.timeline(receipt["tracking_id"])
        if event.type.startswith("attachment_")
    ]
    counted = Counter(upload for upload, _ in recorded)
    s3 = stack.client("s3")
    name = str(stack.resources.ref("EvidenceBucket"))

    def listed(prefix: str) -> set[str]:
        return {item["Key"] for item in s3.list_objects_v2(Bucket=name, Prefix=prefix).get("Contents", [])}

    quarantined = set().union(*(listed(f"quarantine/{r['tracking_id']}/") for r in receipts))
    stored = set().union(*(listed(f"evidence/{r['tracking_id']}/") for r in receipts))
    lines = stack_logs.lines[first_line:]
    injected = Counter(
        " ".join(line.split(FAULT_LOG_PREFIX)[1].split()[:2])
        for line in lines
        if line.startswith(f"[{ATTACHMENT_WORKER}]") and FAULT_LOG_PREFIX in line
    )
    outcomes = worker_outcomes(lines)
    kills = kills_since(stack, first_kill)
    print(
        f"\nevidence: {UPLOADS} uploads on {len(receipts)} complaints, {len(expected)} taken by S3, "
        f"each event sent twice; faults injected {sum(injected.values())}: {dict(injected)}"
        f"\n  kills mid-file {dict(killer.done)} ({len(kills)} workers); "
        f"uploaded in {uploaded - started:.1f} s, settled {finished - started:.1f} s after the start; "
        f"worker outcomes {dict(outcomes)}; forms asked again after a 409 conflict: {len(asked_again)}"
    )
    assert refused == []
    assert len(expected) == UPLOADS
    # Exactly one event per accepted upload, the one its bytes call for; none for anything else.
    assert {k: n for k, n in counted.items() if n != 1} == {}
    assert dict(recorded) == expected
    assert settled() == {k: kind.removeprefix("attachment_") for k, kind in expected.items()}
    added = {k for k, kind in expected.items() if kind == "attachment_added"}
    assert stored == {f"evidence/{t}/{a}{end}" for t, a in added for end in ("", ".thumb.jpg")}
    assert quarantined == set()
    assert queue_depth(stack, "AttachmentDeadLetterQueue") == dead_letters_before
    # The faults bit and the worker was killed while it held a batch; the second copies of the
    # events, and the retries after a failed delete, found their upload recorded.
    assert sum(count for kind, count in injected.items() if kind.startswith("api s3.")) > 0
    assert killer.done[ATTACHMENT_WORKER] >= 1
    assert outcomes["done_before"] >= 1
    assert outcomes["unknown"] == 0
