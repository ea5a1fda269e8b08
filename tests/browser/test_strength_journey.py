"""Issue 24 end to end: an assessment with two focus areas → the suggested strength plan → her
trainer changes a dose and assigns it → she ticks a session on her phone (390 × 844) → her trainer
sees it. Every page passes axe with the WCAG 2.0 A/AA, 2.1 AA and 2.2 AA rules, whatever the impact."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clients.models import ShareLink
from programmes.models import StrengthLog, StrengthPlan
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("builtin_exercises")]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


@pytest.fixture
def builtin_exercises(transactional_db):
    """The built-in exercise library: a live-server test flushes the database its migration filled."""
    from importlib import import_module

    from django.apps import apps

    import_module("programmes.migrations.0009_builtin_exercises").install(apps, None)


def assert_no_wcag_violations(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    assert not violations, f"axe on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}" for v in violations)


def test_a_suggested_strength_plan_is_assigned_and_she_ticks_a_session_on_her_phone(page, phone_page, live_server, owner):
    amira = make_client(owner, "Amira Haddad", weeks=16)
    make_assessment(amira, days_after_birth=7 * 16, strength_calf_raise_left=14, strength_single_leg_bridge_right=8)
    _, token = ShareLink.issue(amira, owner)

    # Her trainer: the suggestion from her two focus areas, one dose changed, assigned.
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/clients/{amira.pk}/")
    assert_no_wcag_violations(page)
    page.get_by_role("link", name="Suggest her strength plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strength plan for Amira Haddad")
    expect(page.get_by_text("Single leg calf raise: 14 of 20 on her weaker side.")).to_be_visible()
    expect(page.get_by_text("Single leg bridge: 8 of 20 on her weaker side.")).to_be_visible()
    expect(page.get_by_label("Single leg calf raise on a step", exact=True)).to_be_checked()
    expect(page.get_by_label("Pelvic floor long holds", exact=True)).to_be_checked()
    expect(page.get_by_label("Single leg balance", exact=True)).not_to_be_checked()
    assert_no_wcag_violations(page)
    screenshot(page, "strength-suggested-plan.png")
    page.get_by_label("Reps or holds of Single leg calf raise on a step").fill("9")
    page.get_by_role("button", name="Assign her strength plan").click()
    expect(page.locator(".messages")).to_contain_text("Her strength plan is assigned")
    strength = page.locator("#strength")
    expect(strength).to_contain_text("0 sessions done, 0 this week")
    expect(strength).to_contain_text("3 sets of 9")
    plan = StrengthPlan.objects.get(client=amira)
    assert {item.serves for item in plan.items.all()} >= {"strength.calf_raise", "strength.single_leg_bridge",
                                                           "pelvic_floor.long_holds"}

    # She ticks a session on her phone.
    her = phone_page
    her.goto(f"{live_server.url}/p/{token}/")
    section = her.locator("#strength")
    expect(section.get_by_role("heading", name="Your strength work")).to_be_visible()
    expect(section).to_contain_text("Stand on a step on one foot")
    expect(section).to_contain_text("3 sets of 9")
    assert_no_wcag_violations(her)
    section.get_by_role("link", name="Tick a session done").click()
    expect(her.get_by_role("heading", level=1)).to_have_text("Tick your strength session")
    assert_no_wcag_violations(her)
    screenshot(her, "her-strength-tick-390.png")
    button = her.get_by_role("button", name="I did my strength session")
    assert button.bounding_box()["height"] >= 44  # a large touch target
    button.click()
    expect(her.locator("#strength")).to_contain_text("Ticked: your trainer sees it.")
    expect(her.locator("#strength")).to_contain_text("1 session done this week")
    assert_no_wcag_violations(her)
    screenshot(her, "her-strength-ticked-390.png")
    assert StrengthLog.objects.filter(plan=plan, logged_by_client=True).count() == 1

    # Her trainer sees it on her record.
    page.goto(f"{live_server.url}/clients/{amira.pk}/")
    expect(page.locator("#strength")).to_contain_text("1 session done, 1 this week")
    expect(page.locator("#strength")).to_contain_text("ticked by her")
    assert_no_wcag_violations(page)
    screenshot(page, "strength-trainer-sees-it.png")
