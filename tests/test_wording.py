"""Issue 8: every word she, the trainer and the clinician read is right, and each piece of
wording lives once, in the protocol.

Pure tests first (signposts, readers, plurals, next steps), then the pages and the PDF."""

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments.readiness import Caution, Reason, evaluate, worded
from guideline import protocol
from guideline.protocol import HELPLINE, SIGNPOSTS, quantity
from programmes.progression import LoggedSession, replay
from reports.her_words import next_steps
from tests.assessments.test_readiness import assess, ready_data
from tests.conftest import make_client, walk_run_30
from tests.factories import make_assessment

ROOT = Path(__file__).resolve().parent.parent
# Weeks since the birth are counted to today, read again by the app and its PDF: one day however long
# the run (tests/conftest.py midday). The only subprocess here is pdftotext, reading a PDF drawn in
# this process, so it reads no clock.
pytestmark = pytest.mark.usefixtures("midday")
LOAD_LABELS = [item.label.lower() for item in protocol.section("load_impact").items]


# Signposts: the right route for each problem ------------------------------------------


def test_every_route_is_worded_for_each_reader():
    for route in SIGNPOSTS.values():
        trainer, client, clinician = (route.text(reader) for reader in protocol.READERS)
        assert trainer and client and clinician and len({trainer, client, clinician}) == 3, route.code
        # The trainer's panel speaks to the trainer about her; her page speaks to her.
        assert re.search(r"\b(her|she)\b", trainer) and not re.search(r"\byou(r)?\b", trainer, re.I), route.code
        assert re.search(r"\byou(r)?\b", client, re.I) and not re.search(r"\b(her|she)\b", client), route.code
        assert not re.search(r"\byou(r)?\b|\bplease\b", clinician, re.I), route.code
    with pytest.raises(ValueError):
        SIGNPOSTS["bleeding"].text("stranger")


def test_abnormal_bleeding_goes_to_the_gp_or_midwife_urgently_if_heavy():
    route = protocol.signpost_for("symptoms.abnormal_bleeding")
    assert route.code == "bleeding" and route.urgent
    for reader in protocol.READERS:
        text = route.text(reader)
        assert "GP or midwife" in text and "NHS 111" in text and "999" in text and "heavy" in text, reader
        assert "dizz" in text and "pelvic health" not in text, reader
    # The help text and the rule agree on timing: beyond 8 weeks, or heavy at any time.
    item = protocol.ITEMS["symptoms.abnormal_bleeding"]
    assert "8 weeks" in item.help and "any time" in item.help
    assert evaluate({**ready_data(), "weeks_postpartum": 20, "symptoms": {
        **ready_data()["symptoms"], "abnormal_bleeding": True}}).verdict == "refer"


def test_other_symptoms_go_to_the_gp_or_a_pelvic_health_physiotherapist():
    for item in protocol.section("symptoms").items:
        if item.code != "abnormal_bleeding" and item.group == "pelvic":
            assert protocol.signpost_for(item.path).code == "pelvic_health"


def test_each_medical_warning_sign_has_its_own_route_and_means_stop_now():
    """DOMAIN.md "Medical warning signs": 999 for chest pain, fainting or sudden breathlessness; the
    GP the same day or NHS 111 for a calf; and so on. Never a pelvic-health referral."""
    expected = {"chest_pain": "999", "breathlessness": "999", "dizziness_fainting": "999", "calf_pain_swelling": "NHS 111",
                "severe_abdominal_pain": "NHS 111", "fever_unwell": "NHS 111", "scar_worsening": "midwife",
                "pregnant_again": "midwife"}
    warnings = [item for item in protocol.section("symptoms").items if item.group == "warning"]
    assert {item.code for item in warnings} == set(expected)
    for item in warnings:
        route = protocol.signpost_for(item.path)
        assert route.code == item.code and route.stop_now
        for reader in protocol.READERS:
            assert expected[item.code] in route.text(reader) and "pelvic health" not in route.text(reader), (item.code, reader)
    assert SIGNPOSTS["bleeding"].stop_now and not SIGNPOSTS["pelvic_health"].stop_now


