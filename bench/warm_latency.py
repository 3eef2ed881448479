"""Warm latency: one intake request and one routing batch, beside the raw AWS calls they make.

An emulator (moto server) runs in this process on a free loopback port, with the template's own
resources (`aduan_local.resources.provision`) and reference data (`aduan_local.seed`). The intake
and routing handlers are imported here, with the environment the template gives them pointed at
the emulator, and warmed up. Then, round after round:

- ours: `app.handler(event, context)` on a payload 2.0 POST /complaints (a new complaint each
  time), or on an SQS batch of ten freshly submitted complaints, received from the routing queue;
- floor: the AWS calls that handler made (recorded once from botocore, in order, with their
  parameters), made again by bare boto3 clients configured as the handler's (timeouts and
  retries), with fresh tracking IDs so that every conditional write succeeds as the handler's did.

Both go over real HTTP to the same emulator, so the ratio is our code's own time (validation,
the domain, serialisation, logging and metrics) over the time the calls alone take. The two are
alternated, and which goes first swaps every round; what a round created is deleted before the
next, because moto's time per transaction grows with the table. A profiled run then says where
the difference goes. moto's state is the process's: this empties it when done, so it runs after
any other emulator in the process has stopped.

    python bench/warm_latency.py [--submissions 40] [--batches 10] [--top]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import cProfile
import gc
import importlib.util
import json
import logging
import os
import pstats
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import requests
from botocore import xform_name
from botocore.client import BaseClient

from aduan_local.client import example_report, free_port
from aduan_local.edge import edge_from_template
from aduan_local.events import sqs_record, sqs_sources
from aduan_local.functions import FunctionSpec, _lambda_environment, function_specs
from aduan_local.httpapi import http_routes, request_event
from aduan_local.resources import Resources, emulator_client, provision
from aduan_local.seed import reference_seeder
from aduan_local.stack import GENEROUS_PARAMETERS, REGION, StackOptions, emulator
from aduan_local.template import load_template

ROOT = Path(__file__).resolve().parents[1]
BATCH = 10  # records in one SQS batch (the routing function's BatchSize)

REPORT = example_report()  # what the citizen pages send


@dataclass
class Context:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/bench"
    log_stream_name: str = "bench"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    params: dict[str, Any]


@contextlib.contextmanager
def recording() -> Iterator[list[Call]]:
    """Every AWS call any client in this process makes meanwhile: service, operation, parameters."""
    calls: list[Call] = []
    original = BaseClient._make_api_call

    def spy(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls.append(Call(client.meta.service_model.service_name, operation, copy.deepcopy(params)))
        return original(client, operation, params)

    BaseClient._make_api_call = spy  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def _substitute(value: Any, renames: dict[str, str]) -> Any:
    """`value` with every string's old tracking IDs (canonical and display forms) renamed."""
    if isinstance(value, str):
        for old, new in renames.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {key: _substitute(item, renames) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, renames) for item in value]
    return value


def _like_ours(service: str, endpoint: str) -> Any:
    """A bare boto3 client with the configuration of the one the handler used (`aduan.aws.clients`
    caches it in this process): the floor then retries and times out as ours does."""
    import boto3
    from botocore.config import Config

    from aduan.aws.clients import client

    ours = client(service).meta.config
    config = Config(
        connect_timeout=ours.connect_timeout, read_timeout=ours.read_timeout, retries=ours.retries
    )
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the emulator's dummy credentials
        config=config,
    )


def _renames(old_ids: list[str], new_ids: list[str]) -> dict[str, str]:
    from aduan.domain.tracking import display_form

    renames = {}
    for old, new in zip(old_ids, new_ids, strict=True):
        renames[old] = new
        renames[display_form(old)] = display_form(new)
    return renames


class Floor:
    """The recorded calls, made again by bare boto3 clients (one per service, made once), each
    configured as the handler's own client of that service (timeouts and retries)."""

    def __init__(self, calls: list[Call], endpoint: str) -> None:
        self.calls = calls
        self.clients = {service: _like_ours(service, endpoint) for service in {c.service for c in calls}}

    def prepare(self, renames: dict[str, str]) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
        """The calls with fresh tracking IDs, bound to their client methods, ready to time."""
        return [
            (getattr(self.clients[c.service], xform_name(c.operation)), _substitute(c.params, renames))
            for c in self.calls
        ]

    @staticmethod
    def run(prepared: list[tuple[Callable[..., Any], dict[str, Any]]]) -> None:
        for method, params in prepared:
            method(**params)

    def summary(self) -> str:
        counts = Counter(f"{c.operation}" for c in self.calls)
        return ", ".join(f"{operation} {count}" for operation, count in counts.most_common())


