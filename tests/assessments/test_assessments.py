import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import Trainer
from assessments.models import COLUMNS, COLUMNS_BY_NAME, Assessment, AssessmentChange
from guideline import protocol
from tests.conftest import make_client, visible_text
from tests.factories import make_assessment, ready_values

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def assessment(client_record):
    return make_assessment(client_record)


def form_data(assessment, **overrides):
    data = {"assessed_on": assessment.assessed_on.isoformat(), "notes": assessment.notes, "version": assessment.version}
    for name, value in assessment.values().items():
        data[name] = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    data.update(overrides)
    return data


ASSESSMENT_VIEWS = [
    ("assessments:studio", "get"),
    ("assessments:studio", "post"),
    ("assessments:referral", "get"),
    ("assessments:export", "get"),
    ("assessments:delete", "get"),
    ("assessments:delete", "post"),
]
CLIENT_SCOPED_VIEWS = [
    ("assessments:create", "post"),
    ("assessments:compare", "get"),
    ("assessments:import", "get"),
    ("assessments:import", "post"),
]


@pytest.mark.parametrize("name,method", ASSESSMENT_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(anon_http, assessment, name, method):
    response = getattr(anon_http, method)(reverse(name, args=[assessment.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name,method", ASSESSMENT_VIEWS)
def test_another_trainer_gets_404_for_an_assessment(stranger_http, assessment, name, method):
    data = form_data(assessment, pelvic_floor_long_holds="1") if method == "post" else None
    response = getattr(stranger_http, method)(reverse(name, args=[assessment.pk]), data)
    assert response.status_code == 404
    assessment.refresh_from_db()
    assert assessment.pelvic_floor_long_holds == 6


@pytest.mark.parametrize("name,method", ASSESSMENT_VIEWS)
def test_the_owner_reaches_her_assessment(owner_http, assessment, name, method):
    response = getattr(owner_http, method)(reverse(name, args=[assessment.pk]), form_data(assessment) if method == "post" else None)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("name,method", CLIENT_SCOPED_VIEWS)
def test_client_scoped_assessment_views_check_ownership(anon_http, stranger_http, owner_http, client_record, name, method):
    url = reverse(name, args=[client_record.pk])
    assert getattr(anon_http, method)(url).status_code == 302
    assert getattr(stranger_http, method)(url).status_code == 404
    assert getattr(owner_http, method)(url).status_code in (200, 302)
    assert not Assessment.objects.filter(recorded_by__email="stranger@example.com").exists()


def test_new_assessment_needs_consent(owner_http, owner):
    client = make_client(owner, consent=False)
    response = owner_http.post(reverse("assessments:create", args=[client.pk]), follow=True)
    assert not Assessment.objects.exists()
    assert "Record her consent" in response.content.decode()


def test_autosave_after_consent_is_withdrawn_sends_the_browser_to_her_page(owner_http, assessment, client_record):
    client_record.withdraw_consent()
    response = owner_http.post(assessment.get_absolute_url(), form_data(assessment, notes="x"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == client_record.get_absolute_url()
    assessment.refresh_from_db()
    assert assessment.notes == ""


def test_client_page_says_consent_is_needed_and_links_to_it(owner_http, owner):
    client = make_client(owner, consent=False)
    page = owner_http.get(client.get_absolute_url()).content.decode()
    assert "No assessment can be recorded until her consent" in page
    assert 'href="#consent-heading"' in page
    assert "New assessment" not in page


def test_new_assessment_is_dated_today_and_empty(owner_http, client_record, owner):
    response = owner_http.post(reverse("assessments:create", args=[client_record.pk]))
    assessment = Assessment.objects.get()
    assert response["Location"] == assessment.get_absolute_url()
    assert assessment.assessed_on == timezone.localdate()
    assert assessment.recorded_by == owner
    assert all(value is None for value in assessment.values().values()), "not assessed, never 0 or no"
    assert assessment.verdict == "not_yet"


def test_retest_prefills_from_the_latest_assessment(owner_http, client_record):
    make_assessment(client_record, strength_calf_raise_left=13, notes="first visit")
    owner_http.post(reverse("assessments:create", args=[client_record.pk]), {"retest": "1"})
    retest = Assessment.objects.latest("pk")
    assert retest.strength_calf_raise_left == 13
    assert retest.notes == ""


def test_weeks_postpartum_is_derived_from_the_dates(client_record):
    assessment = make_assessment(client_record, days_after_birth=7 * 12 - 1)
    assert assessment.weeks_postpartum == 11
    assert assessment.to_dict()["weeks_postpartum"] == 11


def test_a_ready_assessment_is_stored_as_ready(client_record):
    assert make_assessment(client_record).verdict == "ready"


def test_a_red_flag_is_stored_as_refer(client_record):
    assert make_assessment(client_record, symptoms_urinary_leakage=True).verdict == "refer"


def test_saving_records_who_changed_what(owner_http, assessment, owner):
    owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps="8"))
    change = AssessmentChange.objects.get()
    assert (change.field, change.old_value, change.new_value, change.changed_by) == ("pelvic_floor_fast_reps", 10, 8, owner)
    assessment.refresh_from_db()
    assert assessment.version == 2 and assessment.verdict == "not_yet"
    page = owner_http.get(assessment.get_absolute_url()).content.decode()
    assert "Fast squeezes" in page and "10 reps" in page and "8 reps" in page


def test_clearing_a_value_makes_it_not_tested_not_zero(owner_http, assessment):
    owner_http.post(assessment.get_absolute_url(), form_data(assessment, load_impact_walk_value=""))
    assessment.refresh_from_db()
    assert assessment.load_impact_walk_value is None
    assert any(r.code == "load_impact.walk" and r.kind == "not_assessed" for r in assessment.result.reasons)


def test_zero_is_saved_as_zero(owner_http, assessment):
    owner_http.post(assessment.get_absolute_url(), form_data(assessment, load_impact_walk_value="0"))
    assessment.refresh_from_db()
    assert assessment.load_impact_walk_value == 0


@pytest.mark.parametrize(
    "field,value",
    [
        ("pelvic_floor_hold_seconds", "900"),
        ("pelvic_floor_long_holds", "-1"),
        ("strength_calf_raise_left", "500"),
        ("load_impact_walk_value", "ten"),
        ("load_impact_walk_value", "2.5"),
    ],
)
def test_impossible_values_are_refused_at_the_field_and_valid_ones_kept(owner_http, assessment, field, value):
    response = owner_http.post(assessment.get_absolute_url(), form_data(assessment, **{field: value, "notes": "kept"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="errors-{field}"' in page and "Enter a whole number" in page
    assert f'value="{value}"' in page, "what she typed stays in the box"
    assessment.refresh_from_db()
    assert assessment.notes == "kept", "valid input is saved even when another field is refused"
    assert getattr(assessment, field) == ready_values()[field], "the refused value never reaches the database"


@pytest.mark.parametrize("days,message", [(1, "in the future"), (None, "before the birth")])
def test_bad_assessment_dates_are_refused(owner_http, assessment, client_record, days, message):
    day = timezone.localdate() + timedelta(days=1) if days else client_record.baby_date_of_birth - timedelta(days=1)
    page = owner_http.post(assessment.get_absolute_url(), form_data(assessment, assessed_on=day.isoformat())).content.decode()
    assert message in page
    assessment.refresh_from_db()
    assert assessment.assessed_on != day


def test_htmx_autosave_returns_only_the_oob_fragments(owner_http, assessment):
    response = owner_http.post(
        assessment.get_absolute_url(), form_data(assessment, symptoms_urgency="true"), headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="verdict-panel"' in page and 'hx-swap-oob="true"' in page
    assert "Refer" in page
    assert 'name="version" id="id_version" value="2"' in page
    assessment.refresh_from_db()
    assert assessment.symptoms_urgency is True and assessment.verdict == "refer"


def test_a_stale_save_is_refused_and_keeps_her_input(owner_http, assessment):
    stale = form_data(assessment)
    owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps="12"))
    response = owner_http.post(assessment.get_absolute_url(), {**stale, "strength_calf_raise_left": "7"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed since you opened it" in page and 'value="7"' in page
    assessment.refresh_from_db()
    assert assessment.pelvic_floor_fast_reps == 12 and assessment.strength_calf_raise_left == 20


def test_a_stale_htmx_save_says_not_saved(owner_http, assessment):
    stale = form_data(assessment)
    owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps="12"))
    page = owner_http.post(assessment.get_absolute_url(), {**stale, "notes": "tab b"}, headers={"HX-Request": "true"}).content.decode()
    assert "Not saved" in page
    assert 'name="version"' not in page, "the stale tab keeps its old version, so it cannot overwrite later"
    assessment.refresh_from_db()
    assert assessment.notes == ""


def test_save_mine_over_it_overwrites_after_a_conflict(owner_http, assessment):
    stale = form_data(assessment)
    owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps="12"))
    owner_http.post(assessment.get_absolute_url(), {**stale, "notes": "mine", "overwrite": "2"})
    assessment.refresh_from_db()
    assert assessment.notes == "mine" and assessment.version == 3


def test_verdict_panel_shows_reasons_focus_areas_and_cautions(owner_http, client_record):
    assessment = make_assessment(
        client_record, load_impact_hop_in_place_right=8, strength_single_leg_bridge_left=14, holistic_mood=True
    )
    page = owner_http.get(assessment.get_absolute_url()).content.decode()
    assert "Not yet" in page and "Rule 4" in page
    assert "Single leg bridge, left: 14 of 20" in visible_text(page)
    assert "same-day" in page.lower() or "116 123" in page


def test_refer_offers_a_printable_referral_summary(owner_http, client_record):
    assessment = make_assessment(client_record, symptoms_heaviness_dragging=True)
    assert reverse("assessments:referral", args=[assessment.pk]) in owner_http.get(assessment.get_absolute_url()).content.decode()
    summary = owner_http.get(reverse("assessments:referral", args=[assessment.pk])).content.decode()
    assert "not a diagnosis" in summary and "Heaviness or dragging" in summary and client_record.full_name in summary


def test_client_page_lists_assessments_with_verdict_badges(owner_http, client_record):
    make_assessment(client_record, days_after_birth=70, symptoms_urinary_leakage=True)
    make_assessment(client_record, days_after_birth=100)
    page = owner_http.get(client_record.get_absolute_url()).content.decode()
    assert "badge--refer" in page and "badge--ready" in page
    assert "Compare side by side" in page


@pytest.mark.parametrize("count", [1, 30])
def test_client_page_query_count_does_not_grow_with_assessments(owner_http, client_record, count, django_assert_max_num_queries):
    for index in range(count):
        make_assessment(client_record, days_after_birth=90 + index)
    # The session, her trainer, her row (with her latest assessment in full, which decides who may
    # run, and whether she has a link, a strength plan or deleted assessments to read), the access
    # log's line, her assessments and her current programme
    with django_assert_max_num_queries(6):
        owner_http.get(client_record.get_absolute_url())


@pytest.mark.parametrize("changes", [1, 40])
def test_studio_query_count_does_not_grow_with_history(owner_http, assessment, changes, django_assert_max_num_queries):
    AssessmentChange.objects.bulk_create(
        AssessmentChange(assessment=assessment, field="notes", old_value="", new_value=str(i)) for i in range(changes)
    )
    with django_assert_max_num_queries(6):  # 5, plus the access log's line
        owner_http.get(assessment.get_absolute_url())


def test_compare_shows_improved_worsened_and_new(owner_http, client_record):
    first = make_assessment(client_record, days_after_birth=90, strength_calf_raise_left=12, load_impact_walk_value=None,
                            pelvic_floor_fast_reps=12)
    second = make_assessment(client_record, days_after_birth=120, strength_calf_raise_left=18, pelvic_floor_fast_reps=9)
    page = owner_http.get(reverse("assessments:compare", args=[client_record.pk]), {"a": second.pk, "b": first.pk}).content.decode()
    assert page.index(first.assessed_on.strftime("%-d %b %Y")) < page.index(second.assessed_on.strftime("%-d %b %Y"))
    assert "▲ Improved" in page and "▼ Worsened" in page and "✚ Newly tested" in page
    assert "No longer holding her back" in page and "New since" in page


def test_export_has_the_domain_shape(owner_http, client_record):
    assessment = make_assessment(client_record, strength_calf_raise_right=17, load_impact_walk_value=None)
    response = owner_http.get(reverse("assessments:export", args=[assessment.pk]))
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["weeks_postpartum"] == 14
    assert data["strength"]["calf_raise"] == {"left": 20, "right": 17}
    assert data["load_impact"]["walk"] == {"value": None, "symptoms": False}
    assert data["load_impact"]["hop_in_place"] == {"left": 10, "right": 10, "symptoms": False}
    assert data["symptoms"]["urinary_leakage"] is False
    assert set(data) >= {"assessed_on", "symptoms", "pelvic_floor", "load_impact", "strength", "holistic", "profile"}


def test_import_round_trips_an_export(owner_http, client_record):
    original = make_assessment(client_record, strength_calf_raise_right=17, holistic_sleep=True, notes="café ✓")
    exported = owner_http.get(reverse("assessments:export", args=[original.pk])).content.decode()
    original.delete()
    response = owner_http.post(reverse("assessments:import", args=[client_record.pk]), {"text": exported})
    imported = Assessment.objects.get()
    assert response["Location"] == imported.get_absolute_url()
    assert imported.values() == {**ready_values(), "strength_calf_raise_right": 17, "holistic_sleep": True}
    assert imported.notes == "café ✓"


def test_import_reports_every_problem_and_creates_nothing(owner_http, client_record):
    bad = {
        "assessed_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "weeks_postpartum": 3,
        "symptoms": {"urinary_leakage": "yes", "made_up": True},
        "pelvic_floor": {"hold_seconds": 900, "long_holds": -2},
        "load_impact": {"walk": 30, "hop_in_place": {"left": 10, "middle": 3}},
        "strength": {"calf_raise": {"left": True}},
        "mystery": 1,
    }
    page = owner_http.post(reverse("assessments:import", args=[client_record.pk]), {"text": json.dumps(bad)}).content.decode()
    assert not Assessment.objects.exists()
    for fragment in ["Unknown key “mystery”", "made_up", "symptoms.urinary_leakage", "in the future",
                     "pelvic_floor.hold_seconds", "pelvic_floor.long_holds", "“load_impact.walk” must be an object",
                     "“middle”", "strength.calf_raise"]:
        assert fragment in page, fragment


def test_import_refuses_invalid_json(owner_http, client_record):
    page = owner_http.post(reverse("assessments:import", args=[client_record.pk]), {"text": "{nope"}).content.decode()
    assert "not valid JSON" in page and not Assessment.objects.exists()


def test_deleting_an_assessment_needs_a_reason_and_keeps_what_it_recorded(owner_http, owner, assessment, client_record):
    url = reverse("assessments:delete", args=[assessment.pk])
    page = owner_http.post(url, {"reason": "  "}).content.decode()
    assert "Give the reason for deleting it." in page and Assessment.objects.exists()
    assert "takes a red flag off her record" not in page
    response = owner_http.post(url, {"reason": "Entered twice"})
    assert response["Location"] == client_record.get_absolute_url()
    assert not Assessment.objects.exists()
    deleted = client_record.deleted_assessments.get()
    assert (deleted.assessed_on, deleted.reason, deleted.deleted_by, deleted.red_flags) == (
        assessment.assessed_on, "Entered twice", owner, [])
    assert deleted.record == assessment.exported()


def test_every_protocol_measurement_has_a_column_and_a_form_field(assessment):
    from assessments.forms import AssessmentForm

    form = AssessmentForm(client=assessment.client)
    for column in COLUMNS:
        assert column.name in form.fields
        assert hasattr(assessment, column.name)


def test_user_text_is_escaped_in_the_studio(owner_http, owner):
    client = make_client(owner, name='<img src=x onerror="alert(1)">')
    assessment = make_assessment(client, notes="<b>bold</b>")
    response = owner_http.get(assessment.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "<img src=x" not in page and "<b>bold</b>" not in page
    # Shown, as text: escaped in the markup, read as typed.
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and '<img src=x onerror="alert(1)">' in visible_text(page)


# One shape of an assessment: protocol.flatten and protocol.nest (issue 11) ------------------

def leaf(field):
    """Any value a field may hold: None (not assessed), or a bool for a flag, a whole number in range."""
    value = st.booleans() if field.is_flag else st.integers(min_value=0, max_value=field.item.maximum)
    return st.none() | value


def flat_values():
    return st.fixed_dictionaries({field.name: leaf(field) for field in protocol.FIELDS})


def section_entries(section):
    """One section of the DOMAIN.md dict, written out from the protocol's items, not through nest()."""
    entries = {}
    for item in section.items:
        if section.code in protocol.NESTED_SECTIONS:
            entries[item.code] = st.fixed_dictionaries({field.key: leaf(field) for field in item.fields})
        else:
            (field,) = item.fields
            entries[item.code] = leaf(field)
    return st.fixed_dictionaries(entries)


def assessment_dicts():
    """Any valid assessment dict: every item present, each measurement recorded or null."""
    profile = st.fixed_dictionaries({
        "delivery": st.sampled_from([None, *(code for code, _ in protocol.DELIVERY_CHOICES)]),
        "breastfeeding": st.none() | st.booleans(),
    })
    return st.fixed_dictionaries(
        {"weeks_postpartum": st.none() | st.integers(0, 520),
         **{section.code: section_entries(section) for section in protocol.SECTIONS},
         "profile": profile},
        optional={"assessed_on": st.dates().map(lambda day: day.isoformat()), "notes": st.text(max_size=20)},
    )


def strictly(value):
    """JSON tells null, false and 0 apart, where Python's == says False == 0."""
    return json.dumps(value, sort_keys=True)


@given(assessment_dicts())
def test_nest_undoes_flatten_for_any_valid_assessment(data):
    assert strictly(protocol.nest(protocol.flatten(data))) == strictly(data)


@given(flat_values())
def test_flatten_undoes_nest_for_any_field_values(flat):
    assert strictly(protocol.flatten(protocol.nest(flat))) == strictly(flat)


@given(assessment_dicts())
def test_flattening_never_turns_not_assessed_into_zero_or_no(data):
    flat = protocol.flatten(data)
    for field in protocol.FIELDS:
        entry = data[field.item.section][field.item.code]
        recorded = entry[field.key] if field.nested else entry
        assert flat[field.name] is recorded or flat[field.name] == recorded and type(flat[field.name]) is type(recorded)


def test_a_missing_item_or_section_flattens_to_not_assessed():
    flat = protocol.flatten({"pelvic_floor": {"long_holds": 0, "can_relax": False}})
    assert flat["pelvic_floor_long_holds"] == 0 and flat["pelvic_floor_long_holds"] is not False
    assert flat["pelvic_floor_can_relax"] is False
    assert flat["pelvic_floor_fast_reps"] is None
    assert flat["symptoms_urinary_leakage"] is None and flat["strength_calf_raise_left"] is None
    nested = protocol.nest(flat)
    assert nested["load_impact"]["walk"] == {"value": None, "symptoms": None}
    assert nested["pelvic_floor"]["long_holds"] == 0 and nested["pelvic_floor"]["can_relax"] is False


@pytest.mark.parametrize("section, code, value", [
    ("symptoms", "urinary_leakage", 1),  # 1 is not "yes"
    ("symptoms", "urinary_leakage", "no"),
    ("pelvic_floor", "long_holds", False),  # False is not 0
    ("pelvic_floor", "long_holds", True),
    ("pelvic_floor", "long_holds", "6"),
])
def test_flatten_never_guesses_a_value_of_the_wrong_type(section, code, value):
    problems = []
    flat = protocol.flatten({section: {code: value}}, problems)
    assert flat[f"{section}_{code}"] is None
    assert len(problems) == 1 and f"{section}.{code}" in problems[0]
    with pytest.raises(protocol.ShapeError) as raised:
        protocol.flatten({section: {code: value}})
    assert raised.value.problems == problems


def test_flatten_keeps_the_keys_that_are_not_sections():
    flat = protocol.flatten({"assessed_on": "2026-11-26", "weeks_postpartum": 14, "notes": "", "profile": {}})
    assert {key: flat[key] for key in ("assessed_on", "weeks_postpartum", "notes", "profile")} == {
        "assessed_on": "2026-11-26", "weeks_postpartum": 14, "notes": "", "profile": {}}


def test_the_export_is_the_nested_shape_of_her_values(assessment):
    exported = assessment.exported()
    assert list(exported)[:2] == ["assessed_on", "weeks_postpartum"] and list(exported)[-2:] == ["profile", "notes"]
    assert {name: value for name, value in protocol.flatten(exported).items() if name in COLUMNS_BY_NAME} == assessment.values()


class TestImportOfAnExport(HypothesisTestCase):
    @settings(max_examples=20, deadline=None)
    @given(values=flat_values(), notes=st.text(max_size=40).filter(lambda text: "\x00" not in text))
    def test_importing_an_export_gives_the_same_assessment(self, values, notes):
        trainer = Trainer.objects.create_user(email="p@example.com", password="a-long-test-passphrase", full_name="P")
        client = make_client(trainer)
        original = make_assessment(client, notes=notes, **values)
        self.client.force_login(trainer)
        exported = self.client.get(reverse("assessments:export", args=[original.pk])).content.decode()
        response = self.client.post(reverse("assessments:import", args=[client.pk]), {"text": exported})
        imported = client.assessments.exclude(pk=original.pk).get()
        assert response["Location"] == imported.get_absolute_url()
        assert strictly(imported.values()) == strictly(original.values())
        assert (imported.assessed_on, imported.notes, imported.verdict) == (original.assessed_on, original.notes.strip(), original.verdict)
        assert strictly(imported.to_dict()) == strictly(original.to_dict())


@given(flat_values())
def test_the_studio_form_reads_back_the_values_it_was_given(flat):
    from assessments.forms import AssessmentForm
    from clients.models import Client

    her = Client(full_name="Amira Haddad", baby_date_of_birth=timezone.localdate() - timedelta(weeks=14))
    posted = {"assessed_on": timezone.localdate().isoformat(), "notes": "", "version": 1,
              **{name: "" if value is None else str(value).lower() for name, value in flat.items()}}
    form = AssessmentForm(data=posted, client=her)
    assert form.is_valid(), form.errors
    assert strictly({name: form.cleaned_data[name] for name in flat}) == strictly(flat)
    rows = [row for section in form.section_rows() for group in section["groups"] for row in group["rows"]]
    assert [cell.name for row in rows for _, cell in row["cells"]] == [field.name for field in protocol.FIELDS]


# --- Issue 20: her page shows her latest assessments; the rest are a page of their own ---------


def history_of(client, count):
    return [make_assessment(client, days_after_birth=7 * 13 + index) for index in range(count)]


def test_her_page_shows_her_latest_twelve_and_links_to_all_of_them(owner_http, client_record):
    made = history_of(client_record, 15)
    page = owner_http.get(client_record.get_absolute_url()).content.decode()
    table = page[page.index('class="table table--assessments"'):page.index("</table>")]
    assert table.count("<tr>") == 13  # the head and her latest twelve
    assert f'href="{made[-1].get_absolute_url()}"' in table and f'href="{made[2].get_absolute_url()}"' not in table
    assert f'href="{reverse("assessments:list", args=[client_record.pk])}">All 15 assessments</a>' in page


def test_no_link_to_all_when_all_are_on_her_page(owner_http, client_record):
    made = history_of(client_record, 12)
    response = owner_http.get(client_record.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200 and f'href="{made[0].get_absolute_url()}"' in page, "all twelve are on her page"
    assert "All 12 assessments" not in page


def test_all_her_assessments_page_by_page_latest_first(owner_http, client_record, monkeypatch):
    monkeypatch.setattr("assessments.views.LIST_PAGE_SIZE", 5)
    made = history_of(client_record, 12)
    url = reverse("assessments:list", args=[client_record.pk])
    first = owner_http.get(url).content.decode()
    assert "Assessments: Amira Haddad (12)" in first and "Page 1 of 3" in first and 'rel="next"' in first
    assert first.index(made[-1].get_absolute_url()) < first.index(made[-2].get_absolute_url())
    last = owner_http.get(url + "?page=3").content.decode()
    assert made[0].get_absolute_url() in last and made[-1].get_absolute_url() not in last
    assert owner_http.get(url + "?page=abc").status_code == 200
    assert AccessEventOf(client_record).filter(kind="viewed_client").count() == 3  # each page viewed is logged


def AccessEventOf(client):  # noqa: N802
    from audit.models import AccessEvent

    return AccessEvent.objects.filter(client=client)


def test_all_her_assessments_is_for_her_trainer_alone(owner_http, stranger_http, anon_http, client_record):
    history_of(client_record, 2)
    url = reverse("assessments:list", args=[client_record.pk])
    assert owner_http.get(url).status_code == 200
    assert stranger_http.get(url).status_code == 404
    assert anon_http.get(url)["Location"].startswith(reverse("login"))
    assert owner_http.post(url).status_code == 405


@pytest.mark.parametrize("count", [12, 300])
def test_her_page_and_the_comparison_read_the_same_rows_for_12_or_300(owner_http, client_record, count,
                                                                      django_assert_max_num_queries):
    Assessment.objects.bulk_create(Assessment(client=client_record, verdict="ready", recorded_by=client_record.trainer,
                                              assessed_on=client_record.baby_date_of_birth + timedelta(days=90 + index),
                                              **ready_values()) for index in range(count))
    client_record.refresh_derived()
    with django_assert_max_num_queries(6):  # as test_client_page_query_count_does_not_grow_with_assessments
        page = owner_http.get(client_record.get_absolute_url()).content.decode()
    assert page.count('<a href="/assessments/') == 2 * 12  # each of her latest twelve: its date and "Open"
    with django_assert_max_num_queries(5):
        assert owner_http.get(reverse("assessments:compare", args=[client_record.pk])).status_code == 200
