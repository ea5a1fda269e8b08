"""A trainer runs a client's walk–run programme on a tablet: she assigns it, logs sessions in a
few taps, and a symptom changes what happens next at once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import Programme
from tests.browser.conftest import (
    TABLET,
    assert_accessible,
    assign_programme,
    screenshot,
    sign_in,
    watch_for_problems,
)
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("builtin_templates")]

# The card speaks to the trainer (issue 22): what happened and what she was told, not her own words.
STOP_AND_WALK = "she was told to stop running and walk the rest"


def card(page):
    return page.locator("#programme")


def badge(page):
    return card(page).locator(".section-head .badge")


def flash(page):
    return page.locator(".messages")


def attention(page):
    return page.locator(".attention-list")


def fill_in_session(page, outcome="Completed", effort=None, symptoms=(), on=None):
    """Open "Log a session" and answer it as a trainer does: a few taps (and the day, when it was not today)."""
    if card(page).locator("details.log-session[open]").count() == 0:  # open already after an error
        card(page).get_by_text("Log a session", exact=True).click()
    form = card(page).locator("form.log-form")
    expect(form).to_be_visible()
    if on is not None:
        form.get_by_label(re.compile(r"^Date")).fill(on.isoformat())
    form.get_by_role("group", name=re.compile(r"^How did it go\?")).get_by_label(outcome, exact=True).check()
    if effort is not None:
        form.get_by_role("group", name=re.compile(r"^Effort")).get_by_label(str(effort), exact=True).check()
    symptom_group = form.get_by_role("group", name=re.compile(r"^Symptoms during or after"))
    for symptom in symptoms:
        symptom_group.get_by_label(symptom, exact=True).check()
    return form


def log_session(page, **answers):
    """Log a session with htmx: the card is swapped in place, the page is not reloaded.
    Returns the outcome message the new card shows."""
    form = fill_in_session(page, **answers)
    page.evaluate("window.__stillTheSamePage = true")
    with page.expect_response(lambda r: r.request.method == "POST" and "/log/" in r.url) as response:
        form.get_by_role("button", name="Save session").click()
    assert response.value.ok, f"logging answered {response.value.status}"
    assert response.value.request.headers.get("hx-request") == "true", "the log was not sent by htmx"
    outcome = card(page).locator(".outcome")
    expect(outcome).to_be_visible()
    expect(card(page), "the card was swapped, not nested").to_have_count(1)
    assert page.evaluate("window.__stillTheSamePage === true"), "logging reloaded the page instead of swapping the card"
    expect(card(page).locator("details.log-session[open]"), "the new card's log form starts closed").to_have_count(0)
    return outcome


@pytest.fixture
def ready_client(owner):
    client = make_client(owner, "Amira Haddad", weeks=14)
    assessment = make_assessment(client)
    assert assessment.verdict == "ready"
    return client


def test_trainer_logs_three_sessions_one_with_a_symptom_the_week_repeats_and_a_red_flag_pauses_the_programme(
    page, live_server, owner, ready_client,
):
    page.set_viewport_size(TABLET)
    today = timezone.localdate()
    start = today - timedelta(days=8)  # sessions every other day since (DOMAIN.md "Pacing": a rest day between)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}{ready_client.get_absolute_url()}")
    expect(card(page)).to_contain_text("Her latest assessment is “ready”: start a graded walk–run return.")

    # Assign "Walk–run to 30 minutes", starting today.
    card(page).get_by_role("link", name="Assign a programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign a walk–run programme")
    expect(page.get_by_label(re.compile(r"^Why start running"))).to_have_count(0)  # she is ready: no reason needed
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Programme template")).select_option(label="Walk–run to 30 minutes")
    page.get_by_label(re.compile(r"^Start date")).fill(start.isoformat())
    page.get_by_role("button", name="Assign programme").click()

    # Her page shows the programme card: week 1 of 9, session 1 next.
    expect(page).to_have_url(re.compile(rf"{ready_client.get_absolute_url()}#programme$"))
    expect(flash(page)).to_contain_text(f"Walk–run to 30 minutes assigned, starting {start:%-d %b %Y}.")
    expect(card(page).get_by_role("heading", level=2)).to_have_text("Programme: Walk–run to 30 minutes")
    expect(badge(page)).to_have_text(re.compile(r"Week 1 of 9$"))
    expect(card(page).get_by_role("heading", level=3).first).to_have_text("Next: week 1, session 1 of 3")
    expect(card(page).locator(".session-plan")).to_contain_text("8 × (run 1 min, walk 1 min 30 s)")
    expect(card(page).locator("form.log-form")).to_be_hidden()  # closed until she opens "Log a session"
    programme = Programme.objects.get(client=ready_client)
    assert (programme.plan.is_template, programme.plan.trainer, programme.start_date) == (False, owner, start)

    # Session 1, completed at effort 5: on to session 2.
    expect(log_session(page, outcome="Completed", effort=5, on=start).locator("p")).to_have_text(
        ["Session logged.", "Well done. Next: week 1, session 2."])
    expect(card(page).get_by_role("heading", name="Next: week 1, session 2 of 3")).to_be_visible()
    expect(card(page).locator("table tbody tr")).to_have_count(1)
    expect(card(page).locator("table tbody tr").first).to_contain_text("W1 · S1")
    expect(flash(page), "the stale 'assigned' message goes once the card moved on").to_have_count(0)
    screenshot(card(page), "programme-card-1024.png")

    # The same day again is refused, with the reason (at most one session a day counts).
    refused = fill_in_session(page, outcome="Completed", on=start)
    refused.get_by_role("button", name="Save session").click()
    expect(card(page).locator(".field--error")).to_contain_text("at most one session a day counts")
    expect(card(page).locator("table tbody tr")).to_have_count(1)

    # Session 2, completed (effort not rated).
    expect(log_session(page, outcome="Completed", on=start + timedelta(days=2))).to_contain_text(
        "Well done. Next: week 1, session 3.")
    expect(card(page).locator(".stats")).to_contain_text("Symptom-free streak2 sessions")

    # Session 3 with knee pain: stop and walk the rest, and the week starts again.
    outcome = log_session(page, outcome="Completed", effort=6, symptoms=["Other pain (knee, hip, shin…)"],
                          on=start + timedelta(days=4))
    expect(outcome).to_have_attribute("role", "alert")
    expect(outcome).to_have_class(re.compile(r"\balert--warning\b"))
    expect(outcome).to_contain_text(STOP_AND_WALK)
    expect(outcome).to_contain_text("Week 1 will start again from session 1.")
    expect(badge(page)).to_have_text(re.compile(r"Week 1 of 9$"))
    expect(card(page).get_by_role("heading", name="Next: week 1, session 1 of 3")).to_be_visible()
    expect(card(page).locator(".stats")).to_contain_text("This weekrepeating (1×)")
    expect(card(page).locator(".stats")).to_contain_text("Symptom-free streak0 sessions")
    latest_row = card(page).locator("table tbody tr").first
    expect(latest_row).to_have_class("row--warn")
    expect(latest_row).to_contain_text("Other pain (knee, hip, shin…)")
    assert_accessible(page)

    # A red flag (leaking) pauses the programme with a referral alert.
    outcome = log_session(page, outcome="Partly done", symptoms=["Leaking urine"], on=start + timedelta(days=6))
    expect(outcome).to_have_class(re.compile(r"\balert--error\b"))
    expect(outcome).to_contain_text(STOP_AND_WALK)
    expect(outcome).to_contain_text("the programme is paused")
    expect(outcome).not_to_contain_text("Please see your")
    expect(badge(page)).to_have_text(re.compile(r"Paused: referral pending$"))
    expect(card(page)).to_contain_text("Referral alert: running is paused")
    expect(card(page)).to_contain_text("Red-flag symptom logged in week 1, session 1")
    expect(card(page).get_by_text("Log a session", exact=True), "nothing can be logged while paused").to_have_count(0)
    # A red flag stays open until a newer full symptom screen finds none: no resume yet.
    expect(card(page)).to_contain_text("It can be resumed once a new assessment with the full symptom screen finds no red flag.")
    expect(card(page).get_by_role("button", name="Resume one week back")).to_have_count(0)
    expect(page.locator("#red-flag-banner")).to_contain_text("Leaking urine in her session of")
    assert_accessible(page)
    screenshot(page, "programme-paused-1024.png")

    # Her trainer's home page lists her under the paused programmes, linking to the card.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Needs your attention (1)")).to_be_visible()
    item = attention(page).locator(".attention--paused")
    expect(item).to_have_count(1)
    expect(item.locator(".attention__title")).to_have_text([re.compile("Paused: referral pending"), re.compile("Red flag open since")])
    expect(item).to_contain_text("Refer her to her GP or a pelvic health physiotherapist.")
    expect(item.locator(".attention__client")).to_have_text("Amira Haddad")
    expect(item.get_by_role("link")).to_have_attribute("href", f"{ready_client.get_absolute_url()}#programme")
    expect(page.locator(".activity-list")).to_contain_text("session logged by you, partly done with symptoms")
    assert_accessible(page)
    screenshot(page, "home-attention-1024.png")

    # Seen by the physio and screened again with nothing found: resume with a note; the card is active
    # again, a week back (still week 1).
    make_assessment(ready_client, days_after_birth=(today - ready_client.baby_date_of_birth).days)
    item.get_by_role("link").click()
    expect(page.locator("#red-flag-banner")).to_have_count(0)
    card(page).get_by_label("Note (optional)").fill("Seen by the pelvic health physio, cleared to run.")
    card(page).get_by_role("button", name="Resume one week back").click()
    expect(flash(page)).to_contain_text("Programme resumed one week back, from session 1.")
    expect(badge(page)).to_have_text(re.compile(r"Week 1 of 9$"))
    expect(card(page)).not_to_contain_text("Referral alert")
    expect(card(page).get_by_role("heading", name="Next: week 1, session 1 of 3")).to_be_visible()
    expect(card(page).get_by_text("Log a session", exact=True)).to_be_visible()
    assert_accessible(page)

    # Home no longer lists a red flag or a pause for her: only her next session, due today (her last
    # was two days ago), with the way to log it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Needs your attention (1)")).to_be_visible()
    expect(attention(page).locator(".attention__title")).to_have_text([re.compile("Session due today$")])
    expect(attention(page).get_by_role("link", name=re.compile("^Log a session"))).to_have_attribute(
        "href", f"{ready_client.get_absolute_url()}#programme")

    # What the database holds matches what she saw.
    programme = Programme.objects.filter(client=ready_client).with_progress().get()
    state = programme.state
    assert (state.status, state.week, state.session, state.repeats, state.alerts) == ("active", 1, 1, 0, ())
    logs = list(programme.logs.all())
    assert [(log.week, log.session_number, log.outcome, log.effort, log.symptoms) for log in logs] == [
        (1, 1, "completed", 5, []),
        (1, 2, "completed", None, []),
        (1, 3, "completed", 6, ["pain"]),
        (1, 1, "partial", None, ["urinary_leakage"]),
    ]
    assert all(log.logged_by == owner for log in logs)
    assert [log.done_on for log in logs] == [start + timedelta(days=day) for day in (0, 2, 4, 6)]
    assert [(r.note, r.resumed_by) for r in programme.resumes.all()] == [
        ("Seen by the pelvic health physio, cleared to run.", owner)]


def test_without_javascript_a_session_is_logged_by_a_plain_form_post(browser, live_server, owner, ready_client,
                                                                     console_problems):
    programme = assign_programme(ready_client, start_date=timezone.localdate() - timedelta(days=2))
    context = browser.new_context(java_script_enabled=False, locale="en-GB", timezone_id="Europe/London",
                                  viewport=TABLET)
    try:
        page = context.new_page()
        watch_for_problems(page, console_problems)
        sign_in(page, live_server, owner)
        page.goto(f"{live_server.url}{ready_client.get_absolute_url()}")
        assert page.evaluate("typeof window.htmx") == "undefined", "the page's scripts ran"

        # The <details> opens natively; a submit without an outcome shows the form again with the error.
        card(page).get_by_text("Log a session", exact=True).click()
        card(page).get_by_role("button", name="Save session").click()
        expect(page).to_have_url(f"{live_server.url}/programmes/{programme.pk}/log/")
        expect(page.locator("#error-summary")).to_contain_text("Please correct 1 thing below")
        expect(card(page).locator("details.log-session")).to_have_attribute("open", "")
        expect(card(page).locator(".field--error")).to_contain_text("How did it go?")

        # Answered properly, the page reloads on her page at the card, the outcome at its top.
        form = fill_in_session(page, outcome="Completed", effort=4, on=programme.start_date)
        form.get_by_role("button", name="Save session").click()
        expect(page).to_have_url(f"{live_server.url}{ready_client.get_absolute_url()}?logged=1#programme")
        expect(card(page).locator(".outcome")).to_contain_text("Well done. Next: week 1, session 2.")
        expect(card(page).locator(".outcome")).to_be_in_viewport()
        expect(card(page).get_by_role("heading", name="Next: week 1, session 2 of 3")).to_be_visible()
        expect(card(page).locator("form.log-form")).to_be_hidden()

        # A symptom is a warning, with the same advice as with JavaScript.
        form = fill_in_session(page, outcome="Completed", symptoms=["Other pain (knee, hip, shin…)"])
        form.get_by_role("button", name="Save session").click()
        expect(card(page).locator(".outcome.alert--warning")).to_contain_text(STOP_AND_WALK)
        expect(card(page).get_by_role("heading", name="Next: week 1, session 1 of 3")).to_be_visible()
    finally:
        context.close()
    assert not console_problems, "\n".join(console_problems)
    programme = Programme.objects.filter(pk=programme.pk).with_progress().get()
    assert [(log.outcome, log.effort, log.symptoms) for log in programme.logs.all()] == [
        ("completed", 4, []), ("completed", None, ["pain"])]
    assert (programme.state.week, programme.state.session, programme.state.repeats) == (1, 1, 1)
