"""Issue 23 §2: the optional wellbeing check with each logged session (by her or her trainer),
and issue 22 §8: her log form asks "Any symptoms? No / Yes" first, in her words."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from clients.models import ShareLink
from practice.attention import worklist
from privacy.erasure import erase_client
from privacy.everything import as_data, load
from programmes import wellbeing
from programmes.models import Programme, SessionLog
from programmes.wellbeing import Answers, needs_recovery_check
from tests.conftest import fresh, next_log_day, visible_text, walk_run_30

# The pure rule

answers = st.builds(Answers, st.sampled_from([None, *wellbeing.SLEEP_WORDS]), st.sampled_from([None, True, False]),
                    st.sampled_from([None, True, False]))


def test_not_answered_is_never_poor_and_never_good():
    assert not Answers().poor_recovery and not Answers().answered
    assert not needs_recovery_check([Answers(), Answers()])
    # An unanswered session ends a run: two *in a row*.
    assert not needs_recovery_check([Answers(sleep="under_5"), Answers(), Answers(run_down=True)])


def test_little_sleep_or_run_down_twice_running_asks_for_a_check_in():
    assert needs_recovery_check([Answers(sleep="under_5"), Answers(run_down=True)])
    assert needs_recovery_check([Answers(sleep="7_plus"), Answers(sleep="under_5"), Answers(sleep="under_5")])
    assert not needs_recovery_check([Answers(sleep="under_5")])
    assert not needs_recovery_check([Answers(sleep="5_to_7", run_down=False), Answers(sleep="under_5")])
    assert not needs_recovery_check([Answers(sleep="under_5"), Answers(sleep="7_plus", run_down=False)])


@given(st.lists(answers, max_size=6))
def test_property_the_rule_reads_only_the_last_two(history):
    assert needs_recovery_check(history) == (len(history) >= 2 and all(a.poor_recovery for a in history[-2:]))
    # Breastfeeding is asked, never counted.
    flipped = [Answers(a.sleep, a.run_down, not a.breastfeeding) for a in history]
    assert needs_recovery_check(flipped) == needs_recovery_check(history)


# Through her link and the trainer's form

# Dates from today, read again by the app (her pacing, the worklist): one day however long the run
# (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def her(ready_client, owner, today):
    programme = Programme.assign(client=ready_client, template=walk_run_30(), start_date=today - timedelta(days=14), by=owner)
    _, token = ShareLink.issue(ready_client, owner)
    return {"client": ready_client, "programme": programme, "token": token}


def her_post(http, her, **fields):
    programme = fresh(her["programme"])
    data = {"sequence": programme.next_sequence, "week": programme.state.week, "session": programme.state.session,
            "done_on": next_log_day(programme).isoformat(), "outcome": "completed", "effort": "4", "any_symptoms": "no"}
    data.update(fields)
    return http.post(reverse("reports:log", args=[her["token"]]), data)


def trainer_post(http, programme, **fields):
    current = fresh(programme)
    data = {"sequence": current.next_sequence, "done_on": next_log_day(programme).isoformat(), "outcome": "completed",
            "effort": "5", "notes": "", **fields}
    return http.post(reverse("programmes:log", args=[programme.pk]), data)


def test_a_clean_session_needs_only_no_effort_and_save(her, anon_http, today):
    """Three taps: the day (today) and "I did all of it" come chosen."""
    page = anon_http.get(reverse("reports:log", args=[her["token"]])).content.decode()
    assert f'value="{today.isoformat()}"' in page
    assert re.search(r'<input type="radio" name="outcome" value="completed"[^>]* checked', page)
    assert not re.search(r'name="any_symptoms" value="\w+"[^>]* checked', page)
    data = {"sequence": "1", "week": "1", "session": "1", "any_symptoms": "no", "effort": "3",
            "done_on": today.isoformat(), "outcome": "completed"}  # what the page posts after three taps
    response = anon_http.post(reverse("reports:log", args=[her["token"]]), data)
    assert response.status_code == 302
    log = SessionLog.objects.get()
    assert (log.symptoms, log.effort, log.sleep, log.run_down, log.breastfeeding) == ([], 3, None, None, None)


def test_the_log_page_preselects_what_a_clean_session_is(her, anon_http):
    from programmes.forms import HerSessionLogForm

    form = HerSessionLogForm(programme=fresh(her["programme"]))
    assert form["outcome"].value() == "completed" and form["done_on"].value() is not None
    assert form["any_symptoms"].value() is None  # asked, never assumed


def test_her_form_uses_her_words_and_asks_any_symptoms_first(her, anon_http):
    page = anon_http.get(reverse("reports:log", args=[her["token"]])).content.decode()
    assert "Any symptoms, during or after?" in page
    assert page.index("Any symptoms, during or after?") < page.index("Leaking poo") < page.index("How hard did it feel?")
    assert "Leaking faeces" not in page and "Doming through the tummy" not in page
    assert "0 rest" in page and "10 flat out" in page
    assert 'src="/static/js/her-log.js"' in page and "<script>" not in page and "style=" not in page


def test_no_symptoms_answer_is_required(her, anon_http):
    response = her_post(anon_http, her, any_symptoms="")
    assert response.status_code == 200 and "Choose No or Yes: did you notice any symptoms?" in response.content.decode()
    assert not SessionLog.objects.exists()


def test_yes_with_nothing_ticked_asks_which(her, anon_http):
    response = her_post(anon_http, her, any_symptoms="yes", effort="6")
    page = response.content.decode()
    assert "Tick each symptom you noticed, or choose No above." in page
    assert re.search(r'name="effort" value="6"[^>]* checked', page) and not SessionLog.objects.exists()


def test_a_ticked_symptom_is_never_dropped_on_a_no(her, anon_http):
    response = her_post(anon_http, her, any_symptoms="no", symptoms=["abnormal_bleeding"])
    assert "You ticked a symptom below: choose Yes, or untick it." in response.content.decode()
    assert not SessionLog.objects.exists()


def test_yes_with_a_symptom_logs_it(her, anon_http):
    assert her_post(anon_http, her, any_symptoms="yes", symptoms=["pain"]).status_code == 302
    assert SessionLog.objects.get().symptoms == ["pain"]


def test_she_answers_the_wellbeing_check_or_skips_it(her, anon_http):
    her_post(anon_http, her, sleep="5_to_7", run_down="False", breastfeeding="True")
    her_post(anon_http, her)
    first, second = SessionLog.objects.order_by("sequence")
    assert (first.sleep, first.run_down, first.breastfeeding) == ("5_to_7", False, True)
    assert (second.sleep, second.run_down, second.breastfeeding) == (None, None, None)  # not answered, not "no"


def test_a_wrong_answer_is_refused_beside_the_field_and_the_rest_kept(her, anon_http):
    response = her_post(anon_http, her, sleep="lots", notes="Felt good")
    page = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice." in page and "Felt good" in page
    assert not SessionLog.objects.exists()


def test_the_trainer_records_her_answers_too(her, owner_http):
    assert trainer_post(owner_http, her["programme"], sleep="under_5", run_down="True").status_code in (200, 302)
    log = SessionLog.objects.get()
    assert (log.sleep, log.run_down, log.breastfeeding) == ("under_5", True, None)
    assert "slept under 5 hours, run down" in log.describe()


def test_poor_recovery_twice_running_puts_her_on_the_worklist_and_her_page_suggests_keeping_the_level(
        her, anon_http, owner, today):
    her_post(anon_http, her, sleep="under_5")
    assert not fresh(her["programme"]).stored_recovery
    # (Her programme began two weeks back, so she is on the list as "quiet" all along: issue 22.)
    assert all("recovery" not in e.kinds for e in worklist(owner, today))
    her_post(anon_http, her, run_down="True")
    assert fresh(her["programme"]).stored_recovery
    her["client"].refresh_from_db()
    assert her["client"].on_worklist_from == today  # her row's stored date moves with it
    [entry] = worklist(owner, today)
    assert "recovery" in entry.kinds
    assert wellbeing.RECOVERY_TITLE in [reason.title for reason in entry.reasons]
    page = anon_http.get(reverse("reports:progress", args=[her["token"]])).content.decode()
    assert "it is fine to keep this week" in visible_text(page)
    # Never a gate: she moves on as usual, and the next session can still be logged.
    programme = fresh(her["programme"])
    assert programme.status == "active" and programme.state.session == 3
    # A good night ends it.
    her_post(anon_http, her, sleep="7_plus", run_down="False")
    assert not fresh(her["programme"]).stored_recovery
    assert all("recovery" not in e.kinds for e in worklist(owner, today))


def test_her_page_and_report_show_the_trend_over_weeks(her, anon_http, owner_http):
    her_post(anon_http, her, sleep="under_5")
    her_post(anon_http, her, sleep="7_plus")
    page = anon_http.get(reverse("reports:progress", args=[her["token"]])).content.decode()
    assert "Sessions with little sleep or feeling run down" in page and "not answered" in page
    from reports.progress import report_context
    context = report_context(her["client"], her["client"].assessments.first(), fresh(her["programme"]).start_date + timedelta(days=14))
    assert any(chart.slug == "weekly-recovery" for group in context["trends"] for chart in group["charts"])


def test_no_trend_when_she_never_answered(her, anon_http):
    assert her_post(anon_http, her).status_code == 302
    response = anon_http.get(reverse("reports:progress", args=[her["token"]]))
    assert response.status_code == 200 and SessionLog.objects.count() == 1
    assert "Sessions with little sleep or feeling run down" not in response.content.decode()


def test_her_export_includes_her_answers(her, anon_http):
    her_post(anon_http, her, sleep="under_5", breastfeeding="False")
    [programme] = as_data(load(her["client"].pk))["programmes"]
    [log] = programme["session_logs"]
    assert (log["sleep"], log["run_down"], log["breastfeeding"]) == ("under_5", None, False)


def test_erasure_removes_her_answers(her, anon_http):
    assert her_post(anon_http, her, sleep="under_5", run_down="True").status_code == 302
    assert SessionLog.objects.filter(sleep__isnull=False).exists(), "her answers, before"
    erase_client(her["client"])
    assert not SessionLog.objects.exists()
    assert not SessionLog.objects.filter(sleep__isnull=False).exists()


def test_her_pdf_draws_the_recovery_trend(her, anon_http, today):
    from reports.pdf import report_html, report_of, report_pdf

    programme = fresh(her["programme"])
    for sequence, (days_ago, sleep) in enumerate([(13, "under_5"), (6, "7_plus")], start=1):
        programme.log_session(by=None, by_client=True, sequence=sequence, done_on=today - timedelta(days=days_ago),
                              outcome="completed", sleep=sleep)
        programme = fresh(programme)
    latest = her["client"].assessments.first()
    html = report_html(latest, latest.pk, today, None)
    assert "Sessions with little sleep or feeling run down" in html
    pdf = report_pdf(report_of(latest, today, render=True))
    assert pdf.startswith(b"%PDF")
    from tests.browser.conftest import REPO_ROOT

    (REPO_ROOT / "artifacts").mkdir(exist_ok=True)
    (REPO_ROOT / "artifacts" / "report-with-recovery-trend.pdf").write_bytes(pdf)
