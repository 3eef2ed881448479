"""One Lambda execution environment: a process that imports a handler once and serves invocations.

Run by the stack as `python -m aduan_local.worker`, with only the environment the template gives
the function (plus the emulator's endpoint and credentials). Requests and answers travel as JSON
lines on two pipes whose descriptors are in ADUAN_WORKER_FDS, so the function's own prints and
logs stay on stdout/stderr, as in Lambda.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

from aduan_local.calls import CallCounter
from aduan_local.sends import SendTracker


class LambdaContext:
    """The attributes of the Lambda context object that handlers use."""

    def __init__(self, request_id: str, deadline: float) -> None:
        name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        region = os.environ["AWS_REGION"]
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{name}"
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.time()) * 1000), 0)


def _error(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error),
    }


def _load_handler() -> Any:
    module_name, function_name = os.environ["_HANDLER"].rsplit(".", 1)
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    module = importlib.import_module(module_name)
    return getattr(module, function_name)


def _count_calls() -> CallCounter:
    """Count the AWS calls of every client the function creates, and refuse its Scans (they come
    from boto3's default session, which gets the counter before the handler's module is imported)."""
    import boto3

    index_keys = os.environ.pop("ADUAN_LOCAL_INDEX_KEYS", "")
    counter = CallCounter(frozenset(key for key in index_keys.split(",") if key))
    boto3.setup_default_session()
    counter.attach(boto3.DEFAULT_SESSION.events)  # type: ignore[attr-defined]
    sends = os.environ.pop("ADUAN_LOCAL_SENDS", "")
    if sends:  # what the pool reads if it kills this process (aduan_local.sends)
        SendTracker(sends).attach(boto3.DEFAULT_SESSION.events)  # type: ignore[attr-defined]
    return counter


def main() -> None:
    read_fd, write_fd = (int(fd) for fd in os.environ.pop("ADUAN_WORKER_FDS").split(","))
    faults = os.environ.pop("ADUAN_LOCAL_FAULTS", None)
    if faults:
        from aduan_local.faults import install

        install(faults)
    requests = os.fdopen(read_fd, "r", encoding="utf-8")
    answers = os.fdopen(write_fd, "w", encoding="utf-8")
    handler: Any = None
    counter: CallCounter | None = None
    init_error: dict[str, Any] | None = None
    for line in requests:
        request = json.loads(line)
        answer: dict[str, Any] = {"id": request["id"]}
        if handler is None and init_error is None:
            started = time.perf_counter()
            try:
                counter = _count_calls()
                handler = _load_handler()
            except Exception as error:  # an init failure is the function's answer, loudly
                init_error = _error(error, "Runtime.ImportModuleError")
                traceback.print_exception(error, file=sys.stderr)
            answer["init_ms"] = round((time.perf_counter() - started) * 1000, 1)
        if init_error is not None:
            answer["error"] = init_error
        else:
            context = LambdaContext(request["id"], request["deadline"])
            started = time.perf_counter()
            try:
                answer["result"] = handler(request["event"], context)
            except Exception as error:
                traceback.print_exception(error, file=sys.stderr)
                answer["error"] = _error(error)
            answer["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        if counter is not None:
            answer["calls"] = counter.take()  # this invocation's (and its init's) AWS calls
        if "init_ms" in answer:  # and the first's Aduan modules, for bench/cold_start.py
            answer["modules"] = sorted(name for name in sys.modules if name.startswith("aduan."))
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()
        sys.stdout.flush()
        sys.stderr.flush()


if __name__ == "__main__":
    main()
