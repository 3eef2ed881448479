"""AWS calls counted from botocore's events, by service and operation, with what AWS bills for them.

A `CallCounter` attached to a botocore event emitter (a session's, before its clients exist, or a
client's own) counts every API call once, successful or not (a failed conditional write is billed
too), and estimates the billed units: DynamoDB read and write request units from the sizes of the
items a call reads or writes (moto's ConsumedCapacity is a constant, not a measurement) and SQS
requests in 64 KB chunks. The local stack counts in every worker (one invocation at a time), and in
the SQS pollers that stand in for Lambda's event source mappings; `CallLedger` adds them up.
A counter also refuses every DynamoDB Scan, which Aduan never makes; the ledger keeps them by function.
Attached to a session, it also records each client the session creates (service, endpoint, timeouts
and retries): the ledger keeps those of each worker's first invocation, init included, per function
(`cold_start`, with the Aduan modules loaded by then), which is what bench/cold_start.py reproduces.
"""

from __future__ import annotations

import base64
import logging
import math
import threading
from collections import Counter
from typing import Any

log = logging.getLogger("aduan_local")

SQS_CHUNK = 64 * 1024
# Aduan reads by key or index only (DESIGN; `make lint` greps for it): a Scan, however it is spelt
# (a paginator's included), is refused before it is sent and counted under this name.
REFUSED_SCAN = "dynamodb.Scan.refused"
WRITE_UNIT = 1024  # a write request unit: 1 KB
READ_UNIT = 4 * 1024  # a read request unit: 4 KB, strongly consistent (eventual: half)


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value, by DynamoDB's published item-size rules."""
    (kind, data), *_ = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        digits = str(data).lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(data) if isinstance(data, bytes) else len(base64.b64decode(data))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: member}) for member in data)
    if kind == "L":
        return 3 + sum(1 + value_size(member) for member in data)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(member) for name, member in data.items())
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def _read_units(size: int, consistent: bool) -> float:
    units = max(math.ceil(size / READ_UNIT), 1)
    return float(units) if consistent else units / 2


def _write_units(size: int) -> int:
    return max(math.ceil(size / WRITE_UNIT), 1)


class RefusedScan(Exception):
    """A DynamoDB Scan was attempted (the local stack's functions fail it, the ledger remembers it)."""


