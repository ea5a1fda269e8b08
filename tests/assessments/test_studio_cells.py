"""The studio's measurements are written out by assessments/templatetags/studio_tags.py, not by
Django's widget templates (they were most of the studio's cost): every input must be exactly
what its widget renders, unbound and bound, with errors and without."""

import pytest
from django.template import engines
from django.urls import reverse

from assessments.forms import AssessmentForm
from assessments.templatetags.studio_tags import choice_labels, number_input, section_index, studio_measure
from assessments.views import form_initial
from guideline import protocol
from tests.factories import make_assessment


def widget_choice_labels(field):
    """What templates/assessments/studio.html wrote with Django's radios before."""
    return "".join(f'<label class="choice choice--{radio.data["value"] or "unknown"}">{radio.tag()} {radio.choice_label}</label>'
                   for radio in field)


def forms_of(assessment):
    unbound = AssessmentForm(initial=form_initial(assessment), client=assessment.client)
    posted = {name: "" for name in unbound.fields}
    posted.update({"assessed_on": assessment.assessed_on.isoformat(), "version": "1", "notes": "<b>Hers</b>"})
    for index, column in enumerate(protocol.FIELDS):
        if column.is_flag:
            posted[column.name] = ["true", "false", "", "maybe"][index % 4]
        else:  # valid, out of range, not a number, markup
            posted[column.name] = ["7", "99999", "abc", '"><script>'][index % 4]
    bound = AssessmentForm(posted, client=assessment.client)
    bound.is_valid()
    return unbound, bound


@pytest.fixture
def assessment(client_record):
    return make_assessment(client_record, strength_calf_raise_left=None, symptoms_urinary_leakage=True)


def test_every_input_is_what_its_widget_renders(assessment):
    for form in forms_of(assessment):
        for column in protocol.FIELDS:
            field = form[column.name]
            if column.is_flag:
                assert choice_labels(field) == widget_choice_labels(field), column.name
            else:
                assert number_input(field) == str(field), column.name
    assert any(form.errors for form in forms_of(assessment)), "the bound form has errors to show"


def test_each_measurement_has_its_label_boxes_target_and_error_slots(assessment):
    assessment.carried_over = ["strength_calf_raise_right"]
    unbound, bound = forms_of(assessment)
    for form in (unbound, bound):
        for row in rows_of(form):
            html = studio_measure(row, assessment)
            item = row["item"]
            assert f'id="measure-{item.section}-{item.code}"' in html
            for legend, field in row["cells"]:
                assert f'<div id="errors-{field.name}" class="cell-errors">' in html
                for error in field.errors:
                    assert f"<p>{error}</p>" in html
                if not column_is_flag(field.name):
                    assert f'<label for="id_{field.name}"><span class="visually-hidden">{item.label}, </span>{legend}' in html
            if item.kind != "flag":
                assert f'<h3 class="measure__label">{item.label}</h3>' in html
                assert not item.target_text or item.target_text in html
    carried = studio_measure(next(row for row in rows_of(unbound) if row["item"].path == "strength.calf_raise"), assessment)
    assert carried.count('<span class="carried-tag" id="carried-strength_calf_raise_right">carried over</span>') == 1


# What templates/assessments/studio.html drew the section index with before: a loop per section.
SECTION_INDEX = (
    '{% for part in assessment.section_progress %}\n'
    '        <li><a class="section-index__link{% if part.complete %} section-index__link--complete{% endif %}"'
    ' href="#section-{{ part.section.code }}">\n'
    '          <span class="section-index__title">{{ part.section.title }}</span>\n'
    '          <span class="section-index__count">{{ part.done }} of {{ part.total }}'
    '{% if part.complete %}<span aria-hidden="true"> ✓</span>{% endif %}</span>\n'
    '          <progress class="section-index__bar" max="{{ part.total }}" value="{{ part.done }}" aria-hidden="true"></progress>\n'
    '        </a></li>{% endfor %}')


def test_the_section_index_is_what_its_template_drew(client_record):
    """Sections complete, partly recorded and empty: the same as the template loop wrote them."""
    template = engines["django"].from_string(SECTION_INDEX)
    for overrides in ({}, {"strength_calf_raise_left": None, "symptoms_urgency": None},
                      {column.name: None for column in protocol.FIELDS}):
        assessment = make_assessment(client_record, **overrides)
        drawn = section_index(assessment)
        assert drawn == template.render({"assessment": assessment}), overrides
        assert ("section-index__link--complete" in drawn) == (overrides != {column.name: None for column in protocol.FIELDS})


def rows_of(form):
    return [row for section in form.section_rows() for group in section["groups"] for row in group["rows"]]


def column_is_flag(name):
    return protocol.FIELDS_BY_NAME[name].is_flag


def test_the_studio_escapes_what_was_typed(owner_http, assessment):
    response = owner_http.post(assessment.get_absolute_url(), {
        **{name: "" for name in AssessmentForm(client=assessment.client).fields},
        "assessed_on": assessment.assessed_on.isoformat(), "version": assessment.version,
        "strength_calf_raise_left": '"><script>alert(1)</script>',
    })
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert owner_http.get(reverse("assessments:studio", args=[assessment.pk])).status_code == 200
