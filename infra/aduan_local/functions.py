"""Runs the template's functions: a warm pool of worker processes per function, like Lambda.

A worker gets exactly the environment the template gives its function (resolved against the
local resources), the emulator's endpoint and dummy credentials, and Lambda's reserved
variables; nothing of the stack's own environment leaks in, so a variable the template forgot
fails here as it would in AWS.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aduan_local.calls import CallLedger
from aduan_local.resources import ACCESS_KEY_ID, SECRET_ACCESS_KEY, Resources
from aduan_local.sends import read_open_sends
from aduan_local.template import merged_function_properties, resources_of_type

log = logging.getLogger("aduan_local")


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    timeout: float
    memory: int
    environment: dict[str, str]
    events: dict[str, dict[str, Any]]
    properties: dict[str, Any] = field(repr=False)


def function_specs(template: dict[str, Any], local: Resources, root: Path) -> dict[str, FunctionSpec]:
    specs = {}
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        properties = merged_function_properties(template, resource)
        variables = local.resolve(properties.get("Environment", {}).get("Variables", {}))
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            code_dir=(root / str(properties["CodeUri"])).resolve(),
            handler=str(properties["Handler"]),
            timeout=float(properties.get("Timeout", 3)),
            memory=int(properties.get("MemorySize", 128)),
            environment={name: str(value) for name, value in variables.items()},
            events=properties.get("Events", {}),
            properties=properties,
        )
    return specs


class InvocationError(Exception):
    """The function failed: an exception, a timeout or a crashed worker."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("errorMessage", "function error"))
        self.payload = payload


@dataclass(frozen=True)
class Kill:
    """A worker killed (by a test, or for running past its timeout): when, and the notifications it
    had sent and not settled then, `{id: {"since": epoch seconds, "texts": [digest, ...]}}`
    (`aduan_local.sends`): the only ones a retry may send a second time."""

    function: str
    at: float  # epoch seconds, just before the signal
    reason: str  # "killed" or "timed out"
    open_sends: dict[str, dict[str, Any]]


