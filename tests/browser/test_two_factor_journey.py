"""Two-factor sign-in in a real browser: enrol by scanning (the test plays the phone and
computes the code from the secret on the page), sign out, sign in with a code, sign in with a
recovery code once, and be refused when the same recovery code is tried again."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import PASSWORD, make_trainer

pytestmark = pytest.mark.browser


def app_code(secret, steps=0):
    """What her authenticator app shows, `steps` 30-second steps from now."""
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps):06d}"


def password_step(page, live_server, trainer):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(trainer.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code_once(page, live_server, settings, transactional_db):
    settings.REQUIRE_2FA = True
    trainer = make_trainer("mira@example.com", "Mira Jones")

    # First sign-in with REQUIRE_2FA on: she must enrol before anything else.
    password_step(page, live_server, trainer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-setup.png")
    # Nothing else opens until she enrols: no menu to other pages (issue 22), and an address typed in
    # comes back here.
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    page.goto(f"{live_server.url}/clients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("6-digit code from your app").fill("000000" if app_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code does not match")).to_be_visible()
    page.get_by_label("6-digit code from your app").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    screenshot(page, "two-factor-recovery-codes.png")
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"two-factor"))

    # Sign out, then in again: password, then the app's next code.
    sign_out(page)
    password_step(page, live_server, trainer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page)
    screenshot(page, "two-factor-code.png")
    page.get_by_label("Code").fill(app_code(secret, steps=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Enter your code")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your clients")

    # Phone lost: a recovery code works once.
    sign_out(page)
    password_step(page, live_server, trainer)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".messages")).to_contain_text("9 left")

    # The same recovery code again: refused, and refused again.
    sign_out(page)
    password_step(page, live_server, trainer)
    for _ in range(2):
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("That code is not right")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.goto(f"{live_server.url}/clients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
