"""Issue 13 on a phone (390 × 844): she opens her link, sees where she stands and her next
session on the first screen, logs a clean session, then one with a symptom; her trainer sees
it on home."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import ShareLink
from programmes.models import SessionLog
from tests.browser.conftest import PHONE, assert_accessible, assign_programme, screenshot, sign_in
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("builtin_templates")]


def on_first_screen(locator):
    """Entirely inside the phone's first screen, without scrolling."""
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_she_logs_her_sessions_from_her_phone_and_her_trainer_sees_them(phone_page, page, live_server, owner):
    today = timezone.localdate()
    amira = make_client(owner, "Amira Haddad", weeks=16)
    make_assessment(amira, days_after_birth=7 * 16)
    programme = assign_programme(amira, start_date=today - timedelta(days=6))
    SessionLog.objects.create(programme=programme, week=1, session_number=1, outcome="completed", effort=5,
                              done_on=today - timedelta(days=4), logged_by=owner)
    _, token = ShareLink.issue(amira, owner)

    her = phone_page
    her.goto(f"{live_server.url}/p/{token}/")
    expect(her.get_by_role("heading", level=1)).to_have_text("Hello Amira")
    status = her.get_by_text("You are in week 1 of 9 and running is on track.")
    next_session = her.locator(".her-next")
    log_it = her.get_by_role("link", name="Log it")
    expect(next_session).to_contain_text("Warm up 5 min walking, then 8 × (run 1 min, walk 1 min 30 s)")
    for thing in (status, next_session, log_it):
        assert on_first_screen(thing), f"{thing} is not on her first screen"
    assert log_it.bounding_box()["height"] >= 48  # a large touch target
    expect(her.get_by_role("link", name="Download your report (PDF)")).to_be_visible()
    expect(her.locator(".her-logs")).to_contain_text("logged by your trainer")
    assert_accessible(her)
    screenshot(her, "her-page-top-390.png")

    # A clean session: the form on its own page, then her page says what comes next.
    log_it.click()
    expect(her.get_by_role("heading", level=1)).to_have_text("Log your session")
    assert_accessible(her)
    screenshot(her, "her-log-form-390.png")
    her.get_by_label("When did you do it?").fill((today - timedelta(days=2)).isoformat())
    expect(her.get_by_label("I did all of it")).to_be_checked()
    her.get_by_role("group", name="Any symptoms, during or after?").get_by_label("No").check()
    her.get_by_role("group", name=re.compile(r"^How hard did it feel")).get_by_label("4", exact=True).check()
    her.get_by_role("button", name="Save my session").click()
    expect(her.locator(".outcome")).to_contain_text("Well done. Next: week 1, session 3.")
    expect(her.locator(".her-logs li").first).to_contain_text("logged by you")

    # A session with a symptom, today (a rest day after the last): stop and walk, and the week starts again.
    her.get_by_role("link", name="Log it").click()
    her.get_by_label("I did part of it").check()
    her.get_by_role("group", name="Any symptoms, during or after?").get_by_label("Yes").check()
    her.get_by_label("Pain in a knee, hip, shin or elsewhere").check()
    her.get_by_role("button", name="Save my session").click()
    outcome = her.locator(".outcome")
    expect(outcome).to_contain_text("stop running and walk the rest")
    expect(outcome).to_contain_text("Week 1 will start again from session 1.")
    assert_accessible(her)
    screenshot(her, "her-page-after-symptom-390.png")
    assert list(SessionLog.objects.filter(logged_by_client=True).values_list("outcome", flat=True)) == ["completed", "partial"]

    # Her trainer sees it on home, marked as hers.
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/")
    expect(page.locator(".attention")).to_contain_text("Amira Haddad")
    expect(page.locator(".activity-list li").first).to_contain_text("session logged by her, partly done with symptoms")
    page.goto(f"{live_server.url}/clients/{amira.pk}/")
    expect(page.locator("#programme")).to_contain_text("Logged by her")


