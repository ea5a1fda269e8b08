"""The readiness rules (DOMAIN.md) and the protocol they read, rule by rule.

Pure Python: the rules and the protocol import nothing of Django, and these tests use no database.
Most tests start from an assessment sitting exactly on every target and change one
thing, so each test shows which single change moves the verdict.
"""

import copy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.readiness import Caution, FocusArea, Reason, Result, evaluate, load_impact_reasons
from guideline import protocol
from guideline.protocol import ITEMS, MIN_WEEKS_POSTPARTUM, PROFILE_FIELDS, RULES, SECTIONS, SIDES, SIGNPOSTS, section

ABSENT = object()  # delete the key: absent must behave like None
RANK = {"refer": 0, "not_yet": 1, "ready": 2}


def ready_data():
    """Every item exactly on target and no concerns: the least that is still "ready"."""

    def answer(item):
        return item.target if item.kind == "number" else True

    def profile_answer(field):
        if field.kind == "flag":
            return False
        return next(value for value, _ in field.choices if value not in field.caution_values)

    return {
        "weeks_postpartum": MIN_WEEKS_POSTPARTUM,
        "symptoms": {i.code: False for i in section("symptoms").items},
        "pelvic_floor": {i.code: answer(i) for i in section("pelvic_floor").items},
        "load_impact": {
            i.code: {**{key: i.target for key in i.value_keys}, "symptoms": False}
            for i in section("load_impact").items
        },
        "strength": {i.code: {side: i.target for side in SIDES} for i in section("strength").items},
        "holistic": {i.code: False for i in section("holistic").items},
        "profile": {f.code: profile_answer(f) for f in PROFILE_FIELDS},
    }


def changed(data, changes):
    """A deep copy of data with dotted paths set (or removed with ABSENT)."""
    data = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, key = path.split(".")
        node = data
        for name in parents:
            if not isinstance(node.get(name), dict):
                node[name] = {}
            node = node[name]
        if value is ABSENT:
            node.pop(key, None)
        else:
            node[key] = value
    return data


def assess(changes=None):
    return evaluate(changed(ready_data(), changes or {}))


def only_reason(result) -> Reason:
    assert len(result.reasons) == 1, result.reasons
    return result.reasons[0]


def caution_codes(result):
    return [c.code for c in result.cautions]


GATING_PELVIC_FLOOR = [i for i in section("pelvic_floor").items if i.gating]
NUMBER_PELVIC_FLOOR = [i for i in GATING_PELVIC_FLOOR if i.kind == "number"]
FLAG_PELVIC_FLOOR = [i for i in GATING_PELVIC_FLOOR if i.kind == "flag"]


def ids(item):
    return item.code


# The protocol ---------------------------------------------------------------------


def test_sections_come_in_domain_order():
    assert [s.code for s in SECTIONS] == ["symptoms", "pelvic_floor", "load_impact", "strength", "holistic"]


def test_targets_match_domain():
    # The numbers from DOMAIN.md's tables, written out once more on purpose: a change
    # to a clinical threshold must be a deliberate edit in two places.
    expected = {
        "pelvic_floor.long_holds": 6,
        "pelvic_floor.hold_seconds": 8,
        "pelvic_floor.fast_reps": 10,
        "load_impact.walk": 30,
        "load_impact.single_leg_balance": 10,
        "load_impact.single_leg_squat": 10,
        "load_impact.jog_on_spot": 60,
        "load_impact.forward_bounds": 10,
        "load_impact.hop_in_place": 10,
        "load_impact.running_man": 10,
        "strength.calf_raise": 20,
        "strength.single_leg_bridge": 20,
        "strength.single_leg_sit_to_stand": 20,
        "strength.side_lying_abduction": 20,
    }
    assert {path: i.target for path, i in ITEMS.items() if i.kind == "number"} == expected
    assert MIN_WEEKS_POSTPARTUM == 12