def _import_handler(spec: FunctionSpec, name: str) -> ModuleType:
    """A function's app.py as its own module (both functions' modules are called `app`)."""
    loader = importlib.util.spec_from_file_location(name, spec.code_dir / "app.py")
    assert loader is not None
    assert loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    sys.path.insert(0, str(spec.code_dir))
    try:
        loader.loader.exec_module(module)
    finally:
        sys.path.remove(str(spec.code_dir))
    return module


class Bench:
    """The emulator with the template's resources, and the two handlers imported against it."""

    def __init__(self, sink: Any) -> None:
        self.server = emulator("127.0.0.1", free_port())
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        template = load_template()
        self.resources: Resources = provision(
            template,
            self.endpoint,
            region=REGION,
            stack_name="bench",
            parameters={**GENEROUS_PARAMETERS, **StackOptions().parameters},  # one reporter, many reports
        )
        reference_seeder()(self.resources)
        specs = function_specs(template, self.resources, ROOT)
        self.intake_spec, self.routing_spec = specs["IntakeFunction"], specs["RoutingFunction"]
        self.route = next(
            r for r in http_routes(template, self.resources, specs) if r.route_key == "POST /complaints"
        )
        self.routing_source = next(
            s for s in sqs_sources(specs, self.resources) if s.function == "RoutingFunction"
        )
        self.sqs = emulator_client("sqs", self.endpoint, REGION)
        secrets = emulator_client("secretsmanager", self.endpoint, REGION)
        self.edge = edge_from_template(template, self.resources, secrets)  # CloudFront's headers
        self.created: list[str] = []
        self.dynamodb = emulator_client("dynamodb", self.endpoint, REGION)

        self._saved_environment = dict(os.environ)
        for spec in (self.intake_spec, self.routing_spec):
            environment = _lambda_environment(spec, self.resources)
            for name in ("PATH", "LAMBDA_TASK_ROOT", "_HANDLER"):
                environment.pop(name)
            os.environ.update(environment)  # the two differ only in the function's name and size
        from aduan.aws.clients import client, secret

        client.cache_clear()  # clients an earlier benchmark in this process made for its emulator
        secret.cache_clear()
        with contextlib.redirect_stdout(sink):  # Powertools' log handler keeps the stream it gets
            self.intake = _import_handler(self.intake_spec, "bench_intake_app")
            self.routing = _import_handler(self.routing_spec, "bench_routing_app")
        for handler in logging.getLogger("aduan").handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(sink)  # in case aduan's logger was made before this process got here

    def close(self) -> None:
        from aduan.aws.clients import client, secret

        client.cache_clear()  # clients and secrets of this emulator must not outlive it
        secret.cache_clear()
        os.environ.clear()
        os.environ.update(self._saved_environment)
        # Emptied first: moto's state is the process's, and left full it takes seconds to free at exit.
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10)
        self.server.stop()
        gc.unfreeze()

    # -- what ours runs -----------------------------------------------------------------------

    def intake_event(self) -> dict[str, Any]:
        return request_event(
            self.route,
            {},
            method="POST",
            raw_path="/complaints",
            raw_query="",
            headers=self.edge.forward(
                [("content-type", "application/json"), ("host", "api.aduan.local")], "203.0.113.7"
            ),
            body=json.dumps(REPORT).encode(),
            source_ip="203.0.113.7",
            claims=None,
        )

    def intake_context(self) -> Context:
        return Context(self.resources.ref("IntakeFunction"), self.intake_spec.memory)

    def routing_context(self) -> Context:
        return Context(self.resources.ref("RoutingFunction"), self.routing_spec.memory)

    def submit(self) -> str:
        """A new complaint through the intake handler; its tracking ID."""
        answer = self.intake.handler(self.intake_event(), self.intake_context())
        if answer["statusCode"] != 201:
            raise RuntimeError(f"intake answered {answer['statusCode']}: {answer['body']}")
        tracking_id: str = json.loads(answer["body"])["tracking_id"]
        self.created.append(tracking_id)
        return tracking_id

    def new_tracking_id(self) -> str:
        """A fresh tracking ID for the floor's replay to create a complaint under."""
        from aduan.domain.tracking import new_tracking_id

        tracking_id = new_tracking_id()
        self.created.append(tracking_id)
        return tracking_id

    def forget(self) -> None:
        """Delete every complaint created so far, with its timeline. moto copies the whole table
        for each TransactWriteItems, so its time per call grows with the table: kept to the
        reference data between rounds, the emulator's share stays the same from first round to last."""
        table = self.resources.ref("ComplaintsTable")
        keys = []
        for tracking_id in self.created:
            keys += self.dynamodb.query(
                TableName=table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"C#{tracking_id}"}},
                ProjectionExpression="pk, sk",
            )["Items"]
        for start in range(0, len(keys), 25):
            self.dynamodb.batch_write_item(
                RequestItems={table: [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]}
            )
        self.created.clear()

    def drain_routing_queue(self) -> None:
        while self._receive(BATCH, wait=0):
            pass

    def _receive(self, count: int, wait: int = 1) -> list[dict[str, Any]]:
        """Up to `count` messages from the routing queue, deleted as the event source mapping
        deletes what its function handled."""
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + 10
        while len(messages) < count and time.monotonic() < deadline:
            got = self.sqs.receive_message(
                QueueUrl=self.routing_source.queue_url,
                MaxNumberOfMessages=min(BATCH, count - len(messages)),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=wait,
            ).get("Messages", [])
            if not got:
                break
            self.sqs.delete_message_batch(
                QueueUrl=self.routing_source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
            )
            messages.extend(got)
        return messages

    def routing_batch(self) -> tuple[dict[str, Any], list[str]]:
        """Ten complaints submitted through intake, and the SQS event their routing messages make."""
        self.drain_routing_queue()  # what the floor's replays and earlier submissions left there
        submitted = [self.submit() for _ in range(BATCH)]
        messages = self._receive(BATCH)
        tracking_ids = [json.loads(m["Body"])["tracking_id"] for m in messages]
        if sorted(tracking_ids) != sorted(submitted):
            raise RuntimeError("the routing queue did not hold exactly the complaints just submitted")
        records = [sqs_record(m, self.routing_source, REGION) for m in messages]
        return {"Records": records}, tracking_ids

    def route_batch(self, event: dict[str, Any]) -> None:
        answer = self.routing.handler(event, self.routing_context())
        if answer.get("batchItemFailures"):
            raise RuntimeError(f"routing failed records: {answer['batchItemFailures']}")

    def fresh_submitted(self, count: int) -> list[str]:
        """Tracking IDs of `count` complaints submitted through intake, their routing messages
        taken off the queue (the floor routes them by its recorded calls, not from the queue)."""
        submitted = [self.submit() for _ in range(count)]
        self.drain_routing_queue()
        return submitted

    def status(self, tracking_id: str) -> str:
        item = self.dynamodb.get_item(
            TableName=self.resources.ref("ComplaintsTable"),
            Key={"pk": {"S": f"C#{tracking_id}"}, "sk": {"S": "#COMPLAINT"}},
            ConsistentRead=True,
        )["Item"]
        return str(item["status"]["S"])


