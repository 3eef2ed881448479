"""`aduan-local up` (what `make run` starts) on the real template: it answers, `aduan-local whatsapp`
plays a citizen on it, and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests import phones
from tests.conftest import free_port

pytestmark = pytest.mark.e2e


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the stack exited early: {process.stdout.read().decode() if process.stdout else ''}"
            )
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)  # not listening yet
        except requests.Timeout:
            pass  # listening; the first request waits for its function's cold start
    raise AssertionError(f"{url} did not answer within {timeout} s")


def _eventually_answered(url: str, wa_id: str, timeout: float = 60) -> dict[str, object]:
    """The first WhatsApp message the stack sent `wa_id` (its outbox, polled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [
            m for m in requests.get(f"{url}/_local/outbox", timeout=10).json()["whatsapp"] if m["to"] == wa_id
        ]
        if sent:
            return sent[0]  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"nothing was sent to the citizen within {timeout} s")


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_the_stack_answers_and_ctrl_c_stops_everything_within_ten_seconds() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aduan_local.cli", "up", "--port", str(port), "--no-timers"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}/health", process)
        assert requests.get(f"{url}/health", timeout=10).json() == {"status": "ok"}
        assert requests.get(f"{url}/_local/outbox", timeout=10).json() == {
            "sms": [],
            "email": [],
            "webhook": [],
            "whatsapp": [],
        }
        citizen = phones.this_tests()
        played = subprocess.run(
            [sys.executable, "-m", "aduan_local.cli", "--url", url, "whatsapp", "CEK", "--from", citizen],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert played.returncode == 0, played
        assert played.stdout.startswith("200 wamid."), played
        answered = _eventually_answered(url, citizen.removeprefix("+"))
        assert answered["type"] == "text"
        assert "tidak ditemukan" in answered["body"]
        info = requests.get(f"{url}/_local/info", timeout=10).json()
        workers = [pid for pids in info["worker_pids"].values() for pid in pids]
        moto_port = int(info["aws_endpoint"].rsplit(":", 1)[1])
        assert workers, "the health request started a worker"

        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
        assert time.monotonic() - started < 10
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output.decode()
    assert b"AWS emulator" in output
    assert b"IntakeFunction" in output
    assert _port_is_free(port)
    assert _port_is_free(moto_port)
    assert not [pid for pid in workers if _alive(pid)]