def test_sided_items_match_domain():
    sided = {path for path, i in ITEMS.items() if i.sided}
    assert sided == {
        "load_impact.single_leg_balance",
        "load_impact.single_leg_squat",
        "load_impact.hop_in_place",
        "load_impact.running_man",
        *(i.path for i in section("strength").items),
    }


def test_symptoms_and_holistic_flags_match_domain():
    assert [i.code for i in section("symptoms").items] == [
        "urinary_leakage", "faecal_leakage", "wind_leakage", "urgency", "heaviness_dragging",
        "lumbopelvic_pain", "pain_during_sex", "abdominal_doming", "obstructed_defecation", "abnormal_bleeding",
        # DOMAIN.md "Medical warning signs": further codes of the same screen
        "chest_pain", "breathlessness", "dizziness_fainting", "calf_pain_swelling", "severe_abdominal_pain",
        "fever_unwell", "scar_worsening", "pregnant_again",
    ]
    assert [i.code for i in section("holistic").items] == [
        "sleep", "hydration", "nutrition", "mood", "stress", "energy", "scar", "breast_support",
    ]


def test_only_physio_strength_and_holistic_items_never_gate():
    not_gating = {path for path, i in ITEMS.items() if not i.gating}
    assert not_gating == {
        "pelvic_floor.physio_assessed",
        *(i.path for i in section("strength").items),
        *(i.path for i in section("holistic").items),
    }


@pytest.mark.parametrize("item", ITEMS.values(), ids=lambda i: i.path)
def test_every_item_is_complete(item):
    assert item.label and item.help and item.rule in RULES
    assert item.kind in ("flag", "number")
    if item.kind == "number":
        assert item.unit and item.maximum >= item.target
    else:
        assert not item.unit and item.target is None and item.maximum is None
    if item.section == "holistic":
        assert item.caution


def test_items_are_indexed_by_their_path():
    assert ITEMS["load_impact.hop_in_place"].path == "load_impact.hop_in_place"
    assert len(ITEMS) == sum(len(s.items) for s in SECTIONS)


def test_an_unknown_section_is_an_error():
    with pytest.raises(KeyError):
        section("nonsense")


def test_profile_choices_match_domain():
    assert [v for v, _ in protocol.DELIVERY_CHOICES] == [
        "vaginal", "instrumental", "planned_caesarean", "emergency_caesarean"
    ]
    assert [v for v, _ in protocol.PERINEAL_TRAUMA_CHOICES] == [
        "none", "first_or_second_degree", "third_or_fourth_degree"
    ]
    assert [f.code for f in PROFILE_FIELDS] == [
        "delivery", "perineal_trauma", "breastfeeding", "prior_incontinence", "bmi_30_or_more"
    ]


def test_the_guideline_is_cited():
    assert "Goom T, Donnelly G, Brockwell E" in protocol.GUIDELINE_CITATION
    assert "2019" in protocol.GUIDELINE_CITATION


# Rule 7: the ready fixture -----------------------------------------------------------


def test_everything_exactly_on_target_is_ready_with_nothing_to_show():
    result = evaluate(ready_data())
    assert result == Result("ready", (), (), ())


# Rule 1: red flags ------------------------------------------------------------------


@pytest.mark.parametrize("item", section("symptoms").items, ids=ids)
def test_each_symptom_present_is_a_red_flag_that_refers(item):
    result = assess({item.path: True})
    reason = only_reason(result)
    assert result.verdict == "refer"
    assert (reason.code, reason.kind, reason.rule) == (item.path, "red_flag", "rule_1_red_flags")
    # Each red flag names its own route, written for the trainer (DOMAIN.md "Signposting").
    assert protocol.signpost_for(item.path).trainer in reason.message
    if item.code == "abnormal_bleeding":  # GP or midwife, urgently if heavy
        assert "GP or midwife" in reason.message and "111" in reason.message and "999 if heavy" in reason.message
        assert "pelvic health" not in reason.message
    elif item.group == "warning":  # medical warning signs: their own route, never pelvic health
        assert "pelvic health" not in reason.message
        assert ("999" in reason.message) == (item.code in {"chest_pain", "breathlessness", "dizziness_fainting",
                                                          "calf_pain_swelling", "severe_abdominal_pain"})
    else:
        assert "GP" in reason.message and "pelvic health physiotherapist" in reason.message
        assert reason.message.count("Refer her to") == 1, "the panel speaks to the trainer"
    assert "you " not in reason.message.lower(), "the panel speaks to the trainer, not to her"


