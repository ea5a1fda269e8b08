"""Issue 22 (5): a carried-over value loses its mark as soon as it is entered again, the same
value confirming it: on the server (the autosave names the box), recorded in the history."""

import pytest
from django.utils import timezone

from assessments.models import CARRIED_OVER_CONFIRMED, Assessment, AssessmentChange
from tests.assessments.test_assessments import form_data
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def retest(client_record, owner):
    earlier = make_assessment(client_record)
    retest = Assessment(client=client_record, assessed_on=timezone.localdate(), recorded_by=owner)
    retest.carry_over_from(earlier)
    retest.save()
    assert "pelvic_floor_fast_reps" in retest.carried_over and "strength_calf_raise_left" in retest.carried_over
    return retest


def autosave(http, assessment, entered, **values):
    return http.post(assessment.get_absolute_url(), {**form_data(assessment, **values), "entered": entered}, headers=HTMX)


def test_the_same_value_entered_again_confirms_it_and_the_autosave_takes_its_mark_away(owner_http, retest):
    before = list(retest.carried_over)
    same = str(retest.pelvic_floor_fast_reps)
    page = autosave(owner_http, retest, "pelvic_floor_fast_reps", pelvic_floor_fast_reps=same).content.decode()
    assert '<span id="carried-pelvic_floor_fast_reps" hx-swap-oob="delete"></span>' in page
    assert "carried-strength_calf_raise_left" not in page  # the others keep theirs
    retest.refresh_from_db()
    assert retest.carried_over == [name for name in before if name != "pelvic_floor_fast_reps"]
    assert retest.pelvic_floor_fast_reps == int(same)
    change = AssessmentChange.objects.get(assessment=retest, field="pelvic_floor_fast_reps")
    assert change.reason == CARRIED_OVER_CONFIRMED and change.old_value == change.new_value
    # The page drawn afresh shows no mark on it, the note counts one fewer.
    studio = owner_http.get(retest.get_absolute_url()).content.decode()
    assert 'id="carried-pelvic_floor_fast_reps"' not in studio and 'id="carried-strength_calf_raise_left"' in studio
    assert f"{len(before) - 1} values carried over" in studio


def test_a_changed_value_loses_its_mark_too_and_a_box_left_alone_keeps_it(owner_http, retest):
    autosave(owner_http, retest, "strength_calf_raise_left", strength_calf_raise_left="23")
    retest.refresh_from_db()
    assert "strength_calf_raise_left" not in retest.carried_over and "pelvic_floor_fast_reps" in retest.carried_over
    # Another box saved: the carried-over values posted with it, untouched, keep their marks.
    autosave(owner_http, retest, "notes", notes="Felt strong")
    retest.refresh_from_db()
    assert "pelvic_floor_fast_reps" in retest.carried_over


def test_an_invalid_entry_confirms_nothing_and_entering_again_is_recorded_once(owner_http, retest):
    version = retest.version
    autosave(owner_http, retest, "pelvic_floor_fast_reps", pelvic_floor_fast_reps="lots")
    retest.refresh_from_db()
    assert "pelvic_floor_fast_reps" in retest.carried_over and retest.version == version
    autosave(owner_http, retest, "pelvic_floor_fast_reps")
    retest.refresh_from_db()
    autosave(owner_http, retest, "pelvic_floor_fast_reps")  # again: nothing left to confirm
    assert AssessmentChange.objects.filter(assessment=retest, field="pelvic_floor_fast_reps").count() == 1


def test_only_her_trainer_can_confirm_by_entering_again(stranger_http, anon_http, retest):
    assert autosave(stranger_http, retest, "pelvic_floor_fast_reps").status_code == 404
    assert autosave(anon_http, retest, "pelvic_floor_fast_reps").status_code in (302, 401)
    retest.refresh_from_db()
    assert "pelvic_floor_fast_reps" in retest.carried_over


def test_the_cell_names_its_mark_for_the_autosave_to_find(owner_http, retest):
    studio = owner_http.get(retest.get_absolute_url()).content.decode()
    assert '<span class="carried-tag" id="carried-pelvic_floor_fast_reps">carried over</span>' in studio
