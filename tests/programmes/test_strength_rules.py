"""Her strength work's rules (programmes/strength_rules.py), rule by rule, with property tests.

No database. Focus areas come from readiness itself."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.readiness import evaluate
from guideline import protocol
from programmes.builtin_exercises import BUILTIN_EXERCISES
from programmes.progression import RED_FLAG_SYMPTOMS
from programmes.strength_rules import (
    MAX_HOLD_SECONDS,
    MAX_REPS,
    MAX_SETS,
    PELVIC_FLOOR_ROUTINE,
    RED_FLAG_NO_PLAN,
    REFER_NO_PLAN,
    STRENGTH_TESTS,
    TICKED_FOR_HER,
    TOO_EARLY_NOTE,
    Dose,
    ExerciseSpec,
    fitted_dose,
    shortfall_by_test,
    stepped,
    steps_earned,
    suggest,
    tick_outcome,
    weeks_of,
)

LIBRARY = tuple(
    ExerciseSpec(key, e.serves, Dose(e.sets, e.reps, e.hold_seconds), e.low_impact)
    for key, e in enumerate(BUILTIN_EXERCISES, start=1)
)
BY_KEY = {e.key: e for e in LIBRARY}


def focus(**strength):
    """Readiness' focus areas for these strength results: {"calf_raise": (left, right)}."""
    data = {"strength": {code: {"left": left, "right": right} for code, (left, right) in strength.items()}}
    return evaluate(data).focus_areas


def served(suggestion, daily=None):
    return {item.serves for item in suggestion.items if daily is None or item.daily == daily}


# Rule: a focus area (below 20 on a side) brings the exercises that serve its test -------------

def test_each_focus_area_brings_its_exercises_and_no_other_test():
    suggestion = suggest("ready", focus(calf_raise=(14, 22), single_leg_bridge=(20, 20)), LIBRARY)
    assert served(suggestion, daily=False) == {"strength.calf_raise"}


def test_both_sides_short_is_one_test_not_two_copies():
    suggestion = suggest("ready", focus(calf_raise=(14, 12)), LIBRARY)
    assert [i.serves for i in suggestion.items if not i.daily] == ["strength.calf_raise"]


def test_the_reason_names_the_weaker_side_in_the_trainers_words():
    item = next(i for i in suggest("ready", focus(calf_raise=(14, 9)), LIBRARY).items if not i.daily)
    assert item.reason == "Single leg calf raise: 9 of 20 on her weaker side."


def test_a_side_not_assessed_is_never_a_shortfall():
    assert shortfall_by_test(focus(calf_raise=(None, 22))) == {}
    assert served(suggest("ready", focus(calf_raise=(None, None)), LIBRARY), daily=False) == set()


# Rule: the dose fits how far below target she is ------------------------------------------------

@pytest.mark.parametrize("share, expected", [
    (0.9, Dose(3, 10)),  # near the target: the library's starting dose
    (0.75, Dose(3, 10)),
    (0.6, Dose(3, 8)),  # under three quarters: 80 % of the reps
    (0.4, Dose(2, 6)),  # under half: a set fewer, 60 % of the reps
    (0.0, Dose(2, 6)),
])
def test_the_first_weeks_dose_fits_the_shortfall(share, expected):
    assert fitted_dose(Dose(3, 10), share) == expected


def test_a_held_exercise_shortens_the_hold_not_the_count():
    assert fitted_dose(Dose(2, 3, 10), 0.4) == Dose(1, 3, 6)


def test_the_dose_follows_her_weaker_side():
    item = next(i for i in suggest("ready", focus(calf_raise=(19, 5)), LIBRARY).items if not i.daily)
    start = BY_KEY[item.key].dose
    assert item.dose == Dose(start.sets - 1, int(start.reps * 0.6))


# Rule: the daily pelvic-floor routine comes with every plan ---------------------------------------

@pytest.mark.parametrize("verdict", ["ready", "not_yet"])
def test_the_pelvic_floor_routine_is_daily_in_every_plan(verdict):
    suggestion = suggest(verdict, (), LIBRARY)
    assert served(suggestion, daily=True) == set(PELVIC_FLOOR_ROUTINE)
    assert all(i.dose == BY_KEY[i.key].dose for i in suggestion.items if i.daily)


# Rule: too early allows the pelvic floor and low-impact strength only ------------------------------

def test_too_early_keeps_low_impact_work_and_says_why():
    low = ExerciseSpec(90, "strength.calf_raise", Dose(3, 10), low_impact=True)
    high = ExerciseSpec(91, "strength.calf_raise", Dose(3, 10), low_impact=False)
    suggestion = suggest("not_yet", focus(calf_raise=(10, 10)), (low, high, *LIBRARY[4:7]))
    assert {i.key for i in suggestion.items if not i.daily} == {90}
    assert suggestion.note == TOO_EARLY_NOTE and suggestion.allowed


def test_ready_allows_the_rest_too():
    high = ExerciseSpec(91, "strength.calf_raise", Dose(3, 10), low_impact=False)
    assert {i.key for i in suggest("ready", focus(calf_raise=(10, 10)), (high,)).items} == {91}


# Rule: refer, or an open red flag, means no plan ---------------------------------------------------

def test_refer_means_no_plan():
    suggestion = suggest("refer", focus(calf_raise=(10, 10)), LIBRARY)
    assert suggestion.items == () and suggestion.refused == REFER_NO_PLAN and not suggestion.allowed


@pytest.mark.parametrize("verdict", ["ready", "not_yet", "refer"])
def test_an_open_red_flag_means_no_plan_whatever_the_verdict(verdict):
    suggestion = suggest(verdict, focus(calf_raise=(10, 10)), LIBRARY, open_red_flag=True)
    assert suggestion.items == () and suggestion.refused == RED_FLAG_NO_PLAN


