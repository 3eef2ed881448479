"""Unit tests run on the pure domain: any attempt to open a network connection fails the test."""

from __future__ import annotations

import socket
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("unit tests do no network I/O; use a fake or an integration test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