def test_knee_hip_or_shin_pain_goes_to_the_gp_or_a_physiotherapist_not_pelvic_health():
    route = SIGNPOSTS["musculoskeletal"]
    assert all("GP or a physiotherapist" in route.text(reader) for reader in protocol.READERS)
    assert "pelvic health physiotherapist" not in route.client
    [only] = protocol.signposts_for_symptoms({"pain"})
    assert only is route
    # The session outcome and the trainer's alert after pain in two sessions in a row.
    pain = LoggedSession("completed", 4, {"pain"})
    once = replay((3, 3), [pain]).last_outcome
    assert "GP or a physiotherapist" in once.message and "pelvic health" not in once.message
    state = replay((3, 3), [pain, pain])
    assert state.status == "paused"
    assert "pelvic health" not in state.last_outcome.message
    assert "Refer her to her GP or a physiotherapist" in state.alerts[0].message


def test_a_bleeding_session_symptom_pauses_with_the_midwife_route():
    state = replay((3,), [LoggedSession("completed", 3, {"abnormal_bleeding"})])
    assert "GP or midwife" in state.last_outcome.message and "999" in state.last_outcome.message
    assert "Refer her to her GP or midwife" in state.alerts[0].message


def test_low_mood_goes_to_perinatal_routes_and_the_gp_with_same_day_help():
    route = protocol.signpost_for("holistic.mood")
    for reader in protocol.READERS:
        text = route.text(reader)
        for words in ("midwife", "health visitor", "GP", "NHS Talking Therapies", "same day", "NHS 111",
                      "mental health option", "999", "A&E", "Samaritans", "116 123"):
            assert words in text, (reader, words)
    assert "refer yourself" in route.client and "refer herself" in route.trainer
    assert HELPLINE.client in route.text("client") and HELPLINE.trainer in route.text("trainer")
    assert HELPLINE.client not in route.text("client", with_also=False)  # a help list shows it on its own line


def test_worded_gives_each_reader_the_same_finding_and_their_own_route():
    result = assess({"symptoms.abnormal_bleeding": True, "symptoms.urinary_leakage": True, "holistic.mood": True,
                     "pelvic_floor.physio_assessed": False})
    bleeding = next(r for r in result.reasons if r.code == "symptoms.abnormal_bleeding")
    assert worded(bleeding, "trainer") == bleeding.message
    assert "Refer her to her GP or midwife" in bleeding.message
    assert "Please contact your GP or midwife" in worded(bleeding, "client")
    assert "For review by the GP or midwife" in worded(bleeding, "clinician")
    for reader in protocol.READERS:
        text = worded(bleeding, reader)
        assert text.startswith("Bleeding that is not a period reported")
        # Her words carry no rule numbers; the trainer's and the clinician's name the rule.
        assert text.endswith(f"({protocol.RULES['rule_1_red_flags']})") == (reader != "client")
    mood = next(c for c in result.cautions if c.code == "holistic.mood")
    assert worded(mood, "trainer") == mood.message and "Please talk to your midwife" in worded(mood, "client")
    physio = next(c for c in result.cautions if c.code == "pelvic_floor.physio_assessed")
    assert "Please ask your GP for a referral" in worded(physio, "client")


def test_findings_without_a_route_read_the_same_for_everyone():
    not_asked = Reason("symptoms.urgency", "not_assessed", "Urgency to reach the toilet: not asked yet. (Rule 1)", "rule_1_red_flags")
    sleep = Caution("holistic.sleep", "Sleep or rest is a concern.", "rule_6_holistic")
    for reader in protocol.READERS:
        assert worded(not_asked, reader) == not_asked.message
        assert worded(sleep, reader) == sleep.message


