"""Issue 23 §1: email reminders she asked for, and her trainer's daily digest. Exactly once per
(her, kind, day) under overlapping schedulers; quiet hours in her time zone; they stop by
themselves; no health detail in any email; one-click unsubscribe without signing in."""

import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AccessEvent
from clients.models import Client, ShareLink
from practice import reminders
from practice.reminders import message_for, run, send_reminder
from programmes.models import Programme, SessionLog
from reports.models import Reminder
from reports.reminder_rules import Facts, due_kinds
from reports.unsubscribe import path_for
from tests.conftest import make_client, visible_text, walk_run_30
from tests.factories import make_assessment

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 12, 7)


def at(hour, day=TODAY, zone=LONDON):
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


# The rules (pure)

def test_the_session_day_reminder_goes_in_the_morning_only():
    facts = Facts(planned_on=TODAY, check_up_due=None)
    assert due_kinds(facts, at(6)) == []  # quiet hours
    assert due_kinds(facts, at(7)) == ["session_day"]
    assert due_kinds(facts, at(11)) == ["session_day"]
    assert due_kinds(facts, at(12)) == []
    assert due_kinds(Facts(TODAY - timedelta(days=1), None), at(8)) == []  # overdue: not every morning


def test_the_nudge_comes_two_days_after_a_planned_session_with_nothing_logged():
    facts = Facts(planned_on=TODAY - timedelta(days=2), check_up_due=None)
    assert due_kinds(facts, at(15)) == ["missed"]
    assert due_kinds(Facts(TODAY - timedelta(days=1), None), at(15)) == []
    assert due_kinds(Facts(TODAY - timedelta(days=3), None), at(15)) == []


def test_the_check_up_reminder_comes_a_week_before_it_is_due():
    assert due_kinds(Facts(None, TODAY + timedelta(days=7)), at(9)) == ["check_up"]
    assert due_kinds(Facts(None, TODAY + timedelta(days=6)), at(9)) == []


