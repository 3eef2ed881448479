"""Browser fixtures: Debian's Chromium driven by Playwright, on a phone-sized screen, against the
local stack (the same template.yaml, with web/ served at / as CloudFront serves it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from aduan_local.stack import LocalStack

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package `chromium`; Playwright never downloads a browser here
# As root on a closed network: no sandbox (needs user namespaces), and no calls home that would fail.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}  # a cheap Android phone


def _unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine without Chromium; fail in CI, where a skip would hide a gap."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser tests must run (apt-get install chromium)")
    pytest.skip(f"{reason} (apt-get install chromium to run the browser tests)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    expect.set_options(timeout=15_000)  # the first request starts the intake function (a cold start)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Browser, local_stack: LocalStack) -> Iterator[Page]:
    """A fresh page on a 360×740 phone in Jakarta, speaking Indonesian, with nothing remembered.

    Fails the test if the page throws or the browser reports an error, such as a script or style
    refused by the pages' Content-Security-Policy (HTTP error statuses are expected and ignored).
    """
    context = browser.new_context(
        base_url=local_stack.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page)
    yield page
    context.close()
    assert problems == [], "the page reported errors"


def watch(page: Page) -> list[str]:
    """Collects what the page throws or logs as an error (HTTP error statuses are expected)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    return problems