# One definition of each piece of wording -----------------------------------------------

# Literals that belong to guideline/protocol.py alone. (⚠ also marks a symptom in a session
# log and the home page's red-flag alert, so the verdict icons are checked through ◔.)
ONCE_ONLY = ["116 123", "Samaritans", "Talking Therapies", "Not tested", "not tested", "Not asked", "yesno:",
             "20 reps", "20 repetitions", "20 on each", "◔", "few weeks", "12 weeks", "Not yet: keep"]


def source_files():
    for folder in ("accounts", "assessments", "clients", "config", "programmes", "reports", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts:
                yield path


def test_wording_lives_once_in_the_protocol():
    found = []
    for path in source_files():
        if path == ROOT / "assessments" / "protocol.py":
            continue
        text = path.read_text()
        for literal in ONCE_ONLY:
            for line_number, line in enumerate(text.splitlines(), 1):
                stripped = line.strip()
                if literal in line and not stripped.startswith("#") and '"""' not in line and not stripped.startswith("-"):
                    found.append(f"{path.relative_to(ROOT)}:{line_number}: {literal!r}")
    assert not found, "\n".join(found)


def test_the_protocol_defines_targets_and_answers_once():
    assert protocol.STRENGTH_TARGET_TEXT == "20 reps each side"
    assert all(item.target == protocol.STRENGTH_TARGET for item in protocol.section("strength").items)
    assert protocol.MIN_WEEKS_TEXT == "12 weeks"
    assert protocol.ITEMS["load_impact.hop_in_place"].target_text == "10 reps each side"
    assert protocol.ITEMS["load_impact.walk"].target_text == "30 minutes"
    assert protocol.ITEMS["pelvic_floor.can_relax"].target_text == "Yes"
    assert protocol.ITEMS["pelvic_floor.physio_assessed"].target_text == ""  # a recommendation, not a target
    assert protocol.ITEMS["symptoms.urgency"].answers.word(None) == "Not asked"
    assert protocol.ITEMS["pelvic_floor.fast_reps"].answers.word(False) == "No"
    assert protocol.ITEMS["holistic.sleep"].answers.word(True) == "Concern raised"


# Plurals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value, unit, expected", [
    (1, "weeks", "1 week"), (0, "weeks", "0 weeks"), (2, "weeks", "2 weeks"), (1, "reps", "1 rep"),
    (1, "holds", "1 hold"), (1, "seconds", "1 second"), (1.5, "minutes", "1.5 minutes"), (1.0, "minutes", "1 minute"),
    (1, "sessions", "1 session"), (11, "assessments", "11 assessments"), (1, "days", "1 day"),
])
def test_quantity_says_one_in_the_singular(value, unit, expected):
    assert quantity(value, unit) == expected


def test_the_quantity_filter_pluralises_in_templates():
    template = Template('{% load protocol_tags %}{{ a|quantity:"weeks" }} · {{ b|quantity:"weeks" }} · [{{ c|quantity:"weeks" }}]')
    assert template.render(Context({"a": 1, "b": 3, "c": None})) == "1 week · 3 weeks · []"


@pytest.mark.django_db
def test_one_week_after_birth_is_singular_on_every_page(owner, owner_http):
    client = make_client(owner, weeks=1)
    assessment = make_assessment(client, days_after_birth=7)
    for url in (client.get_absolute_url(), reverse("clients:list"), assessment.get_absolute_url(),
                reverse("assessments:referral", args=[assessment.pk])):
        page = owner_http.get(url).content.decode()
        assert "1 weeks" not in page, url
        assert "1 week" in page, url


# Her next steps fit her stage ------------------------------------------------------------


def steps_for(changes, weeks=protocol.MIN_WEEKS_POSTPARTUM, provoked=frozenset()):
    result = evaluate({**assess_data(changes), "weeks_postpartum": weeks})
    return next_steps(result, weeks, provoked)


