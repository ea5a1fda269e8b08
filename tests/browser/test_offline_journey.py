"""Issue 23 §3 on a phone (390 × 844): her page installs and opens with no signal, a session she
logs offline is kept on her phone with its one-time key and sent when the connection returns,
recorded once; a log refused on arrival is shown with the reason; a revoked link clears the phone."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client, ShareLink
from programmes.models import SessionLog
from tests.browser.conftest import PHONE, assert_accessible, assign_programme, screenshot, sign_in
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("builtin_templates")]


@pytest.fixture
def phone(browser):
    """A phone whose script errors fail the test (network errors while offline are expected)."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    errors = []
    context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
    yield context
    context.close()
    assert not errors, errors


def kept_pages(page):
    return page.evaluate("""async () => {
        const names = await caches.keys();
        const found = [];
        for (const name of names) for (const request of await (await caches.open(name)).keys()) found.push(request.url);
        return found;
    }""")


def wait_until(check, seconds=20):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def her_with_a_link(owner):
    today = timezone.localdate()
    amira = make_client(owner, "Amira Haddad", weeks=16)
    make_assessment(amira, days_after_birth=7 * 16)
    assign_programme(amira, start_date=today - timedelta(days=6))
    _, token = ShareLink.issue(amira, owner)
    return amira, token


def open_and_keep(her, live_server, token):
    her.goto(f"{live_server.url}/p/{token}/")
    wait_until(lambda: any(url.endswith(f"/p/{token}/log/") for url in kept_pages(her)))
    her.goto(f"{live_server.url}/p/{token}/log/")
    her.wait_for_function("navigator.serviceWorker.controller !== null")


def log_clean_session(her):
    her.get_by_role("group", name="Any symptoms, during or after?").get_by_label("No").check()
    her.get_by_role("group", name="How hard did it feel?").get_by_label("4", exact=True).check()
    her.get_by_role("button", name="Save my session").click()


def test_she_logs_a_session_with_no_signal_and_it_is_recorded_once_when_she_is_back_online(
        phone, live_server, owner, page):
    amira, token = her_with_a_link(owner)
    her = phone.new_page()
    open_and_keep(her, live_server, token)
    kept = kept_pages(her)
    assert all(f"/p/{token}/" in url or "/static/" in url for url in kept), kept  # nothing of the trainer's

    phone.set_offline(True)
    her.reload()
    expect(her.locator("#offline-banner")).to_contain_text("Offline — showing what you saw on")
    expect(her.get_by_role("heading", level=1)).to_have_text("Log your session")
    log_clean_session(her)
    expect(her.locator("#outbox-status")).to_have_text("1 session is saved on your phone: it will send when you are online.")
    her.reload()  # still offline: the kept page, and the kept log
    expect(her.locator("#outbox-status")).to_contain_text("1 session is saved on your phone")
    assert_accessible(her)
    screenshot(her, "her-offline-log-390.png")
    assert not SessionLog.objects.exists()

    phone.set_offline(False)
    expect(her.locator("#outbox-status")).to_have_text("Sent: your session is logged.")
    expect(her.locator("#offline-banner")).to_be_hidden()
    her.reload()
    her.goto(f"{live_server.url}/p/{token}/")  # the next open sends nothing again
    her.wait_for_timeout(500)
    assert SessionLog.objects.filter(programme__client=amira, logged_by_client=True).count() == 1

    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/clients/{amira.pk}/")
    expect(page.locator("#programme")).to_contain_text("Logged by her")


def test_a_log_refused_on_arrival_is_shown_with_the_reason(phone, live_server, owner):
    amira, token = her_with_a_link(owner)
    her = phone.new_page()
    open_and_keep(her, live_server, token)
    phone.set_offline(True)
    her.reload()
    log_clean_session(her)
    expect(her.locator("#outbox-status")).to_contain_text("saved on your phone")
    Client.objects.filter(pk=amira.pk).update(self_logging=False)  # meanwhile her trainer took over logging
    phone.set_offline(False)
    refused = her.locator("#outbox-refused")
    expect(refused).to_contain_text("was not saved: Your trainer is logging your sessions for now")
    expect(her.locator("#outbox-status")).to_be_hidden()  # nothing waits any more
    assert_accessible(her)
    screenshot(her, "her-offline-refused-390.png")
    assert not SessionLog.objects.exists()
    refused.get_by_role("button", name="OK, remove this message").click()
    expect(refused).to_be_hidden()


def test_a_revoked_link_clears_what_the_phone_kept(phone, live_server, owner):
    amira, token = her_with_a_link(owner)
    her = phone.new_page()
    open_and_keep(her, live_server, token)
    assert kept_pages(her)
    amira.share_links.revoke()
    assert her.goto(f"{live_server.url}/p/{token}/").status == 404
    wait_until(lambda: kept_pages(her) == [])
    assert her.evaluate("navigator.serviceWorker.getRegistrations().then((found) => found.length)") == 0
