"""Her session lapses mid-assessment and nothing she typed is lost (issue 21, part 4).

The studio's save answers 401 once she is signed out (not the sign-in page, which the browser
would follow and htmx read as saved); the page keeps every value, in the boxes and in this tab's
storage, asks her to sign in again in a new tab or in place, and saves by itself afterwards."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from assessments.models import Assessment
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, make_client
from tests.factories import make_assessment

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^All changes saved at \d\d:\d\d:\d\d\.$")
SIGNED_OUT = re.compile(r"Not saved: you have been signed out")


@pytest.fixture
def studio(page, live_server, owner, console_problems):
    client = make_client(owner, "Amira Haddad", weeks=14)
    assessment = make_assessment(client, strength_calf_raise_left=None, strength_calf_raise_right=None)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    yield assessment
    # The refused and dropped saves are the point of these tests: the browser logs each as an error.
    expected = ("401", "responseError", "sendError", "htmx:afterRequest", "ERR_CONNECTION_FAILED")
    console_problems[:] = [line for line in console_problems if not any(mark in line for mark in expected)]


def type_in(page, name, value):
    page.locator(f'[name="{name}"]').fill(str(value))
    page.locator(f'[name="{name}"]').press("Tab")


def draft(page, assessment):
    return page.evaluate(f"JSON.parse(sessionStorage.getItem('restride-draft:/assessments/{assessment.pk}/') || 'null')")


def sign_out_behind_her_back():
    Session.objects.all().delete()  # her session lapsed (idle timeout) while the page stayed open


def test_a_lapsed_session_keeps_what_she_typed_and_saves_it_after_signing_in_in_a_new_tab(page, studio, owner):
    status = page.locator("#save-status")
    type_in(page, "strength_calf_raise_left", 14)
    expect(status).to_have_text(SAVED)

    sign_out_behind_her_back()
    type_in(page, "strength_calf_raise_right", 17)
    expect(status).to_contain_text(SIGNED_OUT)
    expect(status).not_to_contain_text("saved at")
    expect(page.locator('[name="strength_calf_raise_right"]')).to_have_value("17")
    assert draft(page, studio)["strength_calf_raise_right"] == "17", "kept in this tab's storage until saved"
    assert Assessment.objects.get(pk=studio.pk).strength_calf_raise_right is None

    with page.context.expect_page() as opened:
        status.get_by_role("link", name="sign in again in a new tab").click()
    tab = opened.value
    tab.locator("#id_username").fill(owner.email)
    tab.locator("#id_password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("You are signed in again")

    page.bring_to_front()  # back to the studio: it tries again (and every few seconds anyway)
    expect(status).to_have_text(SAVED, timeout=15_000)
    saved = Assessment.objects.get(pk=studio.pk)
    assert (saved.strength_calf_raise_left, saved.strength_calf_raise_right) == (14, 17)
    assert draft(page, studio) is None, "forgotten once saved"


def test_signing_in_again_in_place_brings_back_what_she_typed_and_saves_it(page, studio, owner):
    status = page.locator("#save-status")
    sign_out_behind_her_back()
    type_in(page, "strength_calf_raise_left", 19)
    expect(status).to_contain_text(SIGNED_OUT)

    status.get_by_role("link", name="or here").click()
    page.locator("#id_username").fill(owner.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment: Amira Haddad")  # back where she was
    expect(page.locator('[name="strength_calf_raise_left"]')).to_have_value("19")
    expect(status).to_have_text(SAVED, timeout=15_000)
    assert Assessment.objects.get(pk=studio.pk).strength_calf_raise_left == 19
    assert draft(page, studio) is None


def test_a_lost_connection_is_retried_on_a_timer_not_only_when_the_browser_says_online(page, studio):
    status = page.locator("#save-status")
    failures = {"left": 1}

    def drop_once(route):
        if failures["left"]:
            failures["left"] -= 1
            route.abort("connectionfailed")
        else:
            route.continue_()

    page.route(re.compile(r".*/assessments/\d+/$"), lambda route: drop_once(route) if route.request.method == "POST"
               else route.continue_())
    type_in(page, "strength_calf_raise_left", 12)
    expect(status).to_contain_text("Not saved: no connection")
    expect(status).to_have_text(SAVED, timeout=15_000)  # no `online` event: the timer did it
    assert Assessment.objects.get(pk=studio.pk).strength_calf_raise_left == 12
