"""Graded programmes: the built-in templates and the symptom-gated progression rules.

Pure Python, no database: runs with `-p no:django`.
"""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from guideline import protocol
from programmes.builtin import (
    BUILTIN_TEMPLATES,
    FOUNDATIONS,
    WALK_RUN_TO_30,
    Block,
    running_seconds,
    sessions_per_week,
    walking_seconds,
    week_running_seconds,
    week_walking_seconds,
)
from programmes.progression import (
    RED_FLAG_SYMPTOMS,
    SESSION_OUTCOMES,
    SESSION_SYMPTOMS,
    LoggedSession,
    Resumed,
    State,
    outcome_of,
    replay,
    symptom_names,
)

MIN = 60
THREE_BY_THREE = (3, 3, 3)

CLEAN = LoggedSession("completed", effort=5)
PAIN = LoggedSession("completed", effort=5, symptoms={"pain"})


def clean(n):
    return [CLEAN] * n


# --- Built-in templates ---------------------------------------------------------

def test_walk_run_to_30_has_nine_weeks_of_three_sessions():
    assert sessions_per_week(WALK_RUN_TO_30) == (3,) * 9


def test_every_built_in_session_has_five_minute_warm_up_and_cool_down_walks():
    for template in BUILTIN_TEMPLATES:
        for week in template.weeks:
            for session in week.sessions:
                assert session.warm_up_seconds == 5 * MIN
                assert session.cool_down_seconds == 5 * MIN


def test_week_1_session_is_8_minutes_running_and_12_minutes_interval_walking():
    session = WALK_RUN_TO_30.weeks[0].sessions[0]
    assert running_seconds(session) == 8 * MIN
    # 12 minutes of walks between runs plus the 10 minutes of warm-up and cool-down.
    assert walking_seconds(session) == 12 * MIN + 10 * MIN


def test_week_totals_add_up_the_sessions():
    week_1 = WALK_RUN_TO_30.weeks[0]
    assert week_running_seconds(week_1) == 3 * 8 * MIN
    assert week_walking_seconds(week_1) == 3 * 22 * MIN


@pytest.mark.parametrize(
    "week, running_minutes, interval_walking_minutes",
    [(2, 9, 12), (3, 9, 9), (4, 16, 5.5)],
)
def test_weeks_2_to_4_match_the_table(week, running_minutes, interval_walking_minutes):
    for session in WALK_RUN_TO_30.weeks[week - 1].sessions:
        assert running_seconds(session) == running_minutes * MIN
        assert walking_seconds(session) == (interval_walking_minutes + 10) * MIN


def test_week_4_ends_on_a_run_with_no_walk_after_it():
    session = WALK_RUN_TO_30.weeks[3].sessions[0]
    assert session.blocks[-1] == Block(run_seconds=5 * MIN, walk_seconds=0, repeats=1)


