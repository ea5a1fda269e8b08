"""Every paged list draws the same pager (templates/includes/pagination.html): on its page 2 of 3 it
links back and on with the page's own labels, and keeps the page's own query (the log's filters, the
client list's search, archive and whose-clients switch) in front of the page number."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from tests.conftest import make_client
from tests.factories import make_assessment

PAGER = re.compile(r'<nav class="pagination" aria-label="Pages">(.*?)</nav>', re.DOTALL)
LINK = re.compile(r'<a class="button" href="([^"]*)" rel="(prev|next)">([^<]*)</a>')


def pager(response):
    """The page's one pager: its position and its links as {rel: (href as written in the HTML, label)}."""
    assert response.status_code == 200
    [nav] = PAGER.findall(response.content.decode())
    [position] = re.findall(r"<span>([^<]*)</span>", nav)
    return position, {rel: (href, label) for href, rel, label in LINK.findall(nav)}


def test_the_access_log_keeps_its_filters(owner, owner_http, client_record):
    AccessEvent.objects.bulk_create(
        AccessEvent(trainer=owner, studio=owner.studio, actor=owner, client=client_record, kind="viewed_client")
        for _ in range(120)
    )
    response = owner_http.get(reverse("audit:log"), {"client": client_record.pk, "kind": "viewed_client", "page": 2})
    keep = f"client={client_record.pk}&amp;kind=viewed_client"
    assert pager(response) == ("Page 2 of 3", {"prev": (f"?{keep}&amp;page=1", "Previous"),
                                               "next": (f"?{keep}&amp;page=3", "Next")})


def test_her_activity_pages(owner, owner_http, client_record):
    AccessEvent.objects.bulk_create(
        AccessEvent(trainer=owner, studio=owner.studio, actor=owner, client=client_record, kind="viewed_client")
        for _ in range(120)
    )
    response = owner_http.get(reverse("audit:client_activity", args=[client_record.pk]), {"page": 2})
    assert pager(response) == ("Page 2 of 3", {"prev": ("?page=1", "Previous"), "next": ("?page=3", "Next")})


def test_her_assessments_page_later_and_earlier(owner_http, client_record, monkeypatch):
    monkeypatch.setattr("assessments.views.LIST_PAGE_SIZE", 2)
    for index in range(5):
        make_assessment(client_record, days_after_birth=7 * 13 + index)
    response = owner_http.get(reverse("assessments:list", args=[client_record.pk]), {"page": 2})
    assert pager(response) == ("Page 2 of 3", {"prev": ("?page=1", "Later"), "next": ("?page=3", "Earlier")})


def test_a_programme_history_pages_earlier_and_later(owner, owner_http, ready_client, monkeypatch):
    from programmes.models import Programme, ProgrammeEvent
    from tests.conftest import walk_run_30

    monkeypatch.setattr("programmes.views.HISTORY_PAGE_SIZE", 2)
    programme = Programme.assign(client=ready_client, template=walk_run_30(), by=owner,
                                 start_date=timezone.localdate() - timedelta(days=14))
    ProgrammeEvent.objects.bulk_create(  # with the assignment, 5 events: 3 pages
        ProgrammeEvent(programme=programme, kind="corrected", sequence=1, by=owner, reason=f"Correction {n}",
                       at=timezone.now() + timedelta(minutes=n)) for n in range(4))
    response = owner_http.get(reverse("programmes:history", args=[programme.pk]), {"page": 2})
    assert pager(response) == ("Page 2 of 3", {"prev": ("?page=1", "Earlier"), "next": ("?page=3", "Later")})


@pytest.mark.parametrize("everyone", [False, True])
def test_see_all_keeps_whose_clients(owner, owner_http, colleague, monkeypatch, everyone):
    monkeypatch.setattr("practice.views.ALL_PAGE_SIZE", 2)
    for index in range(5):
        make_assessment(make_client(owner, f"Client {index:02}"), symptoms_urinary_leakage=True)  # a red flag: listed
    response = owner_http.get(reverse("clients:attention"), {"page": 2, **({"clients": "all"} if everyone else {})})
    keep = "clients=all&amp;" if everyone else ""
    assert pager(response) == ("Page 2 of 3", {"prev": (f"?{keep}page=1", "Previous"),
                                               "next": (f"?{keep}page=3", "Next")})


@pytest.mark.parametrize(("asked", "keep"), [
    ({}, ""),
    ({"q": "  "}, "q=%20%20&amp;"),  # kept as typed, as the search box shows it
    ({"q": "rose & co/"}, "q=rose%20%26%20co/&amp;"),
    ({"clients": "all", "show": "archived", "q": "Rose"}, "q=Rose&amp;show=archived&amp;clients=all&amp;"),
    ({"show": "archived", "clients": "mine", "utm": "x"}, "show=archived&amp;"),  # only what the list reads
])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_client_list_keeps_its_search_archive_and_whose_clients(owner, owner_http, colleague, monkeypatch,
                                                                   asked, keep, htmx):
    from clients.models import Client

    monkeypatch.setattr("practice.views.PAGE_SIZE", 2)
    for index in range(5):
        make_client(owner if index % 2 else colleague, f"Rose & Co/ {index:02}")
    if asked.get("show") == "archived":
        Client.objects.update(archived_at=timezone.now())
    if asked.get("clients") != "all":  # hers alone: three pages of her five
        for index in range(5, 8):
            make_client(owner, f"Rose & Co/ {index:02}", archived_at=timezone.now() if asked.get("show") else None)
    headers = {"HX-Request": "true"} if htmx else {}
    response = owner_http.get(reverse("clients:list"), {**asked, "page": 2}, headers=headers)
    assert ("<html" in response.content.decode()) is not htmx, "the search's results alone, or the whole page"
    assert pager(response) == ("Page 2 of 3", {"prev": (f"?{keep}page=1", "Previous"),
                                               "next": (f"?{keep}page=3", "Next")})


def test_the_pager_is_drawn_in_one_place():
    templates = Path(settings.BASE_DIR) / "templates"
    drawn = sorted(str(path.relative_to(templates)) for path in templates.rglob("*.html")
                   if 'class="pagination"' in path.read_text())
    assert drawn == ["includes/pagination.html"]
