"""Her strength plan (issue 24): suggested after an assessment, edited and assigned by her trainer
as her own copy, paused by an open red flag; her page shows it and she ticks sessions done through
her link with the run log's guards."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Exercise, StrengthLog, StrengthPlan
from programmes.strength import AlreadyTicked, StrengthRefused
from programmes.strength_rules import PELVIC_FLOOR_ROUTINE, RED_FLAG_NO_PLAN
from tests.conftest import make_client, visible_text
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

TWO_FOCUS_AREAS = {"strength_calf_raise_left": 14, "strength_single_leg_bridge_right": 8}


@pytest.fixture
def focused(client_record):
    """Her latest assessment is "ready" with two focus areas: calf raise (left 14) and bridge (right 8)."""
    make_assessment(client_record, **TWO_FOCUS_AREAS)
    return client_record


def url(client):
    return reverse("programmes:strength", args=[client.pk])


def posted(page_context, changes=None):
    """The suggested page's form as the browser would post it, with `changes` ({row: {field: value}})."""
    formset = page_context["formset"]
    data = {f"items-{key}": value for key, value in
            {"TOTAL_FORMS": formset.total_form_count(), "INITIAL_FORMS": formset.initial_form_count(),
             "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}.items()}
    for index, initial in enumerate(formset.initial):
        row = {**initial, **(changes or {}).get(index, {})}
        for name, value in row.items():
            if name in ("include", "daily"):
                if value:
                    data[f"items-{index}-{name}"] = "on"
            elif value is not None:
                data[f"items-{index}-{name}"] = value
    data["start_date"] = timezone.localdate().isoformat()
    return data


def test_anonymous_is_sent_to_sign_in(anon_http, focused):
    for response in (anon_http.get(url(focused)), anon_http.post(url(focused), {})):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not StrengthPlan.objects.exists()


def test_another_trainers_client_is_a_404(stranger_http, focused):
    assert stranger_http.get(url(focused)).status_code == 404
    assert stranger_http.post(url(focused), {}).status_code == 404


def test_the_suggestion_lists_her_two_focus_areas_and_the_daily_routine(owner_http, focused):
    response = owner_http.get(url(focused))
    page = response.content.decode()
    assert "Single leg calf raise: 14 of 20 on her weaker side." in page
    assert "Single leg bridge: 8 of 20 on her weaker side." in page
    ticked = [row.exercise.serves for row, initial in zip(response.context["rows"], response.context["formset"].initial, strict=True)
              if initial["include"]]
    assert set(ticked) == {"strength.calf_raise", "strength.single_leg_bridge", *PELVIC_FLOOR_ROUTINE}


def test_she_is_assigned_her_edited_copy(owner_http, focused, owner):
    context = owner_http.get(url(focused)).context
    rows = context["rows"]
    calf = next(i for i, r in enumerate(rows) if r.exercise.serves == "strength.calf_raise")
    relax = next(i for i, r in enumerate(rows) if r.exercise.serves == "pelvic_floor.can_relax")
    balance = next(i for i, r in enumerate(rows) if r.exercise.serves == "load_impact.single_leg_balance")
    data = posted(context, {calf: {"sets": 2, "reps": 7}, relax: {"include": False}, balance: {"include": True}})
    response = owner_http.post(url(focused), data)
    assert response.status_code == 302 and response.url.endswith("#strength")
    plan = StrengthPlan.objects.get(client=focused)
    items = {item.serves: item for item in plan.items.all()}
    assert (items["strength.calf_raise"].sets, items["strength.calf_raise"].reps) == (2, 7)
    assert "pelvic_floor.can_relax" not in items and "load_impact.single_leg_balance" in items
    assert items["pelvic_floor.long_holds"].daily and plan.assigned_by == owner
    # Her copy: changing the library later does not change her plan.
    Exercise.objects.filter(serves="strength.calf_raise").update(name="Renamed")
    assert plan.items.get(serves="strength.calf_raise").name != "Renamed"
    page = owner_http.get(focused.get_absolute_url()).content.decode()
    assert "Strength work" in page and "2 sets of 7" in page


def test_a_bad_dose_is_refused_beside_it_keeping_the_rest(owner_http, focused):
    context = owner_http.get(url(focused)).context
    response = owner_http.post(url(focused), posted(context, {0: {"sets": 0}, 1: {"reps": 12}}))
    assert response.status_code == 400 and not StrengthPlan.objects.exists()
    page = response.content.decode()
    assert "Ensure this value is greater than or equal to 1." in visible_text(page) and 'value="12"' in page


def test_a_tampered_exercise_from_another_trainer_is_refused(owner_http, focused, stranger):
    theirs = Exercise.objects.get(trainer=None, serves="strength.calf_raise").copy(stranger)
    context = owner_http.get(url(focused)).context
    refused_as_changed(owner_http, focused, posted(context, {0: {"exercise": theirs.pk}}))


def refused_as_changed(http, client, data):
    """Posted from a page that no longer matches what would be offered: nothing is assigned, and the
    page is shown afresh with the reason (never a 500, never an exercise the rules do not allow)."""
    response = http.post(url(client), data)
    assert response.status_code == 302 and response["Location"] == url(client)
    assert not StrengthPlan.objects.filter(client=client).exists()
    page = http.get(url(client)).content.decode()
    assert "Her suggested plan changed since you opened this page" in page


def test_too_early_refuses_a_high_impact_exercise_posted_in_place_of_one_offered(owner_http, owner):
    young = make_client(owner, name="Early Days", weeks=8)
    make_assessment(young, days_after_birth=7 * 8, **TWO_FOCUS_AREAS)
    context = owner_http.get(url(young)).context
    high_impact = Exercise.objects.filter(trainer=None, low_impact=False).first()
    refused_as_changed(owner_http, young, posted(context, {0: {"exercise": high_impact.pk, "include": True}}))


def test_a_page_left_open_while_her_library_or_record_changed_is_shown_again(owner_http, focused, owner):
    mine = Exercise.objects.get(trainer=None, serves="strength.calf_raise").copy(owner)
    data = posted(owner_http.get(url(focused)).context)
    mine.delete()  # in another tab
    refused_as_changed(owner_http, focused, data)

    data = posted(owner_http.get(url(focused)).context)
    Exercise.objects.get(trainer=None, serves="strength.calf_raise").copy(owner)  # added in another tab
    refused_as_changed(owner_http, focused, data)

    data = posted(owner_http.get(url(focused)).context, {0: {"sets": 999}})
    data["items-TOTAL_FORMS"] = 1  # a tampered form
    refused_as_changed(owner_http, focused, data)

    data = {key: value for key, value in posted(owner_http.get(url(focused)).context).items()
            if not key.endswith("_FORMS")}  # no management form at all
    refused_as_changed(owner_http, focused, data)


def test_a_red_flag_opened_while_the_page_was_open_assigns_nothing(owner_http, focused, owner, anon_http):
    data = posted(owner_http.get(url(focused)).context)
    make_assessment(focused, symptoms_urinary_leakage=True)  # a new screen finds a red flag
    refused_as_changed(owner_http, focused, data)


def test_nothing_chosen_is_refused(owner_http, focused):
    context = owner_http.get(url(focused)).context
    data = posted(context, {i: {"include": False} for i in range(len(context["rows"]))})
    response = owner_http.post(url(focused), data)
    assert response.status_code == 400 and "Choose at least one exercise" in response.content.decode()


def test_too_early_offers_low_impact_work_only(owner_http, owner):
    young = make_client(owner, name="Early Days", weeks=8)
    make_assessment(young, days_after_birth=7 * 8, **TWO_FOCUS_AREAS)
    context = owner_http.get(url(young)).context
    assert context["suggestion"].note
    assert all(row.exercise.low_impact for row in context["rows"])


def test_refer_offers_no_plan(owner_http, client_record):
    make_assessment(client_record, symptoms_urinary_leakage=True, **TWO_FOCUS_AREAS)
    response = owner_http.get(url(client_record))
    assert response.context["rows"] == [] and "she needs to be seen first" in response.content.decode()
    assert owner_http.post(url(client_record), {}).status_code == 400
    assert not StrengthPlan.objects.exists()


def test_an_open_red_flag_pauses_her_plan_and_says_whom_to_see(owner_http, focused, owner):
    exercise = Exercise.objects.get(trainer=None, serves="strength.calf_raise")
    plan = StrengthPlan.assign(client=focused, items=[(exercise, exercise.dose, False)],
                               start_date=timezone.localdate(), by=owner)
    make_assessment(focused, days_after_birth=7 * 15, symptoms_heaviness_dragging=True)
    focused.refresh_from_db()
    assert focused.has_open_red_flag
    page = owner_http.get(focused.get_absolute_url()).content.decode()
    assert "Her strength plan is paused" in page and "pelvic health physiotherapist" in page
    assert "Suggest a new strength plan" not in page
    with pytest.raises(StrengthRefused, match="red flag"):
        plan.tick(sequence=1, done_on=timezone.localdate(), by=owner)
    with pytest.raises(StrengthRefused) as refused:
        StrengthPlan.assign(client=focused, items=[(exercise, exercise.dose, False)], start_date=timezone.localdate(), by=owner)
    assert str(refused.value) == RED_FLAG_NO_PLAN


def test_a_tick_counts_exactly_once(focused, owner):
    exercise = Exercise.objects.get(trainer=None, serves="strength.calf_raise")
    plan = StrengthPlan.assign(client=focused, items=[(exercise, exercise.dose, False)],
                               start_date=timezone.localdate() - timedelta(days=2), by=owner)
    plan.tick(sequence=1, done_on=timezone.localdate(), by_client=True)
    with pytest.raises(AlreadyTicked):
        StrengthPlan.objects.get(pk=plan.pk).tick(sequence=1, done_on=timezone.localdate(), by_client=True)
    assert StrengthLog.objects.filter(plan=plan).count() == 1


def test_a_new_plan_ends_the_last(focused, owner):
    exercise = Exercise.objects.get(trainer=None, serves="strength.calf_raise")
    first = StrengthPlan.assign(client=focused, items=[(exercise, exercise.dose, False)], start_date=timezone.localdate(), by=owner)
    StrengthPlan.assign(client=focused, items=[(exercise, exercise.dose, False)], start_date=timezone.localdate(), by=owner)
    first.refresh_from_db()
    assert first.ended_at is not None and StrengthPlan.objects.current().filter(client=focused).count() == 1


@pytest.mark.parametrize("count", [1, 12])
def test_the_client_page_and_the_plan_page_stay_constant_in_queries(owner_http, focused, owner, count,
                                                                       django_assert_max_num_queries):
    exercises = list(Exercise.objects.filter(trainer=None))
    plan = StrengthPlan.assign(client=focused, items=[(e, e.dose, False) for e in exercises],
                               start_date=timezone.localdate() - timedelta(days=count * 2), by=owner)
    for sequence in range(1, count + 1):
        plan.tick(sequence=sequence, done_on=timezone.localdate() - timedelta(days=count - sequence), by=owner)
        plan.refresh_from_db()
    with django_assert_max_num_queries(19):
        assert owner_http.get(focused.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(14):
        assert owner_http.get(url(focused)).status_code == 200



def test_the_assessment_summary_leads_to_her_suggested_plan(owner_http, focused):
    assessment = focused.assessments.first()
    page = owner_http.get(reverse("programmes:assessment_summary", args=[assessment.pk])).content.decode()
    assert "2 focus areas" in page and url(focused) in page


def test_the_assessment_summary_offers_no_plan_on_refer(owner_http, client_record):
    assessment = make_assessment(client_record, symptoms_urinary_leakage=True)
    response = owner_http.get(reverse("programmes:assessment_summary", args=[assessment.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Refer: see the GP or a pelvic health physiotherapist" in visible_text(page)
    assert url(client_record) not in page
