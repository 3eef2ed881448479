"""The local stack: template.yaml run against moto server, with no Docker and no AWS account.

`LocalStack.start()` starts the emulator, creates the template's resources from their own
properties, seeds reference data, and serves the HTTP API; SQS pollers and schedule timers drive
the other functions. `make run`, the CLI and the end-to-end fixture all use this one class.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aduan_local.access_log import AccessLog, access_log_format
from aduan_local.calls import CallLedger
from aduan_local.client import (
    LOCAL_SMS_TOKEN,
    LOCAL_WHATSAPP_PHONE_NUMBER_ID,
    LOCAL_WHATSAPP_SECRET,
    LOCAL_WHATSAPP_TOKEN,
    LOCAL_WHATSAPP_VERIFY,
)
from aduan_local.edge import edge_from_template
from aduan_local.events import ScheduleTimer, SqsPoller, scheduled_event, schedules, sqs_sources
from aduan_local.faults import write_rules
from aduan_local.functions import FunctionPool, InvocationError, function_specs
from aduan_local.gateway import GatewayHandler
from aduan_local.graph_api import FakeGraphApi
from aduan_local.httpapi import JwtVerifier, http_routes
from aduan_local.outbox import WebhookRecorder, outbox
from aduan_local.resources import ACCESS_KEY_ID, SECRET_ACCESS_KEY, Resources, emulator_client, provision
from aduan_local.template import TEMPLATE, load_template, resources_of_type
from aduan_local.user_pool import MOTO_TOTP_SECRET, fresh_totp

log = logging.getLogger("aduan_local")

REGION = "ap-southeast-3"  # Jakarta

Seeder = Callable[[Resources], None]

# The template's daily allowances with `limits="generous"` (as many as a test may send in a day).
GENEROUS_PARAMETERS = {"ComplaintsPerDestinationPerDay": "1000000", "ComplaintsPerClientPerDay": "1000000"}

# What `activity()` reports of a queue, by SQS's attribute names.
QUEUE_DEPTHS = {
    "ApproximateNumberOfMessages": "visible",
    "ApproximateNumberOfMessagesNotVisible": "in_flight",
    "ApproximateNumberOfMessagesDelayed": "delayed",
}


@dataclass
class StackOptions:
    template: Path = TEMPLATE
    stack_name: str = "aduan-local"  # prefixes physical names; two stacks in one process must differ
    host: str = "127.0.0.1"
    port: int = 3000
    moto_port: int = 0  # 0: any free port
    workers: int = 1  # warm execution environments per function
    timers: bool = True  # fire rate() schedules in real time
    region: str = REGION
    # Local values for the template's parameters: the SMS gateway token and the WhatsApp secrets of
    # DESIGN §3 and §4.2, and quick retries, so that a failed notification comes back in seconds
    # rather than minutes. WhatsAppGraphUrl is the stand-in's (aduan_local.graph_api), once started.
    parameters: dict[str, Any] = field(
        default_factory=lambda: {
            "SmsGatewayAuthToken": os.environ.get("ADUAN_SMS_TOKEN", LOCAL_SMS_TOKEN),
            "WhatsAppAppSecret": LOCAL_WHATSAPP_SECRET,
            "WhatsAppVerifyToken": LOCAL_WHATSAPP_VERIFY,
            "WhatsAppAccessToken": LOCAL_WHATSAPP_TOKEN,
            "WhatsAppPhoneNumberId": LOCAL_WHATSAPP_PHONE_NUMBER_ID,
            "WhatsAppPlaceWaitSeconds": "60",  # a minute to answer "where?" when playing a citizen
            "RetryBaseSeconds": "1",
        }
    )
    seeders: list[Seeder] = field(default_factory=list)
    web_dir: Path | None = None  # static pages served at / (the citizen pages, web/)
    # The outbound limits (docs/operations.md, "Limits"): `generous` so that tests and a developer
    # can send thousands of reports from one address and one phone, or `template`, as deployed:
    # AWS WAF's rate rules at the edge and the template's daily allowances.
    limits: str = field(default_factory=lambda: os.environ.get("ADUAN_LOCAL_LIMITS", "generous"))
    # Lambda's application log level for every function (AWS_LAMBDA_LOG_LEVEL, which Powertools
    # obeys over the template's): the tests run DEBUG, so the privacy scan reads every line.
    log_level: str | None = None


class LocalStack:
    def __init__(self, options: StackOptions | None = None) -> None:
        self.options = options or StackOptions()
        self.stopping = threading.Event()
        self.webhooks = WebhookRecorder()
        self.verifier = JwtVerifier()
        self._threads: list[threading.Thread] = []
        self.demo_users: dict[str, str] = {}

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> LocalStack:
        options = self.options
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's access log
        self.moto = emulator(options.host, options.moto_port)
        host, port = self.moto.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

        self.template = load_template(options.template)
        root = Path(options.template).resolve().parent
        parameters = dict(options.parameters)
        self.graph = FakeGraphApi(
            access_token=parameters["WhatsAppAccessToken"],
            phone_number_id=parameters["WhatsAppPhoneNumberId"],
            catalogue=root / "shared" / "aduan" / "data" / "whatsapp_templates.json",
            host=options.host,
        ).start()
        parameters.setdefault("WhatsAppGraphUrl", self.graph.url)
        self.resources = provision(
            self.template,
            self.endpoint,
            region=options.region,
            stack_name=options.stack_name,
            parameters={**GENEROUS_PARAMETERS, **parameters} if options.limits == "generous" else parameters,
        )
        self.functions = function_specs(self.template, self.resources, root)
        self.faults_file = Path(tempfile.mkdtemp(prefix="aduan-local-")) / "faults.json"
        write_rules(self.faults_file, [])
        self.calls = CallLedger(index_keys(self.template))
        self.pools = {
            logical_id: FunctionPool(
                spec, self.resources, options.workers, self.faults_file, self.calls, options.log_level
            )
            for logical_id, spec in self.functions.items()
        }
        self.routes = http_routes(self.template, self.resources, self.functions)
        self.access_log = AccessLog(access_log_format(self.template))
        self.edge = edge_from_template(
            self.template, self.resources, self.client("secretsmanager"), options.limits
        )
        self.schedules = schedules(self.functions)
        for seeder in options.seeders:
            seeder(self.resources)
            self.demo_users |= getattr(seeder, "demo_users", {})

        sqs = self.client("sqs")
        self.calls.pollers.attach(sqs.meta.events)  # what Lambda's event source mappings call
        sources = sqs_sources(self.functions, self.resources)
        consumed = {source.queue_arn for source in sources}
        self.consumed_queues = {
            logical_id: self.resources.ref(logical_id)
            for (logical_id, attribute), arn in self.resources.attributes.items()
            if attribute == "Arn" and arn in consumed
        }
        self._queue_reader = self.client("sqs")  # not counted: reading depths is no function's work
        for source in sources:
            for _ in range(options.workers):
                self._run(SqsPoller(source, self.pools[source.function], sqs, options.region, self.stopping))
        if options.timers:
            for schedule in self.schedules:
                if schedule.enabled:
                    self._run(
                        ScheduleTimer(schedule, self.pools[schedule.function], self.resources, self.stopping)
                    )

        self.server = ThreadingHTTPServer((options.host, options.port), GatewayHandler)
        self.server.daemon_threads = True
        self.server.stack = self  # type: ignore[attr-defined]
        self.url = f"http://{options.host}:{self.server.server_address[1]}"
        self._run(threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True))
        return self

    def _run(self, thread: threading.Thread) -> None:
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        for pool in self.pools.values():
            pool.close()
        for thread in self._threads:
            thread.join(timeout=3)
        self.graph.stop()
        self.moto.stop()
        shutil.rmtree(self.faults_file.parent, ignore_errors=True)

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- what the control endpoints and the CLI use -------------------------------------------

    def client(self, service: str) -> Any:
        return emulator_client(service, self.endpoint, self.options.region)

    def describe(self) -> dict[str, Any]:
        return {
            "api": self.url,
            "aws_endpoint": self.endpoint,
            "region": self.options.region,
            "functions": sorted(self.functions),
            "routes": [route.route_key for route in self.routes],
            "queues": {
                name: url for name, url in self.resources.refs.items() if url.startswith(self.endpoint)
            },
            "schedules": [f"{s.function}: {s.expression}" for s in self.schedules],
            "worker_pids": {name: pool.pids() for name, pool in self.pools.items()},
            "resources": self.resources.refs,
        }

    def activity(self) -> dict[str, Any]:
        """What is still under way: the functions inside an invocation, and the messages of every
        queue a function consumes, waiting (visible or delayed) or being handled (in flight)."""
        depths: dict[str, dict[str, int]] = {}
        for logical_id, url in self.consumed_queues.items():
            attributes = self._queue_reader.get_queue_attributes(
                QueueUrl=url, AttributeNames=list(QUEUE_DEPTHS)
            )
            depths[logical_id] = {
                label: int(attributes["Attributes"][name]) for name, label in QUEUE_DEPTHS.items()
            }
        # A function with any invocation running is busy (with several workers, not only a full pool).
        return {"busy": sorted(name for name, pool in self.pools.items() if pool.active()), "queues": depths}

    def outbox(self) -> dict[str, list[dict[str, Any]]]:
        return outbox(self.options.region, self.webhooks) | {"whatsapp": self.graph.sent()}

    def meta_delivers(self, raw: bytes, signature: str | None) -> None:
        """A webhook on its way to Aduan, as Meta would send it: each sender's message opens their
        customer-service window in the stand-in Graph API (only what the app secret signed: a
        forged payload is not Meta's, and opens nothing)."""
        secret = str(self.options.parameters["WhatsAppAppSecret"]).encode()
        expected = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
        if signature and hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            self.graph.webhook_delivered(raw)

    def fire(self, function: str, at: datetime | None = None) -> Any:
        """Run a function's schedule event with the event time `at` (now by default)."""
        schedule = next((s for s in self.schedules if s.function == function), None)
        if schedule is None:
            raise KeyError(function)
        event = scheduled_event(schedule, at or datetime.now(UTC), self.resources)
        return self.pools[function].invoke(event)

    def invoke(self, function: str, event: Any) -> Any:
        return self.pools[function].invoke(event)

    def inject_faults(self, rules: list[dict[str, Any]]) -> None:
        """Make the functions' AWS calls fail as the rules say (an empty list heals everything)."""
        write_rules(self.faults_file, rules)

    def add_user(self, username: str, password: str) -> None:
        """Remember a local demo user's password, so `aduan-local token` can sign it in."""
        self.demo_users[username] = password

    def token(self, username: str) -> dict[str, Any]:
        """Sign a demo user in at the local user pool: real tokens, signed by the emulator's keys.
        A user of a role that needs two-step sign-in (coordinator, national) is enrolled on the way,
        as at a first sign-in, and signed in with a code (`aduan_local.user_pool`)."""
        from aduan.accounts import MFA_REQUIRED, ROLE_GROUPS

        cognito = self.client("cognito-idp")
        clients = resources_of_type(self.template, "AWS::Cognito::UserPoolClient")
        client_id = self.resources.ref(next(iter(clients)))
        result = self._initiate(cognito, client_id, username)
        tokens = result.get("AuthenticationResult")
        if tokens is None:  # SOFTWARE_TOKEN_MFA: enrolled before
            tokens = cognito.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName=result["ChallengeName"],
                Session=result["Session"],
                ChallengeResponses={
                    "USERNAME": username,
                    "SOFTWARE_TOKEN_MFA_CODE": fresh_totp(MOTO_TOTP_SECRET),
                },
            )["AuthenticationResult"]
        else:
            groups = cognito.admin_list_groups_for_user(
                UserPoolId=self.resources.ref("UserPool"), Username=username
            )["Groups"]
            if any(ROLE_GROUPS.get(group["GroupName"]) in MFA_REQUIRED for group in groups):
                secret = cognito.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
                cognito.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=fresh_totp(secret))
                cognito.set_user_mfa_preference(
                    AccessToken=tokens["AccessToken"],
                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
                )
                return self.token(username)
        return {
            "token": tokens["IdToken"],
            "access_token": tokens["AccessToken"],
            "expires_in": tokens["ExpiresIn"],
        }

    def _initiate(self, cognito: Any, client_id: str, username: str) -> dict[str, Any]:
        result: dict[str, Any] = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": self.demo_users[username]},
        )
        return result