class _Worker:
    """One execution environment: a process and the two pipes to talk to it."""

    def __init__(
        self, spec: FunctionSpec, environment: dict[str, str], on_kill: Callable[[Kill], None]
    ) -> None:
        self._on_kill = on_kill
        to_worker_read, to_worker_write = os.pipe()
        from_worker_read, from_worker_write = os.pipe()
        handle, sends = tempfile.mkstemp(prefix="aduan-local-sends-", suffix=".json")
        os.close(handle)
        self.sends = Path(sends)
        env = dict(
            environment, ADUAN_WORKER_FDS=f"{to_worker_read},{from_worker_write}", ADUAN_LOCAL_SENDS=sends
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aduan_local.worker"],
            env=env,
            pass_fds=(to_worker_read, from_worker_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=spec.code_dir,
        )
        os.close(to_worker_read)
        os.close(from_worker_write)
        self.requests = os.fdopen(to_worker_write, "w", encoding="utf-8")
        self.answers = os.fdopen(from_worker_read, "r", encoding="utf-8")
        self.logical_id = spec.logical_id
        threading.Thread(target=self._relay_output, daemon=True).start()

    def _relay_output(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            log.info("[%s] %s", self.logical_id, raw.decode("utf-8", "replace").rstrip())

    def invoke(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.requests.write(json.dumps(request) + "\n")
        self.requests.flush()
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self.answers.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            self.kill("timed out")
            raise InvocationError(
                {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"Task timed out after {timeout:.0f} seconds",
                }
            )
        if not answer or not answer[0]:
            raise InvocationError(
                {"errorType": "Runtime.ExitError", "errorMessage": "Runtime exited without answering"}
            )
        parsed: dict[str, Any] = json.loads(answer[0])
        return parsed

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self, reason: str = "killed") -> None:
        """Kill the process; if it was alive, tell the pool what it was sending (read once it is dead)."""
        at, alive = time.time(), self.alive()
        if alive:
            self.process.kill()
        self.process.wait(timeout=5)
        open_sends = read_open_sends(self.sends)
        self.sends.unlink(missing_ok=True)
        self.sends.with_suffix(".tmp").unlink(missing_ok=True)  # a write the kill cut short
        if alive:
            self._on_kill(Kill(self.logical_id, at, reason, open_sends))


class FunctionPool:
    """Up to `size` warm workers for one function; invocations wait for a free one."""

    def __init__(
        self,
        spec: FunctionSpec,
        local: Resources,
        size: int = 1,
        faults: Path | None = None,
        ledger: CallLedger | None = None,
        log_level: str | None = None,
    ) -> None:
        self.spec = spec
        self._environment = _lambda_environment(spec, local)
        if log_level is not None:  # as Lambda's advanced logging controls set it
            self._environment["AWS_LAMBDA_LOG_LEVEL"] = log_level
        if faults is not None:
            self._environment["ADUAN_LOCAL_FAULTS"] = str(faults)
        self._ledger = ledger
        if ledger is not None:
            self._environment["ADUAN_LOCAL_INDEX_KEYS"] = ",".join(sorted(ledger.pollers.index_keys))
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        self._workers: list[_Worker] = []
        self.kills: list[Kill] = []  # every worker killed, in order (`kill_workers`, timeouts)
        self._lock = threading.Lock()
        self._size = size
        for _ in range(size):
            self._idle.put(None)  # a slot; the worker starts on first use (a cold start)

    def invoke(self, event: Any) -> Any:
        """Run the handler on `event`; its result, or InvocationError."""
        worker = self._idle.get()
        try:
            if worker is None or not worker.alive():
                worker = _Worker(self.spec, self._environment, self._killed)
                with self._lock:
                    self._workers.append(worker)
            request_id = str(uuid.uuid4())
            started = time.perf_counter()
            request = {"id": request_id, "event": event, "deadline": time.time() + self.spec.timeout}
            try:
                answer = worker.invoke(request, self.spec.timeout)
            except InvocationError as error:
                log.error("%s %s failed: %s", self.spec.logical_id, request_id, error.payload["errorMessage"])
                raise
            duration = (time.perf_counter() - started) * 1000
            init = f" init {answer['init_ms']} ms" if "init_ms" in answer else ""
            log.info("%s %s %.1f ms%s", self.spec.logical_id, request_id, duration, init)
            if self._ledger is not None:
                self._ledger.invoked(self.spec.logical_id, self.spec.memory, answer)
            if "error" in answer:
                raise InvocationError(answer["error"])
            return answer.get("result")
        finally:
            self._idle.put(worker)

    def busy(self) -> bool:
        """Every slot is running an invocation (for one worker: it is inside a batch)."""
        return self._idle.empty()

    def active(self) -> int:
        """How many invocations are running now (0 when the function is at rest)."""
        return self._size - self._idle.qsize()

    def kill_workers(self, reason: str = "killed") -> int:
        """Kill every worker process (tests use it to crash a function mid-batch); how many were alive.
        Each is recorded in `kills`, with what it had sent and not settled."""
        with self._lock:
            workers = list(self._workers)
        alive = [worker for worker in workers if worker.alive()]
        for worker in workers:
            worker.kill(reason)
        return len(alive)

    def _killed(self, kill: Kill) -> None:
        with self._lock:
            self.kills.append(kill)

    def pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._workers if worker.alive()]

    def close(self) -> None:
        self.kill_workers("closed")


def _lambda_environment(spec: FunctionSpec, local: Resources) -> dict[str, str]:
    """The template's variables, Lambda's reserved ones, and the way to the emulator."""
    reserved = {
        "AWS_LAMBDA_FUNCTION_NAME": local.ref(spec.logical_id),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_REGION": local.region,
        "AWS_DEFAULT_REGION": local.region,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_ENDPOINT_URL": local.endpoint,
        "AWS_SAM_LOCAL": "true",  # what `sam local` sets: Powertools' tracer stays off
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": spec.handler,
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
    }
    return {**spec.environment, **reserved}
