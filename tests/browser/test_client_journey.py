"""A trainer's day with one client: sign in, add her, find her, edit her, archive her."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client
from tests.browser.conftest import PHONE, TABLET, assert_accessible, open_client_list, screenshot, sign_in
from tests.conftest import make_client

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(PHONE, id="phone-390"), pytest.param(TABLET, id="tablet-1024")]


def heading(page):
    return page.get_by_role("heading", level=1)


def flash(page):
    return page.locator(".messages")


def client_names(page):
    return page.locator("#client-results .client-row__name")


def mark_page_as_not_reloaded(page):
    """A marker that a full page load would wipe: proves a later update came from htmx."""
    page.evaluate("window.__stillTheSamePage = true")


def page_was_not_reloaded(page):
    return page.evaluate("window.__stillTheSamePage === true")


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_trainer_adds_finds_edits_and_archives_a_client(page, live_server, owner, viewport):
    width = viewport["width"]
    page.set_viewport_size(viewport)
    make_client(owner, "Amira Haddad")
    make_client(owner, "Beth Okafor")

    # Sign in: her current clients are listed.
    sign_in(page, live_server, owner)
    open_client_list(page)
    expect(client_names(page)).to_have_text(["Beth Okafor", "Amira Haddad"])
    assert_accessible(page)
    screenshot(page, f"clients-list-{width}.png")

    # Add a client.
    page.get_by_role("link", name="Add a client").click()
    expect(heading(page)).to_have_text("Add a client")
    assert_accessible(page)
    page.get_by_label("Name").fill("Priya Shah")
    page.get_by_label("Email").fill("priya@example.com")
    page.get_by_label("Phone").fill("07700 900456")
    baby_born = timezone.localdate() - timedelta(weeks=16)
    page.get_by_label("Baby's date of birth").fill(baby_born.isoformat())
    page.get_by_label("Type of delivery").select_option(label="Planned caesarean")
    page.get_by_role("group", name="Breastfeeding").get_by_label("Yes", exact=True).check()
    page.get_by_label("Goal").fill("Run a 5k with my club")
    screenshot(page, f"client-form-{width}.png")
    page.get_by_role("button", name="Add client").click()

    expect(heading(page)).to_have_text("Priya Shah")
    expect(flash(page)).to_contain_text("Priya Shah is added. Record her consent before her first assessment.")
    expect(page.get_by_text("16 weeks after birth")).to_be_visible()
    expect(page.get_by_text("Planned caesarean")).to_be_visible()
    expect(page.get_by_text("Not recorded yet.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"client-detail-{width}.png")
    priya = Client.objects.get(full_name="Priya Shah")
    assert (priya.trainer, priya.baby_date_of_birth, priya.breastfeeding) == (owner, baby_born, True)

    # Live search: typing part of her name narrows the list without pressing Enter.
    open_client_list(page)
    expect(client_names(page)).to_have_text(["Priya Shah", "Beth Okafor", "Amira Haddad"])
    mark_page_as_not_reloaded(page)
    with page.expect_response(lambda r: "/clients/?q=riy" in r.url and r.request.headers.get("hx-request")):
        page.get_by_label("Find a client by name").press_sequentially("riy", delay=30)
    expect(client_names(page)).to_have_text(["Priya Shah"])
    expect(page.locator("#client-results"), "the results were swapped in, not nested").to_have_count(1)
    assert page_was_not_reloaded(page), "the search reloaded the page instead of swapping the results"
    expect(page).to_have_url(f"{live_server.url}/clients/?q=riy")
    assert_accessible(page)
    screenshot(page, f"clients-search-{width}.png")

    # A search with no match says so.
    with page.expect_response(lambda r: "q=riyz" in r.url):
        page.get_by_label("Find a client by name").press("z")
    expect(page.locator("#client-results")).to_have_text("No client matches “riyz”.")
    with page.expect_response(lambda r: r.url.endswith("q=riy")):
        page.get_by_label("Find a client by name").press("Backspace")
    expect(client_names(page)).to_have_text(["Priya Shah"])

    # Edit her details.
    page.get_by_role("link", name="Priya Shah").click()
    expect(heading(page)).to_have_text("Priya Shah")
    page.get_by_role("link", name="Edit details").click()
    expect(heading(page)).to_have_text("Edit Priya Shah")
    expect(page.get_by_label("Email")).to_have_value("priya@example.com")
    assert_accessible(page)
    page.get_by_label("Goal").fill("Parkrun by the summer")
    page.get_by_role("group", name="BMI 30 or more").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save changes").click()

    expect(flash(page)).to_contain_text("Her details are saved.")
    expect(page.locator(".details")).to_contain_text("Parkrun by the summer")
    priya.refresh_from_db()
    assert (priya.goal, priya.bmi_30_or_more) == ("Parkrun by the summer", False)

    # Archive her: she leaves the current list and waits in the archived one.
    page.get_by_role("button", name="Archive").click()
    expect(heading(page)).to_have_text("Your clients")
    expect(flash(page)).to_contain_text("Priya Shah is archived. You can restore her from the archived list.")
    expect(client_names(page)).to_have_text(["Beth Okafor", "Amira Haddad"])
    assert_accessible(page)
    page.get_by_role("link", name="Show archived clients").click()
    expect(heading(page)).to_have_text("Archived clients")
    expect(client_names(page)).to_have_text(["Priya Shah"])
    assert_accessible(page)
    screenshot(page, f"clients-archived-{width}.png")
    priya.refresh_from_db()
    assert priya.is_archived
