"""Issue 22 (1, 5, 6b) in a browser: home lists every client who needs something today (ready
with no programme, a session due, a programme gone quiet, a check-up due this week), each with
its next action as a 44 px target; same-named clients told apart; a carried-over value entered
again loses its mark at once, and the bulk confirm is never behind the verdict. axe with the
WCAG 2.2 AA tags finds nothing, of any impact, at 768×1024, 1024×768 and 390×844."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments.models import Assessment
from guideline.protocol import REASSESS_AFTER
from tests.browser.conftest import SCREENSHOTS, assign_programme, sign_in
from tests.browser.test_assessment_journey import autosave, field
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = pytest.mark.browser

UPRIGHT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
SIZES = [pytest.param(UPRIGHT, id="768x1024"), pytest.param(LANDSCAPE, id="1024x768"), pytest.param(PHONE, id="390x844")]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


def assert_no_violations(page: Page):
    """axe with the WCAG 2.2 AA tags: no violation of any impact."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    assert not violations, [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations]


def shot(page: Page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True, caret="initial", animations="allow")


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def caseload(owner, builtin_templates):
    """Dani ready since 3 days ago with no programme; a session overdue; a programme quiet for
    8 days; a check-up due in 3 days; two clients called Sam Jones."""
    dani = make_client(owner, "Dani Ready", weeks=20)
    make_assessment(dani, days_after_birth=7 * 20 - 3)
    due = make_client(owner, "Bea Due", weeks=20)
    make_assessment(due, days_after_birth=7 * 20 - 5)
    programme = assign_programme(due, start_date=days_ago(4))
    programme.log_session(by=owner, sequence=1, done_on=days_ago(4), outcome="completed")
    quiet = make_client(owner, "Cara Quiet", weeks=20)
    make_assessment(quiet, days_after_birth=7 * 20 - 12)
    programme = assign_programme(quiet, start_date=days_ago(12))
    programme.log_session(by=owner, sequence=1, done_on=days_ago(8), outcome="completed")
    check_up = make_client(owner, "Eve Check", weeks=30)
    make_assessment(check_up, days_after_birth=7 * 30 - (REASSESS_AFTER.days - 3), pelvic_floor_fast_reps=5)
    for weeks in (16, 22):
        make_assessment(make_client(owner, "Sam Jones", weeks=weeks), days_after_birth=7 * 14)
    return dani, due, quiet, check_up


@pytest.mark.parametrize("viewport", SIZES)
def test_home_lists_every_client_who_needs_something_with_its_action(page, live_server, owner, builtin_templates,
                                                                       viewport):
    dani, due, quiet, check_up = caseload(owner, builtin_templates)
    page.set_viewport_size(viewport)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/")
    work = page.locator(".attention-list")
    for name, reason, action in (
        ("Dani Ready", "Ready: no programme yet", "Assign a programme"),
        ("Bea Due", f"Session overdue since {days_ago(2):%-d %b}", "Log a session"),
        ("Cara Quiet", "No session for 8 days", "Send her link again"),
        ("Eve Check", f"Check-up due {days_ago(-3):%-d %b}", "Record a check-up"),
    ):
        entry = work.locator("li.attention", has_text=name)
        expect(entry).to_contain_text(reason)
        button = entry.get_by_role("link", name=f"{action}: {name}")
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)
    sams = work.locator(".namesake")
    expect(sams).to_have_count(2)
    expect(sams.first).to_contain_text("baby born")
    shot(page, f"issue22-home-{viewport['width']}x{viewport['height']}.png")
    assert_no_violations(page)

    page.goto(f"{live_server.url}/clients/")
    expect(page.locator(".client-list .namesake")).to_have_count(2)
    expect(page.locator(".client-row", has_text="Eve Check")).to_contain_text("Check-up due")
    shot(page, f"issue22-clients-{viewport['width']}x{viewport['height']}.png")
    assert_no_violations(page)

    page.goto(f"{live_server.url}{reverse('profile')}")
    page.get_by_label("A programme is quiet after (days)").fill("1")
    page.get_by_role("button", name="Save studio details").click()
    expect(page.locator(".errorlist, .field-error, [id$='_error']").first).to_be_visible()
    assert_no_violations(page)
    page.get_by_label("A programme is quiet after (days)").fill("10")
    page.get_by_role("button", name="Save studio details").click()
    page.goto(f"{live_server.url}/")
    entry = page.locator("li.attention", has_text="Cara Quiet")
    expect(entry).to_contain_text("Session overdue since")  # not quiet until 10 days

    # The actions lead where they say.
    page.locator("li.attention", has_text="Eve Check").get_by_role("link", name="Record a check-up: Eve Check").click()
    expect(page).to_have_url(f"{live_server.url}{check_up.get_absolute_url()}#assessments")
    expect(page.get_by_role("button", name="Retest from the last one")).to_be_visible()
    assert_no_violations(page)
    page.goto(f"{live_server.url}{reverse('clients:attention')}")
    expect(page.locator("li.attention")).to_have_count(6)
    assert_no_violations(page)
    page.goto(f"{live_server.url}/")
    page.locator("li.attention", has_text="Dani Ready").get_by_role("link", name="Assign a programme: Dani Ready").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assign")


