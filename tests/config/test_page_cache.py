"""Pages drawn once per version of her data (config/fragments.py): what changes shows at once,
and nothing of one response (CSRF token, CSP nonce, another trainer's view) leaks into another."""

import re

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.template.defaultfilters import date as date_filter
from django.test import Client as HttpClient
from django.urls import reverse

from privacy.erasure import erase_client
from clients.models import ShareLink
from config.fragments import stand_in
from reports.pdf import client_report_keys
from tests.browser.conftest import assign_programme
from tests.factories import make_assessment


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
    assert stand_in("csrf") not in first_page + second_page
    assert csrf_of(first_page) != csrf_of(second_page)
    # The second session's form, served from the cache, carries a token its session accepts.
    response = second.post(reverse("clients:link_create", args=[ready_client.pk]), {"csrfmiddlewaretoken": csrf_of(second_page)})
    assert response.status_code in (200, 302)
    response = second.post(reverse("clients:link_create", args=[ready_client.pk]), {"csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403


def test_her_page_from_the_cache_carries_this_responses_nonce(owner, ready_client, anon_http):
    assign_programme(ready_client)
    _, token = ShareLink.issue(ready_client, owner)
    url = reverse("reports:progress", args=[token])
    for _ in range(2):  # drawn, then served from the cache
        response = anon_http.get(url)
        page = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert stand_in("nonce") not in page
        assert re.findall(r'nonce="([^"]+)"', page) and set(re.findall(r'nonce="([^"]+)"', page)) == {nonce}


def test_her_link_visits_show_on_her_page_though_they_do_not_move_her_version(owner_http, owner, ready_client, anon_http):
    url = reverse("clients:detail", args=[ready_client.pk])
    assert "She has not opened her private page yet" in owner_http.get(url).content.decode()
    _, token = ShareLink.issue(ready_client, owner)
    owner_http.get(url)
    anon_http.get(reverse("reports:progress", args=[token]))
    assert "She last opened it on" in owner_http.get(url).content.decode()


def test_another_trainer_never_gets_the_cached_page(owner_http, stranger_http, ready_client):
    url = reverse("clients:detail", args=[ready_client.pk])
    assert owner_http.get(url).status_code == 200
    assert stranger_http.get(url).status_code == 404


def test_a_message_waiting_is_shown_not_a_cached_page(owner_http, ready_client, rf):
    url = reverse("clients:detail", args=[ready_client.pk])
    owner_http.get(url)  # now in the cache
    storage = CookieStorage(rf.get("/"))
    owner_http.cookies[storage.cookie_name] = storage._encode([Message(messages.SUCCESS, "Saved just now")])
    assert "Saved just now" in owner_http.get(url).content.decode()
    assert "Saved just now" not in owner_http.get(url).content.decode()  # shown once


def test_erasing_her_removes_her_cached_pages(owner_http, ready_client):
    owner_http.get(reverse("clients:detail", args=[ready_client.pk]))
    owner_http.get(reverse("clients:list"))
    keys = client_report_keys(ready_client.pk)
    assert len(keys) == 2 and all(cache.get(key) for key in keys)
    erase_client(ready_client)
    assert not any(cache.get(key) for key in keys)


def test_the_client_list_follows_her_changes(owner_http, ready_client):
    url = reverse("clients:list")
    assert "Amira Haddad" in owner_http.get(url).content.decode()
    ready_client.full_name = "Amira Haddad-Smith"
    ready_client.save()
    assert "Amira Haddad-Smith" in owner_http.get(url).content.decode()


def test_home_follows_any_change_in_her_book(owner_http, owner, ready_client):
    """Home is drawn once per version of the whole book: a new assessment for one client, an
    acknowledgement, a client added or deleted each show at once."""
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
    assert "Bea Newcomer" not in owner_http.get(url).content.decode()


def test_home_is_served_from_the_cache_while_nothing_changes(owner_http, ready_client, django_assert_max_num_queries):
    url = reverse("home")
    owner_http.get(url)
    with django_assert_max_num_queries(4):  # session, trainer, the book's version: no worklist query
        page = owner_http.get(url).content.decode()
    assert "Amira Haddad" in page


def test_erasing_a_client_removes_the_home_page_that_named_her(owner_http, ready_client):
    make_assessment(ready_client, days_after_birth=7 * 14)
    owner_http.get(reverse("home"))
    keys = client_report_keys(ready_client.pk)
    assert keys and all(cache.get(key) for key in keys)
    erase_client(ready_client)
    assert not any(cache.get(key) for key in keys)


def test_a_query_string_the_page_does_not_read_makes_no_copy_of_it(owner_http, owner, ready_client, anon_http):
    assign_programme(ready_client)
    make_assessment(ready_client, days_after_birth=7 * 13)
    _, token = ShareLink.issue(ready_client, owner)
    junk = ["", "?utm_source=newsletter", "?logged=999", "?logged=abc", "?a=1&b=999999", "?a=&b=x"]
    her_page = reverse("reports:progress", args=[token])
    for query in junk:
        assert anon_http.get(her_page + query).status_code == 200
    trainer_pages = [reverse("clients:detail", args=[ready_client.pk]), reverse("assessments:compare", args=[ready_client.pk])]
    for query in junk:  # after her visits, which the client page shows
        for url in trainer_pages:
            assert owner_http.get(url + query).status_code == 200
    # One copy of each page: her client page, the comparison (her own page, holding her link, is never cached).
    assert len(client_report_keys(ready_client.pk)) == 2


def test_the_pair_chosen_to_compare_is_its_own_page(owner_http, ready_client):
    older = ready_client.assessments.get()
    newer = make_assessment(ready_client, days_after_birth=7 * 13)
    make_assessment(ready_client, days_after_birth=7 * 15)
    url = reverse("assessments:compare", args=[ready_client.pk])
    owner_http.get(url)
    owner_http.get(f"{url}?a={older.pk}&b=999999")  # names one that is not hers: the default pair
    assert len(client_report_keys(ready_client.pk)) == 1
    page = owner_http.get(f"{url}?a={older.pk}&b={newer.pk}").content.decode()
    assert len(client_report_keys(ready_client.pk)) == 2
    assert f"<h2>{date_filter(older.assessed_on)}</h2>" in page
