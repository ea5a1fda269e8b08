"""DOMAIN.md "Who may run: the latest assessment governs" — the one rule, and every place
that asks it: assigning, logging, resuming, her page, the programme card and home."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import COLUMNS, Assessment, AssessmentChange, values_at_target
from assessments.readiness import evaluate
from clients.models import ShareLink
from guideline import protocol
from programmes.models import Programme, SessionLog
from programmes.progression import running_allowed
from tests.conftest import fresh, make_client, next_log_day, visible_text, walk_run_30
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = pytest.mark.usefixtures("midday")

RED_FLAG = {"symptoms_urinary_leakage": True}
UNMET_HOP = {"load_impact_hop_in_place_left": 6}


def assign(client, trainer, **fields):
    fields.setdefault("start_date", timezone.localdate())
    return Programme.objects.create(
        client=client, plan=walk_run_30().copy(trainer=trainer, is_template=False), assigned_by=trainer, **fields
    )


def log(http, programme, **fields):
    data = {"done_on": next_log_day(programme).isoformat(), "outcome": "completed", "effort": "5", "notes": ""}
    # The log form carries the programme's next sequence number (logging is exactly-once).
    data["sequence"] = str(Programme.objects.get(pk=programme.pk).next_sequence)
    data.update(fields)
    return http.post(reverse("programmes:log", args=[programme.pk]), data)


def assign_post(http, client, **fields):
    data = {"plan": walk_run_30().pk, "start_date": timezone.localdate().isoformat(), **fields}
    return http.post(reverse("programmes:assign", args=[client.pk]), data)


def data_with(**values):
    """The DOMAIN.md dict of a "ready" assessment at 14 weeks, changed by `values` (column names)."""
    values = {**values_at_target(), **values}
    data = {section.code: {} for section in protocol.SECTIONS}
    for column in COLUMNS:
        entries = data[column.item.section]
        if not column.nested:
            entries[column.item.code] = values[column.name]
        else:
            entries.setdefault(column.item.code, {})[column.key] = values[column.name]
    return {"weeks_postpartum": 14, **data, "profile": {}}


def result_of(**values):
    return evaluate(data_with(**values))


# The pure rule ------------------------------------------------------------------------


def test_never_assessed_cannot_run_and_cannot_be_overridden():
    decision = running_allowed(None, 20, overridden=frozenset({"load_impact.hop_in_place"}))
    assert (decision.allowed, decision.code, decision.overridable) == (False, "never_assessed", False)


def test_refer_cannot_run_whatever_is_overridden():
    result = result_of(**RED_FLAG, **UNMET_HOP)
    everything = frozenset(protocol.ITEMS)
    decision = running_allowed(result, 30, overridden=everything)
    assert (decision.allowed, decision.code, decision.overridable) == (False, "refer", False)
    assert decision.referral_pending


@pytest.mark.parametrize(("weeks", "allowed"), [(0, False), (3, False), (11, False), (12, True), (40, True)])
def test_twelve_weeks_after_the_birth_on_the_start_date_is_the_earliest(weeks, allowed):
    decision = running_allowed(result_of(), weeks)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.code == "too_early" and not decision.overridable


def test_an_unanswered_symptom_question_stops_running_with_no_override():
    result = result_of(symptoms_urgency=None)
    decision = running_allowed(result, 20, overridden=frozenset(protocol.ITEMS))
    assert (decision.allowed, decision.code, decision.overridable) == (False, "screen_incomplete", False)


def test_an_unmet_hop_can_be_overridden_for_that_item_only():
    result = result_of(**UNMET_HOP)
    decision = running_allowed(result, 20)
    assert (decision.allowed, decision.code, decision.overridable) == (False, "needs_override", True)
    assert decision.override_items == ("load_impact.hop_in_place",)
    assert running_allowed(result, 20, overridden=frozenset({"load_impact.hop_in_place"})).allowed
    other = running_allowed(result, 20, overridden=frozenset({"pelvic_floor.fast_reps"}))
    assert not other.allowed and other.code == "needs_override"


@pytest.mark.parametrize("values", [
    {"pelvic_floor_fast_reps": 4},
    {"pelvic_floor_can_relax": False},
    {"pelvic_floor_long_holds": None},
    {"load_impact_walk_value": None},
    {"load_impact_jog_on_spot_value": 40},
    {"load_impact_jog_on_spot_symptoms": None},
])
def test_foundations_and_load_items_are_overridable(values):
    decision = running_allowed(result_of(**values), 20)
    assert decision.overridable and not decision.allowed


@pytest.mark.parametrize("values", [
    {"load_impact_jog_on_spot_symptoms": True},
    {"load_impact_hop_in_place_symptoms": True, "load_impact_hop_in_place_left": 4},
])
def test_symptoms_during_a_load_test_can_never_be_overridden(values):
    """DOMAIN.md "Who may run": pelvic-floor symptoms brought on by impact are the screen's red-flag
    symptoms; only a target not reached, without symptoms, can be overridden."""
    result = result_of(**values)
    decision = running_allowed(result, 20, overridden=frozenset(protocol.ITEMS))
    assert (decision.allowed, decision.code, decision.overridable) == (False, "not_ready", False)
    assert "symptoms during the test" in decision.reason


def test_no_strength_programme_yet_is_rule_2_and_cannot_be_overridden():
    decision = running_allowed(result_of(pelvic_floor_strength_training_to_date=False), 20,
                               overridden=frozenset(protocol.ITEMS))
    assert (decision.allowed, decision.code, decision.overridable) == (False, "not_ready", False)


def test_an_assessment_that_was_itself_too_early_cannot_be_overridden_later():
    early = evaluate({**data_with(), "weeks_postpartum": 9})
    decision = running_allowed(early, 14, overridden=frozenset(protocol.ITEMS) | {"weeks_postpartum"})
    assert (decision.allowed, decision.code, decision.overridable) == (False, "not_ready", False)


flags = st.sampled_from([True, False, None])
numbers = st.one_of(st.none(), st.integers(0, 40))


@given(
    symptoms=st.dictionaries(st.sampled_from([i.code for i in protocol.section("symptoms").items]), flags),
    fast_reps=numbers, hop=numbers, weeks=st.integers(0, 80),
    overridden=st.frozensets(st.sampled_from(sorted(protocol.ITEMS))),
)
def test_property_running_is_never_allowed_against_the_hard_rules(symptoms, fast_reps, hop, weeks, overridden):
    data = data_with()
    data["symptoms"].update(symptoms)
    data["pelvic_floor"]["fast_reps"] = fast_reps
    data["load_impact"]["hop_in_place"]["left"] = hop
    result = evaluate(data)
    decision = running_allowed(result, weeks, overridden)
    if decision.allowed:
        assert result.verdict != "refer" and weeks >= protocol.MIN_WEEKS_POSTPARTUM
        assert all(value is False for value in data["symptoms"].values())
        assert len(data["symptoms"]) == len(protocol.section("symptoms").items)
        assert result.verdict == "ready" or {r.code for r in result.reasons} <= overridden
    if result.verdict == "refer":
        assert decision.code == "refer" and not decision.overridable


# Through the views ----------------------------------------------------------------------

@pytest.fixture
def her_link(ready_client, owner):
    return ShareLink.issue(ready_client, owner)[1]


def her_page(anon_http, token):
    return anon_http.get(reverse("reports:progress", args=[token])).content.decode()


@pytest.mark.django_db
def test_a_refer_after_the_start_holds_the_programme_everywhere(owner_http, anon_http, ready_client, owner, her_link):
    programme = assign(ready_client, owner)
    assert log(owner_http, programme).status_code == 302 and fresh(programme).logs.count() == 1
    make_assessment(ready_client, **RED_FLAG)

    response = log(owner_http, programme)
    assert fresh(programme).logs.count() == 1  # refused
    assert "Nothing can be logged now" in owner_http.get(response.url).content.decode()

    page = owner_http.get(ready_client.get_absolute_url()).content.decode()
    assert "Paused: referral pending" in page and 'id="red-flag-banner"' in page
    assert "Log a session" not in page and "Next: week" not in page

    hers = her_page(anon_http, her_link)
    assert "Your next session" not in hers and "Please do not run until you have been seen" in hers

    home = owner_http.get(reverse("home")).content.decode()
    assert "Paused: referral pending" in home


@pytest.mark.django_db
def test_an_htmx_log_while_held_shows_the_refusal_in_the_card(owner_http, ready_client, owner):
    programme = assign(ready_client, owner)
    make_assessment(ready_client, **RED_FLAG)
    response = owner_http.post(reverse("programmes:log", args=[programme.pk]),
                               {"done_on": timezone.localdate().isoformat(), "outcome": "completed"},
                               headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Nothing can be logged now" in response.content.decode()
    assert not SessionLog.objects.exists()


@pytest.mark.django_db
def test_resume_is_refused_while_the_latest_verdict_is_refer_and_allowed_after_reassessment(owner_http, ready_client, owner):
    programme = assign(ready_client, owner)
    log(owner_http, programme, symptoms=["heaviness_dragging"])
    assert fresh(programme).status == "paused"
    make_assessment(ready_client, **RED_FLAG)

    refused = owner_http.post(reverse("programmes:resume", args=[programme.pk]), follow=True)
    assert refused.redirect_chain == [(f"{ready_client.get_absolute_url()}#programme", 302)]
    assert "It cannot be resumed yet. Referral pending: a red flag is open on her record" in visible_text(refused)
    assert fresh(programme).status == "paused" and not programme.resumes.exists()

    make_assessment(ready_client)  # seen, and reassessed: ready
    owner_http.post(reverse("programmes:resume", args=[programme.pk]))
    assert fresh(programme).status == "active" and programme.resumes.count() == 1


@pytest.mark.django_db
def test_a_newer_assessment_that_is_not_refer_lifts_the_hold(owner_http, ready_client, owner):
    programme = assign(ready_client, owner)
    make_assessment(ready_client, **RED_FLAG)
    assert fresh(programme).status == "held"
    make_assessment(ready_client)
    assert fresh(programme).status == "active"
    log(owner_http, programme)
    assert fresh(programme).logs.count() == 1


@pytest.mark.django_db
def test_too_early_cannot_be_assigned_even_with_a_reason(owner_http, owner):
    client = make_client(owner, weeks=8)
    make_assessment(client, days_after_birth=7 * 8)
    too_early = "Too early: running cannot start before 12 weeks after the birth, whatever the reason."
    response = assign_post(owner_http, client, override_reason="She feels great")
    assert response.status_code == 302 and response["Location"] == client.get_absolute_url()
    assert too_early in visible_text(owner_http.get(response["Location"])) and not Programme.objects.exists()
    start = client.baby_date_of_birth + timedelta(weeks=14)
    response = assign_post(owner_http, client, start_date=start.isoformat(), override_reason="Later, then")
    assert response.status_code == 302 and response["Location"] == client.get_absolute_url()
    assert too_early in visible_text(owner_http.get(response["Location"]))
    assert not Programme.objects.exists()  # the assessment itself was too early: reassess first


@pytest.mark.django_db
def test_a_start_date_before_twelve_weeks_is_refused_next_to_the_field(owner_http, owner):
    client = make_client(owner, weeks=16)
    make_assessment(client, days_after_birth=7 * 16)
    early = client.baby_date_of_birth + timedelta(weeks=11)
    response = assign_post(owner_http, client, start_date=early.isoformat())
    assert response.status_code == 200 and not Programme.objects.exists()
    assert "Running cannot start before 12 weeks after the birth" in response.content.decode()


@pytest.mark.django_db
def test_never_assessed_cannot_be_assigned_running(owner_http, client_record):
    response = assign_post(owner_http, client_record, override_reason="Trust me")
    assert response.status_code == 302 and response["Location"] == client_record.get_absolute_url()
    assert not Programme.objects.exists()
    page = owner_http.get(client_record.get_absolute_url()).content.decode()
    assert "has not been assessed" in page and reverse("programmes:assign", args=[client_record.pk]) not in page


@pytest.mark.django_db
def test_an_incomplete_symptom_screen_cannot_be_overridden(owner_http, client_record):
    make_assessment(client_record, symptoms_urgency=None)
    response = assign_post(owner_http, client_record, override_reason="Forgot to ask")
    assert response.status_code == 302 and response["Location"] == client_record.get_absolute_url()
    assert ("The symptom screen of her latest assessment is not complete (1 question not asked): finish it before any"
            " running.") in visible_text(owner_http.get(response["Location"]))
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_an_unmet_hop_needs_a_reason_and_the_form_names_what_it_overrides(owner_http, client_record):
    make_assessment(client_record, **UNMET_HOP)
    page = owner_http.get(reverse("programmes:assign", args=[client_record.pk])).content.decode()
    assert "Your reason overrides only these items" in page and "Hop in place" in page

    response = assign_post(owner_http, client_record)
    assert response.status_code == 200 and not Programme.objects.exists()
    assert "give your reason" in response.content.decode()

    assign_post(owner_http, client_record, override_reason="Hop is close; she runs on the flat only")
    programme = Programme.objects.get()
    assert programme.override_items == ["load_impact.hop_in_place"]
    assert fresh(programme).can_log


@pytest.mark.django_db
def test_a_later_not_yet_for_other_items_holds_until_a_reason_covers_them(owner_http, ready_client, owner):
    programme = assign(ready_client, owner)
    make_assessment(ready_client, pelvic_floor_fast_reps=6)
    held = fresh(programme)
    assert held.status == "held" and held.running_decision.override_items == ("pelvic_floor.fast_reps",)
    refused = log(owner_http, programme)
    assert refused.status_code == 302 and refused["Location"] == f"{ready_client.get_absolute_url()}#programme"
    assert ("Nothing can be logged now. Her latest assessment is “not yet”: reassess her, or record your reason to run"
            " anyway.") in visible_text(owner_http.get(refused["Location"]))
    assert not SessionLog.objects.exists()

    no_reason = owner_http.post(reverse("programmes:override", args=[programme.pk]), {"override_reason": "  "}, follow=True)
    assert no_reason.redirect_chain == [(f"{ready_client.get_absolute_url()}#programme", 302)]
    assert "Give your reason to carry on running, or reassess her." in visible_text(no_reason)
    assert fresh(programme).status == "held"
    owner_http.post(reverse("programmes:override", args=[programme.pk]), {"override_reason": "Fast reps improving"})
    assert fresh(programme).status == "active" and "Fast reps improving" in fresh(programme).override_reason
    log(owner_http, programme)
    assert SessionLog.objects.count() == 1


@pytest.mark.django_db
def test_the_override_url_is_the_owners_only(stranger_http, anon_http, ready_client, owner):
    programme = assign(ready_client, owner)
    url = reverse("programmes:override", args=[programme.pk])
    assert stranger_http.post(url, {"override_reason": "x"}).status_code == 404
    assert anon_http.post(url, {"override_reason": "x"}).status_code == 302


# Retest ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retest_asks_the_screen_afresh_and_marks_measurements_as_carried_over(owner_http, client_record):
    earlier = make_assessment(client_record, days_after_birth=7 * 10, holistic_sleep=True)
    owner_http.post(reverse("assessments:create", args=[client_record.pk]), {"retest": "1"})
    retest = client_record.assessments.exclude(pk=earlier.pk).get()
    for column in COLUMNS:
        value = getattr(retest, column.name)
        if column.carries_over:
            assert value == getattr(earlier, column.name)
        else:
            assert value is None, column.name  # symptoms, symptoms during tests, wellbeing
    assert len(retest.carried_over) == sum(1 for c in COLUMNS if c.carries_over and getattr(earlier, c.name) is not None)
    assert retest.carried_over_from == earlier.assessed_on
    assert retest.verdict == "not_yet"  # the screen is not asked yet

    page = owner_http.get(retest.get_absolute_url()).content.decode()
    assert "carried over from" in page and "carried over</span>" in page


@pytest.mark.django_db
def test_retesting_a_value_clears_its_mark_and_confirming_clears_the_rest(owner_http, owner, client_record):
    earlier = make_assessment(client_record)
    retest = Assessment(client=client_record, assessed_on=timezone.localdate(), recorded_by=owner)
    retest.carry_over_from(earlier)
    retest.save()
    retest.save_changes({"pelvic_floor_fast_reps": 12}, owner, retest.version)
    assert "pelvic_floor_fast_reps" not in retest.carried_over and retest.carried_over

    owner_http.post(reverse("assessments:confirm_carried_over", args=[retest.pk]))
    retest.refresh_from_db()
    assert retest.carried_over == []
    change = AssessmentChange.objects.get(assessment=retest, field="carried_over")
    assert change.new_text == "confirmed by the trainer"


@pytest.mark.django_db
def test_confirming_carried_over_values_is_the_owners_only(stranger_http, anon_http, owner, client_record):
    earlier = make_assessment(client_record)
    retest = Assessment(client=client_record, assessed_on=timezone.localdate(), recorded_by=owner)
    retest.carry_over_from(earlier)
    retest.save()
    url = reverse("assessments:confirm_carried_over", args=[retest.pk])
    assert stranger_http.post(url).status_code == 404
    assert anon_http.post(url).status_code == 302
    retest.refresh_from_db()
    assert retest.carried_over


# The property: never a session while the latest verdict is refer ---------------------------

steps = st.lists(
    st.one_of(
        st.tuples(st.just("assess"), st.sampled_from(["ready", "refer", "hop"])),
        st.tuples(st.just("log"), st.sampled_from([[], [], ["pain"], ["urinary_leakage"]])),
        st.tuples(st.just("resume"), st.none()),
    ),
    min_size=1, max_size=8,
)


@pytest.mark.django_db
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_property_no_session_is_logged_or_shown_while_the_latest_verdict_is_refer(owner, steps):
    """Each example runs in a transaction that is rolled back, so the trainer fixture is shared safely."""
    from django.core.cache import cache
    from django.test import Client as HttpClient

    cache.clear()  # rolled-back ids repeat between examples
    http, anon = HttpClient(), HttpClient()
    http.force_login(owner)
    with transaction.atomic():
        client = make_client(owner, name="Property Client")
        make_assessment(client)
        programme = assign(client, owner)
        token = ShareLink.issue(client, owner)[1]
        for kind, value in steps:
            if kind == "assess":
                make_assessment(client, **{"ready": {}, "refer": RED_FLAG, "hop": UNMET_HOP}[value])
            elif kind == "log":
                before = SessionLog.objects.count()
                log(http, programme, symptoms=value)
                latest = client.assessments.first()
                if latest.verdict == "refer":
                    assert SessionLog.objects.count() == before
            else:
                http.post(reverse("programmes:resume", args=[programme.pk]))
            if client.assessments.first().verdict == "refer":
                current = fresh(programme)
                assert not current.can_log and current.next_session is None
                assert "Your next session" not in her_page(anon, token)
                assert "Log a session" not in http.get(client.get_absolute_url()).content.decode()
        transaction.set_rollback(True)