Action = Callable[[], Any]
Prepare = Callable[[], Action]  # builds one run's inputs (untimed); returns the run itself


def _round(number: int, ours: Action, floor: Action, times: tuple[list[float], list[float]]) -> None:
    """Time ours and the floor once each; which goes first swaps every round.

    The emulator's objects share this process's heap (a Lambda's has none of them): they are
    collected and frozen before each round, so that a collector's pass over them does not land on
    whichever side happens to be running. The collector stays on for what the runs allocate."""
    gc.collect()
    gc.freeze()
    pair = [(ours, times[0]), (floor, times[1])]
    for action, durations in pair if number % 2 == 0 else reversed(pair):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _row(path: str, floor: Floor, ours: list[float], bare: list[float]) -> dict[str, Any]:
    return {
        "path": path,
        "calls": len(floor.calls),
        "operations": floor.summary(),
        "runs": len(ours),
        "ours_ms": statistics.median(ours) * 1000,
        "ours_p90_ms": _percentile(ours, 0.9) * 1000,
        "floor_ms": statistics.median(bare) * 1000,
        "floor_p90_ms": _percentile(bare, 0.9) * 1000,
        "extra_ms": statistics.median(o - f for o, f in zip(ours, bare, strict=True)) * 1000,
        "ratio": statistics.median(ours) / statistics.median(bare),
    }


