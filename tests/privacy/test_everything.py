""""Download everything about her": the zip, what is in it, who may have it, and a walk over
every model that refers to a client so a new table cannot be left out of the export."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from audit.models import AccessEvent
from clients import consent
from clients.models import Client, ShareLink
from practice.models import AttentionAck
from privacy import everything
from programmes.models import Exercise, Resume, SessionLog, StrengthPlan
from reports.models import DrawnReport, Reminder
from tests.browser.conftest import assign_programme
from tests.conftest import make_client, make_trainer
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = pytest.mark.usefixtures("midday")


def related_models(model, seen=None):
    """Every model that refers to `model`, and every model that refers to those, recursively."""
    seen = set() if seen is None else seen
    for relation in model._meta.related_objects:
        related = relation.related_model
        if related not in seen:
            seen.add(related)
            related_models(related, seen)
    return seen


@pytest.fixture
def full_client(owner, builtin_templates_db):
    """A client with one or more rows in every table that refers to her."""
    client = make_client(owner, consent=False, email="amira@example.com", notes="Prefers mornings")
    client.record_consent(owner)
    client.withdraw_consent(owner)
    client.record_consent(owner)
    first = make_assessment(client, days_after_birth=7 * 10)
    second = make_assessment(client, days_after_birth=7 * 12)
    second.save_changes({"notes": "Felt strong"}, owner, second.version)
    mistaken = make_assessment(client, days_after_birth=7 * 11, symptoms_urgency=True)
    mistaken.delete_for(owner, "Entered for the wrong client", confirm_red_flag_removed=True)  # kept, with why
    programme = assign_programme(client, start_date=timezone.localdate() - timedelta(days=7))
    # Two days ago, so that a test can log her next session today (DOMAIN.md "Pacing": a rest day between).
    programme.log_session(by=owner, sequence=1, done_on=timezone.localdate() - timedelta(days=2), outcome="completed", effort=4,
                          symptoms=["pain"])  # a session log and its history row
    AttentionAck.objects.create(client=client, kind="seen", fingerprint="x" * 16, by=owner)
    exercise = Exercise.objects.get(trainer=None, serves="strength.calf_raise")
    strength = StrengthPlan.assign(client=client, items=[(exercise, exercise.dose, False)],
                                   start_date=timezone.localdate() - timedelta(days=3), by=owner)
    strength.tick(sequence=1, done_on=timezone.localdate(), by_client=True)
    Resume.objects.create(programme=programme, note="Seen by physio", resumed_by=owner)
    ShareLink.issue(client, owner)
    # Handed over and back: a lead-trainer history, and the owner still leads her.
    client.hand_over(make_trainer("cara@example.com", "Cara Colleague", studio=owner.studio), owner, "Covering her leave")
    client.hand_over(owner, owner, "Back from leave")
    AccessEvent.objects.create(trainer=owner, actor=owner, client=client, kind="viewed_client")
    Reminder.objects.create(client=client, kind="session_day", day=timezone.localdate())
    for assessment in (first, second):  # stale drawings (their key matches no report): drawn anew when asked for
        DrawnReport.objects.create(client=client, assessment=assessment, key="stale", stamp="stale", pdf=b"%PDF-old")
    return client, [first, second]


@pytest.fixture
def builtin_templates_db(db):
    from importlib import import_module

    from django.apps import apps

    import_module("programmes.migrations.0002_builtin_templates").install(apps, None)


def test_every_model_that_refers_to_a_client_is_exported():
    walked = related_models(Client)
    missing = walked - set(everything.EXPORTED)
    assert not missing, f"Add these to privacy/everything.py (export) and check erasure covers them: {missing}"
    assert {Assessment, SessionLog, AccessEvent} <= walked  # the walk really goes deep


def test_every_row_about_her_is_in_the_json(full_client, owner):
    client, assessments = full_client
    data = everything.as_data(everything.load(client.pk), by=owner)
    counts = {
        "consent.history": len(data["consent"]["history"]),
        "lead_trainer_history": len(data["lead_trainer_history"]),
        "assessments": len(data["assessments"]),
        "assessments[].corrections": sum(len(a["corrections"]) for a in data["assessments"]),
        "deleted_assessments": len(data["deleted_assessments"]),
        "programmes": len(data["programmes"]),
        "programmes[].session_logs": sum(len(p["session_logs"]) for p in data["programmes"]),
        "programmes[].resumes": sum(len(p["resumes"]) for p in data["programmes"]),
        "programmes[].history": sum(len(p["history"]) for p in data["programmes"]),
        "strength_plans": len(data["strength_plans"]),
        "strength_plans[].exercises": sum(len(p["exercises"]) for p in data["strength_plans"]),
        "strength_plans[].sessions_done": sum(len(p["sessions_done"]) for p in data["strength_plans"]),
        "worklist_acknowledgements": len(data["worklist_acknowledgements"]),
        "private_links": len(data["private_links"]),
        "access_log": len(data["access_log"]),
        "reminders": len(data["reminders"]),
        "reports/": len({a["report"] for a in data["assessments"]}),  # one PDF in the zip for each
    }
    for model, where in everything.EXPORTED.items():
        if model is Client:
            continue
        rows = model.objects.filter(**{lookup_to_client(model): client}).count()
        assert rows > 0, f"the fixture should hold a {model.__name__}"
        assert counts[where] == rows, f"{model.__name__}: {rows} rows, {counts[where]} exported"


def lookup_to_client(model):
    """The ORM path from `model` to Client, following foreign keys through the walked models."""
    for field in model._meta.get_fields():
        if field.many_to_one and field.related_model is Client:
            return field.name
    for field in model._meta.get_fields():
        if field.many_to_one and field.related_model in related_models(Client):
            return f"{field.name}__{lookup_to_client(field.related_model)}"
    raise AssertionError(f"no path from {model.__name__} to Client")


def test_the_json_holds_her_profile_consent_wording_and_assessments_in_the_domain_shape(full_client, owner):
    client, assessments = full_client
    data = everything.as_data(everything.load(client.pk), by=owner)
    assert data["profile"]["full_name"] == "Amira Haddad" and data["profile"]["notes"] == "Prefers mornings"
    assert [h["action"] for h in data["consent"]["history"]] == ["given", "withdrawn", "given"]
    assert data["consent"]["current"]["wording_version"] == consent.CURRENT
    assert data["consent"]["wording"][consent.CURRENT]["text"] == consent.wording(consent.CURRENT)
    first = data["assessments"][0]["assessment"]
    expected = {"assessed_on": assessments[0].assessed_on.isoformat(), **assessments[0].to_dict(), "notes": ""}
    assert first == json.loads(json.dumps(expected))
    assert data["assessments"][1]["corrections"][0]["new"] == "Felt strong"
    assert data["programmes"][0]["session_logs"][0]["symptoms"] == ["pain"]
    assert data["programmes"][0]["plan"]["sessions"], "her plan's sessions are included"


def test_an_exported_assessment_imports_again_unchanged(full_client, owner):
    from assessments.forms import import_problems

    client, assessments = full_client
    data = everything.as_data(everything.load(client.pk), by=owner)
    problems, parsed = import_problems(json.loads(json.dumps(data["assessments"][0]["assessment"])), client)
    assert problems == []
    assert parsed.valid_values()["assessed_on"] == assessments[0].assessed_on


def test_the_zip_holds_the_json_every_report_and_a_readme(full_client, owner_http, one_request_draws_all):
    client, assessments = full_client
    response = owner_http.get(reverse("audit:export_everything", args=[client.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith(f'attachment; filename="restride-{client.pk}-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    reports = {everything.report_name(a) for a in assessments}
    assert names == {"restride-data.json", "README.txt", *reports}
    for name in reports:
        assert archive.read(name).startswith(b"%PDF-")
    data = json.loads(archive.read("restride-data.json"))
    assert {a["report"] for a in data["assessments"]} == reports
    readme = archive.read("README.txt").decode()
    assert "Amira Haddad" in readme and "restride-data.json" in readme and "2 assessments" not in readme
    assert "every assessment (2)" in readme
    # Downloading it is itself in her access log, and so in the next export.
    assert AccessEvent.objects.filter(client=client, kind="exported_everything").count() == 1


def test_export_owner_other_and_anonymous(client_record, owner_http, stranger_http, anon_http, one_request_draws_all):
    url = reverse("audit:export_everything", args=[client_record.pk])
    assert owner_http.get(url).status_code == 200
    assert stranger_http.get(url).status_code == 404
    assert anon_http.get(url)["Location"].startswith(reverse("login"))
    assert owner_http.post(url).status_code == 405
    assert not AccessEvent.objects.filter(kind="exported_everything", trainer__email="stranger@example.com").exists()


def test_the_client_page_offers_the_download(client_record, owner_http):
    page = owner_http.get(reverse("clients:detail", args=[client_record.pk])).content.decode()
    assert reverse("audit:everything", args=[client_record.pk]) in page
    assert "Download everything about her" in page


@pytest.mark.parametrize("count", [1, 30])
def test_the_json_takes_the_same_queries_however_many_assessments(owner, count, django_assert_max_num_queries):
    client = make_client(owner)
    for index in range(count):
        assessment = make_assessment(client, days_after_birth=60 + index)
        assessment.save_changes({"notes": f"note {index}"}, owner, assessment.version)
    with django_assert_max_num_queries(12):
        data = everything.as_data(everything.load(client.pk), by=owner)
    assert len(data["assessments"]) == count


@pytest.fixture
def one_request_draws_all(monkeypatch):
    """Long enough for one request to draw every missing report, however busy the machine:
    how the zip URL hands over to the steps when it is not is tested on its own."""
    from privacy import views

    monkeypatch.setattr(views, "PREPARE_BUDGET", 3600)


def zip_reports(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist() if name.endswith(".pdf")}


def test_preparing_draws_the_reports_step_by_step_then_offers_the_zip(full_client, owner_http, monkeypatch):
    from privacy import views

    client, assessments = full_client
    monkeypatch.setattr(views, "PREPARE_BUDGET", 0)  # one report per step
    url = reverse("audit:everything", args=[client.pk])
    zip_url = reverse("audit:export_everything", args=[client.pk])
    first = owner_http.get(url)
    page = first.content.decode()
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-store"
    assert "1 of 2 reports ready" in page
    assert f'hx-get="{url}"' in page and 'hx-trigger="load' in page  # carries on by itself
    assert f'<form method="get" action="{url}">' in page and zip_url not in page  # and without JavaScript
    second = owner_http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "All 2 reports are ready" in second and f'href="{zip_url}" download' in second
    assert "hx-get" not in second.split('id="everything-step"')[1]  # done: no more steps
    # Everything is drawn: the next visit goes straight to the zip, which draws nothing.
    third = owner_http.get(url)
    assert third.status_code == 302 and third["Location"] == zip_url
    from reports import pdf

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: pytest.fail("the zip drew a report again"))
    assert len(zip_reports(owner_http.get(zip_url))) == 2
    # Preparing shows counts only: only the download itself is in her access log.
    assert AccessEvent.objects.filter(client=client, kind="exported_everything").count() == 1


def test_the_zip_url_hands_over_to_the_steps_when_reports_are_missing(full_client, owner_http, monkeypatch):
    from privacy import views

    client, assessments = full_client
    monkeypatch.setattr(views, "PREPARE_BUDGET", 0)  # one report per request
    zip_url = reverse("audit:export_everything", args=[client.pk])
    response = owner_http.get(zip_url)
    assert response.status_code == 302 and response["Location"] == reverse("audit:everything", args=[client.pk])
    assert not AccessEvent.objects.filter(client=client, kind="exported_everything").exists()
    assert len(zip_reports(owner_http.get(zip_url))) == len(assessments) == 2  # the first request drew one


def test_prepare_owner_other_and_anonymous(client_record, owner_http, stranger_http, anon_http):
    url = reverse("audit:everything", args=[client_record.pk])
    assert owner_http.get(url).status_code in (200, 302)
    assert stranger_http.get(url).status_code == 404
    assert anon_http.get(url)["Location"].startswith(reverse("login"))
    assert owner_http.post(url).status_code == 405


def test_the_exports_reports_are_her_downloads_byte_for_byte(full_client, owner_http, one_request_draws_all):
    """Drawn cold each way: the zip's report of each assessment is the PDF her download gives."""
    client, assessments = full_client
    exported = zip_reports(owner_http.get(reverse("audit:export_everything", args=[client.pk])))
    DrawnReport.objects.all().delete()
    for assessment in assessments:
        downloaded = owner_http.get(reverse("reports:trainer_pdf", args=[assessment.pk])).content
        assert exported[everything.report_name(assessment)] == downloaded


