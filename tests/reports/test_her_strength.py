"""Issue 24: "Your strength work" on her page, and the session she ticks done through her link,
behind the same guards as her run log (link usable, rate limit, exactly once, CSRF)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from clients.models import Client, ShareLink
from programmes.models import Exercise, StrengthLog, StrengthPlan
from reports.views import LINK_WRITE_LIMIT
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def her(ready_client, owner, today):
    items = [(e, e.dose, e.serves.startswith("pelvic_floor")) for e in Exercise.objects.filter(
        trainer=None, serves__in=["strength.calf_raise", "pelvic_floor.long_holds"])]
    plan = StrengthPlan.assign(client=ready_client, items=items, start_date=today - timedelta(days=10), by=owner)
    _, token = ShareLink.issue(ready_client, owner)
    return {"client": ready_client, "plan": plan, "token": token}


def strength_url(token):
    return reverse("reports:strength", args=[token])


def page_url(token):
    return reverse("reports:progress", args=[token])


def tick(http, her, **fields):
    plan = StrengthPlan.objects.get(pk=her["plan"].pk)
    data = {"sequence": plan.log_sequence + 1, "done_on": timezone.localdate().isoformat(), **fields}
    return http.post(strength_url(her["token"]), data)


def test_her_page_shows_her_strength_work_in_her_words(her, anon_http):
    page = anon_http.get(page_url(her["token"])).content.decode()
    assert "Your strength work" in page and "Stand on a step on one foot" in page
    assert "3 sets of 10" in page and "Every day" in page and "Tick a session done" in page
    assert "stop the exercise and tell your trainer" in page


def test_she_ticks_a_session_and_her_trainer_sees_it(her, anon_http, owner_http):
    response = tick(anon_http, her)
    assert response.status_code == 302 and response["Location"] == f"{page_url(her['token'])}?ticked=1#strength"
    log = StrengthLog.objects.get()
    assert log.logged_by_client and log.logged_by is None
    assert "Ticked: your trainer sees it." in anon_http.get(response["Location"]).content.decode()
    page = owner_http.get(her["client"].get_absolute_url()).content.decode()
    assert "1 session done, 1 this week" in page and "ticked by her" in page
    assert AccessEvent.objects.filter(kind="link_logged_session", target="Strength session 1").exists()


def test_a_double_tap_ticks_once(her, anon_http):
    plan = StrengthPlan.objects.get(pk=her["plan"].pk)
    data = {"sequence": plan.log_sequence + 1, "done_on": timezone.localdate().isoformat()}
    assert anon_http.post(strength_url(her["token"]), data).status_code == 302
    again = anon_http.post(strength_url(her["token"]), data)
    assert again.status_code == 409 and "Nothing was recorded twice" in again.content.decode()
    assert StrengthLog.objects.count() == 1


@pytest.mark.parametrize("fields, message", [
    ({"done_on": "not a date"}, "Enter a valid date"),
    ({"done_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "Choose a day from the plan"),
    ({"sequence": "abc"}, ""),
])
def test_bad_input_is_refused_never_a_500(her, anon_http, fields, message):
    response = tick(anon_http, her, **fields)
    assert response.status_code in (400, 409) and message in response.content.decode()
    assert not StrengthLog.objects.exists()


def test_a_revoked_or_unknown_link_is_the_same_404(her, anon_http):
    ShareLink.objects.filter(client=her["client"]).revoke()
    assert anon_http.get(strength_url(her["token"])).status_code == 404
    assert tick(anon_http, her).status_code == 404
    assert anon_http.get(strength_url("not-a-token")).status_code == 404
    assert not StrengthLog.objects.exists()


def test_withdrawn_consent_stops_the_link(her, anon_http):
    Client.objects.filter(pk=her["client"].pk).update(consent_withdrawn_at=timezone.now())
    assert tick(anon_http, her).status_code == 404


def test_self_logging_off_refuses_in_her_words(her, anon_http):
    her["client"].set_self_logging(False)
    response = tick(anon_http, her)
    assert response.status_code == 409 and "Your trainer is logging your sessions" in response.content.decode()
    her_page = anon_http.get(page_url(her["token"]))
    assert her_page.status_code == 200
    assert "Tick a session done" not in her_page.content.decode()


def test_an_open_red_flag_pauses_it_and_says_whom_to_see(her, anon_http):
    make_assessment(her["client"], days_after_birth=7 * 15, symptoms_heaviness_dragging=True)
    response = tick(anon_http, her)
    page = response.content.decode()
    assert response.status_code == 409 and "Your strength work is paused" in page and "physiotherapist" in page
    assert not StrengthLog.objects.exists()
    page = anon_http.get(page_url(her["token"])).content.decode()
    assert "Your strength work is paused" in page and "Tick a session done" not in page


def test_ticks_through_one_link_are_rate_limited(her, anon_http):
    for _ in range(LINK_WRITE_LIMIT):
        tick(anon_http, her, sequence=999)  # refused as out of date, but counted
    response = tick(anon_http, her)
    assert response.status_code == 429 and response["Retry-After"]


def test_the_tick_form_needs_its_csrf_token(her):
    http = HttpClient(enforce_csrf_checks=True)
    assert tick(http, her).status_code == 403
    page = http.get(strength_url(her["token"])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert tick(http, her, csrfmiddlewaretoken=token).status_code == 302


@pytest.mark.parametrize("count", [1, 10])
def test_her_pages_stay_constant_in_queries(her, anon_http, count, django_assert_max_num_queries):
    plan = her["plan"]
    for sequence in range(1, count + 1):
        StrengthPlan.objects.get(pk=plan.pk).tick(sequence=sequence, done_on=timezone.localdate(), by_client=True)
    with django_assert_max_num_queries(7):
        assert anon_http.get(strength_url(her["token"])).status_code == 200
    with django_assert_max_num_queries(24):
        assert anon_http.get(page_url(her["token"])).status_code == 200


def test_a_symptom_with_strength_work_says_stop_and_holds_the_dose(her, anon_http):
    response = tick(anon_http, her, symptoms=["pain"])
    page = anon_http.get(response["Location"]).content.decode()
    assert "Stop the exercise that brought it on" in page
    assert StrengthLog.objects.get().symptoms == ["pain"]
    her["client"].refresh_from_db()
    assert not her["client"].has_open_red_flag


def test_a_red_flag_with_strength_work_opens_a_red_flag_that_pauses_running_too(her, anon_http, owner_http, owner):
    from programmes.models import Programme
    from tests.conftest import walk_run_30

    programme = Programme.assign(client=her["client"], template=walk_run_30(), start_date=timezone.localdate(), by=owner)
    response = tick(anon_http, her, symptoms=["heaviness_dragging"])
    page = anon_http.get(response["Location"]).content.decode()
    assert "Stop exercising now." in page and "Your strength work is paused" in page
    her["client"].refresh_from_db()
    assert her["client"].has_open_red_flag and her["client"].open_red_flags[0]["source"] == "strength"
    assert not Programme.objects.filter(pk=programme.pk).with_progress().get().can_log
    record = owner_http.get(her["client"].get_absolute_url()).content.decode()
    assert "in her strength session of" in record and "noted" in record
    log = StrengthLog.objects.get()
    referral = owner_http.get(reverse("programmes:strength_referral", args=[log.pk]))
    assert referral.status_code == 200 and "strength and pelvic-floor plan" in referral.content.decode()


def test_the_strength_referral_is_the_trainers_alone(her, anon_http, stranger_http, owner_http):
    tick(anon_http, her, symptoms=["heaviness_dragging"])
    log = StrengthLog.objects.get()
    url = reverse("programmes:strength_referral", args=[log.pk])
    assert anon_http.get(url).status_code == 302
    assert stranger_http.get(url).status_code == 404
    assert owner_http.get(url).status_code == 200


def test_a_clean_session_has_no_referral(her, anon_http, owner_http):
    tick(anon_http, her)
    assert owner_http.get(reverse("programmes:strength_referral", args=[StrengthLog.objects.get().pk])).status_code == 404


def test_doses_step_up_after_two_finished_weeks_without_symptoms(her, anon_http, today):
    plan = StrengthPlan.objects.get(pk=her["plan"].pk)
    StrengthPlan.objects.filter(pk=plan.pk).update(start_date=today - timedelta(days=15))
    for sequence, days_ago in enumerate((14, 10, 6), start=1):  # weeks 1 and 2 (of 3, under way)
        StrengthPlan.objects.get(pk=plan.pk).tick(sequence=sequence, done_on=today - timedelta(days=days_ago), by_client=True)
    page = anon_http.get(page_url(her["token"])).content.decode()
    assert "3 sets of 12" in page  # the calf raise's 3 × 10, one step up


def test_a_symptom_in_those_weeks_holds_the_dose(her, anon_http, today):
    plan = StrengthPlan.objects.get(pk=her["plan"].pk)
    StrengthPlan.objects.filter(pk=plan.pk).update(start_date=today - timedelta(days=15))
    StrengthPlan.objects.get(pk=plan.pk).tick(sequence=1, done_on=today - timedelta(days=14), by_client=True)
    StrengthPlan.objects.get(pk=plan.pk).tick(sequence=2, done_on=today - timedelta(days=6), by_client=True,
                                               symptoms=["pain"])
    assert "3 sets of 10" in anon_http.get(page_url(her["token"])).content.decode()


def test_her_trends_show_strength_sessions_between_check_ups_on_her_page_and_report(her, anon_http, today, owner):
    from reports.pdf import report_html

    client = her["client"]
    Client.objects.filter(pk=client.pk).update(baby_date_of_birth=today - timedelta(weeks=20))
    client.refresh_from_db()
    first = client.assessments.get()
    first.assessed_on = today - timedelta(days=12)
    first.save()
    plan = StrengthPlan.objects.get(pk=her["plan"].pk)
    for sequence, days_ago in enumerate((9, 7, 5), start=1):
        StrengthPlan.objects.get(pk=plan.pk).tick(sequence=sequence, done_on=today - timedelta(days=days_ago), by_client=True)
    make_assessment(client, days_after_birth=(today - client.baby_date_of_birth).days, strength_calf_raise_left=16)
    sentence = f"Strength sessions you ticked between check-ups: 3 from {first.assessed_on:%-d %b %Y} to {today:%-d %b %Y}."
    assert sentence in anon_http.get(page_url(her["token"])).content.decode()
    latest = client.assessments.first()
    html = report_html(latest, latest.pk, today, "")
    assert "Your strength work" in html and "Stand on a step on one foot" in html and sentence in html
    from reports.pdf import report_of, report_pdf
    assert report_pdf(report_of(latest, today, render=True)).startswith(b"%PDF")


def test_her_report_with_strength_work_passes_the_pdf_ua_checker(her, owner_http, tmp_path):
    from pdfua import validate

    StrengthPlan.objects.get(pk=her["plan"].pk).tick(sequence=1, done_on=timezone.localdate(), by_client=True)
    assessment = her["client"].assessments.first()
    path = tmp_path / "report.pdf"
    path.write_bytes(owner_http.get(reverse("reports:trainer_pdf", args=[assessment.pk])).content)
    report = validate(str(path))
    assert not report.findings, [(f.rule_id, f.message) for f in report.findings]


def test_her_page_reads_her_strength_plan_only_while_she_has_one(her, anon_http):
    """Whether she has a current plan rides on her link's query (reports/views.py HAS_STRENGTH_PLAN):
    the plan itself, with its counts, is read only then."""
    def drawn():
        with CaptureQueriesContext(connection) as queries:
            page = anon_http.get(page_url(her["token"])).content.decode()
        return page, [query["sql"] for query in queries if query["sql"].startswith('SELECT "programmes_strengthplan"')]

    page, plan_reads = drawn()
    assert "Your strength work" in page and "Tick a session done" in page and len(plan_reads) == 1
    StrengthPlan.objects.filter(pk=her["plan"].pk).update(ended_at=timezone.now())
    page, plan_reads = drawn()
    assert "Your strength work" not in page and plan_reads == []
