"""A trainer logs an assessment in the studio on a tablet: every change autosaves."""

import re
from contextlib import contextmanager

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Assessment
from tests.browser.conftest import TABLET, assert_accessible, open_client_list, screenshot, sign_in
from tests.conftest import make_client

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^All changes saved at \d\d:\d\d:\d\d\.$")

NO_SYMPTOMS = {
    f"symptoms_{code}": False
    for code in (
        "urinary_leakage", "faecal_leakage", "wind_leakage", "urgency", "heaviness_dragging",
        "lumbopelvic_pain", "pain_during_sex", "abdominal_doming", "obstructed_defecation", "abnormal_bleeding",
    )
}
# DOMAIN.md "Medical warning signs": answered "no" together with the group's "None of these".
NO_WARNING_SIGNS = {
    f"symptoms_{code}": False
    for code in ("chest_pain", "breathlessness", "dizziness_fainting", "calf_pain_swelling", "severe_abdominal_pain",
                 "fever_unwell", "scar_worsening", "pregnant_again")
}
PELVIC_FLOOR_ON_TARGET = {
    "pelvic_floor_long_holds": 6,
    "pelvic_floor_hold_seconds": 10,
    "pelvic_floor_fast_reps": 10,
    "pelvic_floor_can_relax": True,
    "pelvic_floor_pressure_control": True,
    "pelvic_floor_strength_training_to_date": True,
    "pelvic_floor_physio_assessed": True,
}
LOAD_TESTS_ON_TARGET = {
    "load_impact_walk_value": 30, "load_impact_walk_symptoms": False,
    "load_impact_single_leg_balance_left": 10, "load_impact_single_leg_balance_right": 12,
    "load_impact_single_leg_balance_symptoms": False,
    "load_impact_single_leg_squat_left": 10, "load_impact_single_leg_squat_right": 10,
    "load_impact_single_leg_squat_symptoms": False,
    "load_impact_jog_on_spot_value": 60, "load_impact_jog_on_spot_symptoms": False,
    "load_impact_forward_bounds_value": 10, "load_impact_forward_bounds_symptoms": False,
    "load_impact_hop_in_place_left": 10, "load_impact_hop_in_place_right": 10,
    "load_impact_hop_in_place_symptoms": False,
    "load_impact_running_man_left": 11, "load_impact_running_man_right": 10,
    "load_impact_running_man_symptoms": False,
}
STRENGTH = {
    "strength_calf_raise_left": 22, "strength_calf_raise_right": 21,
    "strength_single_leg_bridge_left": 14, "strength_single_leg_bridge_right": 20,
    "strength_single_leg_sit_to_stand_left": 12, "strength_single_leg_sit_to_stand_right": 15,
    "strength_side_lying_abduction_left": 25, "strength_side_lying_abduction_right": 25,
}
WELLBEING_WITH_ONE_CONCERN = {
    "holistic_sleep": True,
    **{f"holistic_{code}": False for code in (
        "hydration", "nutrition", "mood", "stress", "energy", "scar", "breast_support")},
}
NOTES = "Tired after a broken night; keen to start. Check the hop again next time."


def status(page):
    return page.locator("#save-status")


def verdict(page):
    return page.locator("#verdict-panel")


def field(page, name):
    return page.locator(f'[name="{name}"]')


def radio(page, name, value: bool):
    return page.locator(f'input[name="{name}"][value="{"true" if value else "false"}"]')


def autosave(page, change):
    """Make one change and wait until htmx has swapped in a new save status for it."""
    page.evaluate("document.getElementById('save-status').dataset.beforeThisChange = 'yes'")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url == page.url.split("#")[0], timeout=10_000) as response:
        change()
    assert response.value.ok, f"autosave answered {response.value.status}"
    fresh_status = page.locator("#save-status:not([data-before-this-change])")
    expect(fresh_status).to_have_count(1)
    return fresh_status


def enter(page, name, value):
    """Answer a yes/no question or type a number and move on, as a trainer does."""
    def change():
        if isinstance(value, bool):
            radio(page, name, value).check()
        else:
            field(page, name).fill(str(value))
            field(page, name).press("Tab")

    return autosave(page, change)


def write_notes(page, text):
    notes = page.get_by_label("Notes on this assessment")

    def change():
        notes.fill(text)
        notes.press("Tab")

    return autosave(page, change)


def enter_all(page, values):
    for name, value in values.items():
        expect(enter(page, name, value), f"after entering {name}").to_have_text(SAVED)


