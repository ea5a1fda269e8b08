"""Issue 12: pages bounded in her history, and one cache shared by every app server."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clients.models import ShareLink
from reports.progress import HISTORY_SHOWN, client_progress
from tests.conftest import make_client
from tests.factories import make_assessment

ROOT = Path(__file__).resolve().parent.parent
# Her page counts weeks and sessions to today, read again by the app: one day however long the run
# (tests/conftest.py midday). A subprocess is out of its reach: it is told the day instead.
pytestmark = pytest.mark.usefixtures("midday")


def history(client, count):
    """`count` assessments a week apart, the latest at 40 weeks after the birth."""
    return [make_assessment(client, days_after_birth=7 * (40 - count + index)) for index in range(1, count + 1)]


@pytest.mark.django_db
def test_her_page_shows_the_latest_twelve_and_summarises_the_rest(owner, anon_http):
    client = make_client(owner, weeks=40)
    made = history(client, HISTORY_SHOWN + 3)
    context = client_progress(client)
    assert [a.pk for a in context["assessments"]] == [a.pk for a in made[-HISTORY_SHOWN:]]
    assert context["earlier"]["count"] == 3 and context["earlier"]["first"] == made[0].assessed_on
    _, token = ShareLink.issue(client, owner)
    page = anon_http.get(reverse("reports:progress", args=[token])).content.decode()
    assert f"Before them you had 3 more, the first on {made[0].assessed_on:%-d %b %Y}" in page


@pytest.mark.django_db
def test_a_report_of_an_older_assessment_stops_at_that_date(owner):
    client = make_client(owner, weeks=40)
    made = history(client, HISTORY_SHOWN + 5)
    context = client_progress(client, made[-3])
    assert context["latest"] == made[-3] and context["assessments"][-1] == made[-3]
    assert context["earlier"]["count"] == 3  # 15 up to it, 12 shown


@pytest.mark.django_db
def test_no_summary_when_everything_is_shown(owner):
    client = make_client(owner, weeks=40)
    history(client, HISTORY_SHOWN)
    assert client_progress(client)["earlier"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 40])
def test_her_page_costs_the_same_queries_however_long_her_history(owner, anon_http, count, django_assert_max_num_queries):
    client = make_client(owner, weeks=60)
    history(client, count)
    _, token = ShareLink.issue(client, owner)
    with django_assert_max_num_queries(8):
        assert anon_http.get(reverse("reports:progress", args=[token])).status_code == 200


@pytest.mark.django_db
def test_her_page_with_a_programme_costs_exactly_the_same_with_3_or_40_check_ups(owner, anon_http):
    """Her trends and the count of earlier check-ups come from the one bounded query."""
    from datetime import timedelta

    from django.test.utils import CaptureQueriesContext

    from programmes.models import Plan, Programme, SessionLog

    counts, template = [], Plan.objects.get(name="Walk–run to 30 minutes")
    for index, count in enumerate([3, 40]):
        client = make_client(owner, f"Client {index}", weeks=60)
        history(client, count)
        plan = template.copy(trainer=owner, is_template=False)
        programme = Programme.objects.create(client=client, plan=plan, assigned_by=owner,
                                             start_date=timezone.localdate() - timedelta(days=6))
        SessionLog.objects.create(programme=programme, week=1, session_number=1, outcome="completed",
                                  done_on=timezone.localdate(), logged_by=owner)
        _, token = ShareLink.issue(client, owner)
        with CaptureQueriesContext(connection) as queries:
            page = anon_http.get(reverse("reports:progress", args=[token])).content.decode()
        assert "Running minutes each week" in page
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts  # at most 10, whatever the length of her history


# Two processes, one cache ---------------------------------------------------------------

# The other process reads the real clock, which this one's frozen noon does not reach: it draws the
# report as of the day it is given, the day this process serves it on (its key is the HTML drawn, and
# the HTML says how long ago the birth was), so a run across midnight cannot draw one day's report and
# look for the next day's.
DRAW_IN_ANOTHER_PROCESS = """
import sys
from datetime import date
import django
django.setup()
from assessments.models import Assessment
from reports.pdf import report_of, report_pdf

assessment = Assessment.objects.select_related("client__trainer").get(pk=int(sys.argv[1]))
pdf = report_pdf(report_of(assessment, date.fromisoformat(sys.argv[2])))
print(len(pdf))
"""


@pytest.mark.skipif(not settings.REDIS_URL or connection.vendor != "postgresql",
                    reason="needs PostgreSQL and REDIS_URL: what CI runs")
@pytest.mark.django_db(transaction=True)
def test_a_report_drawn_by_one_process_is_served_from_the_store_by_another(owner, anon_http, monkeypatch):
    client = make_client(owner)
    assessment = make_assessment(client)
    _, token = ShareLink.issue(client, owner)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings",
           "DATABASE_URL": f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST'] or '127.0.0.1'}:"
                           f"{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}"}
    drawn = subprocess.run([sys.executable, "-c", DRAW_IN_ANOTHER_PROCESS, str(assessment.pk),
                            timezone.localdate().isoformat()], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    size = int(drawn.stdout.split()[-1])

    def must_not_draw(context):
        raise AssertionError("this process drew the report again instead of using the stored one")

    monkeypatch.setattr("reports.pdf.html_to_pdf", must_not_draw)
    response = anon_http.get(reverse("reports:progress_pdf", args=[token, assessment.pk]))
    assert response.status_code == 200 and len(response.content) == size
    assert response.content.startswith(b"%PDF")


def test_redis_url_selects_the_shared_redis_cache(monkeypatch):
    """Settings read REDIS_URL once at start-up: check the choice in a fresh interpreter."""
    code = ("from django.conf import settings; import django; django.setup(); "
            "print(settings.CACHES['default']['BACKEND'], settings.AXES_HANDLER)")
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    with_redis = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                                env={**base, "REDIS_URL": "redis://127.0.0.1:6379/9"}).stdout
    without = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                             env={k: v for k, v in base.items() if k != "REDIS_URL"}).stdout
    assert "ResilientRedisCache" in with_redis and "LocMemCache" in without
    # Lockouts are in the database either way: no cache outage or eviction can lift one.
    assert "AxesDatabaseHandler" in with_redis and "AxesDatabaseHandler" in without

