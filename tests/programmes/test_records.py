"""Trustworthy records (issue 9): each session logged exactly once, every slip correctable and
on the record, ending asks first and can be undone, and the model operations behind them."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import Trainer
from programmes import progression
from programmes.models import (
    AlreadyLogged,
    Plan,
    PlanRefused,
    Programme,
    ProgrammeRefused,
    RedFlagNotConfirmed,
    SessionLog,
)
from tests.conftest import fresh, make_client, next_log_day, walk_run_30
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def programme(ready_client, owner):
    return Programme.assign(client=ready_client, template=walk_run_30(), by=owner,
                            start_date=timezone.localdate() - timedelta(days=14))


def log(programme, by, **fields):
    """Log the next session through the model, as the view does."""
    current = fresh(programme)
    fields = {"done_on": next_log_day(programme), "outcome": "completed", "effort": 5, **fields}
    return current.log_session(by=by, sequence=current.next_sequence, **fields)


def post_log(http, programme, htmx=True, **fields):
    current = fresh(programme)
    data = {"done_on": timezone.localdate().isoformat(), "outcome": "completed", "effort": "5", "notes": "",
            "sequence": str(current.next_sequence), "week": str(current.state.week), "session": str(current.state.session)}
    data.update(fields)
    headers = {"HX-Request": "true"} if htmx else {}
    return http.post(reverse("programmes:log", args=[programme.pk]), data, headers=headers)


# --- Exactly-once logging -------------------------------------------------------------------

def test_logging_takes_the_next_sequence_and_her_position(programme, owner):
    first, outcome = log(programme, owner)
    second, _ = log(programme, owner)
    assert (first.sequence, first.week, first.session_number) == (1, 1, 1)
    assert (second.sequence, second.week, second.session_number) == (2, 1, 2)
    assert outcome.kind == "advance_session"
    assert fresh(programme).log_sequence == 2
    assert [e.kind for e in fresh(programme).history.all()] == ["assigned", "logged", "logged"]


def test_a_second_post_of_the_same_form_is_already_logged_with_what_was_recorded(programme, owner):
    current = fresh(programme)
    current.log_session(by=owner, sequence=1, done_on=timezone.localdate(), outcome="completed", effort=4)
    with pytest.raises(AlreadyLogged) as refused:
        fresh(programme).log_session(by=owner, sequence=1, done_on=timezone.localdate(), outcome="completed", effort=4)
    assert "Already logged: week 1, session 1" in str(refused.value)
    assert "completed, effort 4, no symptoms" in str(refused.value)
    assert SessionLog.objects.count() == 1


def test_a_form_from_the_future_or_a_moved_position_is_refused(programme, owner):
    with pytest.raises(ProgrammeRefused, match="out of date"):
        fresh(programme).log_session(by=owner, sequence=5, done_on=timezone.localdate(), outcome="completed")
    with pytest.raises(ProgrammeRefused, match="now at week 1, session 1"):
        fresh(programme).log_session(by=owner, sequence=1, position=(1, 2), done_on=timezone.localdate(), outcome="completed")
    assert not SessionLog.objects.exists()


def test_the_database_refuses_two_logs_with_one_sequence_but_a_repeated_week_logs_again(programme, owner):
    log(programme, owner, symptoms=["pain"])  # week 1 restarts: session 1 is logged again next
    again, _ = log(programme, owner)
    assert (again.week, again.session_number, again.sequence) == (1, 1, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionLog.objects.create(programme=programme, sequence=2, week=1, session_number=1,
                                  done_on=timezone.localdate(), outcome="completed")


def test_a_deleted_log_never_frees_its_sequence(programme, owner):
    first, _ = log(programme, owner)
    fresh(programme).delete_log(first, by=owner, reason="logged for the wrong client")
    with pytest.raises(AlreadyLogged, match="since been deleted"):
        fresh(programme).log_session(by=owner, sequence=1, done_on=timezone.localdate(), outcome="completed")
    second, _ = log(programme, owner)
    assert second.sequence == 2


def test_an_htmx_double_post_shows_already_logged_in_the_card(owner_http, programme):
    data = {"done_on": timezone.localdate().isoformat(), "outcome": "completed", "effort": "5", "sequence": "1",
            "week": "1", "session": "1"}
    url = reverse("programmes:log", args=[programme.pk])
    assert owner_http.post(url, data, headers={"HX-Request": "true"}).status_code == 200
    again = owner_http.post(url, data, headers={"HX-Request": "true"})
    page = again.content.decode()
    assert again.status_code == 200 and 'id="programme"' in page
    assert "Already logged: week 1, session 1 on" in page and "Nothing was recorded twice." in page
    assert SessionLog.objects.count() == 1


def test_a_double_post_without_javascript_shows_the_message_on_a_page(owner_http, programme):
    data = {"done_on": timezone.localdate().isoformat(), "outcome": "completed", "sequence": "1"}
    url = reverse("programmes:log", args=[programme.pk])
    assert owner_http.post(url, data).status_code == 302
    again = owner_http.post(url, data)
    assert again.status_code == 200 and "Already logged" in again.content.decode()
    assert SessionLog.objects.count() == 1


def test_a_post_without_the_sequence_asks_to_reload(owner_http, programme):
    response = owner_http.post(reverse("programmes:log", args=[programme.pk]),
                               {"done_on": timezone.localdate().isoformat(), "outcome": "completed"},
                               headers={"HX-Request": "true"})
    assert response.status_code == 200 and "This form is out of date" in response.content.decode()
    assert not SessionLog.objects.exists()


def test_the_log_form_carries_its_position(owner_http, programme, owner):
    log(programme, owner)
    page = owner_http.get(programme.client.get_absolute_url()).content.decode()
    assert 'name="sequence" value="2"' in page
    assert 'name="week" value="1"' in page and 'name="session" value="2"' in page


def test_without_javascript_the_redirect_lands_on_the_card_with_the_outcome(owner_http, programme):
    response = post_log(owner_http, programme, htmx=False, symptoms=["pain"])
    assert response["Location"].endswith("?logged=1#programme")
    page = owner_http.get(response["Location"]).content.decode()
    outcome = page[page.index('id="programme-outcome"') - 200:]
    assert 'role="alert"' in outcome[:400] and 'tabindex="-1"' in outcome[:400]
    assert "Week 1 will start again from session 1." in page


# --- Corrections and deletions ---------------------------------------------------------------

def test_correcting_a_mislogged_red_flag_needs_confirmation_and_resumes_her_place(programme, owner):
    log(programme, owner)
    log(programme, owner)
    slip, outcome = log(programme, owner, symptoms=["urinary_leakage"])
    assert outcome.kind == "pause" and fresh(programme).status == "paused"
    with pytest.raises(RedFlagNotConfirmed, match="leaking urine"):
        fresh(programme).correct_log(slip, by=owner, reason="ticked by mistake", symptoms=[])
    assert fresh(programme).status == "paused"
    fresh(programme).correct_log(slip, by=owner, reason="ticked by mistake", symptoms=[], confirm_red_flag_removed=True)
    state = fresh(programme).state
    assert (state.status, state.week, state.session, state.alerts) == ("active", 2, 1, ())
    event = fresh(programme).history.get(kind="corrected")
    assert (event.by, event.reason, event.sequence) == (owner, "ticked by mistake", 3)
    assert event.before["symptoms"] == ["urinary_leakage"] and event.after["symptoms"] == []
    assert event.red_flags_removed == "leaking urine"
    assert ("Symptoms", "leaking urine", "none") in event.changes()


def test_correcting_an_earlier_log_renumbers_the_later_ones_from_replay(programme, owner):
    first, _ = log(programme, owner)
    log(programme, owner)
    # The first session actually had knee pain: the week restarted after it.
    fresh(programme).correct_log(first, by=owner, reason="she told me later", symptoms=["pain"])
    logs = list(fresh(programme).logs.all())
    assert [(log.week, log.session_number) for log in logs] == [(1, 1), (1, 1)]
    assert fresh(programme).state.session == 2


def test_a_correction_must_change_something_and_give_a_reason(programme, owner):
    first, _ = log(programme, owner)
    with pytest.raises(ProgrammeRefused, match="Nothing was changed"):
        fresh(programme).correct_log(first, by=owner, reason="x", outcome="completed")
    with pytest.raises(ProgrammeRefused, match="reason"):
        fresh(programme).correct_log(first, by=owner, reason=" ", outcome="partial")
    with pytest.raises(TypeError):
        fresh(programme).correct_log(first, by=owner, reason="x", week=4)


def test_deleting_a_log_keeps_it_in_the_history_and_a_red_flag_needs_confirmation(programme, owner):
    log(programme, owner)
    flag, _ = log(programme, owner, symptoms=["heaviness_dragging"])
    with pytest.raises(RedFlagNotConfirmed):
        fresh(programme).delete_log(flag, by=owner, reason="wrong client")
    fresh(programme).delete_log(flag, by=owner, reason="wrong client", confirm_red_flag_removed=True)
    assert list(fresh(programme).logs.values_list("sequence", flat=True)) == [1]
    assert fresh(programme).state.status == "active"
    event = fresh(programme).history.get(kind="deleted")
    assert event.before["symptoms"] == ["heaviness_dragging"] and event.red_flags_removed
    with pytest.raises(ProgrammeRefused, match="deleted"):
        fresh(programme).delete_log(flag, by=owner, reason="again")


def test_the_correct_page_saves_a_correction_and_shows_field_errors(owner_http, programme, owner):
    slip, _ = log(programme, owner, symptoms=["urinary_leakage"])
    url = reverse("programmes:log_correct", args=[programme.pk, slip.pk])
    page = owner_http.get(url).content.decode()
    assert "I confirm she did not have this red-flag symptom" in page
    data = {"done_on": slip.done_on.isoformat(), "outcome": "completed", "effort": "5", "notes": "", "reason": "mis-tap"}
    refused = owner_http.post(url, data)
    assert refused.status_code == 200 and "tick to confirm she did not have it" in refused.content.decode()
    assert fresh(programme).status == "paused"
    missing_reason = owner_http.post(url, {**data, "reason": "", "confirm_red_flag_removed": "on"})
    assert "Give the reason for the correction." in missing_reason.content.decode()
    done = owner_http.post(url, {**data, "confirm_red_flag_removed": "on"})
    assert done.status_code == 302 and done["Location"].endswith("#programme")
    assert fresh(programme).status == "active"


def test_with_htmx_the_correction_opens_in_the_card_and_returns_the_new_card(owner_http, programme, owner):
    slip, _ = log(programme, owner, symptoms=["urinary_leakage"])
    url = reverse("programmes:log_correct", args=[programme.pk, slip.pk])
    htmx = {"HX-Request": "true"}
    opened = owner_http.get(url, headers=htmx).content.decode()
    assert "<h1" not in opened and 'data-reveal>Correct week 1, session 1</h3>' in opened
    data = {"done_on": slip.done_on.isoformat(), "outcome": "completed", "notes": "", "reason": "mis-tap"}
    refused = owner_http.post(url, data, headers=htmx)
    assert refused["HX-Retarget"] == "#log-change" and refused["HX-Reswap"] == "innerHTML"
    assert "tick to confirm she did not have it" in refused.content.decode()
    done = owner_http.post(url, {**data, "confirm_red_flag_removed": "on"}, headers=htmx).content.decode()
    assert 'id="programme"' in done and "Session corrected. Her programme: Week 1 of 9." in done


def test_with_htmx_a_deletion_returns_the_new_card(owner_http, programme, owner):
    first, _ = log(programme, owner)
    url = reverse("programmes:log_delete", args=[programme.pk, first.pk])
    page = owner_http.post(url, {"reason": "logged twice"}, headers={"HX-Request": "true"}).content.decode()
    assert "Session deleted. Her programme: Week 1 of 9." in page and "Next: week 1, session 1 of 3" in page


def test_the_delete_page_asks_for_a_reason_then_deletes(owner_http, programme, owner):
    first, _ = log(programme, owner)
    url = reverse("programmes:log_delete", args=[programme.pk, first.pk])
    assert "Delete this session" in owner_http.get(url).content.decode()
    assert "Give the reason for deleting it." in owner_http.post(url, {"reason": ""}).content.decode()
    assert owner_http.post(url, {"reason": "logged twice"}).status_code == 302
    assert not SessionLog.objects.exists()


def test_a_wrong_entry_can_still_be_deleted_after_she_withdraws_consent(owner_http, programme, owner):
    # Correcting records something new about her health and needs consent; deleting does not.
    first, _ = log(programme, owner)
    programme.client.withdraw_consent()
    correct = reverse("programmes:log_correct", args=[programme.pk, first.pk])
    assert owner_http.post(correct, {"reason": "typo", "effort": "3"}).status_code == 302
    assert SessionLog.objects.get().effort == first.effort
    delete = reverse("programmes:log_delete", args=[programme.pk, first.pk])
    assert owner_http.post(delete, {"reason": "not her session"}).status_code == 302
    assert not SessionLog.objects.exists()


def test_the_history_page_shows_who_changed_what_and_when(owner_http, programme, owner):
    first, _ = log(programme, owner, symptoms=["urinary_leakage"])
    fresh(programme).correct_log(first, by=owner, reason="ticked by mistake", symptoms=[], confirm_red_flag_removed=True)
    page = owner_http.get(reverse("programmes:history", args=[programme.pk])).content.decode()
    assert "Session corrected" in page and "Olivia Owner" in page and "ticked by mistake" in page
    assert "Red flag removed from her record (leaking urine)" in page
    assert "<td>leaking urine</td><td>none</td>" in page


def test_the_history_page_says_what_each_log_and_deletion_recorded_and_by_whom(owner_http, programme, owner):
    from programmes.models import ProgrammeEvent

    first, _ = log(programme, owner, notes="Felt <fine>")
    fresh(programme).delete_log(first, by=owner, reason="logged twice")
    ProgrammeEvent.objects.filter(programme=programme, kind="logged").update(by=None)  # her trainer's account gone
    page = owner_http.get(reverse("programmes:history", args=[programme.pk])).content.decode()
    recorded = (f"week 1, session 1 · Date: {first.done_on:%-d %b %Y} · Outcome: Completed · Effort: 5 · "
                "Symptoms: none · Notes: Felt &lt;fine&gt;</p>")
    assert f"<p>Recorded: {recorded}" in page and f"<p>It recorded: {recorded}" in page
    assert "by a former trainer</p>" in page and "by Olivia Owner</p>" in page


def test_a_long_history_is_paged_latest_first_at_the_same_cost(owner_http, programme, owner, django_assert_num_queries):
    from programmes.models import ProgrammeEvent
    from programmes.views import HISTORY_PAGE_SIZE

    url = reverse("programmes:history", args=[programme.pk])
    log(programme, owner)
    owner_http.get(url)
    with django_assert_num_queries(6) as short:  # the session, her trainer, the programme, the access log, count, page
        owner_http.get(url)
    recorded = ProgrammeEvent.objects.filter(programme=programme)  # assigned, logged
    added, last = HISTORY_PAGE_SIZE + 10 - recorded.count(), recorded.order_by("at", "pk").last()
    ProgrammeEvent.objects.bulk_create(
        ProgrammeEvent(programme=programme, kind="corrected", sequence=1, by=owner, reason=f"Correction {n}",
                       at=last.at + timedelta(minutes=n)) for n in range(1, added + 1))
    with django_assert_num_queries(len(short)):
        latest = owner_http.get(url).content.decode()
    assert latest.count('class="history-item ') == 10 and f"Correction {added}<" in latest
    assert "Page 2 of 2" in latest and "Session logged" not in latest and 'rel="prev"' in latest
    earliest = owner_http.get(url, {"page": 1}).content.decode()
    assert earliest.count('class="history-item ') == HISTORY_PAGE_SIZE and "Session logged" in earliest
    assert owner_http.get(url, {"page": "x"}).status_code == 200


# --- End and reopen ---------------------------------------------------------------------------

def test_end_asks_first_then_ends_and_reopen_brings_it_back(owner_http, programme, owner):
    log(programme, owner)
    url = reverse("programmes:end", args=[programme.pk])
    page = owner_http.get(url).content.decode()
    assert "End Amira Haddad’s programme?" in page and fresh(programme).ended_at is None
    owner_http.post(url)
    assert fresh(programme).ended_at is not None
    detail = owner_http.get(programme.client.get_absolute_url()).content.decode()
    assert "Ended programmes" in detail and reverse("programmes:reopen", args=[programme.pk]) in detail
    response = owner_http.post(reverse("programmes:reopen", args=[programme.pk]))
    assert response["Location"].endswith("#programme")
    current = fresh(programme)
    assert current.ended_at is None and current.state.session == 2
    assert [e.kind for e in current.history.all()][-2:] == ["ended", "reopened"]


def test_reopen_is_refused_while_she_has_another_current_programme(programme, owner, ready_client):
    fresh(programme).end(owner)
    other = Programme.assign(client=ready_client, template=walk_run_30(), by=owner, start_date=timezone.localdate())
    with pytest.raises(ProgrammeRefused, match="another current programme"):
        fresh(programme).reopen(owner)
    fresh(other).end(owner)
    fresh(programme).reopen(owner)
    assert fresh(programme).ended_at is None
    fresh(programme).end(owner)
    with pytest.raises(ProgrammeRefused, match="already ended"):
        fresh(programme).end(owner)


def test_an_ended_programme_takes_no_logs(programme, owner):
    fresh(programme).end(owner)
    with pytest.raises(ProgrammeRefused, match="has ended"):
        fresh(programme).log_session(by=owner, sequence=1, done_on=timezone.localdate(), outcome="completed")


# --- Resume and override on the model ----------------------------------------------------------

def test_resume_goes_through_the_model_and_is_on_the_record(programme, owner):
    with pytest.raises(ProgrammeRefused, match="Only a paused programme"):
        fresh(programme).resume(owner)
    log(programme, owner, symptoms=["urinary_leakage"])
    with pytest.raises(ProgrammeRefused, match="cannot be resumed yet. Referral pending: a red flag is open"):
        fresh(programme).resume(owner, "seen by the physio")
    make_assessment(programme.client)  # a newer full symptom screen finds no red flag
    fresh(programme).resume(owner, "seen by the physio")
    assert fresh(programme).state.status == "active"
    assert fresh(programme).history.get(kind="resumed").reason == "seen by the physio"


def test_override_goes_through_the_model(programme, owner, ready_client):
    with pytest.raises(ProgrammeRefused, match="nothing to override"):
        fresh(programme).record_override(owner, "she is fine")
    make_assessment(ready_client, days_after_birth=7 * 15, load_impact_hop_in_place_left=6)
    assert fresh(programme).status == "held"
    fresh(programme).record_override(owner, "hop improving, cleared by physio")
    current = fresh(programme)
    assert current.status == "active" and current.override_items == ["load_impact.hop_in_place"]
    assert "hop improving" in current.history.get(kind="override").reason


def test_every_operation_touches_her_but_not_her_plan(programme, owner, ready_client):
    """Her latest activity orders the client list; nothing reads a plan's updated_at on a log
    (reports are keyed by what they show), so a log does not write her plan."""
    before = Programme.objects.select_related("plan", "client").get(pk=programme.pk)
    log(programme, owner)
    after = Programme.objects.select_related("plan", "client").get(pk=programme.pk)
    assert after.plan.updated_at == before.plan.updated_at
    assert after.client.last_activity_at > before.client.last_activity_at


# --- Plan operations ---------------------------------------------------------------------------

@pytest.fixture
def own_plan(owner):
    return Plan.create_template(owner, "Mine", {"run_seconds": 60, "walk_seconds": 120, "repeats": 6})


def test_plan_operations_edit_and_touch_the_plan(own_plan):
    stamp = Plan.objects.get(pk=own_plan.pk).updated_at
    assert own_plan.add_week() == 2
    new = own_plan.add_session(2)
    assert (new.week, new.number) == (2, 2)
    assert own_plan.add_session(9) is None
    assert own_plan.remove_session(new) is False
    assert own_plan.remove_week() == 2
    with pytest.raises(PlanRefused, match="at least one week"):
        own_plan.remove_week()
    session = own_plan.sessions.get()
    session.replace_blocks(120, 60, [(90, 60, 4)])
    assert [(b.run_seconds, b.walk_seconds, b.repeats) for b in session.blocks.all()] == [(90, 60, 4)]
    own_plan.rename("Renamed", "for slow starters")
    plan = Plan.objects.get(pk=own_plan.pk)
    assert plan.name == "Renamed" and plan.updated_at > stamp


def test_a_client_copy_refuses_changes_to_weeks_she_has_reached(programme, owner, ready_client):
    plan = fresh(programme).plan
    with pytest.raises(PlanRefused, match="She has reached week 1"):
        plan.add_session(1)
    before = Programme.objects.select_related("client").get(pk=programme.pk).client.last_activity_at
    plan.add_session(3)
    assert Programme.objects.select_related("client").get(pk=programme.pk).client.last_activity_at > before


# --- Every new URL: anonymous, another trainer, the owner ----------------------------------

def new_urls(programme, log):
    return [
        ("get", reverse("programmes:log_correct", args=[programme.pk, log.pk])),
        ("post", reverse("programmes:log_correct", args=[programme.pk, log.pk])),
        ("get", reverse("programmes:log_delete", args=[programme.pk, log.pk])),
        ("post", reverse("programmes:log_delete", args=[programme.pk, log.pk])),
        ("get", reverse("programmes:end", args=[programme.pk])),
        ("post", reverse("programmes:reopen", args=[programme.pk])),
        ("get", reverse("programmes:history", args=[programme.pk])),
        ("post", reverse("clients:attention_ack", args=[programme.client.pk])),
    ]


@pytest.mark.parametrize("index", range(8))
def test_new_urls_send_anonymous_visitors_to_sign_in(anon_http, programme, owner, index):
    first, _ = log(programme, owner)
    method, url = new_urls(programme, first)[index]
    response = getattr(anon_http, method)(url, {"reason": "x", "kind": "seen", "fingerprint": "ab"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert SessionLog.objects.count() == 1


@pytest.mark.parametrize("index", range(8))
def test_new_urls_are_404_for_another_trainer(stranger_http, programme, owner, index):
    first, _ = log(programme, owner)
    method, url = new_urls(programme, first)[index]
    response = getattr(stranger_http, method)(url, {"reason": "x", "kind": "seen", "fingerprint": "ab",
                                                    "outcome": "partial", "done_on": timezone.localdate().isoformat()})
    assert response.status_code == 404
    assert SessionLog.objects.get().outcome == "completed" and fresh(programme).ended_at is None
    assert not programme.client.attention_acks.exists()


@pytest.mark.parametrize("index", range(8))
def test_new_urls_answer_the_owner(owner_http, programme, owner, index):
    first, _ = log(programme, owner)
    method, url = new_urls(programme, first)[index]
    assert getattr(owner_http, method)(url).status_code in (200, 302)


def test_a_log_of_another_programme_is_404(owner_http, programme, owner, ready_client):
    other_client = make_client(owner, "Beth Other")
    make_assessment(other_client)
    other = Programme.assign(client=other_client, template=walk_run_30(), by=owner, start_date=timezone.localdate())
    theirs, _ = log(other, owner)
    assert owner_http.get(reverse("programmes:log_correct", args=[programme.pk, theirs.pk])).status_code == 404


# --- Replay stays the source of truth: random log / correct / delete --------------------------

OUTCOMES = st.sampled_from(["completed", "completed", "partial", "skipped"])
SYMPTOMS = st.frozensets(st.sampled_from(["pain", "urinary_leakage", "heaviness_dragging"]), max_size=2)
EFFORT = st.one_of(st.none(), st.integers(0, 10))
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("log"), OUTCOMES, EFFORT, SYMPTOMS),
        st.tuples(st.just("correct"), st.integers(0, 30), OUTCOMES, EFFORT, SYMPTOMS),
        st.tuples(st.just("delete"), st.integers(0, 30)),
        st.tuples(st.just("resume")),
    ),
    max_size=14,
)


class TestReplayAfterCorrections(HypothesisTestCase):
    @settings(max_examples=25)
    @given(steps=STEPS)
    def test_the_programme_state_is_the_replay_of_the_surviving_logs(self, steps):
        from importlib import import_module

        from django.apps import apps

        import_module("programmes.migrations.0002_builtin_templates").install(apps, None)
        trainer = Trainer.objects.create_user(email="p@example.com", password="a-long-test-passphrase", full_name="P")
        client = make_client(trainer, weeks=20)
        make_assessment(client)
        start = timezone.localdate() - timedelta(days=30)
        programme = Programme.assign(client=client, template=walk_run_30(), by=trainer, start_date=start)
        kept = {}  # sequence → the log as the steps left it
        for step in steps:
            current = fresh(programme)
            try:
                if step[0] == "log":
                    _, outcome, effort, symptoms = step
                    # Every other day, so that pacing never refuses one; the same day would be refused.
                    day = start + timedelta(days=2 * current.next_sequence)
                    log_row, _ = current.log_session(by=trainer, sequence=current.next_sequence,
                                                     done_on=day, outcome=outcome, effort=effort, symptoms=symptoms)
                    kept[log_row.sequence] = progression.LoggedSession(outcome, effort, symptoms, day)
                elif step[0] == "correct" and kept:
                    _, pick, outcome, effort, symptoms = step
                    sequence = sorted(kept)[pick % len(kept)]
                    row = current.logs.get(sequence=sequence)
                    current.correct_log(row, by=trainer, reason="r", confirm_red_flag_removed=True,
                                        outcome=outcome, effort=effort, symptoms=symptoms)
                    kept[sequence] = progression.LoggedSession(outcome, effort, symptoms, row.done_on)
                elif step[0] == "delete" and kept:
                    sequence = sorted(kept)[step[1] % len(kept)]
                    current.delete_log(current.logs.get(sequence=sequence), by=trainer, reason="r",
                                       confirm_red_flag_removed=True)
                    del kept[sequence]
                elif step[0] == "resume":
                    current.resume(trainer)
            except ProgrammeRefused:
                pass  # not loggable now (paused or finished), nothing changed, or not resumable
        current = fresh(programme)
        # The surviving logs, with the resumes, in the order they were recorded.
        rows = sorted([*current.logs.all(), *current.resumes.all()], key=lambda r: (r.created_at, isinstance(r, SessionLog) is False, r.pk))
        events = [kept[r.sequence] if isinstance(r, SessionLog) else progression.Resumed() for r in rows]
        assert current.state == progression.replay(current.plan.sessions_per_week(), events)
        # And each stored position is where replay applied that log.
        steps_ = progression.replay_steps(current.plan.sessions_per_week(), events)
        for row, (before, _) in zip(rows, steps_, strict=True):
            if isinstance(row, SessionLog):
                assert (row.week, row.session_number) == (before.week, before.session)