def assess_data(changes):
    from tests.assessments.test_readiness import changed

    return changed(ready_data(), changes)


def mentions_a_load_test(steps):
    text = " ".join(steps).lower()
    return [label for label in LOAD_LABELS if label in text]


def test_before_12_weeks_only_pelvic_floor_and_low_impact_strength_advice():
    steps = steps_for({"load_impact.hop_in_place.left": 4, "load_impact.forward_bounds.value": None,
                       "pelvic_floor.fast_reps": 5}, weeks=3)
    assert not mentions_a_load_test(steps)
    assert not any("Keep practising" in step for step in steps)
    text = " ".join(steps)
    assert "3 weeks since the birth" in text and "low-impact exercise and strength work only" in text
    assert "running from 3 to 6 months after the birth at the earliest" in text
    assert "pelvic floor exercises" in text and "come later" in text
    assert "few weeks" not in text


def test_one_week_after_the_birth_says_one_week():
    assert any("it is 1 week since the birth" in step for step in steps_for({}, weeks=1))


def test_without_a_low_impact_and_strength_programme_the_same_timeline_applies():
    steps = steps_for({"pelvic_floor.strength_training_to_date": False, "load_impact.jog_on_spot.value": 20}, weeks=20)
    text = " ".join(steps)
    assert not mentions_a_load_test(steps)
    assert "First, a low-impact exercise and strength programme" in text
    assert "The same timeline applies" in text and protocol.RUNNING_TIMELINE in text


def test_after_12_weeks_unmet_tests_are_practised_but_a_test_that_provoked_symptoms_never_is():
    changes = {"load_impact.hop_in_place.left": 4, "load_impact.forward_bounds.symptoms": True}
    steps = steps_for(changes, weeks=16, provoked={"load_impact.forward_bounds"})
    practise = next(step for step in steps if step.startswith("Keep practising"))
    assert "hop in place" in practise and "forward bounds" not in practise
    stop = next(step for step in steps if step.startswith("Do not practise"))
    assert "forward bounds" in stop and "GP or a pelvic health physiotherapist" in stop


@given(
    weeks=st.integers(0, 60),
    values=st.dictionaries(st.sampled_from(protocol.section("load_impact").items),
                           st.tuples(st.one_of(st.none(), st.integers(0, 20)), st.one_of(st.none(), st.booleans()))),
    no_programme=st.booleans(),
)
def test_no_impact_practice_before_12_weeks_and_never_a_provoking_test(weeks, values, no_programme):
    changes = {"pelvic_floor.strength_training_to_date": not no_programme}
    for item, (value, symptoms) in values.items():
        for key in item.value_keys:
            changes[f"{item.path}.{key}"] = value
        changes[f"{item.path}.symptoms"] = symptoms
    provoked = {item.path for item, (_, symptoms) in values.items() if symptoms}
    steps = steps_for(changes, weeks=weeks, provoked=provoked)
    practise = " ".join(step for step in steps if step.startswith("Keep practising")).lower()
    if weeks < protocol.MIN_WEEKS_POSTPARTUM or no_programme:
        assert not mentions_a_load_test([s for s in steps if not s.startswith("Do not practise")])
    for path in provoked:
        assert protocol.ITEMS[path].label.lower() not in practise


def test_red_flags_are_grouped_by_route_in_her_words():
    steps = steps_for({"symptoms.abnormal_bleeding": True, "symptoms.urinary_leakage": True}, weeks=14)
    assert steps[0].startswith("You mentioned leaking urine. Please see your GP or a pelvic health physiotherapist")
    assert steps[1].startswith("You mentioned bleeding that is not a period. Please contact your GP or midwife today")


# The physio row and the client record ----------------------------------------------------


