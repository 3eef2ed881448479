"""The OpenAPI document in docs/ is the one the code generates."""

from __future__ import annotations

from aduan_local.openapi import DOCUMENT, generate


def test_docs_openapi_json_matches_the_code() -> None:
    assert DOCUMENT.read_text() == generate(), "run `make openapi` and commit docs/openapi.json"