@pytest.mark.parametrize("code, route", [
    ("chest_pain", "call 999 for her now"), ("breathlessness", "999 now; otherwise she should see her GP the same day or call NHS 111"),
    ("dizziness_fainting", "If she fainted, call 999; otherwise she should see her GP the same day or call NHS 111"),
    ("calf_pain_swelling", "GP the same day or call NHS 111 (a possible clot); call 999 if she is also breathless"),
    ("severe_abdominal_pain", "NHS 111 now, or 999"), ("fever_unwell", "GP or call NHS 111"),
    ("scar_worsening", "GP or midwife"), ("pregnant_again", "This programme stops"),
])
def test_each_medical_warning_sign_refers_by_its_own_route(code, route):
    """DOMAIN.md "Medical warning signs": a red flag (refer), each with its route."""
    result = assess({f"symptoms.{code}": True})
    assert result.verdict == "refer" and route in only_reason(result).message


def test_every_present_symptom_is_listed_not_just_the_first():
    result = assess({"symptoms.urinary_leakage": True, "symptoms.abdominal_doming": True})
    assert [r.code for r in result.reasons] == ["symptoms.urinary_leakage", "symptoms.abdominal_doming"]


@pytest.mark.parametrize("value", [None, ABSENT, 1, "yes"])
def test_an_unrecorded_or_unreadable_symptom_is_not_assessed(value):
    # Never silently "no symptom": a 1 from a bad import must not pass the screen.
    result = assess({"symptoms.urgency": value})
    assert result.verdict == "not_yet"
    assert (only_reason(result).code, only_reason(result).kind) == ("symptoms.urgency", "not_assessed")


# Rule 2: too early ------------------------------------------------------------------


def test_eleven_weeks_is_too_early():
    result = assess({"weeks_postpartum": 11})
    reason = only_reason(result)
    assert result.verdict == "not_yet"
    assert (reason.code, reason.kind, reason.rule) == ("weeks_postpartum", "too_early", "rule_2_too_early")
    assert "11 weeks" in reason.message


def test_twelve_weeks_is_not_too_early():
    assert assess({"weeks_postpartum": 12}).verdict == "ready"


def test_zero_weeks_is_too_early_not_unassessed():
    assert only_reason(assess({"weeks_postpartum": 0})).kind == "too_early"


@pytest.mark.parametrize("value", [None, ABSENT, -1, True, "14"])
def test_unknown_or_invalid_weeks_are_not_assessed(value):
    reason = only_reason(assess({"weeks_postpartum": value}))
    assert (reason.code, reason.kind) == ("weeks_postpartum", "not_assessed")


def test_too_early_still_lists_every_other_failing_criterion():
    result = assess({"weeks_postpartum": 6, "pelvic_floor.fast_reps": 4})
    assert [r.kind for r in result.reasons] == ["too_early", "unmet"]


def test_no_strength_programme_yet_is_unmet_even_long_after_the_birth():
    result = assess({"weeks_postpartum": 40, "pelvic_floor.strength_training_to_date": False})
    reason = only_reason(result)
    assert result.verdict == "not_yet"
    assert (reason.kind, reason.rule) == ("unmet", "rule_2_too_early")
    assert "low-impact and strength programme" in reason.message


def test_an_unrecorded_strength_programme_is_not_assessed():
    reason = only_reason(assess({"pelvic_floor.strength_training_to_date": None}))
    assert (reason.code, reason.kind) == ("pelvic_floor.strength_training_to_date", "not_assessed")