# Rule: her trainer's own exercise for a test replaces the built-ins for it -------------------------

def test_her_trainers_own_replaces_the_builtins_for_that_test_only():
    own = ExerciseSpec(99, "strength.calf_raise", Dose(2, 8), own=True)
    suggestion = suggest("ready", focus(calf_raise=(10, 10), single_leg_bridge=(10, 10)), (*LIBRARY, own))
    calf = [i.key for i in suggestion.items if i.serves == "strength.calf_raise"]
    bridge = [i.key for i in suggestion.items if i.serves == "strength.single_leg_bridge"]
    assert calf == [99] and bridge and 99 not in bridge


# Rule: the dose steps up after two weeks of sessions without symptoms ------------------------------

@pytest.mark.parametrize("weeks, steps", [
    ({}, 0),
    ({1: (3, 0)}, 0),
    ({1: (3, 0), 2: (2, 0)}, 1),
    ({1: (3, 0), 2: (2, 1)}, 0),  # a session with symptoms: no step
    ({1: (3, 0), 2: (0, 0), 3: (3, 0)}, 0),  # a week with none done breaks the run
    ({1: (1, 0), 2: (1, 0), 3: (1, 0), 4: (1, 0)}, 2),
])
def test_steps_are_earned_by_two_symptom_free_weeks_in_a_row(weeks, steps):
    assert steps_earned(weeks) == steps


def test_a_step_adds_reps_then_a_set_and_holds_lengthen_to_their_cap():
    assert stepped(Dose(3, 10), 1) == Dose(3, 12)
    assert stepped(Dose(3, 19), 2) == Dose(4, 20)
    assert stepped(Dose(1, 6, 5), 3) == Dose(1, 6, 10)
    assert stepped(Dose(1, 6, 5), 4) == Dose(2, 6, 10)


# Properties ----------------------------------------------------------------------------------------

side = st.one_of(st.none(), st.integers(min_value=0, max_value=40))
results = st.fixed_dictionaries({item.code: st.tuples(side, side) for item in protocol.section("strength").items})
verdicts = st.sampled_from(["ready", "not_yet", "refer"])


@given(results, verdicts)
def test_never_suggests_an_exercise_for_a_test_passed_on_both_sides(strength, verdict):
    suggestion = suggest(verdict, focus(**strength), LIBRARY)
    for code, (left, right) in strength.items():
        if all(v is None or v >= protocol.STRENGTH_TARGET for v in (left, right)):
            assert f"strength.{code}" not in served(suggestion)


@given(results, verdicts)
def test_never_exceeds_the_librarys_starting_dose_in_week_one(strength, verdict):
    for item in suggest(verdict, focus(**strength), LIBRARY).items:
        assert item.dose.within(BY_KEY[item.key].dose)


@given(results)
def test_a_side_not_assessed_is_never_treated_as_zero(strength):
    """Blanking a side never makes a plan harder on her: only a measured side below 20 counts."""
    measured = {code: (left if left is not None else 99, right if right is not None else 99)
                for code, (left, right) in strength.items()}
    assert suggest("ready", focus(**strength), LIBRARY) == suggest("ready", focus(**measured), LIBRARY)


@given(results, verdicts)
def test_only_strength_tests_and_the_routine_are_suggested(strength, verdict):
    for item in suggest(verdict, focus(**strength), LIBRARY).items:
        assert item.serves in (*STRENGTH_TESTS, *PELVIC_FLOOR_ROUTINE)


@given(st.integers(1, 10), st.integers(1, 30), st.one_of(st.none(), st.integers(1, 10)), st.integers(0, 30))
def test_stepping_never_lowers_a_dose_and_respects_the_caps(sets, reps, hold, steps):
    start = Dose(sets, reps, hold)
    after = stepped(start, steps)
    assert start.within(after)
    assert after.sets <= max(sets, MAX_SETS) and after.reps <= max(reps, MAX_REPS)
    assert (after.hold_seconds or 0) <= max(hold or 0, MAX_HOLD_SECONDS)


# Rule: a symptom noted with strength work follows a run's rules ------------------------------------

def test_a_clean_tick_says_well_done():
    assert tick_outcome([]) == ("clean", TICKED_FOR_HER)


def test_a_symptom_that_is_not_a_red_flag_says_stop_and_tell_your_trainer():
    kind, words = tick_outcome(["pain"])
    assert kind == "symptom" and words.startswith("Stop the exercise") and "tell your trainer" in words


@pytest.mark.parametrize("code", RED_FLAG_SYMPTOMS)
def test_every_red_flag_symptom_says_stop_now_and_whom_to_see(code):
    kind, words = tick_outcome([code, "pain"])
    assert kind == "red_flag" and words.startswith("Stop exercising now.")
    assert protocol.route_text([code], "client") in words and "paused" in words


def test_only_finished_weeks_count_towards_a_step():
    ticks = [(1, False), (1, False), (2, False), (3, False)]
    assert weeks_of(ticks, current_week=3) == {1: (2, 0), 2: (1, 0)}
    assert steps_earned(weeks_of(ticks, current_week=3)) == 1
    assert steps_earned(weeks_of(ticks, current_week=2)) == 0  # week 2 is under way


@given(st.lists(st.tuples(st.integers(1, 12), st.booleans())), st.integers(1, 13))
def test_a_week_with_symptoms_never_earns_a_step_by_itself(ticks, current_week):
    """Every step needs two symptom-free finished weeks: never more steps than half of them."""
    weeks = weeks_of(ticks, current_week)
    clean = sum(1 for done, with_symptoms in weeks.values() if done and not with_symptoms)
    assert steps_earned(weeks) <= clean // 2
