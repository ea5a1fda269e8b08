"""Ten identical "log session" posts at the same moment (a double tap, a retried request)
record one session — against a real multi-threaded server on PostgreSQL, as CI runs it.

SQLite serialises every write to the whole database, so the race this guards against only
exists on PostgreSQL: there the programme row lock and the unique (programme, sequence)
constraint are what stop the second log."""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from programmes.models import Plan, Programme, SessionLog
from tests.conftest import make_client, make_trainer
from tests.factories import make_assessment

POSTS = 10
# A programme starting today and a session logged today, read again by the live server's thread
# (time-machine's clock is the whole process's): one day however long the run (tests/conftest.py midday).
pytestmark = pytest.mark.usefixtures("midday")


@pytest.fixture
def postgresql_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("The row-lock race exists only on PostgreSQL: run with DATABASE_URL=postgres://…")


def fetch(url, cookies, data=None, headers=None):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data else None)
    request.add_header("Cookie", "; ".join(f"{name}={value}" for name, value in cookies.items()))
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), []


def programme_to_log():
    """A client of a new trainer with a programme at week 1, session 1."""
    import_module("programmes.migrations.0002_builtin_templates").install(apps, None)  # flushed by live-server tests
    trainer = make_trainer("race@example.com", "Rae Race")
    client = make_client(trainer)
    make_assessment(client)
    template = Plan.objects.get(trainer=None, name="Walk–run to 30 minutes")
    programme = Programme.assign(client=client, template=template, by=trainer, start_date=timezone.localdate())
    return trainer, client, programme


def log_form(url, cookies):
    """Open the page holding the log form as a browser would: keep its CSRF cookie in `cookies`
    and return the form's fields, filled in for a completed session today."""
    status, page, set_cookies = fetch(url, cookies)
    assert status == 200
    for header in set_cookies:
        name, _, rest = header.partition("=")
        if name == settings.CSRF_COOKIE_NAME:
            cookies[name] = rest.split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    sequence = re.search(r'name="sequence" value="(\d+)"', page).group(1)
    return {"csrfmiddlewaretoken": token, "sequence": sequence, "week": "1", "session": "1",
            "done_on": timezone.localdate().isoformat(), "outcome": "completed", "effort": "5", "notes": "",
            "any_symptoms": "no"}  # her form asks it (the trainer's ignores it)


def post_at_once(url, cookies, form, headers):
    """POSTS threads post the same form at the same moment: [(status, body, set-cookies)]."""
    start = threading.Barrier(POSTS)
    answers = [None] * POSTS

    def post(index):
        start.wait()
        answers[index] = fetch(url, cookies, form, headers)

    threads = [threading.Thread(target=post, args=(index,)) for index in range(POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_ten_simultaneous_identical_posts_record_one_session(postgresql_only, live_server):
    trainer, client, programme = programme_to_log()

    # One signed-in browser: its session cookie, CSRF cookie and the log form's token.
    http = HttpClient()
    http.force_login(trainer)
    cookies = {settings.SESSION_COOKIE_NAME: http.cookies[settings.SESSION_COOKIE_NAME].value}
    form = log_form(f"{live_server.url}{client.get_absolute_url()}", cookies)

    answers = post_at_once(f"{live_server.url}/programmes/{programme.pk}/log/", cookies, form,
                           {"HX-Request": "true", "Referer": f"{live_server.url}/"})

    assert [status for status, *_ in answers] == [200] * POSTS
    bodies = [body for _, body, _ in answers]
    assert sum("Session logged." in body for body in bodies) == 1
    assert sum(refused_as_a_repeat(body) for body in bodies) == POSTS - 1
    logs = list(SessionLog.objects.filter(programme=programme))
    assert [(log.sequence, log.week, log.session_number) for log in logs] == [(1, 1, 1)]
    programme = Programme.objects.filter(pk=programme.pk).with_progress().get()
    assert (programme.log_sequence, programme.state.week, programme.state.session) == (1, 1, 2)


def refused_as_a_repeat(body):
    """A repeat is refused either by the exactly-once sequence ("Already logged") or, when the first
    post has committed before this one's form is checked, by pacing's one session a day: a race
    decides which wording, never whether a second session is recorded."""
    return "Already logged" in body or "A session is already logged for" in body


def test_ten_simultaneous_identical_posts_through_her_link_record_one_session(postgresql_only, live_server):
    """Her own log, through her private link, is the same operation: exactly once under a race too."""
    from clients.models import ShareLink

    trainer, client, programme = programme_to_log()
    _, link_token = ShareLink.issue(client, trainer)
    url = f"{live_server.url}/p/{link_token}/log/"
    cookies = {}
    form = log_form(url, cookies)

    answers = post_at_once(url, cookies, form, {"Origin": live_server.url})

    bodies = [body for _, body, _ in answers]
    assert [status for status, *_ in answers] == [200] * POSTS  # the one that logged follows its redirect to her page
    assert sum("Session logged." in body for body in bodies) == 1
    assert sum(refused_as_a_repeat(body) for body in bodies) == POSTS - 1
    logs = list(SessionLog.objects.filter(programme=programme))
    assert [(log.sequence, log.logged_by_client) for log in logs] == [(1, True)]