@pytest.mark.parametrize(
    "week, running_minutes, interval_walking_minutes",
    [(5, (15, 16, 20), (6, 5, 0)), (6, (18, 20, 25), (6, 3, 0))],
)
def test_weeks_5_and_6_have_three_different_sessions(week, running_minutes, interval_walking_minutes):
    sessions = WALK_RUN_TO_30.weeks[week - 1].sessions
    assert tuple(running_seconds(s) // MIN for s in sessions) == running_minutes
    assert tuple(walking_seconds(s) / MIN - 10 for s in sessions) == interval_walking_minutes


@pytest.mark.parametrize("week, minutes", [(7, 25), (8, 28), (9, 30)])
def test_weeks_7_to_9_are_one_continuous_run(week, minutes):
    for session in WALK_RUN_TO_30.weeks[week - 1].sessions:
        assert session.blocks == (Block(minutes * MIN, 0, 1),)


def test_week_9_is_30_minutes_running():
    assert running_seconds(WALK_RUN_TO_30.weeks[8].sessions[0]) == 30 * MIN


def test_foundations_is_two_weeks_starting_with_six_one_minute_runs_and_two_minute_walks():
    assert sessions_per_week(FOUNDATIONS) == (3, 3)
    assert FOUNDATIONS.weeks[0].sessions[0].blocks == (Block(1 * MIN, 2 * MIN, 6),)


def test_foundations_builds_up_to_but_not_beyond_week_1():
    week_1 = WALK_RUN_TO_30.weeks[0].sessions[0]
    first, second = (week.sessions[0] for week in FOUNDATIONS.weeks)
    assert running_seconds(first) <= running_seconds(second) <= running_seconds(week_1)
    assert second.blocks[0].run_seconds == week_1.blocks[0].run_seconds
    assert second.blocks[0].walk_seconds == week_1.blocks[0].walk_seconds


@pytest.mark.parametrize("run, walk, repeats", [(-1, 60, 1), (60, -1, 1), (60, 60, 0), (0, 0, 1)])
def test_a_block_rejects_impossible_times(run, walk, repeats):
    with pytest.raises(ValueError):
        Block(run, walk, repeats)


# --- Progression: the rules, one by one -----------------------------------------

def test_the_red_flags_are_the_domain_symptoms_and_warning_signs_and_pain_is_not_one():
    assert len(set(RED_FLAG_SYMPTOMS)) == 18  # 10 pelvic symptoms and 8 medical warning signs
    assert "chest_pain" in RED_FLAG_SYMPTOMS and "pregnant_again" in RED_FLAG_SYMPTOMS
    assert "urinary_leakage" in RED_FLAG_SYMPTOMS and "abnormal_bleeding" in RED_FLAG_SYMPTOMS
    assert "pain" in SESSION_SYMPTOMS and "pain" not in RED_FLAG_SYMPTOMS


def test_a_new_programme_starts_at_week_1_session_1():
    state = replay(THREE_BY_THREE, [])
    assert (state.week, state.session, state.status) == (1, 1, "active")
    assert state.repeats == state.clean_streak == 0
    assert state.alerts == () and state.last_outcome is None


def test_a_clean_session_moves_on_to_the_next_session():
    state = replay(THREE_BY_THREE, clean(1))
    assert (state.week, state.session) == (1, 2)
    assert state.last_outcome.kind == "advance_session"
    assert "week 1, session 2" in state.last_outcome.message


def test_a_week_of_clean_sessions_moves_on_to_the_next_week():
    state = replay(THREE_BY_THREE, clean(3))
    assert (state.week, state.session) == (2, 1)
    assert state.last_outcome.kind == "advance_week"


def test_completing_the_last_week_cleanly_finishes_the_programme():
    state = replay(THREE_BY_THREE, clean(9))
    assert state.status == "finished"
    assert state.last_outcome.kind == "finish"
    assert state.week == 3


def test_a_symptom_says_walk_the_rest_and_restarts_the_week():
    state = replay(THREE_BY_THREE, clean(5) + [PAIN])
    assert (state.week, state.session, state.status) == (2, 1, "active")
    assert state.last_outcome.kind == "repeat_week"
    assert "walk the rest" in state.last_outcome.message
    assert state.alerts == ()


@pytest.mark.parametrize("outcome", ["partial", "skipped"])
def test_a_partial_or_skipped_session_restarts_the_week(outcome):
    state = replay(THREE_BY_THREE, clean(5) + [LoggedSession(outcome)])
    assert (state.week, state.session) == (2, 1)
    assert state.last_outcome.kind == "repeat_week"


@pytest.mark.parametrize("effort, kind", [(8, "advance_session"), (9, "repeat_week"), (10, "repeat_week")])
def test_effort_of_9_or_10_restarts_the_week_because_easy_running_should_feel_easy(effort, kind):
    state = replay(THREE_BY_THREE, [LoggedSession("completed", effort=effort)])
    assert state.last_outcome.kind == kind


def test_an_unrated_effort_does_not_hold_a_week_back():
    assert replay(THREE_BY_THREE, [LoggedSession("completed")] * 3).week == 2


def test_repeats_counts_restarts_of_the_week_and_resets_on_a_new_week():
    state = replay(THREE_BY_THREE, [LoggedSession("partial"), LoggedSession("skipped")])
    assert (state.week, state.repeats) == (1, 2)
    assert replay(THREE_BY_THREE, [LoggedSession("partial")] + clean(3)).repeats == 0


@pytest.mark.parametrize("symptom", RED_FLAG_SYMPTOMS)
def test_any_red_flag_pauses_the_programme_with_a_referral_alert(symptom):
    state = replay(THREE_BY_THREE, clean(1) + [LoggedSession("completed", 3, {symptom})])
    assert state.status == "paused"
    assert state.last_outcome.kind == "pause"
    route = protocol.signposts_for_symptoms([symptom])[0]
    assert route.client in state.last_outcome.message
    if symptom == "abnormal_bleeding":  # DOMAIN.md "Signposting": GP or midwife, urgently if heavy
        assert "GP or midwife" in state.last_outcome.message and "pelvic health" not in state.last_outcome.message
    elif protocol.ITEMS[f"symptoms.{symptom}"].group == "pelvic":
        assert "GP or a pelvic health physiotherapist" in state.last_outcome.message
    # A warning sign or bleeding: stop exercising now, restart once seen (DOMAIN.md "Medical warning signs").
    if route.stop_now:
        assert state.last_outcome.message.startswith("Stop exercising now") and "walk the rest" not in state.last_outcome.message
    else:
        assert "walk the rest" in state.last_outcome.message
    assert "has seen you" in state.last_outcome.message and "when you are ready" not in state.last_outcome.message
    [alert] = state.alerts
    assert alert.code == "red_flag"
    assert f"({symptom_names([symptom])})" in alert.message, "named in words, not as a code"
    assert "_" not in alert.message


def test_a_red_flag_on_a_skipped_session_still_pauses():
    assert replay(THREE_BY_THREE, [LoggedSession("skipped", symptoms={"urgency"})]).status == "paused"


def test_symptoms_in_two_sessions_in_a_row_pause_the_programme():
    state = replay(THREE_BY_THREE, [PAIN, PAIN])
    assert state.status == "paused"
    assert [a.code for a in state.alerts] == ["symptoms_in_a_row"]


def test_symptoms_across_a_week_boundary_still_count_as_in_a_row():
    state = replay((1, 1, 1), clean(1) + [PAIN, PAIN])
    assert state.status == "paused"


def test_symptoms_with_a_clean_session_between_them_do_not_pause():
    state = replay(THREE_BY_THREE, [PAIN, CLEAN, PAIN])
    assert state.status == "active"
    assert state.last_outcome.kind == "repeat_week"


def test_a_symptom_free_skip_does_not_separate_two_symptomatic_sessions():
    state = replay(THREE_BY_THREE, [PAIN, LoggedSession("skipped"), PAIN])
    assert state.status == "paused"


def test_clean_streak_counts_symptom_free_sessions_across_weeks_and_ignores_skips():
    assert replay(THREE_BY_THREE, clean(4)).clean_streak == 4
    assert replay(THREE_BY_THREE, clean(2) + [LoggedSession("skipped")] + clean(1)).clean_streak == 3
    assert replay(THREE_BY_THREE, clean(2) + [LoggedSession("partial")]).clean_streak == 3
    assert replay(THREE_BY_THREE, clean(2) + [PAIN]).clean_streak == 0


def test_logs_while_paused_are_ignored():
    paused = replay(THREE_BY_THREE, [PAIN, PAIN])
    assert replay(THREE_BY_THREE, [PAIN, PAIN] + clean(5)) == paused


def test_outcome_of_refuses_a_log_on_a_paused_or_finished_programme():
    for state in (replay(THREE_BY_THREE, [PAIN, PAIN]), replay(THREE_BY_THREE, clean(9))):
        with pytest.raises(ValueError):
            outcome_of(state, CLEAN)


def test_resume_steps_back_one_week_to_session_1():
    state = replay(THREE_BY_THREE, clean(7) + [PAIN, PAIN, Resumed()])
    assert (state.week, state.session, state.status) == (2, 1, "active")
    assert state.last_outcome.kind == "resume"
    assert state.alerts == ()


def test_resume_in_week_1_stays_in_week_1():
    state = replay(THREE_BY_THREE, clean(1) + [PAIN, PAIN, Resumed()])
    assert (state.week, state.session, state.status) == (1, 1, "active")


def test_after_resuming_one_symptom_restarts_the_week_rather_than_pausing_again():
    state = replay(THREE_BY_THREE, [PAIN, PAIN, Resumed(), PAIN])
    assert state.status == "active"
    assert state.last_outcome.kind == "repeat_week"


def test_resume_does_nothing_to_an_active_or_finished_programme():
    for events in (clean(4), clean(9)):
        assert replay(THREE_BY_THREE, events + [Resumed()]) == replay(THREE_BY_THREE, events)


def test_outcome_of_gives_the_message_before_the_log_is_saved():
    state = replay(THREE_BY_THREE, clean(2))
    outcome = outcome_of(state, CLEAN)
    assert outcome == replay(THREE_BY_THREE, clean(3)).last_outcome
    assert outcome.message == "Week 1 done with no symptoms. Next: week 2, session 1."


def test_messages_say_what_happens_next_without_diagnosing():
    outcomes = [
        replay(THREE_BY_THREE, events).last_outcome
        for events in (
            [PAIN],
            [LoggedSession("partial")],
            [LoggedSession("completed", 10)],
            [LoggedSession("completed", symptoms={"urinary_leakage"})],
            [PAIN, PAIN],
        )
    ]
    for outcome in outcomes:
        assert "week 1" in outcome.message.lower() or "paused" in outcome.message
        for word in ("diagnos", "you have", "incontinence", "prolapse"):
            assert word not in outcome.message.lower()


@pytest.mark.parametrize(
    "kwargs",
    [{"outcome": "done"}, {"outcome": "completed", "effort": 11},
     {"outcome": "completed", "effort": -1}, {"outcome": "completed", "symptoms": {"cough"}}],
)
def test_a_session_log_rejects_unknown_values(kwargs):
    with pytest.raises(ValueError):
        LoggedSession(**kwargs)


@pytest.mark.parametrize("plan", [(), (3, 0)])
def test_replay_rejects_a_programme_without_sessions(plan):
    with pytest.raises(ValueError):
        replay(plan, [])


def test_replay_follows_a_built_in_template_to_the_end():
    plan = sessions_per_week(WALK_RUN_TO_30)
    assert replay(plan, clean(sum(plan))).status == "finished"


# --- Progression: properties ------------------------------------------------------

plans = st.lists(st.integers(1, 4), min_size=1, max_size=5).map(tuple)
logs = st.builds(
    LoggedSession,
    outcome=st.sampled_from(SESSION_OUTCOMES),
    effort=st.none() | st.integers(0, 10),
    symptoms=st.frozensets(st.sampled_from(SESSION_SYMPTOMS), max_size=3),
)
clean_logs = st.builds(
    LoggedSession, outcome=st.just("completed"), effort=st.none() | st.integers(0, 8)
)
events = st.lists(logs | st.just(Resumed()), max_size=40)


def states_along(plan, history):
    return [replay(plan, history[:i]) for i in range(len(history) + 1)]


@given(plans, events)
def test_replay_never_raises_and_week_and_session_stay_in_range(plan, history):
    for state in states_along(plan, history):
        assert isinstance(state, State)
        assert 1 <= state.week <= len(plan)
        assert 1 <= state.session <= plan[state.week - 1]
        assert (state.status == "paused") == bool(state.alerts)


@given(plans, events, st.lists(clean_logs, max_size=20))
def test_clean_sessions_never_move_the_programme_backwards(plan, before, clean_run):
    states = states_along(plan, before + clean_run)[len(before):]
    positions = [(s.week, s.session) for s in states]
    assert positions == sorted(positions)


setbacks = st.sampled_from(
    [PAIN, LoggedSession("partial"), LoggedSession("skipped"), LoggedSession("completed", 9)]
)


@given(plans, events, st.lists(clean_logs, max_size=6), setbacks)
def test_a_setback_restarts_the_current_week_at_session_1(plan, before, clean_run, setback):
    state = replay(plan, before + clean_run)
    assume(state.status == "active" and state.symptom_streak == 0)
    after = replay(plan, before + clean_run + [setback])
    assert (after.week, after.session, after.status) == (state.week, 1, "active")
    assert after.repeats == state.repeats + 1


@given(plans, events, st.sampled_from(RED_FLAG_SYMPTOMS), logs)
def test_a_red_flag_always_pauses(plan, before, red_flag, log):
    log = LoggedSession(log.outcome, log.effort, log.symptoms | {red_flag})
    state = replay(plan, before)
    after = replay(plan, before + [log])
    if state.status == "active":
        assert after.status == "paused"
        assert after.alerts[-1].code == "red_flag"
    else:
        assert after == state


@given(plans, events)
def test_a_resume_never_moves_the_programme_forward(plan, before):
    state = replay(plan, before)
    after = replay(plan, before + [Resumed()])
    assert (after.week, after.session) <= (state.week, state.session)


@given(plans, events, logs)
def test_outcome_of_agrees_with_replay(plan, before, log):
    state = replay(plan, before)
    if state.status == "active":
        assert outcome_of(state, log) == replay(plan, before + [log]).last_outcome


def test_buggy_running_waits_for_six_months_and_a_symptom_free_week():
    from programmes.progression import buggy_running_advice

    born = date(2026, 3, 31)
    clean_week = replay(THREE_BY_THREE, clean(6))  # week 1 starts running; week 2 shows it is established
    # 6 calendar months, not 26 weeks: 26 weeks after 31 Mar is 29 Sep, six months is 30 Sep.
    assert "6 months old (30 Sep 2026)" in buggy_running_advice(born, born + timedelta(weeks=26), clean_week)
    assert buggy_running_advice(born, date(2026, 9, 30), clean_week).startswith("Buggy running can start")
    assert "full week" in buggy_running_advice(born, date(2026, 12, 1), replay(THREE_BY_THREE, clean(5)))
    paused = replay(THREE_BY_THREE, clean(3) + [LoggedSession("completed", 3, {"urgency"})])
    assert buggy_running_advice(born, date(2027, 1, 1), paused).startswith("No running with the buggy yet")


# --- Open red flags (DOMAIN.md "Open red flags", issue 19) ---------------------------------

from datetime import datetime  # noqa: E402

from programmes.progression import RedFlag, Screen, months_after, open_red_flags, running_allowed  # noqa: E402


def at(day, hour=9):
    return datetime(day.year, day.month, day.day, hour)


def flag(day, hour=9, codes=("urgency",), source="session"):
    return RedFlag(tuple(codes), day, at(day, hour), source, 1, "her")


DAY = date(2026, 12, 1)


def test_a_red_flag_stays_open_until_a_later_clear_screen():
    raised = [flag(DAY)]
    assert open_red_flags(raised, []) == tuple(raised)
    assert open_red_flags(raised, [Screen(DAY + timedelta(days=3), at(DAY + timedelta(days=3)))]) == ()


def test_a_screen_recorded_before_the_red_flag_never_clears_it():
    raised = [flag(DAY, hour=12)]
    assert open_red_flags(raised, [Screen(DAY, at(DAY, hour=10))]) == tuple(raised)


def test_an_earlier_dated_screen_entered_later_does_not_clear_it():
    """She said "no" at a screen dated before the symptom: that screen knew nothing of it."""
    raised = [flag(DAY)]
    assert open_red_flags(raised, [Screen(DAY - timedelta(days=1), at(DAY + timedelta(days=2)))]) == tuple(raised)


def test_a_screen_the_same_day_recorded_after_clears_it():
    assert open_red_flags([flag(DAY, hour=9)], [Screen(DAY, at(DAY, hour=15))]) == ()


def test_open_red_flags_come_oldest_first():
    later, earlier = flag(DAY + timedelta(days=2)), flag(DAY)
    assert open_red_flags([later, earlier], []) == (earlier, later)


def test_a_red_flag_keeps_its_record_through_json():
    raised = RedFlag(("chest_pain", "urgency"), DAY, at(DAY), "assessment", 7, "Olivia Owner")
    assert RedFlag.from_json(raised.as_json()) == raised
    assert raised.where == "at her assessment of 1 Dec 2026"
    assert flag(DAY).where == "in her session of 1 Dec 2026, logged by her"


def test_an_open_red_flag_holds_running_first_with_its_own_route_and_no_override():
    ready = evaluate_ready()
    bleeding = running_allowed(ready, 20, frozenset(protocol.ITEMS), red_flags=[flag(DAY, codes=("abnormal_bleeding",))])
    assert (bleeding.allowed, bleeding.code, bleeding.overridable) == (False, "refer", False)
    assert "the GP or a midwife" in bleeding.reason and "GP or midwife" in bleeding.for_her
    assert "pelvic health" not in bleeding.for_her
    # Before "never assessed": whom to see matters most.
    chest = running_allowed(None, 20, red_flags=[flag(DAY, codes=("chest_pain",))])
    assert chest.code == "refer" and "999" in chest.for_her and chest.red_flag_codes == ("chest_pain",)


def test_unasked_warning_sign_questions_hold_running_with_their_own_words():
    from assessments.readiness import evaluate

    data = ready_dict()
    for code in WARNING_CODES:
        data["symptoms"][code] = None
    decision = running_allowed(evaluate(data), 20, frozenset(protocol.ITEMS))
    assert (decision.allowed, decision.code, decision.new_questions_only) == (False, "screen_incomplete", True)
    assert decision.reason.startswith("Ask the new warning-sign questions") and "8 medical warning signs" in decision.reason
    data["symptoms"]["urgency"] = None
    other = running_allowed(evaluate(data), 20)
    assert other.code == "screen_incomplete" and not other.new_questions_only


def test_carried_over_values_hold_running_until_confirmed_and_no_reason_overrides_them():
    decision = running_allowed(evaluate_ready(), 20, frozenset(protocol.ITEMS), carried_over=3)
    assert (decision.allowed, decision.code, decision.overridable) == (False, "carried_over", False)
    assert "carries over 3 measurements" in decision.reason
    assert running_allowed(evaluate_ready(), 20, carried_over=0).allowed


WARNING_CODES = [item.code for item in protocol.section("symptoms").items if item.group == "warning"]


def ready_dict():
    """Every measurement on target, no symptom and no concern (as assessments.models.values_at_target)."""
    values = {field.name: (field.item.section == "pelvic_floor") if field.is_flag else field.item.target
              for field in protocol.FIELDS}
    return protocol.nest({"weeks_postpartum": 20, **values, "profile": {}})


def evaluate_ready():
    from assessments.readiness import evaluate

    return evaluate(ready_dict())


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 3, 31), 6, date(2026, 9, 30)), (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2027, 8, 31), 6, date(2028, 2, 29)), (date(2026, 1, 15), 6, date(2026, 7, 15)),
])
def test_six_calendar_months_later(day, months, expected):
    assert months_after(day, months) == expected