def index_keys(template: dict[str, Any]) -> frozenset[str]:
    """The hash keys of every table's global secondary indexes (a write carrying one writes it)."""
    tables = resources_of_type(template, "AWS::DynamoDB::Table").values()
    return frozenset(
        str(key["AttributeName"])
        for table in tables
        for index in table.get("Properties", {}).get("GlobalSecondaryIndexes", [])
        for key in index["KeySchema"]
        if key["KeyType"] == "HASH"
    )


def emulator(host: str, port: int) -> Any:
    """moto server in a thread, with DynamoDB requests taken one at a time, and S3 in front of it.

    moto's DynamoDB is not thread-safe: a transaction deep-copies the table while another thread
    writes to it ("dictionary changed size during iteration"). DynamoDB serialises writes to an item
    itself, so one lock around moto's DynamoDB changes nothing a test may rely on; SQS long polls and
    everything else still run concurrently. Requests to a bucket pass `aduan_local.s3.S3Front`
    first: POST policies, CORS and presigned URLs' expiry as S3 checks them."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from aduan_local import hot_paths, item_size, s3, transactions, user_pool

    transactions.install()  # moto's own copies every table it touches, on every transaction
    item_size.install()  # moto sizes the whole item again at each attribute it sets
    hot_paths.install()  # moto's SQS reads a slow clock per message; its dispatcher lists files per request
    user_pool.install()  # real TOTP checks, and Cognito's answers where moto's differ
    s3.install()  # bucket notifications in AWS's event shape
    dynamodb = threading.Lock()

    class Emulator(ThreadedMotoServer):
        # What the benchmarks read: CPU seconds spent serving requests, and wall seconds the
        # DynamoDB lock was held (near the run's length, the lock is the bottleneck).
        busy: dict[str, float]

        def _server_entry(self) -> None:
            # The functions sign POST policies with the stack's credentials: S3 knows them alone.
            app = s3.S3Front(
                DomainDispatcherApplication(create_backend_app), {ACCESS_KEY_ID: SECRET_ACCESS_KEY}
            )
            self.busy = {"cpu": 0.0, "dynamodb_lock": 0.0}

            def serialised(environ: dict[str, Any], start_response: Any) -> Any:
                started = time.thread_time()
                try:
                    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
                        with dynamodb:
                            held = time.perf_counter()
                            try:
                                return list(app(environ, start_response))
                            finally:
                                self.busy["dynamodb_lock"] += time.perf_counter() - held
                    return list(app(environ, start_response))
                finally:
                    self.busy["cpu"] += time.thread_time() - started

            self._server = make_server(
                self._ip_address, self._port, serialised, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    server = Emulator(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def log_stack(stack: LocalStack) -> None:
    description = stack.describe()
    print(
        f"Aduan local stack: API {description['api']}  AWS emulator {description['aws_endpoint']}", flush=True
    )
    print("functions: " + ", ".join(description["functions"]), flush=True)
    print("routes:    " + ", ".join(description["routes"]), flush=True)
    print("queues:    " + ", ".join(description["queues"]), flush=True)
    if description["schedules"]:
        print("schedules: " + ", ".join(description["schedules"]), flush=True)
    print(json.dumps({"ready": description["api"]}), flush=True)


__all__ = ["InvocationError", "LocalStack", "StackOptions"]