# Rule 3: foundations ----------------------------------------------------------------


def assert_unmet(path, value):
    result = assess({path: value})
    reason = only_reason(result)
    assert result.verdict == "not_yet"
    assert (reason.code, reason.kind, reason.rule) == (path, "unmet", "rule_3_foundations")
    return reason


def test_five_holds_are_unmet():
    assert_unmet("pelvic_floor.long_holds", 5)


def test_six_holds_pass():
    assert assess({"pelvic_floor.long_holds": 6}).verdict == "ready"


def test_seven_second_holds_are_unmet():
    reason = assert_unmet("pelvic_floor.hold_seconds", 7)
    assert "7 seconds" in reason.message and "at least 8" in reason.message


def test_eight_second_holds_pass():
    assert assess({"pelvic_floor.hold_seconds": 8}).verdict == "ready"


def test_nine_fast_reps_are_unmet():
    assert_unmet("pelvic_floor.fast_reps", 9)


def test_ten_fast_reps_pass():
    assert assess({"pelvic_floor.fast_reps": 10}).verdict == "ready"


@pytest.mark.parametrize("item", NUMBER_PELVIC_FLOOR, ids=ids)
def test_zero_is_unmet_but_null_is_not_assessed(item):
    assert only_reason(assess({item.path: 0})).kind == "unmet"
    assert only_reason(assess({item.path: None})).kind == "not_assessed"
    assert only_reason(assess({item.path: ABSENT})).kind == "not_assessed"


@pytest.mark.parametrize("item", [i for i in FLAG_PELVIC_FLOOR if i.rule == "rule_3_foundations"], ids=ids)
def test_false_is_unmet_but_null_is_not_assessed(item):
    assert_unmet(item.path, False)
    assert only_reason(assess({item.path: None})).kind == "not_assessed"


def test_true_where_a_number_is_expected_is_not_read_as_one():
    # True == 1 in Python; read as a number it would be "1 hold", unmet.
    assert only_reason(assess({"pelvic_floor.long_holds": True})).kind == "not_assessed"


def test_false_where_a_number_is_expected_is_not_read_as_zero():
    assert only_reason(assess({"pelvic_floor.hold_seconds": False})).kind == "not_assessed"


@pytest.mark.parametrize("value", [1, "yes"])
def test_a_non_bool_where_a_flag_is_expected_is_not_assessed(value):
    assert only_reason(assess({"pelvic_floor.can_relax": value})).kind == "not_assessed"


def test_text_and_negative_numbers_are_not_assessed():
    assert only_reason(assess({"pelvic_floor.fast_reps": "10"})).kind == "not_assessed"
    assert only_reason(assess({"pelvic_floor.fast_reps": -3})).kind == "not_assessed"


def test_fractional_values_are_compared_as_given():
    assert only_reason(assess({"pelvic_floor.hold_seconds": 7.5})).kind == "unmet"
    assert assess({"pelvic_floor.hold_seconds": 8.0}).verdict == "ready"


def test_each_foundation_is_reported_separately():
    failing = {i.path: (0 if i.kind == "number" else False) for i in GATING_PELVIC_FLOOR}
    result = assess(failing)
    assert sorted(r.code for r in result.reasons) == sorted(failing)


# Rule 4: load and impact ----------------------------------------------------------


def load_reason(changes):
    reason = only_reason(assess(changes))
    assert reason.rule == "rule_4_load_impact"
    return reason


def test_fifty_nine_second_jog_is_unmet():
    reason = load_reason({"load_impact.jog_on_spot.value": 59})
    assert (reason.code, reason.kind) == ("load_impact.jog_on_spot", "unmet")
    assert "59 seconds" in reason.message and "60" in reason.message


def test_sixty_second_jog_passes():
    assert assess({"load_impact.jog_on_spot.value": 60}).verdict == "ready"