def expect_values_on_screen(page, values):
    for name, value in values.items():
        if isinstance(value, bool):
            expect(radio(page, name, value), name).to_be_checked()
        else:
            expect(field(page, name), name).to_have_value(str(value))


@contextmanager
def slow_network(page, latency_ms=800):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"offline": False, "downloadThroughput": -1, "uploadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", {**conditions, "latency": latency_ms})
    try:
        yield
    finally:
        cdp.send("Network.emulateNetworkConditions", {**conditions, "latency": 0})
        cdp.detach()


def test_a_trainer_logs_an_assessment_in_the_studio_and_it_is_all_there_after_a_reload(page, live_server, owner):
    page.set_viewport_size(TABLET)
    client = make_client(owner, "Amira Haddad", weeks=14)
    sign_in(page, live_server, owner)
    open_client_list(page)

    page.locator("#client-results").get_by_role("link", name="Amira Haddad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amira Haddad")
    expect(page.get_by_text("No assessments yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="New assessment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment: Amira Haddad")
    expect(page.locator("#assessment-meta")).to_contain_text("14 weeks after birth · recorded by Olivia Owner")
    expect(verdict(page)).to_contain_text("Not yet")
    expect(status(page)).to_have_text(re.compile(r"^Last saved \d{1,2} \w{3} \d{4}, \d\d:\d\d\.$"))
    assessment = Assessment.objects.get(client=client)
    assert page.url == f"{live_server.url}/assessments/{assessment.pk}/"

    # The status region (announced to screen readers) says "Saving…" while a change is on its way, then saved.
    with slow_network(page):
        page.evaluate("document.getElementById('save-status').dataset.beforeThisChange = 'yes'")
        radio(page, "symptoms_urinary_leakage", False).check()
        expect(status(page)).to_have_text("Saving…")
        # No "saved" tick while it is on its way (issue 22).
        assert status(page).evaluate("el => getComputedStyle(el, '::before').content") in ("none", "normal")
        expect(page.locator("#save-status:not([data-before-this-change])")).to_have_text(SAVED)

    enter_all(page, {name: no for name, no in NO_SYMPTOMS.items() if name != "symptoms_urinary_leakage"})
    # The warning signs in one tap: every one still unanswered becomes "No", and each stays changeable.
    expect(status(page)).to_have_text(SAVED)
    page.get_by_role("button", name="None of these: medical warning signs").click()
    expect(page).to_have_url(re.compile(r"#group-symptoms-warning$"))
    expect_values_on_screen(page, {**NO_SYMPTOMS, **NO_WARNING_SIGNS})
    expect(page.locator("#history-heading + table")).to_contain_text("Medical warning signs: none of these")
    enter_all(page, PELVIC_FLOOR_ON_TARGET)

    # One load test short of its target: not yet, and the panel says exactly why.
    enter_all(page, {**LOAD_TESTS_ON_TARGET, "load_impact_hop_in_place_right": 8})
    expect(verdict(page).locator(".verdict__label")).to_contain_text("Not yet: keep building")
    expect(verdict(page).locator(".reason")).to_have_text(
        ["Not met" + "Hop in place: right 8 reps, short of 10 each side. (Rule 4 · Load and impact)"]
    )
    expect(verdict(page).get_by_text("Still to assess")).to_have_count(0)

    # Fixing it turns the verdict to ready without a page load.
    enter_all(page, {"load_impact_hop_in_place_right": 10})
    expect(verdict(page).locator(".verdict__label")).to_contain_text("Ready for a graded walk–run return")
    expect(verdict(page)).to_contain_text("Every gate in the guideline is met.")
    expect(verdict(page).locator(".reason")).to_have_count(0)

    # Strength below 20 reps shows focus areas but never holds running back.
    enter_all(page, STRENGTH)
    expect(verdict(page).locator(".focus-areas li")).to_have_text([
        "Single leg bridge, left: 14 of 20",
        "Single leg sit to stand, left: 12 of 20",
        "Single leg sit to stand, right: 15 of 20",
    ])
    expect(verdict(page).locator(".verdict__label")).to_contain_text("Ready")

    # One wellbeing concern becomes a caution; notes save too.
    enter_all(page, WELLBEING_WITH_ONE_CONCERN)
    expect(verdict(page).locator(".cautions")).to_contain_text("Sleep or rest is a concern")
    expect(verdict(page).locator(".caution")).to_have_count(1)
    expect(write_notes(page, NOTES)).to_have_text(SAVED)

    assert_accessible(page)
    screenshot(page, "studio-entry-1024.png")
    screenshot(verdict(page), "studio-verdict-1024.png")

    # Nothing was submitted, yet everything is there after a reload.
    everything = {**NO_SYMPTOMS, **NO_WARNING_SIGNS, **PELVIC_FLOOR_ON_TARGET, **LOAD_TESTS_ON_TARGET, **STRENGTH,
                  **WELLBEING_WITH_ONE_CONCERN}
    page.reload()
    expect_values_on_screen(page, everything)
    expect(page.get_by_label("Notes on this assessment")).to_have_value(NOTES)
    expect(verdict(page).locator(".verdict__label")).to_contain_text("Ready for a graded walk–run return")
    expect(page.locator("#history-heading + table tbody tr").first).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.verdict == "ready"
    assert {name: getattr(assessment, name) for name in everything} == everything
    assert assessment.notes == NOTES

    # Her page lists the assessment as ready.
    page.get_by_role("link", name="Back to Amira Haddad").click()
    expect(page.locator(".table--assessments tbody tr")).to_have_count(1)
    expect(page.locator(".table--assessments")).to_contain_text("Ready")
    assert_accessible(page)


def ready_assessment(client):
    assessment = Assessment(client=client, assessed_on=timezone.localdate(), recorded_by=client.trainer)
    for name, value in {**NO_SYMPTOMS, **NO_WARNING_SIGNS, **PELVIC_FLOOR_ON_TARGET, **LOAD_TESTS_ON_TARGET}.items():
        setattr(assessment, name, value)
    assessment.save()
    assert assessment.verdict == "ready"
    return assessment


def test_an_impossible_value_is_flagged_next_to_its_box_while_other_changes_keep_saving(page, live_server, owner):
    page.set_viewport_size(TABLET)
    assessment = ready_assessment(make_client(owner))
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    hold = field(page, "pelvic_floor_hold_seconds")
    errors = page.locator("#errors-pelvic_floor_hold_seconds")

    expect(enter(page, "pelvic_floor_hold_seconds", 900)).to_have_text(
        "Saved, except 1 entry that needs correcting.")
    expect(errors).to_have_text("Enter a whole number of seconds from 0 to 120, or leave it blank if not tested.")
    expect(hold).to_have_value("900")
    expect(hold).to_have_attribute("aria-invalid", "true")
    expect(hold).to_have_attribute("aria-describedby", "errors-pelvic_floor_hold_seconds")
    assert_accessible(page)

    # Another change still saves; the impossible one never reaches the database.
    expect(enter(page, "pelvic_floor_fast_reps", 14)).to_have_text("Saved, except 1 entry that needs correcting.")
    assessment.refresh_from_db()
    assert (assessment.pelvic_floor_hold_seconds, assessment.pelvic_floor_fast_reps) == (10, 14)
    expect(verdict(page).locator(".verdict__label")).to_contain_text("Ready")

    # Correcting it clears the error.
    expect(enter(page, "pelvic_floor_hold_seconds", 12)).to_have_text(SAVED)
    expect(errors).to_be_empty()
    expect(hold).not_to_have_attribute("aria-invalid", "true")
    assessment.refresh_from_db()
    assert assessment.pelvic_floor_hold_seconds == 12


def test_a_second_tab_does_not_overwrite_what_the_first_tab_saved(page, live_server, owner):
    page.set_viewport_size(TABLET)
    assessment = ready_assessment(make_client(owner))
    sign_in(page, live_server, owner)
    studio = f"{live_server.url}/assessments/{assessment.pk}/"
    tab_a = page
    tab_a.goto(studio)
    tab_b = page.context.new_page()
    tab_b.set_viewport_size(TABLET)
    tab_b.goto(studio)

    expect(enter(tab_a, "pelvic_floor_long_holds", 8)).to_have_text(SAVED)
    tab_b_status = enter(tab_b, "pelvic_floor_fast_reps", 15)

    expect(tab_b_status).to_contain_text("Not saved: this assessment was changed elsewhere")
    expect(tab_b_status.get_by_role("link", name="Reload to see the latest")).to_be_visible()
    expect(field(tab_b, "pelvic_floor_fast_reps")).to_have_value("15")
    assessment.refresh_from_db()
    assert (assessment.pelvic_floor_long_holds, assessment.pelvic_floor_fast_reps) == (8, 10)
    assert_accessible(tab_b)