class CallCounter:
    """Counts the calls of the clients whose emitter it is attached to; `take()` empties it.

    `index_keys` are the hash keys of the table's global secondary indexes: a Put whose item carries
    one also writes that index (one more write unit; two when the index key changes, which the caller
    cannot see, so the estimate is a floor)."""

    def __init__(self, index_keys: frozenset[str] = frozenset()) -> None:
        self.index_keys = index_keys
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._units: Counter[str] = Counter()
        self._clients: list[dict[str, Any]] = []

    def attach(self, events: Any) -> None:
        events.register("creating-client-class", self._record_clients)
        events.register("before-parameter-build", self._remember_params)
        events.register("before-call.dynamodb.Scan", self._refuse_scan)
        events.register("after-call", self._count)

    def take(self) -> dict[str, Any]:
        with self._lock:
            taken: dict[str, Any] = {"calls": dict(self._calls), "units": dict(self._units)}
            if self._clients:
                taken["clients"] = list(self._clients)
            self._calls.clear()
            self._units.clear()
            self._clients.clear()
        return taken

    def _record_clients(self, base_classes: list[type], **_: Any) -> None:
        """botocore's hook for a client class about to be made: a first base that records each
        client of it once it is built."""
        counter = self

        class Recorded:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                counter.created(self)

        base_classes.insert(0, Recorded)

    def created(self, client: Any) -> None:
        config = client.meta.config
        with self._lock:
            self._clients.append(
                {
                    "service": client.meta.service_model.service_name,
                    "endpoint_url": client.meta.endpoint_url,
                    "connect_timeout": config.connect_timeout,
                    "read_timeout": config.read_timeout,
                    "retries": config.retries,
                }
            )

    def _refuse_scan(self, **_: Any) -> None:
        with self._lock:
            self._calls[REFUSED_SCAN] += 1
        raise RefusedScan("a DynamoDB Scan: Aduan reads by key or index only")

    def _remember_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["aduan_local_params"] = params

    def _count(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        params = context.get("aduan_local_params") or {}
        units = self._units_of(service, model.name, params, parsed or {})
        name = f"{service}.{model.name}"
        if name == "sqs.ReceiveMessage" and not (parsed or {}).get("Messages"):
            name += ".empty"  # an idle poll: a cost per hour of polling, not per complaint
        with self._lock:
            self._calls[name] += 1
            self._units.update(units)

    def _units_of(
        self, service: str, operation: str, params: dict[str, Any], parsed: dict[str, Any]
    ) -> Counter[str]:
        if service == "dynamodb":
            read, write = self._dynamodb_units(operation, params, parsed)
            return Counter({"dynamodb.read": read, "dynamodb.write": write})
        if service == "sqs":
            return Counter({"sqs.requests": _sqs_requests(operation, params, parsed)})
        return Counter()

    def _put_units(self, item: dict[str, Any]) -> int:
        return _write_units(item_size(item)) + len(self.index_keys & item.keys())

    def _dynamodb_units(
        self, operation: str, params: dict[str, Any], parsed: dict[str, Any]
    ) -> tuple[float, float]:
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            return _read_units(item_size(parsed.get("Item") or {}), consistent), 0
        if operation == "Query":
            items = parsed.get("Items") or []
            size = sum(item_size(item) for item in items)
            if items and parsed.get("ScannedCount", 0) > len(items):  # a filter dropped some it read
                size = size * parsed["ScannedCount"] // len(items)
            return _read_units(size, consistent), 0
        if operation == "PutItem":
            return 0, self._put_units(params.get("Item") or {})
        if operation in ("UpdateItem", "DeleteItem"):
            return 0, 1  # the stored item's size is not visible to the caller: its items are < 1 KB
        if operation == "TransactWriteItems":
            units = sum(
                self._put_units(entry["Put"]["Item"]) if "Put" in entry else 1
                for entry in params.get("TransactItems", [])
            )
            return 0, 2 * units  # transactions cost twice a standard write
        if operation == "BatchWriteItem":
            requests = [r for table in params.get("RequestItems", {}).values() for r in table]
            return 0, sum(
                self._put_units(r["PutRequest"]["Item"]) if "PutRequest" in r else 1 for r in requests
            )
        if operation in ("TransactGetItems", "BatchGetItem"):
            responses = parsed.get("Responses") or []
            items = (
                [r.get("Item") or {} for r in responses]
                if isinstance(responses, list)
                else [item for table in responses.values() for item in table]
            )
            factor = 2.0 if operation == "TransactGetItems" else 1.0
            return factor * sum(_read_units(item_size(item), True) for item in items), 0
        return 0, 0


def _sqs_requests(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> int:
    """Billed SQS requests: each 64 KB chunk of a request's payload is one."""
    if operation == "SendMessage":
        payload = len(str(params.get("MessageBody", "")).encode())
    elif operation == "SendMessageBatch":
        payload = sum(len(str(entry.get("MessageBody", "")).encode()) for entry in params.get("Entries", []))
    elif operation == "ReceiveMessage":
        payload = sum(len(str(message.get("Body", "")).encode()) for message in parsed.get("Messages", []))
    else:
        payload = 0
    return max(math.ceil(payload / SQS_CHUNK), 1)


def _merge(into: dict[str, Any], counts: dict[str, dict[str, float]]) -> None:
    for kind in ("calls", "units"):
        target = into.setdefault(kind, {})
        for name, value in counts.get(kind, {}).items():
            target[name] = target.get(name, 0) + value


class CallLedger:
    """The stack's totals: per function (invocations, handler time, its calls), the calls of the
    event source mappings (the SQS pollers), and the HTTP API's requests by route."""

    def __init__(self, index_keys: frozenset[str] = frozenset()) -> None:
        self.pollers = CallCounter(index_keys)
        self._lock = threading.Lock()
        self._functions: dict[str, dict[str, Any]] = {}
        self._api: Counter[str] = Counter()
        self._mappings: dict[str, Any] = {}
        self.scans: Counter[str] = Counter()  # refused Scans by function; `reset` keeps them

    def invoked(self, function: str, memory_mb: int, answer: dict[str, Any]) -> None:
        duration = float(answer.get("duration_ms", 0.0))
        scans = (answer.get("calls") or {}).get("calls", {}).get(REFUSED_SCAN, 0)
        if scans:
            log.error("%s attempted %d DynamoDB Scan(s), refused", function, scans)
        with self._lock:
            if scans:
                self.scans[function] += scans
            entry = self._functions.setdefault(
                function, {"invocations": 0, "memory_mb": memory_mb, "duration_ms": 0.0, "billed_ms": 0}
            )
            entry["invocations"] += 1
            entry["duration_ms"] += duration
            entry["billed_ms"] += max(math.ceil(duration), 1)  # Lambda bills by the millisecond
            _merge(entry, answer.get("calls") or {})
            if "init_ms" in answer:  # a worker's first invocation: what its cold start made
                cold = entry.setdefault("cold_start", {"clients": [], "modules": []})
                for made in (answer.get("calls") or {}).get("clients", []):
                    if made not in cold["clients"]:
                        cold["clients"].append(made)
                cold["modules"] = sorted(set(cold["modules"]) | set(answer.get("modules", [])))

    def api_request(self, route_key: str) -> None:
        with self._lock:
            self._api[route_key] += 1

    def snapshot(self) -> dict[str, Any]:
        pollers = self.pollers.take()
        with self._lock:
            _merge(self._mappings, pollers)
            return {
                "functions": {name: dict(entry) for name, entry in self._functions.items()},
                "event_source_mappings": {kind: dict(values) for kind, values in self._mappings.items()},
                "api_requests": dict(self._api),
            }

    def reset(self) -> None:
        self.pollers.take()
        with self._lock:
            self._functions.clear()
            self._api.clear()
            self._mappings.clear()