@pytest.mark.parametrize(
    "item, key",
    [(i, key) for i in section("load_impact").items for key in i.value_keys],
    ids=lambda p: p if isinstance(p, str) else p.code,
)
def test_one_below_target_on_any_side_is_unmet(item, key):
    assert load_reason({f"{item.path}.{key}": item.target - 1}).kind == "unmet"


def test_a_short_side_is_named_and_the_passing_side_is_not():
    reason = load_reason({"load_impact.hop_in_place.right": 9})
    assert "right 9 reps" in reason.message and "left" not in reason.message
    assert "short of 10 each side" in reason.message


def test_both_sides_short_make_one_reason():
    reason = load_reason({"load_impact.single_leg_squat.left": 3, "load_impact.single_leg_squat.right": 4})
    assert "left 3 reps" in reason.message and "right 4 reps" in reason.message


def test_symptoms_during_a_test_on_target_are_unmet():
    reason = load_reason({"load_impact.forward_bounds.symptoms": True})
    assert reason.kind == "unmet" and "symptoms" in reason.message


def test_symptoms_during_a_test_raise_the_load_impact_caution_once():
    result = assess({"load_impact.walk.symptoms": True, "load_impact.hop_in_place.symptoms": True})
    assert len(result.reasons) == 2
    assert caution_codes(result) == ["load_impact.symptoms"]


def test_symptoms_with_no_values_recorded_are_unmet():
    result = assess({"load_impact.hop_in_place": {"symptoms": True}})
    assert only_reason(result).kind == "unmet"


@pytest.mark.parametrize("item", section("load_impact").items, ids=ids)
def test_a_missing_test_is_not_assessed(item):
    reason = load_reason({item.path: ABSENT})
    assert (reason.code, reason.kind) == (item.path, "not_assessed")
    assert "not tested" in reason.message


def test_a_missing_side_is_not_assessed():
    reason = load_reason({"load_impact.running_man.left": None})
    assert reason.kind == "not_assessed" and "left side not recorded" in reason.message


def test_a_short_side_with_the_other_missing_is_unmet_and_says_both():
    reason = load_reason({"load_impact.hop_in_place.left": 5, "load_impact.hop_in_place.right": ABSENT})
    assert reason.kind == "unmet"
    assert "left 5 reps" in reason.message and "right side not recorded" in reason.message


def test_values_on_target_with_symptoms_unrecorded_are_not_assessed():
    reason = load_reason({"load_impact.walk.symptoms": None})
    assert reason.kind == "not_assessed" and "symptoms" in reason.message


def test_zero_jog_is_unmet_but_null_is_not_assessed():
    assert load_reason({"load_impact.jog_on_spot.value": 0}).kind == "unmet"
    assert load_reason({"load_impact.jog_on_spot.value": None}).kind == "not_assessed"


# Rule 5: strength --------------------------------------------------------------------


@pytest.mark.parametrize("item", section("strength").items, ids=ids)
@pytest.mark.parametrize("side", SIDES)
def test_nineteen_strength_reps_are_a_focus_area_not_a_reason(item, side):
    result = assess({f"{item.path}.{side}": 19})
    assert result.verdict == "ready" and result.reasons == ()
    assert result.focus_areas == (FocusArea(item.path, side, 19, 20),)


def test_zero_strength_reps_are_a_focus_area():
    assert assess({"strength.calf_raise.left": 0}).focus_areas == (FocusArea("strength.calf_raise", "left", 0, 20),)


def test_focus_areas_follow_protocol_order_left_before_right():
    result = assess({"strength.side_lying_abduction.left": 5, "strength.calf_raise.right": 17,
                     "strength.calf_raise.left": 12})
    assert [(f.code, f.side) for f in result.focus_areas] == [
        ("strength.calf_raise", "left"), ("strength.calf_raise", "right"),
        ("strength.side_lying_abduction", "left"),
    ]