def test_a_physio_visit_on_her_record_lifts_the_physio_caution():
    for answer in (False, None):
        data = assess_data({"pelvic_floor.physio_assessed": answer})
        assert "pelvic_floor.physio_assessed" in [c.code for c in evaluate(data).cautions]
        data["profile"]["physio_seen"] = True
        assert "pelvic_floor.physio_assessed" not in [c.code for c in evaluate(data).cautions]
        data["profile"]["physio_seen"] = 1  # not a yes
        assert "pelvic_floor.physio_assessed" in [c.code for c in evaluate(data).cautions]


@pytest.mark.django_db
def test_a_new_assessment_takes_the_physio_answer_from_her_record(owner, owner_http):
    client = make_client(owner, weeks=16)
    client.physio_seen_date = client.baby_date_of_birth + timedelta(weeks=10)
    client.save()
    owner_http.post(reverse("assessments:create", args=[client.pk]))
    assessment = client.assessments.get()
    assert assessment.pelvic_floor_physio_assessed is True
    assert "pelvic_floor.physio_assessed" not in [c.code for c in assessment.result.cautions]


@pytest.mark.django_db
def test_a_physio_visit_after_the_assessment_date_neither_prefills_nor_lifts_the_caution(owner):
    client = make_client(owner, weeks=16)
    client.physio_seen_date = client.baby_date_of_birth + timedelta(weeks=15)
    client.save()
    early = make_assessment(client, days_after_birth=7 * 13, pelvic_floor_physio_assessed=None)
    assert early.pelvic_floor_physio_assessed is None
    assert "pelvic_floor.physio_assessed" in [c.code for c in early.result.cautions]
    later = make_assessment(client, days_after_birth=7 * 16, pelvic_floor_physio_assessed=None)
    assert later.pelvic_floor_physio_assessed is True


@pytest.mark.django_db
def test_an_existing_assessment_is_not_rewritten_when_the_record_changes(owner):
    client = make_client(owner, weeks=16)
    assessment = make_assessment(client, pelvic_floor_physio_assessed=None)
    client.physio_seen_date = client.baby_date_of_birth
    client.save()
    assessment.refresh_from_db()
    assessment.save()
    assessment.refresh_from_db()
    assert assessment.pelvic_floor_physio_assessed is None  # the answer stays as recorded
    assert "pelvic_floor.physio_assessed" not in [c.code for c in assessment.result.cautions]  # the caution follows the record


def rows_of(assessment):
    from reports.her_words import section_tables

    return {row["label"]: row for table in section_tables(assessment) for row in table["rows"]}


@pytest.mark.django_db
@pytest.mark.parametrize("answer, status", [(False, "See “Things to keep in mind”"), (None, "See “Things to keep in mind”"), (True, "—")])
def test_the_physio_row_shows_what_was_recorded_and_never_met(owner, answer, status):
    client = make_client(owner)
    row = rows_of(make_assessment(client, pelvic_floor_physio_assessed=answer))["Seen by a pelvic health physiotherapist"]
    assert row["measured"] == protocol.PHYSIO_ANSWERS.word(answer)
    assert row["status"] == status and row["target"] == ""


@pytest.mark.django_db
def test_the_physio_row_shows_the_date_from_her_record(owner):
    client = make_client(owner)
    assessment = make_assessment(client, pelvic_floor_physio_assessed=False)
    client.physio_seen_date = client.baby_date_of_birth + timedelta(weeks=8)
    client.save()
    assessment = type(assessment).objects.get(pk=assessment.pk)  # as the next request reads it
    row = rows_of(assessment)["Seen by a pelvic health physiotherapist"]
    assert row["measured"] == f"No; seen {client.physio_seen_date:%-d %b %Y}, from her record" and row["status"] == "—"