def _intake(bench: Bench, submissions: int) -> tuple[dict[str, Any], Prepare, Prepare]:
    for _ in range(5):  # warm: reference data, the reporter-key secret, clients, connections
        bench.submit()
    with recording() as calls:
        recorded_id = bench.submit()
    floor = Floor(calls, bench.endpoint)
    for _ in range(3):  # the floor's clients make their first connections too
        floor.run(floor.prepare(_renames([recorded_id], [bench.new_tracking_id()])))
    bench.forget()
    ours: list[float] = []
    bare: list[float] = []
    answers: list[dict[str, Any]] = []
    for round_number in range(submissions):
        event, context = bench.intake_event(), bench.intake_context()
        prepared = floor.prepare(_renames([recorded_id], [bench.new_tracking_id()]))

        _round(
            round_number,
            lambda event=event, context=context: answers.append(bench.intake.handler(event, context)),
            lambda prepared=prepared: floor.run(prepared),
            (ours, bare),
        )
        if answers[-1]["statusCode"] != 201:
            raise RuntimeError(f"intake answered {answers[-1]['statusCode']}: {answers[-1]['body']}")
        bench.created.append(json.loads(answers[-1]["body"])["tracking_id"])
        bench.forget()

    def profile_ours() -> Action:
        event, context = bench.intake_event(), bench.intake_context()
        return lambda: bench.intake.handler(event, context)

    def profile_floor() -> Action:
        prepared = floor.prepare(_renames([recorded_id], [bench.new_tracking_id()]))
        return lambda: floor.run(prepared)

    return _row("intake: POST /complaints", floor, ours, bare), profile_ours, profile_floor


def _routing(bench: Bench, batches: int) -> tuple[dict[str, Any], Prepare, Prepare]:
    bench.drain_routing_queue()
    event, _ = bench.routing_batch()
    bench.route_batch(event)  # warm
    event, recorded_ids = bench.routing_batch()
    with recording() as calls:
        bench.route_batch(event)
    floor = Floor(calls, bench.endpoint)
    floor.run(floor.prepare(_renames(recorded_ids, bench.fresh_submitted(BATCH))))  # warm
    bench.forget()
    ours: list[float] = []
    bare: list[float] = []
    for round_number in range(batches):
        event, ours_ids = bench.routing_batch()
        floor_ids = bench.fresh_submitted(BATCH)
        prepared = floor.prepare(_renames(recorded_ids, floor_ids))
        _round(
            round_number,
            lambda event=event: bench.route_batch(event),
            lambda prepared=prepared: floor.run(prepared),
            (ours, bare),
        )
        # Both sides did the work: the complaints of both batches are now with an agency.
        if {bench.status(ours_ids[-1]), bench.status(floor_ids[-1])} != {"assigned"}:
            raise RuntimeError("a measured batch left complaints unassigned")
        bench.forget()

    def profile_ours() -> Action:
        event = bench.routing_batch()[0]
        return lambda: bench.route_batch(event)

    def profile_floor() -> Action:
        prepared = floor.prepare(_renames(recorded_ids, bench.fresh_submitted(BATCH)))
        return lambda: floor.run(prepared)

    return _row(f"routing: SQS batch of {BATCH}", floor, ours, bare), profile_ours, profile_floor


# -- where the time goes: one profiled run of each, self time by the code it was spent in ------

BUCKETS = (  # first match wins: (label, substrings of the function's file or name)
    ("waiting for the emulator (socket): its time, not ours", ("_socket.socket", "select.", "selectors.py")),
    ("Aduan's own code (shared/aduan, functions)", ("/shared/aduan/", "/functions/")),
    ("pydantic", ("pydantic",)),
    ("Powertools (resolver, validation, logger, metrics)", ("aws_lambda_powertools",)),
    ("botocore (serialise, sign, parse)", ("botocore", "boto3", "jmespath", "dateutil")),
    ("http client (urllib3, http.client)", ("urllib3", "http/client.py", "ssl.py")),
    ("json and logging (stdlib)", ("json/", "_json.", "logging/", "'dumps'", "'loads'")),
    ("copying, hashing, UUIDs (stdlib)", ("copy.py", "hashlib", "hmac", "uuid", "secrets.py", "random")),
)
OTHER = "everything else (stdlib, interpreter)"


