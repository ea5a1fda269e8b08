"""A session that lapses mid-assessment (issue 21, part 4), from the server's side: a signed-out
htmx request answers 401 with the way back to sign in, never the sign-in page as if it were the
answer; the page without JavaScript claims nothing is saved before it is. The browser's side is
tests/browser/test_lapsed_session.py."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from assessments.models import Assessment
from tests.conftest import PASSWORD
from tests.factories import make_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(client_record):
    return make_assessment(client_record, strength_calf_raise_left=None)


def studio_save(http, assessment, htmx=True, **values):
    data = {"assessed_on": assessment.assessed_on.isoformat(), "notes": "", "version": assessment.version, **values}
    return http.post(reverse("assessments:studio", args=[assessment.pk]), data, headers={"HX-Request": "true"} if htmx else {})


def test_a_signed_out_studio_save_answers_401_with_the_way_back(assessment, anon_http):
    response = studio_save(anon_http, assessment, strength_calf_raise_left="14")
    assert response.status_code == 401
    path = reverse("assessments:studio", args=[assessment.pk])
    assert response["X-Sign-In"] == f"{reverse('login')}?next={path}"
    assert "saved" not in response.content.decode().lower()
    assert Assessment.objects.get(pk=assessment.pk).strength_calf_raise_left is None


def test_every_signed_out_htmx_request_is_a_401_and_a_plain_one_still_goes_to_sign_in(client_record, anon_http):
    for url in [reverse("clients:list"), reverse("home"), client_record.get_absolute_url()]:
        assert anon_http.get(url, headers={"HX-Request": "true"}).status_code == 401, url
        assert anon_http.get(url)["Location"].startswith(reverse("login")), url


def test_a_signed_in_htmx_request_is_answered_as_before(owner_http, assessment):
    response = studio_save(owner_http, assessment, strength_calf_raise_left="14")
    assert response.status_code == 200 and "All changes saved at" in response.content.decode()


def test_without_javascript_the_studio_claims_nothing_is_saved_before_it_is(owner_http, assessment):
    page = owner_http.get(reverse("assessments:studio", args=[assessment.pk])).content.decode()
    assert "All changes saved" not in page and "saved as you go" not in page
    assert f"Last saved {assessment.updated_at:%-d %b %Y}" in page


def test_the_signed_in_again_page_is_for_a_signed_in_trainer(owner_http, stranger_http, anon_http):
    url = reverse("signed_in_again")
    assert anon_http.get(url)["Location"].startswith(reverse("login"))
    for http in (owner_http, stranger_http):  # nothing of anyone's on it: the same for every trainer
        page = http.get(url)
        assert page.status_code == 200 and "You are signed in again" in page.content.decode()


def test_a_save_after_signing_in_again_in_another_tab_passes_the_csrf_check_with_the_new_cookie(owner, assessment):
    """Signing in rotates the CSRF token: the studio (app.js) sends the cookie's current value."""
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(owner)
    page = http.get(reverse("assessments:studio", args=[assessment.pk]))
    old_token = page.content.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    http.logout()
    http.get(reverse("login"))  # her new tab's sign-in page
    http.post(reverse("login"), {"username": owner.email, "password": PASSWORD,
                                 "csrfmiddlewaretoken": http.cookies["csrftoken"].value})
    stale = studio_save(http, assessment, csrfmiddlewaretoken=old_token, strength_calf_raise_left="14")
    assert stale.status_code == 403, "the page's old token is refused"
    fresh = studio_save(http, assessment, csrfmiddlewaretoken=http.cookies["csrftoken"].value, strength_calf_raise_left="14")
    assert fresh.status_code == 200 and Assessment.objects.get(pk=assessment.pk).strength_calf_raise_left == 14