def retest(owner):
    client = make_client(owner, "Amira Haddad", weeks=14)
    earlier = make_assessment(client, days_after_birth=7 * 13)
    assessment = Assessment(client=client, assessed_on=timezone.localdate(), recorded_by=owner)
    assessment.carry_over_from(earlier)
    assessment.save()
    return assessment


@pytest.mark.parametrize("viewport", SIZES)
def test_a_carried_over_value_entered_again_loses_its_mark_and_the_confirm_is_never_hidden(page, live_server, owner,
                                                                                          viewport):
    assessment = retest(owner)
    page.set_viewport_size(viewport)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    mark = page.locator("#carried-pelvic_floor_fast_reps")
    expect(mark).to_be_visible()
    count = len(assessment.carried_over)
    box = field(page, "pelvic_floor_fast_reps")
    same = box.input_value()

    def enter_again():  # typed again over itself: the browser fires no change of its own
        box.click()
        box.press("Control+a")
        box.press_sequentially(same)
        box.press("Tab")

    autosave(page, enter_again)
    assert box.input_value() == same
    expect(mark).to_have_count(0)
    expect(page.locator("#carried-strength_calf_raise_left")).to_be_visible()
    assessment.refresh_from_db()
    assert "pelvic_floor_fast_reps" not in assessment.carried_over and len(assessment.carried_over) == count - 1
    # A yes/no answer carried over: choosing the option already chosen confirms it.
    relax = page.locator('input[name="pelvic_floor_can_relax"]:checked')
    expect(page.locator("#carried-pelvic_floor_can_relax")).to_be_visible()
    autosave(page, lambda: page.locator('label:has(> input[name="pelvic_floor_can_relax"]:checked)').click())
    expect(page.locator("#carried-pelvic_floor_can_relax")).to_have_count(0)
    assert relax.count() == 1
    count -= 1
    if viewport["width"] < 960:
        expect(page.locator("#verdict-bar")).to_contain_text(f"{count - 1} carried over")
        page.locator(".verdict-bar__button").click()
    confirm = page.get_by_role("button", name="Confirm the carried-over values")
    # Scrolled well into the form, the button is still reachable and nothing sits over it.
    page.evaluate("window.scrollTo(0, 900)")
    confirm.scroll_into_view_if_needed()
    expect(confirm).to_be_in_viewport()
    covered = page.evaluate("""(button) => { const r = button.getBoundingClientRect();
        return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) !== button; }""", confirm.element_handle())
    assert not covered
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"issue22-carried-{viewport['width']}x{viewport['height']}.png",
                    caret="initial", animations="allow")
    assert_no_violations(page)
    confirm.click()
    expect(page.locator("#carried-strength_calf_raise_left")).to_have_count(0)
    assessment.refresh_from_db()
    assert assessment.carried_over == []
