"""axe finds no serious or critical violation on any page a trainer reaches.

The studio and the pages of the client journey are checked in the journey tests; this
module covers every other page, in the state a trainer sees it (with errors showing
where a page has a form that can be got wrong)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments.models import Assessment
from tests.browser.conftest import PHONE, TABLET, assert_accessible, screenshot, sign_in
from tests.conftest import make_client

pytestmark = pytest.mark.browser


def make_assessment(client, days_ago, **values):
    assessment = Assessment(
        client=client, assessed_on=timezone.localdate() - timedelta(days=days_ago), recorded_by=client.trainer
    )
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.save()
    return assessment


@pytest.fixture
def caseload(owner):
    """Two clients, one without consent, and three assessments: not yet, better, and refer."""
    amira = make_client(owner, "Amira Haddad", weeks=20, delivery="emergency_caesarean", breastfeeding=True,
                        goal="Parkrun in the spring")
    beth = make_client(owner, "Beth Okafor", consent=False)
    first = make_assessment(amira, days_ago=42, pelvic_floor_long_holds=3, pelvic_floor_fast_reps=6,
                            strength_calf_raise_left=10, strength_calf_raise_right=12, holistic_sleep=True)
    second = make_assessment(amira, days_ago=14, pelvic_floor_long_holds=7, pelvic_floor_fast_reps=11,
                             strength_calf_raise_left=18, strength_calf_raise_right=12, holistic_sleep=False,
                             load_impact_walk_value=30, load_impact_walk_symptoms=False)
    refer = make_assessment(amira, days_ago=0, symptoms_urinary_leakage=True, symptoms_heaviness_dragging=True,
                            pelvic_floor_long_holds=7)
    assert (first.verdict, second.verdict, refer.verdict) == ("not_yet", "not_yet", "refer")
    return SimpleNamespace(amira=amira, beth=beth, first=first, second=second, refer=refer)


@dataclass
class Visit:
    """How to reach one page, and the heading that proves we are on it."""

    name: str
    signed_in: bool
    go: Callable[[Page, str, SimpleNamespace], None]
    heading: str | Callable[[SimpleNamespace], str]


def open_path(path):
    return lambda page, url, data: page.goto(url + path(data))


def sign_in_with_a_wrong_password(page, url, data):
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill("owner@example.com")
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("email address and password")


def sign_up(page, url, data):
    page.goto(f"{url}/accounts/signup/")
    page.get_by_label("Your name").fill("New Trainer")
    page.get_by_label("Email address").fill("new-trainer@example.com")
    page.get_by_role("button", name="Create account").click()


def sign_up_link(data):
    from django.core import signing

    from accounts.views import SIGNUP_SALT

    details = {"email": "new-trainer@example.com", "full_name": "New Trainer", "business_name": ""}
    return f"/accounts/signup/{signing.dumps(details, salt=SIGNUP_SALT, compress=True)}/"


def add_a_client_with_mistakes(page, url, data):
    page.goto(f"{url}/clients/new/")
    page.get_by_label("Phone").fill("call me")
    page.get_by_role("button", name="Add client").click()
    expect(page.locator("#error-summary")).to_contain_text("Please correct 3 things below")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator(".field-errors")).to_have_count(3)


def confirm_deletion_with_the_wrong_name(page, url, data):
    page.goto(f"{url}/clients/{data.amira.pk}/delete/")
    page.get_by_label("Type her full name to confirm").fill("Amira")
    page.get_by_role("button", name="Delete everything about her").click()
    expect(page.get_by_text("That does not match her name, so nothing was deleted.")).to_be_visible()


def import_an_impossible_assessment(page, url, data):
    page.goto(f"{url}/clients/{data.amira.pk}/assessments/import/")
    page.get_by_label("Or paste the JSON").fill('{"assessed_on": "2001-01-01", "pelvic_floor": {"long_holds": 500}}')
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#error-summary")).to_contain_text("Nothing was imported: 2 problems")


VISITS = {
    visit.name: visit
    for visit in [
        Visit("sign-in", False, open_path(lambda d: "/accounts/login/"), "Sign in"),
        Visit("sign-in-error", False, sign_in_with_a_wrong_password, "Sign in"),
        Visit("sign-up", False, open_path(lambda d: "/accounts/signup/"), "Create your trainer account"),
        Visit("sign-up-sent", False, sign_up, "Check your email"),
        Visit("sign-up-choose-password", False, open_path(sign_up_link), "Choose your password"),
        Visit("password-reset", False, open_path(lambda d: "/accounts/password_reset/"), "Reset your password"),
        Visit("client-list", True, open_path(lambda d: "/clients/"), "Your clients"),
        Visit("client-form-errors", True, add_a_client_with_mistakes, "Add a client"),
        Visit("client-with-consent", True, open_path(lambda d: f"/clients/{d.amira.pk}/"), "Amira Haddad"),
        Visit("client-without-consent", True, open_path(lambda d: f"/clients/{d.beth.pk}/"), "Beth Okafor"),
        Visit("client-delete", True, confirm_deletion_with_the_wrong_name, "Permanently delete Amira Haddad"),
        Visit("profile", True, open_path(lambda d: "/accounts/profile/"), "Your details"),
        Visit("password-change", True, open_path(lambda d: "/accounts/password_change/"), "Change your password"),
        Visit("compare", True,
              open_path(lambda d: f"/clients/{d.amira.pk}/assessments/compare/?a={d.first.pk}&b={d.second.pk}"),
              "Compare assessments"),
        Visit("import-problems", True, import_an_impossible_assessment, "Import an assessment"),
        Visit("referral", True, open_path(lambda d: f"/assessments/{d.refer.pk}/referral/"),
              "Return-to-running screen: referral summary"),
        Visit("assessment-delete", True, open_path(lambda d: f"/assessments/{d.first.pk}/delete/"),
              lambda d: f"Delete the assessment of {d.first.assessed_on:%-d %b %Y}?"),
        Visit("studio-refer", True, open_path(lambda d: f"/assessments/{d.refer.pk}/"),
              "Assessment: Amira Haddad"),
    ]
}
AT_PHONE_WIDTH = ["sign-in", "client-list", "client-with-consent", "compare", "referral", "studio-refer"]
CASES = [
    *[pytest.param(name, TABLET, id=f"{name}-1024") for name in VISITS if name != "studio-refer"],
    *[pytest.param(name, PHONE, id=f"{name}-390") for name in AT_PHONE_WIDTH],
]


@pytest.mark.parametrize("visit_name,viewport", CASES)
def test_the_page_has_no_serious_accessibility_violations(page, live_server, owner, caseload, visit_name, viewport):
    visit = VISITS[visit_name]
    page.set_viewport_size(viewport)
    if visit.signed_in:
        sign_in(page, live_server, owner)
    visit.go(page, live_server.url, caseload)
    heading = visit.heading(caseload) if callable(visit.heading) else visit.heading
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    screenshot(page, f"a11y-{visit_name}-{viewport['width']}.png")


def test_the_compare_page_shows_what_changed_between_two_assessments(page, live_server, owner, caseload):
    sign_in(page, live_server, owner)
    VISITS["compare"].go(page, live_server.url, caseload)
    expect(page.locator(".lede")).to_have_text("4 improved · 0 worsened · 2 newly tested.")
    calf_left = page.get_by_role("row", name="Single leg calf raise (left)")
    expect(calf_left).to_contain_text("10 reps")
    expect(calf_left).to_contain_text("18 reps")
    expect(calf_left).to_contain_text("Improved")


def test_the_referral_summary_lists_the_red_flags_for_the_gp(page, live_server, owner, caseload):
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/assessments/{caseload.refer.pk}/")
    page.get_by_role("link", name="Printable referral summary").click()
    expect(page.get_by_role("heading", name="Outcome: Refer: see the GP or a pelvic health physiotherapist")).to_be_visible()
    expect(page.locator("article")).to_contain_text("Leaking urine reported")
    expect(page.locator("article")).to_contain_text("Heaviness or dragging reported")
    expect(page.locator("article")).to_contain_text("Olivia Owner, Owner Fitness")