# --- Pacing (DOMAIN.md "Pacing", issue 19) ---------------------------------------------------


def on(day_offset, outcome="completed", effort=5, symptoms=()):
    return LoggedSession(outcome, effort, frozenset(symptoms), DAY + timedelta(days=day_offset))


def test_a_session_the_day_after_another_is_recorded_but_does_not_count():
    state = replay(THREE_BY_THREE, [on(0), on(1)])
    assert (state.week, state.session) == (1, 2), "only the first moved her on"
    assert state.last_outcome.kind == "not_counted" and state.last_outcome.tone == "warning"
    assert "does not count towards moving on" in state.last_outcome.message
    assert "another session counted on 1 Dec 2026" in state.last_outcome.message
    assert replay(THREE_BY_THREE, [on(0), on(2)]).session == 3, "a rest day between: it counts"


def test_a_session_judged_against_the_days_either_side_not_only_the_last_logged():
    # Logged late: the session of the 2nd comes after the one of the 3rd.
    state = replay(THREE_BY_THREE, [on(3), on(2)])
    assert state.last_outcome.kind == "not_counted" and state.session == 2
    assert replay(THREE_BY_THREE, [on(4), on(0)]).session == 3


def test_symptoms_still_count_in_a_session_that_came_too_soon():
    assert replay(THREE_BY_THREE, [on(0), on(1, symptoms={"pain"})]).last_outcome.kind == "repeat_week"
    assert replay(THREE_BY_THREE, [on(0), on(1, symptoms={"urgency"})]).status == "paused"