def test_a_clean_session_is_three_taps_on_a_short_form(phone_page, live_server, owner):
    """Issue 22 §8: "Any symptoms? No / Yes" first, the list only for yes, effort in one row with
    labelled ends; a clean session is No, effort, Save (today and "I did all of it" come chosen).
    The wellbeing check (issue 23 §2) is there to answer, never required."""
    today = timezone.localdate()
    amira = make_client(owner, "Amira Haddad", weeks=16)
    make_assessment(amira, days_after_birth=7 * 16)
    assign_programme(amira, start_date=today - timedelta(days=6))
    _, token = ShareLink.issue(amira, owner)
    her = phone_page
    her.goto(f"{live_server.url}/p/{token}/log/")
    symptom = her.get_by_label("Leaking poo")
    expect(symptom).to_be_hidden()  # asked first; the list only for yes
    assert_accessible(her)
    height = her.evaluate("document.documentElement.scrollHeight")
    print(f"her log form: {height} px tall at 390 px wide")
    screenshot(her, "her-log-form-clean-390.png")
    answer = her.get_by_role("group", name="Any symptoms, during or after?")
    answer.get_by_label("Yes").check()
    expect(symptom).to_be_visible()
    assert_accessible(her)
    screenshot(her, "her-log-form-yes-390.png")
    answer.get_by_label("No").check()
    expect(symptom).to_be_hidden()
    # The effort row: one line of eleven, each a 24 px target at least.
    boxes = [her.locator(".effort-scale label").nth(n).bounding_box() for n in range(11)]
    assert len({round(box["y"]) for box in boxes}) == 1
    assert all(box["width"] >= 24 and box["height"] >= 24 for box in boxes)
    expect(her.locator(".effort-ends")).to_have_text(re.compile(r"0 rest\s+10 flat out"))
    her.get_by_role("group", name=re.compile(r"^How hard did it feel")).get_by_label("5", exact=True).check()
    her.get_by_role("button", name="Save my session").click()
    expect(her.locator(".outcome")).to_contain_text("Well done.")
    log = SessionLog.objects.get(logged_by_client=True)
    assert (log.done_on, log.outcome, log.symptoms, log.effort, log.sleep) == (today, "completed", [], 5, None)


def test_without_javascript_the_list_is_simply_below(browser, live_server, owner):
    today = timezone.localdate()
    amira = make_client(owner, "Amira Haddad", weeks=16)
    make_assessment(amira, days_after_birth=7 * 16)
    assign_programme(amira, start_date=today - timedelta(days=6))
    _, token = ShareLink.issue(amira, owner)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    her = context.new_page()
    her.goto(f"{live_server.url}/p/{token}/log/")
    expect(her.get_by_label("Leaking poo")).to_be_visible()
    her.get_by_role("group", name="Any symptoms, during or after?").get_by_label("Yes").check()
    her.get_by_label("Leaking poo").check()
    her.get_by_label("Under 5 hours").check()
    her.get_by_role("button", name="Save my session").click()
    expect(her.locator(".outcome")).to_be_visible()
    log = SessionLog.objects.get(logged_by_client=True)
    assert (log.symptoms, log.sleep, log.run_down) == (["faecal_leakage"], "under_5", None)
    context.close()


def test_she_turns_on_reminders_and_stops_them_from_an_email_without_signing_in(phone_page, live_server, owner):
    from clients.models import Client
    from reports.unsubscribe import path_for

    amira = make_client(owner, "Amira Haddad", weeks=16, email="amira@example.com")
    make_assessment(amira, days_after_birth=7 * 16)
    _, token = ShareLink.issue(amira, owner)
    her = phone_page
    her.goto(f"{live_server.url}/p/{token}/")
    her.get_by_role("link", name="Email reminders: off").click()
    expect(her.get_by_role("heading", level=1)).to_have_text("Email reminders")
    assert_accessible(her)
    screenshot(her, "her-reminders-390.png")
    her.get_by_label("Your time zone").select_option("Europe/Dublin")
    her.get_by_role("button", name="Email me reminders").click()
    expect(her.get_by_role("status")).to_contain_text("Reminders are on.")
    amira = Client.objects.get(pk=amira.pk)
    assert amira.reminders_since and amira.time_zone == "Europe/Dublin"
    her.goto(live_server.url + path_for(client=amira))
    assert_accessible(her)
    screenshot(her, "unsubscribe-390.png")
    her.get_by_role("button", name="Stop reminder emails").click()
    expect(her.get_by_role("status")).to_contain_text("no more reminder emails")
    assert_accessible(her)
    assert Client.objects.get(pk=amira.pk).reminders_since is None
