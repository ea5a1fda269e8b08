"""The studio under fingers and keys on a tablet, landscape (1024×768) and upright (768×1024):
the verdict stays in view, Enter moves on, a radio group saves once it settles, Finish leads
to the summary, and fold-away parts say whether they are open."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments.models import Assessment, AssessmentChange
from guideline import protocol
from tests.browser.conftest import SCREENSHOTS, assert_accessible, screenshot, sign_in
from tests.browser.test_assessment_journey import SAVED, autosave, field, radio
from tests.conftest import make_client

pytestmark = pytest.mark.browser

LANDSCAPE = {"width": 1024, "height": 768}
UPRIGHT = {"width": 768, "height": 1024}
SIZES = [pytest.param(LANDSCAPE, id="1024x768"), pytest.param(UPRIGHT, id="768x1024")]


def open_studio(page: Page, live_server, owner, viewport, **values):
    page.set_viewport_size(viewport)
    client = make_client(owner, "Amira Haddad", weeks=14)
    assessment = Assessment(client=client, assessed_on=timezone.localdate(), recorded_by=owner, **values)
    assessment.save()
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment: Amira Haddad")
    return assessment


def window_shot(page: Page, name):
    """What she sees in the window right now (the conftest helper takes the whole page from the top)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, caret="initial", animations="allow")


def posts_to(page: Page, url):
    """A live list of the POSTs the page sends to `url`."""
    posts = []
    page.on("request", lambda request: request.method == "POST" and request.url == url and posts.append(request))
    return posts


def visible_verdict(page: Page, viewport):
    """Beside the form on a landscape tablet; the compact bar when upright."""
    if viewport["width"] > 900:
        return page.locator("#verdict-panel .verdict__label")
    return page.locator("#verdict-bar .verdict-bar__verdict")


@pytest.mark.parametrize("viewport", SIZES)
def test_the_verdict_stays_in_view_while_she_enters_the_last_section(page, live_server, owner, viewport):
    open_studio(page, live_server, owner, viewport, symptoms_urinary_leakage=False)
    verdict = visible_verdict(page, viewport)
    expect(verdict).to_contain_text("Not yet")

    # Far down the form, a red flag turns the verdict to refer: she sees it change where she is.
    wellbeing = page.locator("#section-holistic")
    wellbeing.scroll_into_view_if_needed()
    expect(autosave(page, lambda: radio(page, "symptoms_urinary_leakage", True).check())).to_have_text(SAVED)
    page.locator("#section-holistic").scroll_into_view_if_needed()
    expect(verdict).to_contain_text("Refer")
    expect(verdict).to_be_in_viewport()
    expect(wellbeing).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 2000
    assert_accessible(page)
    window_shot(page, f"studio-entering-{viewport['width']}x{viewport['height']}.png")


def test_upright_the_verdict_bar_opens_the_full_panel_and_the_index_jumps_to_a_section(page, live_server, owner):
    assessment = open_studio(page, live_server, owner, UPRIGHT, pelvic_floor_long_holds=6, pelvic_floor_fast_reps=10)
    panel = page.locator("#studio-panel")
    expect(panel).to_be_hidden()
    bar = page.get_by_role("button", name=re.compile("Full verdict and sections"))
    expect(bar).to_contain_text("Not yet")

    bar.click()
    expect(panel).to_be_visible()
    index = page.get_by_role("navigation", name="Sections")
    expect(index.get_by_role("link")).to_have_text([
        re.compile(r"Symptoms now\s+0 of 18"),
        re.compile(r"Pelvic floor and core\s+2 of 7"),
        re.compile(r"Load and impact\s+0 of 7"),
        re.compile(r"Strength\s+0 of 4"),
        re.compile(r"Wellbeing\s+0 of 8"),
    ])
    # The sheet's end is reachable: its own scroll shows the last link.
    index.get_by_role("link", name=re.compile("Wellbeing")).scroll_into_view_if_needed()
    expect(index.get_by_role("link", name=re.compile("Wellbeing"))).to_be_in_viewport()
    assert_accessible(page)
    window_shot(page, "studio-sheet-768x1024.png")

    index.get_by_role("link", name=re.compile("Strength")).click()
    expect(panel).to_be_hidden()
    expect(page.locator("#section-strength")).to_be_focused()
    expect(page.locator("#heading-strength")).to_be_in_viewport()
    # The section's heading is not hidden under the sticky bar.
    heading_top = page.locator("#heading-strength").bounding_box()["y"]
    bar_bottom = page.locator(".save-bar").bounding_box()
    assert heading_top >= bar_bottom["y"] + bar_bottom["height"]

    # The index follows each save.
    expect(autosave(page, lambda: (field(page, "pelvic_floor_hold_seconds").fill("10"),
                                   field(page, "pelvic_floor_hold_seconds").press("Tab")))).to_have_text(SAVED)
    bar.click()
    expect(index.get_by_role("link", name=re.compile("Pelvic floor"))).to_have_text(
        re.compile(r"Pelvic floor and core\W+3 of 7"))
    assert assessment.pk