@pytest.mark.parametrize("value", [ABSENT, None, {}, {"left": None, "right": None}])
def test_an_untested_strength_test_is_a_caution_not_a_reason(value):
    result = assess({"strength.single_leg_bridge": value})
    assert result.verdict == "ready" and result.focus_areas == ()
    assert caution_codes(result) == ["strength.single_leg_bridge"]
    assert "not tested" in result.cautions[0].message


def test_one_strength_side_missing_is_a_caution_and_the_other_still_counts():
    result = assess({"strength.calf_raise": {"left": 15}})
    assert result.verdict == "ready"
    assert result.focus_areas == (FocusArea("strength.calf_raise", "left", 15, 20),)
    assert caution_codes(result) == ["strength.calf_raise"]
    assert "right side not recorded" in result.cautions[0].message


def test_true_strength_reps_are_not_read_as_one():
    result = assess({"strength.calf_raise.left": True})
    assert result.focus_areas == () and caution_codes(result) == ["strength.calf_raise"]


# Rule 6 and the physio recommendation: cautions ------------------------------------


@pytest.mark.parametrize("item", section("holistic").items, ids=ids)
def test_each_holistic_concern_is_a_caution_only(item):
    result = assess({item.path: True})
    assert result.verdict == "ready"
    # A signposted concern (low mood) adds the trainer's route to the fact.
    message = f"{item.caution} {SIGNPOSTS[item.signpost].text('trainer')}" if item.signpost else item.caution
    assert result.cautions == (Caution(item.path, message, "rule_6_holistic"),)


def test_holistic_none_or_one_is_no_caution():
    assert assess({"holistic.sleep": None, "holistic.stress": 1}).cautions == ()


def test_the_mood_caution_signposts_gp_health_visitor_and_same_day_help():
    message = assess({"holistic.mood": True}).cautions[0].message
    for words in ("GP", "health visitor", "same day", "111", "999", "A&E", "Samaritans", "116 123"):
        assert words in message


@pytest.mark.parametrize("value", [False, None, ABSENT])
def test_no_physio_assessment_is_a_caution_only(value):
    result = assess({"pelvic_floor.physio_assessed": value})
    assert result.verdict == "ready"
    assert caution_codes(result) == ["pelvic_floor.physio_assessed"]
    assert "GP" in result.cautions[0].message and "Squeezy" in result.cautions[0].message


@pytest.mark.parametrize(
    "field, value",
    [
        ("breastfeeding", True),
        ("prior_incontinence", True),
        ("bmi_30_or_more", True),
        ("perineal_trauma", "third_or_fourth_degree"),
        ("delivery", "planned_caesarean"),
        ("delivery", "emergency_caesarean"),
    ],
)
def test_profile_cautions(field, value):
    result = assess({f"profile.{field}": value})
    assert result.verdict == "ready"
    assert caution_codes(result) == [f"profile.{field}"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("delivery", "vaginal"), ("delivery", "instrumental"), ("delivery", None),
        ("perineal_trauma", "none"), ("perineal_trauma", "first_or_second_degree"),
        ("breastfeeding", None), ("prior_incontinence", 1), ("bmi_30_or_more", "yes"),
    ],
)
def test_other_profile_answers_raise_no_caution(field, value):
    assert assess({f"profile.{field}": value}).cautions == ()


def test_the_bmi_caution_suggests_a_lower_first_week():
    assert "3 km" in assess({"profile.bmi_30_or_more": True}).cautions[0].message


def test_the_prior_incontinence_caution_points_to_physio_and_squeezy():
    message = assess({"profile.prior_incontinence": True}).cautions[0].message
    assert "pelvic health physiotherapist" in message and "Squeezy" in message


