"""Issue 22 (7): the trainer's pages fit a phone (390 × 844): wide tables reflow, one card a row,
so nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import Programme
from tests.browser.conftest import PHONE, assert_accessible, assign_programme, screenshot, sign_in
from tests.conftest import make_client, next_log_day
from tests.factories import make_assessment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("builtin_templates")]


def test_the_trainers_pages_fit_a_phone_without_sideways_scrolling(page, live_server, owner):
    page.set_viewport_size(PHONE)
    client = make_client(owner, "Amira Haddad", weeks=16)
    assessment = make_assessment(client, days_after_birth=7 * 15)
    programme = assign_programme(client, start_date=timezone.localdate() - timedelta(days=6))
    for symptoms in ([], ["pain"], []):
        programme = Programme.objects.filter(pk=programme.pk).with_progress().get()
        programme.log_session(by=owner, sequence=programme.next_sequence, done_on=next_log_day(programme),
                              outcome="completed", effort=5, symptoms=symptoms)
    sign_in(page, live_server, owner)
    pages = ["/", "/clients/", client.get_absolute_url(), "/plans/", programme.plan.get_absolute_url(),
             assessment.get_absolute_url(), f"/programmes/{programme.pk}/history/"]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"
    page.goto(f"{live_server.url}{client.get_absolute_url()}#programme")
    cell = page.locator("#programme table tbody tr").first.locator("td[data-label=Symptoms]")
    expect(cell).to_be_visible()
    # Each cell named by its column once the header is hidden.
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") == '"Symptoms"'
    expect(page.locator("#programme table thead")).not_to_be_in_viewport()
    assert_accessible(page)
    screenshot(page.locator("#programme"), "programme-card-390.png")