@pytest.mark.django_db
@pytest.mark.parametrize("fill", [True, False, None])
def test_no_row_repeats_itself(owner, fill):
    from assessments.models import COLUMNS

    client = make_client(owner)
    values = {c.name: fill if c.is_flag else ({True: c.item.target, False: 0, None: None}[fill]) for c in COLUMNS}
    for label, row in rows_of(make_assessment(client, **values)).items():
        parts = [part.split(": ")[-1].lower() for part in row["measured"].split("; ")]
        assert row["status"].lower() not in parts, (label, row)
        item = next(i for i in protocol.ITEMS.values() if i.label == label)
        if not item.gating and item.kind == "flag":
            assert row["status"] not in ("Met", "Not yet"), (label, row)


# The pages and the PDF ----------------------------------------------------------------------


def pdftotext(content, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def section_of(text, heading, next_heading):
    start = text.index(heading)
    return text[start:text.index(next_heading, start)]


@pytest.mark.django_db
def test_the_pdf_physio_row_says_what_was_recorded(owner, owner_http, tmp_path):
    client = make_client(owner, weeks=16)
    assessment = make_assessment(client, pelvic_floor_physio_assessed=False)
    text = pdftotext(owner_http.get(reverse("reports:trainer_pdf", args=[assessment.pk])).content, tmp_path)
    [row] = [line for line in text.splitlines() if "Seen by a pelvic health" in line]
    assert "Met" not in row and re.search(r"\bNo\b", row) and "See “Things to keep" in row
    cautions = text.split("\nThings to keep in mind\n")[1]
    assert "Please ask your GP for a referral" in cautions  # written to her, not to the trainer
    assert "Refer her" not in text and "Suggest she" not in text


@pytest.mark.django_db
def test_the_pdf_at_3_weeks_advises_no_impact_tests(owner, owner_http, tmp_path):
    client = make_client(owner, weeks=3)
    assessment = make_assessment(client, days_after_birth=21, load_impact_hop_in_place_left=4,
                                 load_impact_forward_bounds_symptoms=True)
    text = pdftotext(owner_http.get(reverse("reports:trainer_pdf", args=[assessment.pk])).content, tmp_path)
    advice = " ".join(section_of(text, "What to do next", "Symptoms now").split())
    assert "3 weeks since the birth" in advice and "running from 3 to 6 months after the birth at the earliest" in advice
    assert "Keep practising" not in advice and "Hop in place" not in advice and "hop in place" not in advice
    assert "Do not practise forward bounds" in advice
    assert "few weeks" not in text


@pytest.mark.django_db
def test_her_page_and_the_referral_summary_route_bleeding_to_the_gp_or_midwife(owner, owner_http, anon_http):
    from clients.models import ShareLink

    client = make_client(owner, weeks=14)
    assessment = make_assessment(client, symptoms_abnormal_bleeding=True)
    _, token = ShareLink.issue(client, owner)
    page = anon_http.get(reverse("reports:progress", args=[token])).content.decode()
    assert "Please contact your GP or midwife today" in page and "Refer her" not in page
    panel = owner_http.get(assessment.get_absolute_url()).content.decode()
    assert "Refer her to her GP or midwife today" in panel
    summary = owner_http.get(reverse("assessments:referral", args=[assessment.pk])).content.decode()
    assert "For review by the GP or midwife" in summary and "Refer her" not in summary and "Please" not in summary


@pytest.mark.django_db
def test_the_referral_names_the_clinicians_her_red_flags_go_to(owner, owner_http):
    client = make_client(owner, weeks=14)
    bleeding = make_assessment(client, symptoms_abnormal_bleeding=True)
    summary = owner_http.get(reverse("assessments:referral", args=[bleeding.pk])).content.decode()
    assert "<p>For the GP or a midwife." in summary and "Outcome: Refer: see the GP or a midwife" in summary
    both = make_assessment(client, symptoms_abnormal_bleeding=True, symptoms_urinary_leakage=True)
    panel = owner_http.get(both.get_absolute_url()).content.decode()
    assert "Refer: see the GP, a pelvic health physiotherapist or a midwife" in panel
    leaking = make_assessment(client, symptoms_urinary_leakage=True)
    summary = owner_http.get(reverse("assessments:referral", args=[leaking.pk])).content.decode()
    assert "Outcome: Refer: see the GP or a pelvic health physiotherapist" in summary


def test_a_programme_paused_by_a_session_tells_her_the_route_it_was_paused_with():
    from django.template.loader import render_to_string

    state = replay((3,), [LoggedSession("completed", 3, {"pain"}), LoggedSession("completed", 3, {"pain"})])

    from types import SimpleNamespace

    from reports.her_words import programme_standing

    # Her programme's snapshot (programmes/snapshot.py), as far as her page reads it here.
    snapshot = SimpleNamespace(plan_name="Walk–run", start_date=None, starts_later=False, state=state, status="paused",
                               logged_count=0, can_log=False)
    html = render_to_string("reports/_programme_summary.html", {"snapshot": snapshot, "standing": programme_standing(snapshot)})
    assert "Paused for now." in html and "GP or a physiotherapist" in html and "pelvic health" not in html


def test_the_running_decision_names_the_route_of_her_red_flags_and_the_seeds_timeline():
    from programmes.progression import running_allowed

    decision = running_allowed(assess({"symptoms.abnormal_bleeding": True}), 20)
    assert decision.code == "refer"
    assert "the GP or a midwife" in decision.reason and "pelvic health" not in decision.reason
    assert "Please contact your GP or midwife today" in decision.for_her and "pelvic health" not in decision.for_her
    leaking = running_allowed(assess({"symptoms.urinary_leakage": True}), 20)
    assert "the GP or a pelvic health physiotherapist" in leaking.reason
    early = running_allowed(assess({}), 8)
    assert early.code == "too_early" and protocol.RUNNING_TIMELINE in early.for_her
    assert "12 weeks after the birth" in early.reason


@pytest.mark.django_db
def test_the_red_flag_banner_on_her_record_names_the_right_clinicians(owner, owner_http):
    client = make_client(owner, weeks=14)
    make_assessment(client, symptoms_abnormal_bleeding=True)
    page = owner_http.get(client.get_absolute_url()).content.decode()
    assert "Refer her to her GP or midwife today" in page and "pelvic health" not in page.split('id="red-flag-banner"')[1][:600]
    assert "No running until she has been seen and a new assessment with the full symptom screen finds no red flag." in page


def test_one_word_for_programmes_in_the_nav_the_page_and_its_breadcrumbs(owner, owner_http):
    """The nav says "Programmes", so the page it opens and every way back to it say so too."""
    page = owner_http.get(reverse("plans:list")).content.decode()
    assert f'<a href="{reverse("plans:list")}" aria-current="page">Programmes</a>' in page
    assert "<title>Walk–run programmes" in page and "<h1>Walk–run programmes</h1>" in page
    template = walk_run_30().copy(trainer=owner)
    for url in (template.get_absolute_url(), reverse("plans:delete", args=[template.pk]),
                reverse("plans:edit_session", args=[template.sessions.first().pk])):
        breadcrumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', owner_http.get(url).content.decode()).group()
        assert '>Programmes</a>' in breadcrumbs and "Templates" not in breadcrumbs


def test_the_verdict_badge_is_written_once():
    """Every page draws a verdict badge through one include, from the protocol's Verdict."""
    templates = Path(__file__).resolve().parents[1] / "templates"
    drawn = sorted(path.relative_to(templates).as_posix() for path in templates.rglob("*.html")
                   for line in path.read_text().splitlines() if 'class="badge badge--{{' in line and "verdict" in line)
    assert drawn == ["assessments/_verdict_badge.html"]
    badge = Template('{% include "assessments/_verdict_badge.html" %}')
    for verdict in protocol.VERDICT_WORDING.values():
        html = badge.render(Context({"verdict": verdict}))
        assert html == f'<span class="badge badge--{verdict.code}"><span aria-hidden="true">{verdict.icon}</span> {verdict.word}</span>'