def test_every_caution_code_in_the_contract_can_be_raised_in_section_order():
    result = assess({
        "pelvic_floor.physio_assessed": False,
        "load_impact.walk.symptoms": True,
        **{i.path: ABSENT for i in section("strength").items},
        **{i.path: True for i in section("holistic").items},
        "profile.delivery": "emergency_caesarean",
        "profile.perineal_trauma": "third_or_fourth_degree",
        "profile.breastfeeding": True,
        "profile.prior_incontinence": True,
        "profile.bmi_30_or_more": True,
    })
    assert caution_codes(result) == [
        "pelvic_floor.physio_assessed",
        "load_impact.symptoms",
        *(i.path for i in section("strength").items),
        *(i.path for i in section("holistic").items),
        *(f"profile.{f.code}" for f in PROFILE_FIELDS),
    ]
    assert all(c.rule in RULES and c.message for c in result.cautions)


# Missing data, ordering and messages -----------------------------------------------


def gating_paths_in_rule_order():
    rule_3 = [i.path for i in GATING_PELVIC_FLOOR if i.rule == "rule_3_foundations"]
    return [
        *(i.path for i in section("symptoms").items),
        "weeks_postpartum",
        "pelvic_floor.strength_training_to_date",
        *rule_3,
        *(i.path for i in section("load_impact").items),
    ]


def test_an_empty_dict_lists_every_gating_item_as_not_assessed():
    result = evaluate({})
    assert result.verdict == "not_yet"
    assert [r.code for r in result.reasons] == gating_paths_in_rule_order()
    assert {r.kind for r in result.reasons} == {"not_assessed"}
    assert result.focus_areas == ()
    assert caution_codes(result) == [
        "pelvic_floor.physio_assessed", *(i.path for i in section("strength").items)
    ]


def test_sections_of_the_wrong_type_count_as_missing():
    data = {"symptoms": None, "pelvic_floor": [], "load_impact": "walk", "strength": 3, "holistic": True,
            "profile": None, "weeks_postpartum": 20}
    assert [r.code for r in evaluate(data).reasons] == [
        p for p in gating_paths_in_rule_order() if p != "weeks_postpartum"
    ]


def test_reasons_follow_rule_order_then_protocol_order():
    result = assess({
        "load_impact.walk.value": 10,
        "pelvic_floor.fast_reps": 2,
        "pelvic_floor.long_holds": 2,
        "pelvic_floor.strength_training_to_date": False,
        "weeks_postpartum": 8,
        "symptoms.urgency": True,
        "symptoms.urinary_leakage": True,
    })
    assert [r.code for r in result.reasons] == [
        "symptoms.urinary_leakage",
        "symptoms.urgency",
        "weeks_postpartum",
        "pelvic_floor.strength_training_to_date",
        "pelvic_floor.long_holds",
        "pelvic_floor.fast_reps",
        "load_impact.walk",
    ]


def test_every_reason_message_names_its_rule():
    result = evaluate({"weeks_postpartum": 3, "symptoms": {"urgency": True},
                       "load_impact": {"walk": {"value": 1, "symptoms": True}}})
    assert {r.kind for r in result.reasons} == {"red_flag", "too_early", "unmet", "not_assessed"}
    for reason in result.reasons:
        assert reason.message.endswith(f"({RULES[reason.rule]})")


def test_to_dict_is_ready_for_json():
    result = assess({"symptoms.urgency": True, "strength.calf_raise.left": 3, "holistic.sleep": True})
    exported = json.loads(json.dumps(result.to_dict()))
    assert exported["verdict"] == "refer"
    assert exported["reasons"][0] == {
        "code": "symptoms.urgency", "kind": "red_flag", "message": result.reasons[0].message,
        "rule": "rule_1_red_flags", "provoked": False,
    }
    assert exported["focus_areas"] == [{"code": "strength.calf_raise", "side": "left", "value": 3, "target": 20}]
    assert [c["code"] for c in exported["cautions"]] == ["holistic.sleep"]


# Properties ---------------------------------------------------------------------------
# Assessments are drawn as the ready fixture plus a few random edits, so that all
# three verdicts turn up often (fully random dicts are almost never "ready").

