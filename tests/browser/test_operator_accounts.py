"""Operators' accounts in the console (web/ops.html), in real Chromium against the local stack: a new
operator replaces the temporary password and reaches the inbox; a coordinator sets up two-step
sign-in from the key the page shows, then signs in with a code its authenticator app would show
(computed here from that key, RFC 6238; moto checks it)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from aduan_admin.cli import add_user
from aduan_local.stack import LocalStack
from aduan_local.user_pool import fresh_totp
from tests.browser.test_operator_console import laptop

pytestmark = pytest.mark.e2e

TEMPORARY = "Sementara-2025"
PASSWORD = "Aduan-local-1"
__all__ = ["laptop"]  # the fixture, shared with the console's other tests


def new_user(stack: LocalStack, role: str, agency_id: str, password: str, *, permanent: bool) -> str:
    username = f"{role}.{uuid.uuid4().hex[:8]}"
    add_user(
        stack.client("cognito-idp"), stack.resources.ref("UserPool"), username,
        role=role, agency_id=agency_id, password=password, permanent=permanent,
    )  # fmt: skip
    return username


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()


def test_a_new_operator_sets_a_password_and_reaches_the_inbox(laptop: Page, local_stack: LocalStack) -> None:
    username = new_user(local_stack, "operator", "kab-tangerang.disdukcapil", TEMPORARY, permanent=False)
    laptop.goto("/ops.html")
    sign_in(laptop, username, TEMPORARY)

    new_password = laptop.get_by_label("Kata sandi baru")
    expect(new_password).to_be_focused()
    expect(laptop.locator("#new_password-hint")).to_have_text(
        "Minimal 12 karakter, dengan huruf kecil, huruf besar dan angka."
    )
    new_password.fill("pendek")
    laptop.get_by_role("button", name="Simpan kata sandi").click()
    expect(laptop.locator("#new_password-error")).to_contain_text("minimal 12 karakter")

    new_password.fill("Kantor-Cikupa-2025")
    laptop.get_by_role("button", name="Simpan kata sandi").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Kotak masuk")
    expect(laptop.locator("#ops-who")).to_contain_text(username)
    expect(laptop.get_by_role("button", name="Atur verifikasi dua langkah")).to_be_visible()  # offered


def test_a_coordinator_enrols_and_then_signs_in_with_a_code(laptop: Page, local_stack: LocalStack) -> None:
    username = new_user(local_stack, "coordinator", "kab-tangerang", PASSWORD, permanent=True)
    laptop.goto("/ops.html")
    laptop.get_by_role("button", name="English").click()
    laptop.get_by_label("Username").fill(username)
    laptop.get_by_label("Password", exact=True).fill(PASSWORD)
    laptop.get_by_role("button", name="Sign in", exact=True).click()

    expect(laptop.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    key = laptop.locator("#mfa-secret")
    expect(key).to_have_text(re.compile(r"^[A-Za-z2-7]{4}( [A-Za-z2-7]{1,4})*$"))  # base32, in fours
    secret = key.inner_text().replace(" ", "")
    link = laptop.get_by_role("link", name="Open in the authenticator app (on this phone)")
    expect(link).to_have_attribute("href", f"otpauth://totp/Aduan%3A{username}?secret={secret}&issuer=Aduan")

    laptop.get_by_label("Code from the app").fill("000000")
    laptop.get_by_role("button", name="Turn it on").click()
    expect(laptop.locator("#setup-code-error")).to_contain_text("Wrong or expired code")
    laptop.get_by_label("Code from the app").fill(fresh_totp(secret))
    laptop.get_by_role("button", name="Turn it on").click()
    expect(laptop.locator("#signin-status")).to_have_text(
        "Two-step sign-in is on. Sign in again with your password, then the app's code."
    )

    laptop.get_by_label("Password", exact=True).fill(PASSWORD)
    laptop.get_by_role("button", name="Sign in", exact=True).click()
    laptop.get_by_label("Verification code", exact=True).fill(fresh_totp(secret))
    laptop.get_by_role("button", name="Send the code").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(laptop.locator("#ops-who")).to_contain_text("Coordinator")
    expect(laptop.get_by_role("button", name="Set up two-step sign-in")).to_be_hidden()
