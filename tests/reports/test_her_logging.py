"""Issue 13: she logs her own sessions through her private link, and her page leads with her
next step. The same operation as the trainer's (Programme.log_session), behind her link's guards."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from clients.models import ShareLink
from practice.attention import worklist
from programmes.models import Programme, ProgrammeEvent, SessionLog
from reports.views import LINK_WRITE_LIMIT
from tests.conftest import fresh, make_client, next_log_day, visible_text, walk_run_30
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def her(ready_client, owner, today):
    programme = Programme.assign(client=ready_client, template=walk_run_30(), start_date=today - timedelta(days=14), by=owner)
    _, token = ShareLink.issue(ready_client, owner)
    return {"client": ready_client, "programme": programme, "token": token}


def log_url(token):
    return reverse("reports:log", args=[token])


def page_url(token):
    return reverse("reports:progress", args=[token])


def form_data(programme, **fields):
    programme = fresh(programme)
    data = {"sequence": programme.next_sequence, "week": programme.state.week, "session": programme.state.session,
            "done_on": next_log_day(programme).isoformat(), "outcome": "completed", "effort": "4"}
    data.update(fields)
    data.setdefault("any_symptoms", "yes" if data.get("symptoms") else "no")
    return data


def post_log(http, her, **fields):
    return http.post(log_url(her["token"]), form_data(her["programme"], **fields))


# Logging a session through her link

def test_she_logs_a_clean_session_and_her_page_says_what_comes_next(her, anon_http):
    response = post_log(anon_http, her)
    log = SessionLog.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{page_url(her['token'])}?logged={log.sequence}#top"
    assert log.logged_by_client and log.logged_by is None and log.effort == 4
    page = anon_http.get(response["Location"]).content.decode()
    assert "Session logged." in page and "Well done. Next: week 1, session 2." in page
    assert "logged by you" in page


def test_a_symptom_she_logs_tells_her_to_stop_and_walk_and_repeats_the_week(her, anon_http):
    response = post_log(anon_http, her, symptoms=["pain"])
    page = anon_http.get(response["Location"]).content.decode()
    assert "stop running and walk the rest" in page and "Week 1 will start again from session 1." in page
    assert fresh(her["programme"]).status == "active"
    assert mail.outbox == []  # a symptom that does not pause is for her page, not the trainer's inbox


def test_a_red_flag_she_logs_pauses_her_programme_and_tells_her_who_to_see(her, anon_http):
    response = post_log(anon_http, her, symptoms=["abnormal_bleeding"])
    assert fresh(her["programme"]).status == "paused"
    page = anon_http.get(response["Location"]).content.decode()
    # Bleeding: stop exercising now, not "walk the rest"; restart once seen (DOMAIN.md "Medical warning signs").
    assert "Stop exercising now" in page and "walk the rest of the session" not in page.split("Session logged")[1][:900]
    assert "Once a health professional has seen you, your trainer will check you again" in page
    assert "Please see a health professional before you run." in page
    assert "GP or midwife" in page  # bleeding goes to the GP or midwife
    assert 'href="/p/' + her["token"] + '/log/"' not in page  # no "Log it" while paused


def test_a_red_flag_she_logs_emails_her_trainer_with_a_link_and_nothing_clinical(her, anon_http, owner):
    post_log(anon_http, her, symptoms=["abnormal_bleeding"])
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [owner.email]
    assert f"http://testserver/clients/{her['client'].pk}/" in email.body
    body = email.body.lower()
    assert "bleeding" not in body and her["client"].full_name.lower() not in body and "amira" not in body


def test_a_red_flag_she_logs_puts_her_first_on_her_trainers_home(her, anon_http, owner, owner_http):
    other = make_client(owner, "Beth Okafor")
    make_assessment(other, days_after_birth=7 * 14, pelvic_floor_fast_reps=2)  # "not yet": a reassessment entry later
    post_log(anon_http, her, symptoms=["abnormal_bleeding"])
    entries = worklist(owner, timezone.localdate())
    assert entries[0].client.pk == her["client"].pk and entries[0].kind == "paused"
    home = owner_http.get(reverse("home")).content.decode()
    assert her["client"].full_name in home


def test_her_log_is_in_the_access_log_as_her_private_link(her, anon_http):
    post_log(anon_http, her)
    event = AccessEvent.objects.get(kind="link_logged_session")
    assert event.via_link and event.actor is None and event.client == her["client"] and event.target == "Week 1, session 1"


def test_the_programme_history_says_she_logged_it(her, anon_http, owner_http):
    post_log(anon_http, her)
    event = ProgrammeEvent.objects.get(kind="logged")
    assert event.by_client and event.by is None
    page = owner_http.get(reverse("programmes:history", args=[her["programme"].pk])).content.decode()
    assert "by her, through her private link" in page


def test_the_trainer_sees_who_logged_each_session_and_can_correct_hers(her, anon_http, owner, owner_http):
    post_log(anon_http, her)
    programme = fresh(her["programme"])
    programme.log_session(by=owner, sequence=programme.next_sequence, done_on=next_log_day(programme), outcome="completed")
    page = owner_http.get(reverse("clients:detail", args=[her["client"].pk])).content.decode()
    assert "Logged by her" in page and "Logged by you" in page
    hers = SessionLog.objects.get(logged_by_client=True)
    response = owner_http.post(reverse("programmes:log_correct", args=[programme.pk, hers.pk]), {
        "done_on": hers.done_on.isoformat(), "outcome": "partial", "effort": "4", "reason": "She did half, she told me",
    })
    assert response.status_code == 302
    hers.refresh_from_db()
    assert hers.outcome == "partial" and hers.logged_by_client
    assert ProgrammeEvent.objects.filter(kind="corrected", sequence=hers.sequence).exists()


# Exactly once

def test_the_same_form_posted_twice_is_already_logged(her, anon_http):
    data = form_data(her["programme"])
    anon_http.post(log_url(her["token"]), data)
    again = anon_http.post(log_url(her["token"]), data)
    assert again.status_code == 200 and "Already logged" in again.content.decode()
    assert SessionLog.objects.count() == 1


# CSRF without an account

def test_her_log_form_sets_a_csrf_cookie_scoped_to_its_path_and_same_site_strict(her):
    http = HttpClient(enforce_csrf_checks=True)
    response = http.get(log_url(her["token"]))
    cookie = response.cookies["csrftoken"]
    assert cookie["path"] == log_url(her["token"]) and cookie["samesite"] == "Strict"
    assert "Cookie" in response["Vary"]
    # "no-referrer" would make the browser post "Origin: null", which the CSRF check refuses.
    assert response["Referrer-Policy"] == "same-origin" and response["Cache-Control"] == "private, no-store"


def test_posting_her_log_without_the_csrf_token_is_refused(her):
    http = HttpClient(enforce_csrf_checks=True)
    http.get(log_url(her["token"]))
    response = http.post(log_url(her["token"]), form_data(her["programme"]))
    assert response.status_code == 403 and SessionLog.objects.count() == 0


def test_posting_her_log_with_the_csrf_token_works(her):
    http = HttpClient(enforce_csrf_checks=True)
    page = http.get(log_url(her["token"])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = http.post(log_url(her["token"]), {**form_data(her["programme"]), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and SessionLog.objects.count() == 1


# Bad input

def test_a_future_date_is_refused_next_to_the_field_and_her_input_is_kept(her, anon_http):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post_log(anon_http, her, done_on=tomorrow.isoformat(), notes="Felt strong on the hills")
    page = response.content.decode()
    assert response.status_code == 200 and SessionLog.objects.count() == 0
    assert "That date hasn't happened yet" in visible_text(page) and 'id="id_done_on_error"' in page
    assert "Felt strong on the hills" in page and tomorrow.isoformat() in page


def test_a_date_before_her_programme_started_is_refused(her, anon_http):
    before = her["programme"].start_date - timedelta(days=1)
    response = post_log(anon_http, her, done_on=before.isoformat())
    assert "Your programme started on" in response.content.decode() and SessionLog.objects.count() == 0


def test_a_missing_outcome_says_so_in_her_words(her, anon_http):
    response = post_log(anon_http, her, outcome="")
    assert "Choose how it went." in response.content.decode() and SessionLog.objects.count() == 0


def test_a_tampered_sequence_is_an_out_of_date_form_not_a_500(her, anon_http):
    response = post_log(anon_http, her, sequence="abc")
    assert response.status_code == 200 and "Your programme has moved on" in response.content.decode()


# Rate limit per link

def test_posts_through_one_link_are_rate_limited(her, anon_http):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    for _ in range(LINK_WRITE_LIMIT):
        assert post_log(anon_http, her, done_on=future).status_code == 200
    response = post_log(anon_http, her)
    assert response.status_code == 429 and SessionLog.objects.count() == 0
    # Her page still opens: the limit is on writes.
    assert anon_http.get(page_url(her["token"])).status_code == 200


# Switched off

@pytest.mark.parametrize("switch_off", [
    lambda her: ShareLink.objects.filter(client=her["client"]).revoke(),
    lambda her: ShareLink.objects.filter(client=her["client"]).update(expires_on=timezone.localdate() - timedelta(days=1)),
    lambda her: her["client"].withdraw_consent(),
    lambda her: her["client"].archive(),
], ids=["revoked", "expired", "consent withdrawn", "archived"])
def test_a_link_that_no_longer_works_cannot_log(her, anon_http, switch_off):
    switch_off(her)
    assert anon_http.get(log_url(her["token"])).status_code == 404
    assert post_log(anon_http, her).status_code == 404
    assert SessionLog.objects.count() == 0


def test_an_unknown_token_is_a_404(anon_http, her):
    assert anon_http.get(log_url("not-a-real-token")).status_code == 404
    assert anon_http.post(log_url("not-a-real-token"), {}).status_code == 404


def test_a_refer_on_her_latest_assessment_stops_her_logging(her, anon_http):
    make_assessment(her["client"], days_after_birth=7 * 15, symptoms_abnormal_bleeding=True)
    page = anon_http.get(log_url(her["token"]))
    assert page.status_code == 200 and 'name="sequence"' not in page.content.decode()
    assert post_log(anon_http, her).status_code == 409 and SessionLog.objects.count() == 0


def test_when_her_trainer_turns_self_logging_off_she_cannot_log(her, anon_http):
    her["client"].set_self_logging(False)
    page = anon_http.get(log_url(her["token"])).content.decode()
    assert "Your trainer is logging your sessions for now" in page and 'name="sequence"' not in page
    assert post_log(anon_http, her).status_code == 409 and SessionLog.objects.count() == 0
    her_page = anon_http.get(page_url(her["token"]))
    assert her_page.status_code == 200
    assert f'href="{log_url(her["token"])}"' not in her_page.content.decode()


def test_without_a_programme_there_is_nothing_to_log(ready_client, owner, anon_http):
    _, token = ShareLink.issue(ready_client, owner)
    page = anon_http.get(log_url(token)).content.decode()
    assert "You have no running programme yet" in page
    assert anon_http.post(log_url(token), {"sequence": 1}).status_code == 409


def test_one_clients_link_logs_only_to_her_own_programme(her, owner, anon_http, today):
    other = make_client(owner, "Beth Okafor")
    make_assessment(other)
    theirs = Programme.assign(client=other, template=walk_run_30(), start_date=today - timedelta(days=7), by=owner)
    # Beth's form numbers posted through Amira's link land on Amira's programme, never Beth's.
    response = anon_http.post(log_url(her["token"]), form_data(theirs))
    assert response.status_code == 302 and response["Location"] == f"{page_url(her['token'])}?logged=1#top"
    assert her["programme"].logs.count() == 1, "logged, on her own programme"
    assert not theirs.logs.exists()


def test_a_signed_in_stranger_gets_nothing_more_from_her_link(her, stranger_http):
    """The link is the only key: another trainer's session neither opens nor changes anything."""
    assert stranger_http.get(log_url("not-a-real-token")).status_code == 404
    post_log(stranger_http, her)
    log = SessionLog.objects.get()
    assert log.logged_by is None and log.logged_by_client