LEAVES = [
    "weeks_postpartum",
    *(
        f"{i.path}.{key}"
        for i in ITEMS.values() if i.section in ("load_impact", "strength")
        for key in (*i.value_keys, *(("symptoms",) if i.section == "load_impact" else ()))
    ),
    *(i.path for i in ITEMS.values() if i.section not in ("load_impact", "strength")),
    *(f"profile.{f.code}" for f in PROFILE_FIELDS),
]
PROTOCOL_VALUES = (
    st.none() | st.booleans() | st.integers(min_value=0, max_value=700) | st.just(ABSENT)
    | st.sampled_from([v for f in PROFILE_FIELDS for v, _ in f.choices])
)
assessments = st.dictionaries(st.sampled_from(LEAVES), PROTOCOL_VALUES, max_size=6).map(
    lambda edits: changed(ready_data(), edits)
)
# Wrong types too (what a hand-edited JSON import might hold), kept flat so it is cheap.
ANY_VALUE = (
    st.integers() | st.floats() | st.text(max_size=5)
    | st.lists(st.integers(), max_size=2) | st.dictionaries(st.sampled_from(["value", *SIDES]), st.integers())
)
SECTION_PATHS = ["weeks_postpartum", *(s.code for s in SECTIONS), "profile"]


def numeric_leaves(data):
    found = []
    for path in LEAVES:
        node = data
        for name in path.split("."):
            node = node.get(name) if isinstance(node, dict) else None
        if isinstance(node, int) and not isinstance(node, bool):
            found.append(path)
    return found


@given(assessments, st.sampled_from(section("symptoms").items))
def test_a_new_symptom_never_improves_the_verdict(data, item):
    before = evaluate(data)
    after = evaluate(changed(data, {item.path: True}))
    assert RANK[after.verdict] <= RANK[before.verdict]
    assert after.verdict == "refer"


@given(assessments, st.data())
def test_raising_a_number_never_worsens_the_verdict(data, draw):
    leaves = numeric_leaves(data)
    if not leaves:
        return
    path = draw.draw(st.sampled_from(leaves))
    node = data
    for name in path.split("."):
        node = node[name]
    raised = changed(data, {path: node + draw.draw(st.integers(min_value=1, max_value=100))})
    assert RANK[evaluate(raised).verdict] >= RANK[evaluate(data).verdict]


@given(assessments)
def test_ready_exactly_when_there_are_no_reasons(data):
    result = evaluate(data)
    assert (result.verdict == "ready") == (result.reasons == ())


@given(assessments)
def test_refer_exactly_when_a_red_flag_reason_exists(data):
    result = evaluate(data)
    assert (result.verdict == "refer") == any(r.kind == "red_flag" for r in result.reasons)


@given(st.dictionaries(st.sampled_from(LEAVES + SECTION_PATHS), ANY_VALUE | PROTOCOL_VALUES, max_size=8))
def test_evaluate_never_raises_and_keeps_to_the_contract(edits):
    for base in (ready_data(), {}):
        result = evaluate(changed(base, edits))
        assert result.verdict in RANK
        for reason in result.reasons:
            assert reason.code == "weeks_postpartum" or ITEMS[reason.code].gating
            assert reason.kind in ("red_flag", "too_early", "unmet", "not_assessed")
            assert reason.message.endswith(f"({RULES[reason.rule]})")
        json.dumps(result.to_dict())


@given(assessments)
def test_the_load_and_impact_reasons_alone_are_those_of_the_whole_evaluation(data):
    """readiness.load_impact_reasons (her page's chart of tests passed, issue 20) gives exactly the
    reasons evaluate() gives for the load and impact tests, in the same order."""
    whole = tuple(reason for reason in evaluate(data).reasons if reason.code.startswith("load_impact."))
    assert load_impact_reasons(data) == whole


@given(st.dictionaries(st.sampled_from(SECTION_PATHS), ANY_VALUE, max_size=4))
def test_the_load_and_impact_reasons_alone_agree_on_wrong_types_too(data):
    whole = tuple(reason for reason in evaluate(data).reasons if reason.code.startswith("load_impact."))
    assert load_impact_reasons(data) == whole