@pytest.mark.parametrize("viewport", SIZES)
def test_enter_in_a_number_box_moves_to_the_next_box_and_never_submits(page, live_server, owner, viewport):
    assessment = open_studio(page, live_server, owner, viewport)
    studio_url = page.url
    posts = posts_to(page, studio_url)
    holds = field(page, "pelvic_floor_long_holds")
    holds.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")

    def type_and_press_enter():
        holds.fill("6")
        holds.press("Enter")

    expect(autosave(page, type_and_press_enter)).to_have_text(SAVED)
    expect(field(page, "pelvic_floor_hold_seconds")).to_be_focused()
    assert page.url == studio_url and page.evaluate("window.scrollY") >= scrolled - 50
    assert all(post.header_value("HX-Request") == "true" for post in posts), "Enter submitted the form"

    # Enter in the next box moves on again, and its value saves too.
    seconds = field(page, "pelvic_floor_hold_seconds")
    expect(autosave(page, lambda: (seconds.fill("10"), seconds.press("Enter")))).to_have_text(SAVED)
    expect(field(page, "pelvic_floor_fast_reps")).to_be_focused()
    assessment.refresh_from_db()
    assert (assessment.pelvic_floor_long_holds, assessment.pelvic_floor_hold_seconds) == (6, 10)
    expect(page.locator("#conflict")).to_have_count(0)
    expect(page.locator("#save-status")).to_have_text(SAVED)


@pytest.mark.parametrize("viewport", SIZES)
def test_arrow_keys_across_a_radio_group_record_one_change(page, live_server, owner, viewport):
    assessment = open_studio(page, live_server, owner, viewport, load_impact_walk_value=30)
    posts = posts_to(page, page.url)
    not_recorded = page.locator('input[name="load_impact_walk_symptoms"][value=""]')
    expect(not_recorded).to_be_checked()
    not_recorded.focus()

    # "Not recorded" → "Symptoms" → "None", as a trainer arrows through the options.
    def arrow_twice():
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")

    expect(autosave(page, arrow_twice)).to_have_text(SAVED)
    expect(radio(page, "load_impact_walk_symptoms", False)).to_be_checked()
    page.wait_for_timeout(1_500)  # longer than the settle delay: nothing more is sent
    assert len(posts) == 1
    changes = list(AssessmentChange.objects.filter(assessment=assessment).values_list("field", "old_value", "new_value"))
    assert changes == [("load_impact_walk_symptoms", None, False)]
    expect(page.locator("#history-heading")).to_be_attached()
    expect(visible_verdict(page, viewport)).to_contain_text("Not yet")


