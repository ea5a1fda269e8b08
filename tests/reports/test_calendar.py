"""Her calendar feed (issue 13): upcoming sessions and the next check-up, following pauses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clients.models import ShareLink
from programmes.models import Plan, Programme, SessionLog
from tests.conftest import make_client
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def her(owner):
    client = make_client(owner)
    latest = make_assessment(client)
    programme = Programme.objects.create(
        client=client, plan=Plan.objects.get(trainer=None, name="Walk–run to 30 minutes").copy(trainer=owner, is_template=False),
        start_date=timezone.localdate(), assigned_by=owner,
    )
    _, token = ShareLink.issue(client, owner)
    return {"client": client, "latest": latest, "programme": programme, "token": token}


def feed(http, token):
    return http.get(reverse("reports:calendar", args=[token]))


def events(response):
    return [c for c in Calendar.from_ical(response.content).walk("VEVENT")]


def test_the_feed_lists_this_weeks_sessions_and_the_next_check_up(anon_http, her):
    response = feed(anon_http, her["token"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "private, no-store"
    found = events(response)
    sessions = [e for e in found if str(e["summary"]).startswith("Walk–run")]
    assert [str(e["summary"]) for e in sessions] == [f"Walk–run: week 1, session {n}" for n in (1, 2, 3)]
    today = timezone.localdate()
    assert [e.decoded("dtstart") for e in sessions] == [today, today + timedelta(days=2), today + timedelta(days=4)]
    assert "Warm up 5 min walking, then 8 × (run 1 min, walk 1 min 30 s)" in str(sessions[0]["description"])
    check_up = [e for e in found if str(e["summary"]) == "Check-in with your trainer"]
    assert check_up[0].decoded("dtstart") == her["latest"].assessed_on + timedelta(weeks=4)


def test_uids_stay_the_same_between_polls_so_calendars_update_in_place(anon_http, her):
    first = {str(e["uid"]) for e in events(feed(anon_http, her["token"]))}
    assert first == {str(e["uid"]) for e in events(feed(anon_http, her["token"]))}


def test_a_logged_session_moves_the_feed_on(anon_http, her, owner):
    SessionLog.objects.create(programme=her["programme"], sequence=1, week=1, session_number=1, done_on=timezone.localdate(),
                              outcome="completed", effort=4, logged_by=owner)
    summaries = [str(e["summary"]) for e in events(feed(anon_http, her["token"]))]
    assert "Walk–run: week 1, session 1" not in summaries and "Walk–run: week 1, session 2" in summaries


def test_a_referral_hold_empties_the_sessions_from_her_calendar(anon_http, her):
    make_assessment(her["client"], symptoms_urinary_leakage=True)
    response = feed(anon_http, her["token"])
    assert response.status_code == 200
    summaries = [str(e["summary"]) for e in events(response)]
    assert "See a health professional before running" in summaries, "what takes the sessions' place"
    assert not [s for s in summaries if s.startswith("Walk–run")]


def test_a_revoked_or_unknown_link_gets_the_same_404(anon_http, her):
    assert feed(anon_http, "not-a-token").status_code == 404
    ShareLink.objects.filter(client=her["client"]).revoke()
    assert feed(anon_http, her["token"]).status_code == 404


def test_one_link_shows_only_its_own_client(anon_http, her, owner, stranger):
    other = make_client(stranger, name="Other Client")
    _, other_token = ShareLink.issue(other, stranger)
    response = feed(anon_http, other_token)
    assert response.status_code == 200 and response.content.startswith(b"BEGIN:VCALENDAR"), "her own feed, empty"
    assert "Walk–run" not in response.content.decode()
    assert "Walk–run" in feed(anon_http, her["token"]).content.decode(), "the first client's link still shows hers"


def test_her_page_offers_the_calendar(anon_http, her):
    page = anon_http.get(reverse("reports:progress", args=[her["token"]])).content.decode()
    assert f"webcal://testserver/p/{her['token']}/calendar.ics" in page
