"""The access log pages in a browser: reachable from her record and from Your details, filters
work without JavaScript, and both pass axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import make_client

pytestmark = pytest.mark.browser


def test_a_trainer_reads_who_opened_her_clients_data(page, live_server, owner):
    amira = make_client(owner, "Amira Haddad")
    make_client(owner, "Beth Okafor")
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}{amira.get_absolute_url()}")
    page.get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity: Amira Haddad")
    expect(page.get_by_role("cell", name="Opened her record")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "client-activity.png")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your details").click()
    page.get_by_role("link", name="Access log: who opened what").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access log")
    page.get_by_label("What").select_option(label="Signed in (password)")
    page.get_by_role("button", name="Show").click()
    rows = page.get_by_role("region", name="Events").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Signed in (password)")
    assert_accessible(page)
    screenshot(page, "access-log.png")