def test_a_skipped_session_is_judged_as_before_and_sets_no_rest_day():
    state = replay(THREE_BY_THREE, [on(0), on(1, "skipped", None)])
    assert state.last_outcome.kind == "repeat_week"
    assert replay(THREE_BY_THREE, [on(0, "skipped", None), on(1)]).session == 2


def test_buggy_running_needs_a_paced_week():
    paced = [on(2 * day) for day in range(6)]
    assert replay(THREE_BY_THREE, paced).steady_streak == 3
    rushed = paced[:5] + [on(9)]  # the day after the fifth
    assert replay(THREE_BY_THREE, rushed).steady_streak == 0


@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from(SESSION_OUTCOMES)), max_size=12))
def test_no_two_counted_runs_are_within_a_day_of_each_other(days_and_outcomes):
    state = replay((3,) * 12, [on(day, outcome) for day, outcome in days_and_outcomes])
    days = sorted(state.run_days)
    assert all((later - earlier).days >= 2 for earlier, later in zip(days, days[1:], strict=False))


# --- Plan warnings (DOMAIN.md "Pacing") ---------------------------------------------------


def test_the_built_in_plans_raise_no_warning():
    from programmes.builtin import plan_warnings

    for template in BUILTIN_TEMPLATES:
        assert plan_warnings([week.sessions for week in template.weeks]) == []