# The trainer's switch

def test_the_trainer_turns_self_logging_off_and_on_with_an_audit_record(her, owner_http):
    url = reverse("clients:self_logging", args=[her["client"].pk])
    assert "Turn off self-logging" in owner_http.get(reverse("clients:detail", args=[her["client"].pk])).content.decode()
    response = owner_http.post(url, {"self_logging": "off"})
    assert response.status_code == 302 and response["Location"].endswith("#private-link")
    her["client"].refresh_from_db()
    assert not her["client"].self_logging
    repeat = owner_http.post(url, {"self_logging": "off"})  # a repeat changes nothing and records nothing
    assert repeat.status_code == 302 and repeat["Location"].endswith("#private-link")
    owner_http.post(url, {"self_logging": "on"})
    her["client"].refresh_from_db()
    assert her["client"].self_logging
    kinds = list(AccessEvent.objects.filter(kind__startswith="self_logging").order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["self_logging_off", "self_logging_on"]


def test_the_switch_ignores_a_bad_value(her, owner_http):
    response = owner_http.post(reverse("clients:self_logging", args=[her["client"].pk]), {"self_logging": "maybe"},
                               follow=True)
    assert response.redirect_chain == [(f"{her['client'].get_absolute_url()}#private-link", 302)]
    assert "Choose whether she may log her own sessions." in visible_text(response)
    her["client"].refresh_from_db()
    assert her["client"].self_logging


def test_another_trainer_cannot_touch_the_switch(her, stranger_http):
    response = stranger_http.post(reverse("clients:self_logging", args=[her["client"].pk]), {"self_logging": "off"})
    assert response.status_code == 404
    her["client"].refresh_from_db()
    assert her["client"].self_logging


def test_anonymous_cannot_touch_the_switch(her, anon_http):
    response = anon_http.post(reverse("clients:self_logging", args=[her["client"].pk]), {"self_logging": "off"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    her["client"].refresh_from_db()
    assert her["client"].self_logging


def test_the_switch_takes_only_a_post(her, owner_http):
    assert owner_http.get(reverse("clients:self_logging", args=[her["client"].pk])).status_code == 405


# The top of her page

def test_her_page_leads_with_greeting_status_next_session_log_it_and_report(her, anon_http):
    page = anon_http.get(page_url(her["token"])).content.decode()
    top = page[page.index('id="top"'):]
    assert "Hello Amira</h1>" in top
    assert "You are in week 1 of 9 and running is on track." in top
    session = fresh(her["programme"]).next_session
    assert session.in_words() in top
    log_it = top.index(f'href="{log_url(her["token"])}"')
    report = top.index("Download your report (PDF)")
    assert log_it < report < top.index("verdict-hero")


def test_her_page_never_shows_the_trainers_notes(her, anon_http, owner):
    her["client"].notes = "PRIVATE-TRAINER-NOTE"
    her["client"].save()
    programme = fresh(her["programme"])
    programme.log_session(by=owner, sequence=programme.next_sequence, done_on=timezone.localdate(), outcome="completed",
                          notes="PRIVATE-SESSION-NOTE")
    page = anon_http.get(page_url(her["token"])).content.decode()
    assert "PRIVATE-TRAINER-NOTE" not in page and "PRIVATE-SESSION-NOTE" not in page
    assert "logged by your trainer" in page


def test_a_logged_number_that_is_not_hers_shows_nothing(her, anon_http):
    logged = post_log(anon_http, her)
    assert "Session logged." in visible_text(anon_http.get(logged["Location"])), "her own number says so"
    response = anon_http.get(page_url(her["token"]) + "?logged=99999")
    assert response.status_code == 200 and "Amira" in visible_text(response), "her page, as without it"
    assert "Session logged." not in response.content.decode()
    assert anon_http.get(page_url(her["token"]) + "?logged=abc").status_code == 200