@given(st.integers(0, 23), st.sampled_from(["Europe/London", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata"]),
       st.integers(-3, 9))
def test_property_never_before_seven_or_after_nine_her_time(hour, zone, offset):
    local = at(hour, zone=ZoneInfo(zone))
    facts = Facts(TODAY + timedelta(days=offset % 3 - 2), TODAY + timedelta(days=offset))
    if due_kinds(facts, local):
        assert 7 <= local.hour < 21


# The scheduler

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def her(owner):
    """Reminders on; her programme starts today, so today is a planned session day."""
    client = make_client(owner, "Amira Haddad", weeks=16, email="amira@example.com")
    make_assessment(client, days_after_birth=7 * 16)
    programme = Programme.assign(client=client, template=walk_run_30(), start_date=timezone.localdate(), by=owner)
    _, token = ShareLink.issue(client, owner)
    client.set_reminders(True, by_her=True)
    return {"client": client, "programme": programme, "token": token}


def morning(zone="Europe/London", hour=8):
    today = timezone.localdate()
    return datetime(today.year, today.month, today.day, hour, tzinfo=ZoneInfo(zone))


@pytest.fixture
def queued(monkeypatch):
    """The reminders whose sending was queued."""
    found = []
    monkeypatch.setattr(reminders, "queue_sending", found.append)
    return found


def test_a_session_morning_queues_one_reminder_and_a_second_run_none(her, queued, owner):
    owner.daily_digest = False
    owner.save()
    [reminder] = run(morning())
    assert (reminder.client, reminder.kind, reminder.day) == (her["client"], "session_day", timezone.localdate())
    assert run(morning()) == [] and run(morning(hour=9)) == []
    assert queued == [reminder.pk] and Reminder.objects.count() == 1


def test_two_schedulers_that_overlap_claim_it_once(her, queued, owner):
    """Both work out that it is due before either inserts: the unique row lets one win."""
    owner.daily_digest = False
    owner.save()
    first = reminders.claim("session_day", timezone.localdate(), client=her["client"])
    second = reminders.claim("session_day", timezone.localdate(), client=her["client"])
    assert first is not None and second is None
    assert queued == [first.pk] and Reminder.objects.count() == 1


@pytest.fixture
def templates_installed(transactional_db):
    """A transactional test starts from an emptied database: the built-in templates again."""
    from importlib import import_module

    from django.apps import apps

    from programmes.models import Plan

    if not Plan.objects.filter(trainer__isnull=True).exists():
        import_module("programmes.migrations.0002_builtin_templates").install(apps, None)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_once(templates_installed, her, queued, owner):
    """Two schedulers at the same moment, in two threads (on PostgreSQL, two real transactions)."""
    owner.daily_digest = False
    owner.save()
    start, results = threading.Barrier(2), []

    def scheduler():
        start.wait()
        try:
            for _ in range(20):
                try:
                    results.append(len(run(morning())))
                    return
                except OperationalError:  # SQLite's "database is locked": that scheduler runs again
                    time.sleep(0.05)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert Reminder.objects.count() == 1 and len(queued) == 1


@pytest.mark.parametrize("zone, utc_hour, due", [
    ("Europe/London", 6, False),  # 06:00 in London
    ("Europe/London", 7, True),
    ("America/New_York", 7, False),  # 02:00 in New York
    ("America/New_York", 13, True),  # 08:00 in New York
    ("Pacific/Auckland", 22, False),  # 11:00 the next day in Auckland: not her session day
])
def test_quiet_hours_are_hers(her, queued, owner, zone, utc_hour, due):
    owner.daily_digest = False
    owner.save()
    Client.objects.filter(pk=her["client"].pk).update(time_zone=zone)
    today = timezone.localdate()
    now = datetime(today.year, today.month, today.day, utc_hour, tzinfo=UTC)
    assert bool(run(now)) == due


@pytest.mark.parametrize("stop", ["revoked", "expired", "consent_withdrawn", "archived", "turned_off", "red_flag",
                                  "paused", "no_email"])
def test_reminders_stop_by_themselves(her, queued, owner, stop):
    owner.daily_digest = False
    owner.save()
    client, programme = her["client"], her["programme"]
    if stop == "revoked":
        client.share_links.revoke()
    elif stop == "expired":
        ShareLink.objects.filter(client=client).update(expires_on=timezone.localdate() - timedelta(days=1))
    elif stop == "consent_withdrawn":
        client.withdraw_consent(owner)
    elif stop == "archived":
        client.archive()
    elif stop == "turned_off":
        client.set_reminders(False, by_her=True)
    elif stop == "red_flag":
        programme.log_session(by=owner, sequence=1, done_on=timezone.localdate() - timedelta(days=0), outcome="partial",
                              symptoms=["abnormal_bleeding"])
    elif stop == "paused":  # its stored state, as a pause leaves it (the pause rules are tested in programmes)
        Programme.objects.filter(pk=programme.pk).update(stored_status="paused")
    elif stop == "no_email":
        Client.objects.filter(pk=client.pk).update(email="")
    for hour in (8, 15):
        assert run(morning(hour=hour)) == []


def test_a_reminder_turned_off_after_it_was_queued_is_not_sent(her, queued, owner):
    owner.daily_digest = False
    owner.save()
    [reminder] = run(morning())
    her["client"].set_reminders(False, by_her=True)
    assert send_reminder.call(reminder.pk) is False and mail.outbox == []
    assert Reminder.objects.get().skipped


def test_the_plain_text_says_names_as_written_and_the_html_escapes_them(her, queued, owner):
    Client.objects.filter(pk=her["client"].pk).update(full_name="Siobhán O'Neil")
    owner.full_name = "Kim & Co <Studio>"
    owner.daily_digest = False
    owner.save()
    [reminder] = run(morning())
    message = message_for(Reminder.objects.select_related("client__trainer").get(pk=reminder.pk))
    assert "Hello Siobhán," in message.body and "Kim & Co <Studio>" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body and "&lt;" not in message.body
    assert "Kim &amp; Co &lt;Studio&gt;" in message.alternatives[0][0]


def test_the_worker_sends_it_once_with_a_one_click_unsubscribe_and_no_health_detail(her, queued, owner, settings):
    settings.SITE_URL = "https://restride.example"
    owner.daily_digest = False
    owner.save()
    [reminder] = run(morning())
    assert send_reminder.call(reminder.pk) is True
    assert send_reminder.call(reminder.pk) is False  # a task run twice sends once
    [email] = mail.outbox
    assert email.to == ["amira@example.com"] and email.subject == "Your walk–run session today"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.extra_headers["List-Unsubscribe"].startswith("<https://restride.example/unsubscribe/")
    html = email.alternatives[0][0]
    for text in (email.body, html):
        assert "Amira" in text and owner.full_name in text and f"/p/{her['token']}/" in text
        for detail in ("symptom", "verdict", "ready", "refer", "bleeding", "leak", "pain", "Haddad", "week 1"):
            assert detail not in text.lower().replace("amira haddad", "")


def test_the_trainer_gets_one_digest_a_day_when_her_worklist_is_not_empty(her, queued, owner):
    her["client"].set_reminders(False, by_her=True)
    # Her programme starting tomorrow, nothing is due today (issue 22's "session due"): nobody on the worklist.
    from clients import versions
    Programme.objects.filter(pk=her["programme"].pk).update(start_date=timezone.localdate() + timedelta(days=1))
    with versions.operation():
        versions.derive(her["client"].pk)
    assert run(morning()) == []
    other = make_client(owner, "Dani Evans", weeks=4)
    make_assessment(other, days_after_birth=7 * 4)  # too early: "not yet"
    Client.objects.filter(pk=other.pk).update(on_worklist_from=timezone.localdate())
    # A "not yet" more than the reassessment interval ago puts her on the worklist.
    other.assessments.update(assessed_on=timezone.localdate() - timedelta(weeks=8))
    with versions.operation():
        versions.derive(other.pk)
    claimed = run(morning())
    assert [r.kind for r in claimed] == ["digest"] and run(morning(hour=10)) == []
    message = message_for(claimed[0])
    assert "1 client on your worklist today" in message.body and "Dani" not in message.body


def test_the_digest_can_be_switched_off_in_her_profile(owner_http, owner):
    response = owner_http.post(reverse("profile"), {"full_name": owner.full_name, "daily_digest": ""})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.daily_digest is False


# Unsubscribe without signing in

def test_unsubscribe_get_shows_a_button_and_changes_nothing(her, anon_http):
    url = path_for(client=her["client"])
    page = anon_http.get(url).content.decode()
    assert "Stop reminder emails" in page and "<form" in page
    assert Client.objects.get(pk=her["client"].pk).reminders_since is not None


def test_one_click_post_unsubscribes_and_is_logged(her):
    http = HttpClient(enforce_csrf_checks=True)  # a mail app's POST carries no CSRF token
    response = http.post(path_for(client=her["client"]), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no more reminder emails" in response.content.decode()
    assert Client.objects.get(pk=her["client"].pk).reminders_since is None
    assert AccessEvent.objects.filter(client=her["client"], kind="reminders_unsubscribed").count() == 1
    again = http.post(path_for(client=her["client"]))  # again: nothing changes, nothing more logged
    assert again.status_code == 200 and "no more reminder emails" in again.content.decode()
    assert AccessEvent.objects.filter(client=her["client"], kind="reminders_unsubscribed").count() == 1


def test_the_trainer_unsubscribes_from_the_digest(owner):
    response = HttpClient(enforce_csrf_checks=True).post(path_for(trainer=owner))
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.daily_digest is False
    assert AccessEvent.objects.filter(trainer=owner, kind="reminders_unsubscribed").exists()


def test_a_forged_unsubscribe_token_is_not_found(anon_http, her):
    assert anon_http.post(reverse("reports:unsubscribe", args=["not-a-token"])).status_code == 404
    forged = path_for(client=her["client"])[:-3] + "xx/"
    assert anon_http.post(forged).status_code == 404


# Turning them on: her, or her trainer with her consent

def test_she_turns_reminders_on_and_off_from_her_page(her, anon_http):
    client = her["client"]
    client.set_reminders(False, by_her=True)
    url = reverse("reports:reminders", args=[her["token"]])
    page = anon_http.get(url).content.decode()
    assert "Email me reminders" in page and "before 7am or after 9pm" in page
    response = anon_http.post(url, {"reminders": "on", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.reminders_since and client.reminders_by_her and client.time_zone == "Europe/Paris"
    assert AccessEvent.objects.filter(client=client, kind="link_reminders_on", via_link=True).exists()
    anon_http.post(url, {"reminders": "off", "time_zone": "Europe/Paris"})
    client.refresh_from_db()
    assert client.reminders_since is None


def test_her_reminders_page_refuses_bad_input_and_a_dead_link(her, anon_http):
    url = reverse("reports:reminders", args=[her["token"]])
    response = anon_http.post(url, {"reminders": "on", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400 and "time zone" in response.content.decode()
    Client.objects.filter(pk=her["client"].pk).update(email="")
    her["client"].set_reminders(False, by_her=True)
    response = anon_http.post(url, {"reminders": "on", "time_zone": "Europe/London"})
    assert response.status_code == 400 and "ask them to add it" in response.content.decode()
    her["client"].share_links.revoke()
    assert anon_http.get(url).status_code == 404


def test_the_trainer_records_her_consent(her, owner_http, stranger_http, anon_http):
    client = her["client"]
    client.set_reminders(False, by_her=True)
    url = reverse("clients:reminders", args=[client.pk])
    assert anon_http.post(url, {"reminders": "on"}).status_code == 302
    assert stranger_http.post(url, {"reminders": "on"}).status_code == 404
    client.refresh_from_db()
    assert client.reminders_since is None
    assert owner_http.post(url, {"reminders": "on"}).status_code == 302
    client.refresh_from_db()
    assert client.reminders_since and not client.reminders_by_her
    assert AccessEvent.objects.filter(client=client, kind="reminders_on").exists()
    assert "you recorded her consent" in owner_http.get(client.get_absolute_url()).content.decode()


def test_her_calendar_sessions_carry_an_alarm(her, anon_http):
    feed = anon_http.get(reverse("reports:calendar", args=[her["token"]])).content.decode()
    assert feed.count("BEGIN:VALARM") == feed.count("SUMMARY:Walk–run") >= 1
    assert "TRIGGER;RELATED=START:PT8H" in feed and "ACTION:DISPLAY" in feed


def test_erasure_removes_her_reminders(her, queued, owner):
    from privacy.erasure import erase_client

    owner.daily_digest = False
    owner.save()
    assert len(run(morning())) == 1 and Reminder.objects.filter(client=her["client"]).exists(), "one to erase"
    erase_client(her["client"])
    assert not Reminder.objects.exists() and not SessionLog.objects.exists()


def test_each_email_renders_in_plain_text_and_html(her, owner, settings):
    """Each reminder drawn to artifacts/reminder-emails/ (plain text and HTML) for reading."""
    from tests.browser.conftest import REPO_ROOT

    settings.SITE_URL = "https://restride.example"
    folder = REPO_ROOT / "artifacts" / "reminder-emails"
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("session_day", "missed", "check_up", "digest"):
        reminder = Reminder.objects.create(client=None if kind == "digest" else her["client"], trainer=owner,
                                           kind=kind, day=timezone.localdate())
        message = message_for(reminder)
        (folder / f"{kind}.txt").write_text(f"Subject: {message.subject}\nTo: {message.to[0]}\n"
                                            + "".join(f"{k}: {v}\n" for k, v in message.extra_headers.items())
                                            + "\n" + message.body)
        (folder / f"{kind}.html").write_text(message.alternatives[0][0])
        assert "unsubscribe" in message.body.lower() or "stop" in message.body.lower()


@pytest.mark.parametrize("count", [3, 30])
def test_a_scheduler_run_costs_the_same_however_many_clients(owner, queued, count, django_assert_max_num_queries):
    """Nothing due (07:00 on a day with no planned session): a fixed number of queries for 3 or 30."""
    owner.daily_digest = False
    owner.save()
    for n in range(count):
        client = make_client(owner, f"Client {n}", weeks=16, email=f"c{n}@example.com")
        make_assessment(client, days_after_birth=7 * 16)
        Programme.assign(client=client, template=walk_run_30(), start_date=timezone.localdate() + timedelta(days=5),
                         by=owner)
        ShareLink.issue(client, owner)
        client.set_reminders(True, by_her=True)
    with django_assert_max_num_queries(3):
        assert run(morning(hour=7)) == []


def test_her_reminder_switch_shares_her_links_post_limit(her, anon_http, monkeypatch):
    """Her link's posts are counted together (her run log, her strength ticks, this switch): past
    the limit the switch says to wait, with Retry-After, and changes nothing."""
    monkeypatch.setattr("reports.views.LINK_WRITE_LIMIT", 2)
    client = her["client"]
    url = reverse("reports:reminders", args=[her["token"]])
    for wanted in ("off", "on"):
        assert anon_http.post(url, {"reminders": wanted, "time_zone": "Europe/London"}).status_code == 302
    response = anon_http.post(url, {"reminders": "off", "time_zone": "Europe/Paris"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "please wait a while and try again" in visible_text(response.content.decode())
    client.refresh_from_db()
    assert client.reminders_since is not None and client.time_zone == "Europe/London"


def test_a_reminder_that_cannot_be_queued_does_not_stop_the_run(her, owner, monkeypatch, caplog):
    """The queue failing for her session-day reminder: logged, left unclaimed (the next run tries
    again), and her trainer's digest is still claimed in the same run."""
    sent = []

    def queue_sending(reminder_pk):
        if Reminder.objects.get(pk=reminder_pk).client_id is not None:
            raise RuntimeError("the queue is down")
        sent.append(reminder_pk)

    monkeypatch.setattr(reminders, "queue_sending", queue_sending)
    Client.objects.filter(pk=her["client"].pk).update(on_worklist_from=timezone.localdate())  # so the digest is due
    claimed = run(morning())
    assert [reminder.kind for reminder in claimed] == ["digest"] and sent == [claimed[0].pk]
    assert not Reminder.objects.filter(client=her["client"]).exists()
    assert "Could not queue a session_day reminder" in caplog.text
    monkeypatch.setattr(reminders, "queue_sending", sent.append)
    [again] = run(morning(hour=9))
    assert (again.client, again.kind) == (her["client"], "session_day")
