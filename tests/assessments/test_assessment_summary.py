"""Finish and the assessment summary; the studio's section index and verdict bar."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from clients.models import ShareLink
from tests.assessments.test_assessments import form_data
from tests.browser.conftest import assign_programme
from tests.conftest import make_client, visible_text
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def summary_url(assessment):
    return reverse("programmes:assessment_summary", args=[assessment.pk])


@pytest.fixture
def assessment(client_record):
    return make_assessment(client_record)


def test_anonymous_visitors_are_sent_to_sign_in(anon_http, assessment):
    response = anon_http.get(summary_url(assessment))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_trainer_gets_404(stranger_http, assessment):
    assert stranger_http.get(summary_url(assessment)).status_code == 404


def test_finish_saves_and_leads_to_the_summary(owner_http, assessment):
    response = owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps="12"))
    assert response.status_code == 302 and response["Location"] == summary_url(assessment)
    assessment.refresh_from_db()
    assert assessment.pelvic_floor_fast_reps == 12


def test_finish_with_a_bad_value_stays_in_the_studio_with_the_error(owner_http, assessment):
    response = owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps="900"))
    assert response.status_code == 200
    assert "Enter a whole number of reps from 0 to" in response.content.decode()


def test_a_stale_save_of_values_already_saved_is_not_a_conflict(owner_http, assessment):
    """A box's autosave and Finish racing each other with the same values."""
    stale = form_data(assessment, pelvic_floor_fast_reps="12")
    owner_http.post(assessment.get_absolute_url(), stale, headers={"HX-Request": "true"})
    response = owner_http.post(assessment.get_absolute_url(), stale)
    assert response.status_code == 302 and response["Location"] == summary_url(assessment)
    assessment.refresh_from_db()
    assert assessment.version == 2 and assessment.changes.count() == 1


def test_the_owner_sees_the_verdict_and_next_steps_for_ready(owner_http, assessment):
    page = owner_http.get(summary_url(assessment)).content.decode()
    assert "Assessment summary: Amira Haddad" in page
    assert "Ready for a graded walk–run return" in page
    assert reverse("programmes:assign", args=[assessment.client.pk]) in page and "Assign a programme</a>" in page
    assert reverse("reports:trainer_pdf", args=[assessment.pk]) in page
    assert "Make her private link" in page and reverse("clients:link_create", args=[assessment.client.pk]) in page
    assert reverse("assessments:referral", args=[assessment.pk]) not in page


def test_refer_explains_why_there_is_no_programme_and_offers_the_referral(owner_http, client_record):
    assessment = make_assessment(client_record, symptoms_urinary_leakage=True)
    page = owner_http.get(summary_url(assessment)).content.decode()
    assert "No running programme yet. Referral pending: a red flag is open on her record (leaking urine at her assessment of" in page
    assert reverse("programmes:assign", args=[client_record.pk]) not in page
    assert page.count(reverse("assessments:referral", args=[assessment.pk])) == 1


def test_not_yet_says_why_and_offers_an_override(owner_http, client_record):
    assessment = make_assessment(client_record, pelvic_floor_long_holds=2)
    page = owner_http.get(summary_url(assessment)).content.decode()
    assert "Not ready for running yet" in page and "Assign a programme anyway" in page


def test_a_current_programme_is_shown_instead_of_assigning(owner_http, assessment):
    programme = assign_programme(assessment.client)
    page = owner_http.get(summary_url(assessment)).content.decode()
    assert f"She is on {programme.plan.name}" in visible_text(page)
    assert reverse("programmes:assign", args=[assessment.client.pk]) not in page


def test_an_older_assessment_points_to_the_later_one(owner_http, client_record):
    older = make_assessment(client_record, days_after_birth=70)
    later = make_assessment(client_record, days_after_birth=90)
    page = owner_http.get(summary_url(older)).content.decode()
    assert "A later assessment" in page and later.get_absolute_url() in page


def test_the_summary_of_her_latest_reads_it_once_and_names_who_recorded_it(owner_http, owner, client_record,
                                                                           django_assert_num_queries):
    """After Finish: her row names her latest, so this one is not read again, and who recorded it
    is joined (session, trainer, assessment, access log, programme, link)."""
    make_assessment(client_record, days_after_birth=70)
    latest = make_assessment(client_record, days_after_birth=90, by=owner)
    with django_assert_num_queries(6):
        page = owner_http.get(summary_url(latest)).content.decode()
    assert f"recorded by {owner}" in page and "A later assessment" not in page


def test_an_active_link_is_described_not_remade(owner_http, assessment):
    ShareLink.issue(assessment.client, assessment.client.trainer)
    page = owner_http.get(summary_url(assessment)).content.decode()
    assert "Her link is active" in page and "Make her private link" not in page


# The studio's section index and compact verdict bar

def test_section_progress_counts_items_with_every_box_filled(client_record):
    assessment = Assessment(client=client_record, assessed_on=timezone.localdate(),
                            pelvic_floor_long_holds=6, load_impact_hop_in_place_left=10,
                            load_impact_hop_in_place_right=10, load_impact_walk_value=30,
                            load_impact_walk_symptoms=False, holistic_sleep=False)
    progress = {p.section.code: (p.done, p.total) for p in assessment.section_progress()}
    # The hop has no symptoms answer yet, so only the walk counts.
    assert progress == {"symptoms": (0, 18), "pelvic_floor": (1, 7), "load_impact": (1, 7), "strength": (0, 4),
                        "holistic": (1, 8)}


def test_a_ready_assessment_has_every_gating_section_complete(assessment):
    progress = {p.section.code: p.complete for p in assessment.section_progress()}
    assert progress["symptoms"] and progress["pelvic_floor"] and progress["load_impact"]


def test_the_studio_has_the_index_the_verdict_bar_and_finish(owner_http, client_record):
    assessment = make_assessment(make_client(client_record.trainer, "Beth Okafor"), pelvic_floor_fast_reps=None)
    page = owner_http.get(assessment.get_absolute_url()).content.decode()
    assert 'href="#section-pelvic_floor"' in page and "6 of 7" in page
    assert 'popovertarget="studio-panel"' in page and "Not yet" in page
    assert '>Finish</button>' in page
    assert 'enterkeyhint="next"' in page


def test_autosave_updates_the_index_and_the_verdict_bar(owner_http, assessment):
    response = owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps=""),
                               headers={"HX-Request": "true"})
    page = response.content.decode()
    assert '<ol id="section-index" hx-swap-oob="innerHTML">' in page and "6 of 7" in page
    assert '<div id="verdict-bar" hx-swap-oob="innerHTML">' in page
    assert "1 still to assess" in page
