"""End-to-end fixtures live in tests/conftest.py, shared with the browser tests."""

from tests.privacy import LogCapture

__all__ = ["LogCapture"]
