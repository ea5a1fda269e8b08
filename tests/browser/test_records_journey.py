"""Trustworthy records at 1024×768 (issue 9): the outcome of a log lands where she looks; a
mis-logged red flag is corrected and the programme takes up its place again; ending asks first
and can be undone; home is a worklist she can clear."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import Programme
from tests.browser.conftest import assert_accessible, assign_programme, screenshot, sign_in
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("builtin_templates")]

SMALL_TABLET = {"width": 1024, "height": 768}


def card(page):
    return page.locator("#programme")


def log_session(page, outcome="Completed", symptoms=(), on=None):
    card(page).get_by_text("Log a session", exact=True).click()
    form = card(page).locator("form.log-form")
    if on is not None:  # a rest day between sessions (DOMAIN.md "Pacing"): each on its own day
        form.get_by_label(re.compile(r"^Date")).fill(on.isoformat())
    form.get_by_role("group", name=re.compile(r"^How did it go\?")).get_by_label(outcome, exact=True).check()
    for symptom in symptoms:
        form.get_by_role("group", name=re.compile(r"^Symptoms during or after")).get_by_label(symptom, exact=True).check()
    with page.expect_response(lambda r: r.request.method == "POST" and "/log/" in r.url):
        form.get_by_role("button", name="Save session").click()
    return card(page).locator(".outcome")


@pytest.fixture
def ready_client(owner):
    client = make_client(owner, "Amira Haddad", weeks=14)
    make_assessment(client)
    return client


def test_the_outcome_is_in_view_focused_and_announced_after_logging(page, live_server, owner, ready_client):
    assign_programme(ready_client)
    page.set_viewport_size(SMALL_TABLET)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}{ready_client.get_absolute_url()}#programme")
    outcome = log_session(page)
    expect(outcome).to_contain_text("Well done. Next: week 1, session 2.")
    expect(outcome).to_have_attribute("role", "alert")
    expect(outcome).to_be_in_viewport()
    expect(outcome).to_be_focused()
    screenshot(page.locator("#programme"), "programme-outcome-1024x768.png")

    # The page that deletes a session (without JavaScript it is where "Delete" leads) passes axe too.
    log = Programme.objects.get(client=ready_client).logs.get()
    page.goto(f"{live_server.url}/programmes/{log.programme_id}/logs/{log.pk}/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete week 1, session 1")
    assert_accessible(page)


def test_a_mislogged_red_flag_is_corrected_and_the_programme_resumes_its_place(page, live_server, owner, ready_client):
    start = timezone.localdate() - timedelta(days=4)
    programme = assign_programme(ready_client, start_date=start)
    page.set_viewport_size(SMALL_TABLET)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}{ready_client.get_absolute_url()}")
    log_session(page, on=start)
    log_session(page, on=start + timedelta(days=2))
    outcome = log_session(page, symptoms=["Leaking urine"], on=start + timedelta(days=4))  # a mis-tap on session 3
    expect(outcome).to_contain_text("the programme is paused")
    expect(card(page).locator(".section-head .badge")).to_have_text(re.compile(r"Paused: referral pending$"))

    # Home lists her once, with "Referral sent" and "Seen".
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    entry = page.locator(".attention-list > li")
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("button", name=re.compile("^Referral sent"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "home-worklist-1024x768.png")
    # "See all" lists her the same way, and passes axe too.
    page.goto(f"{live_server.url}/clients/attention/")
    expect(page.locator(".attention-list > li")).to_have_count(1)
    assert_accessible(page)
    page.goto(f"{live_server.url}/")

    # Correct it from "Recent sessions": the small form opens in the card, focused; untick the
    # red flag, give a reason, and confirm.
    entry.get_by_role("link").click()
    card(page).locator("table tbody tr").first.get_by_role("link", name=re.compile("^Correct")).click()
    change = card(page).locator("#log-change")
    expect(change.get_by_role("heading", name="Correct week 1, session 3")).to_be_focused()
    assert_accessible(page)
    change.get_by_role("group", name=re.compile(r"^Symptoms during or after")).get_by_label("Leaking urine", exact=True).uncheck()
    change.get_by_label(re.compile(r"^Reason for the correction")).fill("Red flag ticked by mistake: she had no symptoms.")
    change.get_by_role("button", name="Save correction").click()
    expect(change.locator(".field--error")).to_contain_text("tick to confirm she did not have it")
    assert_accessible(page)
    change.get_by_label("I confirm she did not have this red-flag symptom").check()
    change.get_by_role("button", name="Save correction").click()

    # The card again: week 2, session 1, as if the slip never happened; the history keeps it.
    expect(card(page).locator(".notice")).to_contain_text("Session corrected. Her programme: Week 2 of 9.")
    expect(card(page).locator(".notice")).to_be_focused()
    expect(card(page).locator(".section-head .badge")).to_have_text(re.compile(r"Week 2 of 9$"))
    expect(card(page).get_by_role("heading", name="Next: week 2, session 1 of 3")).to_be_visible()
    expect(card(page)).not_to_contain_text("Referral alert")
    card(page).get_by_role("link", name="History").click()
    item = page.locator(".history-item--corrected")
    expect(item).to_contain_text("Session corrected (log 3)")
    expect(item).to_contain_text("by Olivia Owner")
    expect(item).to_contain_text("Red flag removed from her record (leaking urine)")
    expect(item.locator("table")).to_contain_text("Symptoms")
    assert_accessible(page)
    screenshot(page, "programme-history-1024x768.png")

    # End asks first; an ended programme can be reopened from her page.
    page.get_by_role("link", name="Back to Amira Haddad").click()
    card(page).get_by_role("link", name="End programme…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End Amira Haddad’s programme?")
    assert_accessible(page)
    page.get_by_role("button", name="End the programme").click()
    expect(page.locator("#ended-programmes")).to_be_visible()
    assert_accessible(page)
    page.locator("#ended-programmes").get_by_role("button", name=re.compile("^Reopen")).click()
    expect(card(page).get_by_role("heading", name="Next: week 2, session 1 of 3")).to_be_visible()

    # The client list shows her state without opening her page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.locator(".client-row").first).to_contain_text("Programme: Week 2 of 9")
    assert_accessible(page)
    screenshot(page, "client-list-status-1024x768.png")

    current = Programme.objects.filter(pk=programme.pk).with_progress().get()
    assert (current.status, current.state.week, current.state.session, current.ended_at) == ("active", 2, 1, None)
    assert [e.kind for e in current.history.all()][-3:] == ["corrected", "ended", "reopened"]


def test_seen_clears_her_from_home(page, live_server, owner, ready_client):
    programme = assign_programme(ready_client)
    programme.log_session(by=owner, sequence=1, done_on=timezone.localdate(), outcome="completed", symptoms=["pain"])
    page.set_viewport_size(SMALL_TABLET)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/")
    expect(page.locator(".attention-list")).to_contain_text("Pain in her latest session")
    page.locator(".attention-list").get_by_role("button", name=re.compile("^Seen")).click()
    expect(page.locator(".messages")).to_contain_text("Seen recorded for Amira Haddad.")
    expect(page.get_by_text("Nothing needs you right now")).to_be_visible()


def test_without_javascript_a_session_is_deleted_on_its_own_page(browser, live_server, owner, ready_client, console_problems):
    from tests.browser.conftest import watch_for_problems

    programme = assign_programme(ready_client)
    programme.log_session(by=owner, sequence=1, done_on=timezone.localdate(), outcome="completed")
    context = browser.new_context(java_script_enabled=False, locale="en-GB", timezone_id="Europe/London",
                                  viewport=SMALL_TABLET)
    try:
        page = context.new_page()
        watch_for_problems(page, console_problems)
        sign_in(page, live_server, owner)
        page.goto(f"{live_server.url}{ready_client.get_absolute_url()}")
        card(page).locator("table tbody tr").first.get_by_role("link", name=re.compile("^Delete")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Delete week 1, session 1")
        page.get_by_role("button", name="Delete this session").click()
        expect(page.locator(".field--error")).to_contain_text("Give the reason for deleting it.")
        page.get_by_label(re.compile(r"^Reason for deleting it")).fill("Logged for the wrong client.")
        page.get_by_role("button", name="Delete this session").click()
        expect(page).to_have_url(re.compile(r"#programme$"))
        expect(page.locator(".messages")).to_contain_text("Session deleted. Her programme: Week 1 of 9.")
        expect(card(page).get_by_role("heading", name="Next: week 1, session 1 of 3")).to_be_visible()
    finally:
        context.close()
    assert not console_problems, "\n".join(console_problems)
    assert not programme.logs.exists()


def test_her_export_draws_the_reports_step_by_step_then_downloads(page, live_server, owner, monkeypatch):
    """Issue 14: "Download everything about her" carries on by itself, one report per step here,
    and offers the zip once every report is drawn."""
    from django.core.cache import cache

    from privacy import views

    client = make_client(owner)
    for weeks in (8, 10, 12):
        make_assessment(client, days_after_birth=7 * weeks)
    cache.clear()
    monkeypatch.setattr(views, "PREPARE_BUDGET", 0)
    page.set_viewport_size(SMALL_TABLET)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_role("link", name="Download everything about her").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Everything about {client.full_name}")
    expect(page.get_by_text("All 3 reports are ready.")).to_be_visible(timeout=60_000)
    assert_accessible(page)
    screenshot(page, "everything-ready-1024.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything about her (zip)").click()
    assert download.value.suggested_filename == f"restride-{client.pk}-{timezone.localdate():%Y-%m-%d}.zip"