@pytest.mark.parametrize("count", [1, 30])
def test_which_reports_to_draw_takes_the_same_queries_however_many(owner, count, django_assert_max_num_queries):
    """Once the worker has drawn them (their stamps current), nothing is rendered to know it."""
    from reports.pdf import report_stamps

    client = make_client(owner)
    for index in range(count):
        make_assessment(client, days_after_birth=60 + index)
    today = timezone.localdate()
    assessments = list(client.assessments.order_by("assessed_on", "pk"))
    client.refresh_from_db()
    stamps = report_stamps(client, today, assessments, assessments[-1].pk)
    for assessment in assessments:
        DrawnReport.objects.create(client=client, assessment=assessment, key=f"key-{assessment.pk}", pdf=b"%PDF-",
                                   stamp=stamps[assessment.pk])
    with django_assert_max_num_queries(6):
        jobs = everything.report_jobs(client, today)
    assert [(report.key, report.html) for report in jobs] == [(f"key-{a.pk}", None) for a in assessments]


def test_a_step_starts_a_report_only_if_it_should_end_inside_the_budget(owner, monkeypatch):
    """With reports taking 3 s and a budget of 8 s, a step draws two (ending at 6 s): a third
    would end at 9 s. The next step goes on from the third."""
    from reports import pdf as report_pdfs

    client = make_client(owner)
    for weeks in (8, 10, 12, 14):
        make_assessment(client, days_after_birth=7 * weeks)
    clock = [0.0]
    drawn = []

    def slow_report(report):
        clock[0] += 3
        drawn.append(report.assessment.pk)
        rendered = report_pdfs.report_of(report.assessment, timezone.localdate(), render=True)
        DrawnReport.objects.create(client=client, assessment=report.assessment, key=rendered.key,
                                   stamp=rendered.stamp, pdf=b"%PDF-")

    rendered = []
    real_html = report_pdfs.report_html
    monkeypatch.setattr(report_pdfs, "report_html", lambda *args: rendered.append(1) or real_html(*args))
    monkeypatch.setattr(everything, "monotonic", lambda: clock[0])
    monkeypatch.setattr(report_pdfs, "draw", slow_report)
    assert everything.prepare_reports(client, budget=8) == (2, 2, 4)
    assert len(rendered) == 2, "a step renders only the reports it draws"
    assert everything.prepare_reports(client, budget=8) == (2, 4, 4)
    assert len(set(drawn)) == 4 and len(rendered) == 4
    assert everything.prepare_reports(client, budget=8) == (0, 4, 4)