def test_a_plan_that_rushes_her_is_warned_about_with_the_reason():
    from programmes.builtin import BUILTIN_STEEPEST_RISE, SessionPlan, plan_warnings

    gentle = SessionPlan(300, (Block(60, 90, 8),), 300)
    continuous = SessionPlan(300, (Block(5 * MIN, 0),), 300)
    cold = SessionPlan(120, (Block(60, 90, 8),), 300)
    steep = SessionPlan(300, (Block(60, 90, 16),), 300)  # twice week 1's running
    assert round(BUILTIN_STEEPEST_RISE, 2) == 1.78  # week 3 → 4 of "Walk–run to 30 minutes": 27 → 48 minutes
    [first] = plan_warnings([[continuous]])
    assert "Week 1 starts with a run of 5 minutes" in first and "no run over 3 minutes" in first
    [warm] = plan_warnings([[cold, gentle]])
    assert "under 5 minutes (week 1 session 1)" in warm
    [rise] = plan_warnings([[gentle], [steep]])
    assert rise.startswith("Week 2's running time rises from 8 minutes to 16 minutes (×2.0)")


# The rule reads a result's verdict and reasons only (issue 20) ------------------------------------
# An autosave that leaves them as they were (and the count of carried-over values, and the date)
# skips the replay of her programmes (assessments.models.ruling): the rule must not read more.

from assessments.models import ruling  # noqa: E402
from assessments.readiness import evaluate  # noqa: E402
from tests.assessments.test_readiness import assessments as drawn_assessments  # noqa: E402
from tests.assessments.test_readiness import changed as changed_data  # noqa: E402

NOT_RULING = [f"{i.path}.{key}" for i in protocol.ITEMS.values() if i.section == "strength" for key in i.value_keys] + [
    i.path for i in protocol.ITEMS.values() if i.section == "holistic"]


@given(drawn_assessments, st.dictionaries(st.sampled_from(NOT_RULING), st.none() | st.booleans() | st.integers(0, 40),
                                          max_size=4),
       st.none() | st.integers(0, 30), st.sampled_from([frozenset(), frozenset({"pelvic_floor.long_holds"})]),
       st.integers(0, 3))
def test_results_with_the_same_verdict_and_reasons_rule_alike(data, edits, weeks, overridden, carried):
    before, after = evaluate(data), evaluate(changed_data(data, edits))
    assume(ruling(before) == ruling(after))
    assert running_allowed(before, weeks, overridden, (), carried) == running_allowed(after, weeks, overridden, (), carried)
