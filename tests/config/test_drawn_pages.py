"""Every signed-in page is drawn for each request, from her data as it is (no page cache): what
changes shows at once, nothing of one response (CSRF token, CSP nonce, another trainer's view)
reaches another, and nothing of hers is kept in any cache, so erasing her leaves nothing behind."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.template.defaultfilters import date as date_filter
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import ShareLink
from tests.browser.conftest import assign_programme
from tests.conftest import cached_values, nothing_cached_about, visible_text
from tests.factories import make_assessment

# Her programme starts today and her pages count to today, read again by the app: one day however
# long the run (tests/conftest.py midday).
pytestmark = pytest.mark.usefixtures("midday")


def csrf_of(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_a_change_to_her_data_shows_at_once(owner_http, ready_client):
    url = reverse("clients:detail", args=[ready_client.pk])
    assert "Half marathon" not in owner_http.get(url).content.decode()
    ready_client.target_event = "Half marathon"
    ready_client.save()
    assert "Half marathon" in owner_http.get(url).content.decode()
    make_assessment(ready_client, days_after_birth=7 * 13)  # a row of hers, not her own row
    assert owner_http.get(url).content.decode().count("/assessments/") > 1


def test_each_session_gets_its_own_csrf_token_and_it_works(owner, ready_client):
    url = reverse("clients:detail", args=[ready_client.pk])
    first, second = HttpClient(enforce_csrf_checks=True), HttpClient(enforce_csrf_checks=True)
    first.force_login(owner)
    second.force_login(owner)
    first_page, second_page = first.get(url).content.decode(), second.get(url).content.decode()
    assert csrf_of(first_page) != csrf_of(second_page)
    response = second.post(reverse("clients:link_create", args=[ready_client.pk]), {"csrfmiddlewaretoken": csrf_of(second_page)})
    assert response.status_code in (200, 302)
    response = second.post(reverse("clients:link_create", args=[ready_client.pk]), {"csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403


def test_her_page_carries_each_responses_own_nonce(owner, ready_client, anon_http):
    assign_programme(ready_client)
    _, token = ShareLink.issue(ready_client, owner)
    url = reverse("reports:progress", args=[token])
    nonces = set()
    for _ in range(2):
        response = anon_http.get(url)
        page = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert re.findall(r'nonce="([^"]+)"', page) and set(re.findall(r'nonce="([^"]+)"', page)) == {nonce}
        nonces.add(nonce)
    assert len(nonces) == 2


def test_her_link_visits_show_on_her_page(owner_http, owner, ready_client, anon_http):
    url = reverse("clients:detail", args=[ready_client.pk])
    assert "She has not opened her private page yet" in owner_http.get(url).content.decode()
    _, token = ShareLink.issue(ready_client, owner)
    owner_http.get(url)
    anon_http.get(reverse("reports:progress", args=[token]))
    assert "She last opened it on" in owner_http.get(url).content.decode()


def test_another_trainer_never_gets_her_page(owner_http, stranger_http, ready_client):
    url = reverse("clients:detail", args=[ready_client.pk])
    assert owner_http.get(url).status_code == 200
    assert stranger_http.get(url).status_code == 404


def test_a_message_waiting_is_shown_once(owner_http, ready_client, rf):
    url = reverse("clients:detail", args=[ready_client.pk])
    owner_http.get(url)
    storage = CookieStorage(rf.get("/"))
    owner_http.cookies[storage.cookie_name] = storage._encode([Message(messages.SUCCESS, "Saved just now")])
    assert "Saved just now" in owner_http.get(url).content.decode()
    assert "Saved just now" not in owner_http.get(url).content.decode()


def test_the_client_list_follows_her_changes(owner_http, ready_client):
    url = reverse("clients:list")
    assert "Amira Haddad" in owner_http.get(url).content.decode()
    ready_client.full_name = "Amira Haddad-Smith"
    ready_client.save()
    assert "Amira Haddad-Smith" in owner_http.get(url).content.decode()


def test_home_follows_any_change_in_her_book(owner_http, owner, ready_client):
    """A new assessment for one client, a client added or deleted each show at once."""
    from clients.models import Client

    url = reverse("home")
    first = owner_http.get(url).content.decode()
    assert owner_http.get(url).content.decode().count("Amira Haddad") == first.count("Amira Haddad")
    newest = make_assessment(ready_client, days_after_birth=7 * 20)
    when = f"assessment of {newest.assessed_on:%-d %b %Y}"
    assert when not in first and when in owner_http.get(url).content.decode()
    other = Client.objects.create(trainer=owner, full_name="Bea Newcomer", baby_date_of_birth=ready_client.baby_date_of_birth)
    make_assessment(other, days_after_birth=7 * 14)
    assert "Bea Newcomer" in owner_http.get(url).content.decode()
    other.delete()
    after = owner_http.get(url)
    assert after.status_code == 200 and "Amira Haddad" in visible_text(after)
    assert "Bea Newcomer" not in after.content.decode()


def test_a_query_string_the_page_does_not_read_changes_nothing(owner_http, owner, ready_client, anon_http):
    assign_programme(ready_client)
    make_assessment(ready_client, days_after_birth=7 * 13)
    _, token = ShareLink.issue(ready_client, owner)
    junk = ["", "?utm_source=newsletter", "?logged=999", "?logged=abc", "?a=1&b=999999", "?a=&b=x"]
    her_page = reverse("reports:progress", args=[token])
    for query in junk:
        assert anon_http.get(her_page + query).status_code == 200
    for query in junk:
        for url in [reverse("clients:detail", args=[ready_client.pk]), reverse("assessments:compare", args=[ready_client.pk])]:
            page = owner_http.get(url + query)
            assert page.status_code == 200 and "Session logged." not in page.content.decode()


def test_the_pair_chosen_to_compare_is_compared(owner_http, ready_client):
    middle = ready_client.assessments.get()
    earliest = make_assessment(ready_client, days_after_birth=7 * 13)
    latest = make_assessment(ready_client, days_after_birth=7 * 15)
    url = reverse("assessments:compare", args=[ready_client.pk])

    def compared(query=""):
        page = owner_http.get(url + query).content.decode()
        return {a for a in (earliest, middle, latest) if f"<h2>{date_filter(a.assessed_on)}</h2>" in page}

    assert compared() == {middle, latest}, "her two latest by default"
    assert compared(f"?a={earliest.pk}&b=999999") == {middle, latest}, "one that is not hers: the default pair"
    assert compared(f"?a={earliest.pk}&b={middle.pk}") == {earliest, middle}


def test_nothing_of_hers_is_cached_by_any_page(owner_http, owner, ready_client, anon_http):
    """Her pages, the studio and home are drawn from the database each time: no cache holds her
    name, her notes or any page, so erasing her leaves nothing behind in any cache."""
    assessment = ready_client.assessments.get()
    assessment.notes = "Noted-only-here-7f3a"
    assessment.save()
    programme = assign_programme(ready_client)
    _, token = ShareLink.issue(ready_client, owner)
    for url in [reverse("home"), reverse("clients:list"), reverse("clients:detail", args=[ready_client.pk]),
                reverse("assessments:studio", args=[assessment.pk]), reverse("assessments:compare", args=[ready_client.pk]),
                reverse("programmes:assessment_summary", args=[assessment.pk]), reverse("clients:attention"),
                reverse("plans:detail", args=[programme.plan_id])]:
        assert owner_http.get(url).status_code == 200, url
    assert anon_http.get(reverse("reports:progress", args=[token])).status_code == 200
    assert nothing_cached_about(ready_client.full_name, "Noted-only-here-7f3a", "<html", "<div")
    assert not any(b"Amira" in value for value in cached_values())
