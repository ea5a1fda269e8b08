"""The studio's form shares its protocol fields between instances instead of copying them into
each, as Django does (assessments/forms.py SharedField): the same as copying only while nothing
alters them. Every use of the form (the studio drawn, autosaved with and without errors, a red
flag taken off, a conflict, Finish, "None of these", an import) leaves them as they were made."""

import pytest
from django import forms
from django.core.validators import BaseValidator

from assessments.forms import AssessmentForm, SharedField, import_problems
from assessments.models import COLUMNS, Assessment
from tests.factories import make_assessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def state(value):
    """What a field is made of, down through its widget, choices, messages and validators."""
    if isinstance(value, (forms.Field, forms.Widget)):
        return {name: state(part) for name, part in vars(value).items()}
    if isinstance(value, dict):
        return {name: state(part) for name, part in value.items()}
    if isinstance(value, (list, tuple)):
        return [state(part) for part in value]
    if isinstance(value, BaseValidator):
        return type(value), value.limit_value, value.message, value.code
    return value


def shared_fields():
    return {name: field for name, field in AssessmentForm.base_fields.items() if isinstance(field, SharedField)}


def form_data(assessment, **overrides):
    data = {"assessed_on": assessment.assessed_on.isoformat(), "notes": assessment.notes, "version": assessment.version}
    for name, value in assessment.values().items():
        data[name] = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return {**data, **overrides}


def test_every_protocol_field_is_shared_and_the_others_are_copied(client_record):
    assert set(shared_fields()) == {column.name for column in COLUMNS}
    form = AssessmentForm(client=client_record)
    for name, field in AssessmentForm.base_fields.items():
        assert (form.fields[name] is field) == (name in shared_fields()), name


def test_no_use_of_the_form_alters_its_shared_fields(client_record, owner_http):
    made = {name: state(field) for name, field in shared_fields().items()}
    first = make_assessment(client_record, symptoms_urgency=True)
    url = first.get_absolute_url()
    htmx = {"HX-Request": "true"}

    def latest():
        return Assessment.objects.get(pk=first.pk)

    assert owner_http.get(url).status_code == 200
    answers = [
        owner_http.post(url, form_data(latest(), pelvic_floor_hold_seconds="", entered="pelvic_floor_hold_seconds"),
                        headers=htmx),
        owner_http.post(url, form_data(latest(), pelvic_floor_hold_seconds="999", pelvic_floor_fast_reps="x",
                                       symptoms_faecal_leakage="maybe", assessed_on="2099-01-01"), headers=htmx),
        owner_http.post(url, form_data(latest(), symptoms_urgency="false", confirm_symptoms_urgency="1"), headers=htmx),
        owner_http.post(url, form_data(latest(), symptoms_urgency="false", confirm_symptoms_urgency="1",
                                       reason_symptoms_urgency="Entered in error"), headers=htmx),
        owner_http.post(url, {**form_data(latest(), notes="Mine"), "version": "1"}, headers=htmx),  # a conflict
        owner_http.post(url, {**form_data(latest(), notes="Mine"), "version": "1"}),
        owner_http.post(url, form_data(latest(), pelvic_floor_long_holds="-1")),
        owner_http.post(url, form_data(latest(), none_of="symptoms.warning")),
        owner_http.post(url, form_data(latest())),  # Finish
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 200, 409, 200, 302, 302]
    assert b"changed elsewhere" in answers[4].content and b"correcting" in answers[1].content
    problems, _ = import_problems({"assessed_on": "2020-01-01", "pelvic_floor": {"long_holds": 99}}, client_record)
    assert problems
    bound = AssessmentForm({"pelvic_floor_long_holds": "abc", "symptoms_urgency": "true"}, client=client_record)
    bound.is_valid()
    assert all(str(bound[name]) for name in shared_fields())  # Django's own widget templates
    assert {name: state(field) for name, field in shared_fields().items()} == made