def _bucket(function: tuple[str, int, str]) -> str:
    text = f"{function[0]} {function[2]}"
    for label, markers in BUCKETS:
        if any(marker in text for marker in markers):
            return label
    return OTHER


def _profile(prepare: Prepare, times: int) -> dict[str, float]:
    """Self time per bucket, in ms a run, over `times` profiled runs (their inputs built unprofiled)."""
    profiler = cProfile.Profile()
    for _ in range(times):
        profiler.runcall(prepare())
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    for function, (_calls, _primitive, self_time, _cumulative, _callers) in stats.items():
        label = _bucket(function)
        totals[label] = totals.get(label, 0.0) + self_time * 1000 / times
    return totals


def measure(submissions: int = 40, batches: int = 10, top: bool = False) -> dict[str, Any]:
    """The warm-latency rows and, per path, where a profiled run spent its time."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's access log
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        phases[name] = time.perf_counter() - started - sum(phases.values())

    with open(os.devnull, "w") as sink:
        bench = Bench(sink)
        phase("setup")
        try:
            with contextlib.redirect_stdout(sink):  # the handlers' logs and metrics (EMF) lines
                intake, intake_ours, intake_floor = _intake(bench, submissions)
                phase("intake")
                routing, routing_ours, routing_floor = _routing(bench, batches)
                phase("routing")
                profiles = {
                    intake["path"]: (_profile(intake_ours, 10), _profile(intake_floor, 10)),
                    routing["path"]: (_profile(routing_ours, 1), _profile(routing_floor, 1)),
                }
                phase("profiles")
            if top:
                for prepare, times in ((intake_ours, 10), (routing_ours, 1)):
                    with contextlib.redirect_stdout(sink):
                        profiler = cProfile.Profile()
                        for _ in range(times):
                            profiler.runcall(prepare())
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        finally:
            bench.close()
    return {"rows": [intake, routing], "profiles": profiles, "phases": phases}


def table(result: dict[str, Any]) -> str:
    lines = [
        "| path | AWS calls it makes | ours: handler (median, p90) | floor: the same calls, bare boto3 "
        "(median, p90) | ours − floor (median of the rounds) | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['path']} ({row['runs']} runs) | {row['calls']}: {row['operations']} "
            f"| {row['ours_ms']:.1f} ms, {row['ours_p90_ms']:.1f} ms "
            f"| {row['floor_ms']:.1f} ms, {row['floor_p90_ms']:.1f} ms | {row['extra_ms']:+.1f} ms "
            f"| {row['ratio']:.2f} |"
        )
    return "\n".join(lines)


def profile_table(result: dict[str, Any]) -> str:
    paths = list(result["profiles"])
    header = " | ".join(f"{path}: ours, floor, extra" for path in paths)
    lines = [f"| self time a run, in | {header} |", "| --- |" + " ---: |" * len(paths)]

    def cells(pick: Callable[[dict[str, float]], float]) -> str:
        shown = []
        for path in paths:
            ours, floor = (pick(profile) for profile in result["profiles"][path])
            shown.append(f"{ours:.1f}, {floor:.1f}, {ours - floor:+.1f} ms")
        return " | ".join(shown)

    waiting = BUCKETS[0][0]
    for label in [label for label, _ in BUCKETS[1:]] + [OTHER]:
        lines.append(f"| {label} | " + cells(lambda profile, label=label: profile.get(label, 0.0)) + " |")
    lines.append(
        "| **this process's own work** | "
        + cells(lambda profile: sum(ms for label, ms in profile.items() if label != waiting))
        + " |"
    )
    lines.append(f"| {waiting} | " + cells(lambda profile: profile.get(waiting, 0.0)) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=40, help="intake requests, each beside its floor")
    parser.add_argument("--batches", type=int, default=10, help="routing batches, each beside its floor")
    parser.add_argument("--top", action="store_true", help="also print cProfile's top functions of ours")
    args = parser.parse_args()
    result = measure(args.submissions, args.batches, args.top)
    print(table(result))
    print()
    print(profile_table(result))
    print("\n" + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result["phases"].items()))


if __name__ == "__main__":
    main()
