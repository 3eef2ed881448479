"""Fixtures shared by every kind of test: an AWS emulator on loopback, and complaint factories."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from aduan_local.template import create_table, load_template

REGION = "ap-southeast-3"  # Jakarta


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real moto server on loopback: boto3 speaks HTTP to it as it would to AWS."""
    from moto.server import ThreadedMotoServer

    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # the emulator accepts any credentials
        AWS_DEFAULT_REGION=REGION,
    )
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
def dynamodb(moto_endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture
def complaints_table(dynamodb: Any, template: dict[str, Any]) -> str:
    """A fresh table built from template.yaml's own ComplaintsTable properties."""
    name = f"complaints-{uuid.uuid4().hex[:8]}"
    create_table(dynamodb, template["Resources"]["ComplaintsTable"]["Properties"], name)
    return name