@pytest.mark.parametrize("viewport", SIZES)
def test_finish_leads_to_a_summary_with_the_next_steps(page, live_server, owner, viewport):
    assessment = open_studio(page, live_server, owner, viewport, symptoms_heaviness_dragging=True)
    assert_accessible(page)
    window_shot(page, f"studio-top-{viewport['width']}x{viewport['height']}.png")
    holds = field(page, "pelvic_floor_long_holds")
    holds.fill("4")  # typed, not yet saved: Finish saves it

    page.get_by_role("button", name="Finish").click()
    expect(page).to_have_url(f"{live_server.url}/assessments/{assessment.pk}/summary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment summary: Amira Haddad")
    expect(page.locator(".verdict__label")).to_contain_text("Refer")
    steps = page.locator(".next-steps")
    expect(steps).to_contain_text("No running programme yet. Referral pending: a red flag is open on her record")
    expect(steps.get_by_role("link", name="Printable referral summary")).to_be_visible()
    expect(steps.get_by_role("link", name="Download her report (PDF)")).to_be_visible()
    expect(steps.get_by_role("button", name="Make her private link")).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.pelvic_floor_long_holds == 4
    assert_accessible(page)
    screenshot(page, f"summary-refer-{viewport['width']}.png")

    # Her link, made from here, opens on the address the app is served at.
    steps.get_by_role("button", name="Make her private link").click()
    link = page.get_by_label("Private link").input_value()
    assert link.startswith(f"{live_server.url}/p/")


def test_a_ready_summary_offers_to_assign_a_programme(page, live_server, owner):
    from tests.browser.test_assessment_journey import (
        LOAD_TESTS_ON_TARGET,
        NO_SYMPTOMS,
        NO_WARNING_SIGNS,
        PELVIC_FLOOR_ON_TARGET,
    )

    assessment = open_studio(page, live_server, owner, UPRIGHT,
                             **NO_SYMPTOMS, **NO_WARNING_SIGNS, **PELVIC_FLOOR_ON_TARGET, **LOAD_TESTS_ON_TARGET)
    assert assessment.verdict == "ready"
    page.get_by_role("button", name="Finish").click()
    expect(page.locator(".verdict__label")).to_contain_text("Ready")
    page.get_by_role("link", name="Assign a programme").click()
    expect(page).to_have_url(re.compile(r"/programmes/assign/|/assign/"))


def test_landscape_the_panel_shows_its_end_without_an_inner_scroll(page, live_server, owner):
    # Every red flag, the medical warning signs included: the longest panel there is.
    flags = {field.name: True for field in protocol.FIELDS if field.item.section == "symptoms"}
    holistic = {f"holistic_{code}": True for code in ("sleep", "mood", "stress", "energy", "scar", "breast_support")}
    open_studio(page, live_server, owner, LANDSCAPE, **flags, **holistic)
    panel = page.locator("#studio-panel")
    assert panel.evaluate("el => getComputedStyle(el).overflowY") == "visible"
    assert panel.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    last_link = page.get_by_role("navigation", name="Sections").get_by_role("link").last
    label = page.locator("#verdict-panel .verdict__label")

    # Half-way down the form both the verdict and the panel's end are on screen.
    page.locator("#section-load_impact").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 600)")
    expect(label).to_be_in_viewport()
    expect(last_link).to_be_in_viewport()
    window_shot(page, "studio-long-panel-1024x768.png")


def test_fold_away_parts_say_show_or_hide(page, live_server, owner):
    open_studio(page, live_server, owner, LANDSCAPE, symptoms_urinary_leakage=False)
    signposting = page.locator("details.signposting > summary")
    expect(signposting.locator(".disclosure__show")).to_be_visible()
    expect(signposting.locator(".disclosure__hide")).to_be_hidden()
    marker = signposting.evaluate("el => getComputedStyle(el, '::before').content")
    signposting.click()
    expect(signposting.locator(".disclosure__hide")).to_be_visible()
    expect(signposting.locator(".disclosure__show")).to_be_hidden()
    assert marker != signposting.evaluate("el => getComputedStyle(el, '::before').content")
    expect(page.locator("details.signposting")).to_have_attribute("open", "")
