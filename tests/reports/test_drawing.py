"""Her reports drawn before anyone asks (reports/drawing.py) and stored (reports.DrawnReport):
what an older assessment's report shows (a record of its day), the key derived from it, the
background task, its queueing, and the export reading the stored drawings.

Queued tasks never run in the suite (config/test_settings.py: the dummy backend): these tests
run the task themselves, and most draw with a stand-in for WeasyPrint, which costs seconds."""

import hashlib
from datetime import timedelta

import pytest
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from reports import pdf
from reports.drawing import TRAINER_PRIORITY, draw_client_reports, draw_reports
from reports.models import DrawnReport
from tests.conftest import make_client, make_trainer
from tests.factories import make_assessment
from tests.privacy.test_everything import builtin_templates_db, full_client, zip_reports  # noqa: F401 (fixtures)

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = pytest.mark.usefixtures("midday")


@pytest.fixture
def fake_drawing(monkeypatch):
    """WeasyPrint stands aside: a "PDF" is the hash of its HTML, and each drawing is counted."""
    drawn = []

    def html_to_pdf(html):
        drawn.append(html)
        return b"%PDF-" + hashlib.sha256(html.encode()).hexdigest().encode()

    monkeypatch.setattr(pdf, "html_to_pdf", html_to_pdf)
    return drawn


def key_of(assessment, today):
    """The key of an assessment's report, rendered afresh (never a stored stamp's)."""
    assessment = Assessment.objects.select_related("client__trainer").get(pk=assessment.pk)
    latest = assessment.client.assessments.order_by("-assessed_on", "-pk").first()
    html = pdf.report_html(assessment, latest.pk, today, "")
    return pdf.report_key(html), html


# What a report shows -----------------------------------------------------------------------


def test_an_older_assessments_report_is_a_record_of_its_day(full_client, owner):  # noqa: F811
    client, (first, second) = full_client
    middle = make_assessment(client, days_after_birth=7 * 11)  # between the two
    today = timezone.localdate()
    key, html = key_of(middle, today)
    assert "Walk–run programme" not in html, "no programme of today under an old verdict"
    assert f"records the check-up of {middle.assessed_on.day} {middle.assessed_on:%b %Y} as it stood that day" in html
    assert "the report of the latest one" in html and "Prepared" not in html
    # Logged sessions and the passing days leave it as it was.
    programme = client.programmes.get()
    programme.log_session(by=owner, sequence=2, done_on=today, outcome="completed", effort=3, symptoms=[])
    assert key_of(middle, today)[0] == key
    assert key_of(middle, today + timedelta(days=9))[0] == key
    # An earlier assessment and her name are part of it.
    first.save_changes({"strength_calf_raise_left": 11}, owner, first.version)
    changed = key_of(middle, today)[0]
    assert changed != key
    client.full_name = "Amira Haddad-Stone"
    client.save()
    assert key_of(middle, today)[0] not in (key, changed)


def test_her_latest_report_stays_live(full_client, owner):  # noqa: F811
    client, (first, second) = full_client
    today = timezone.localdate()
    key, html = key_of(second, today)
    assert "Your walk–run programme" in html and f"Prepared {today.day} {today:%b %Y}" in html
    assert key_of(second, today + timedelta(days=1))[0] != key
    programme = client.programmes.get()
    programme.log_session(by=owner, sequence=2, done_on=today, outcome="completed", effort=3, symptoms=[])
    assert key_of(second, today)[0] != key


# The task ------------------------------------------------------------------------------------


def test_the_task_stores_every_report_and_a_second_run_draws_nothing(full_client, fake_drawing):  # noqa: F811
    client, assessments = full_client  # the fixture's drawings are stale
    assert draw_client_reports(client.pk) == 2
    stored = {row.assessment_id: row for row in DrawnReport.objects.filter(client=client)}
    today = timezone.localdate()
    for assessment in assessments:
        assert stored[assessment.pk].key == key_of(assessment, today)[0]
        assert bytes(stored[assessment.pk].pdf).startswith(b"%PDF-")
    assert draw_client_reports(client.pk) == 0 and len(fake_drawing) == 2


def test_a_stale_drawing_is_replaced_and_only_what_changed_is_drawn(full_client, owner, fake_drawing):  # noqa: F811
    client, (first, second) = full_client
    draw_client_reports(client.pk)
    keys = dict(DrawnReport.objects.values_list("assessment_id", "key"))
    programme = client.programmes.get()
    programme.log_session(by=owner, sequence=2, done_on=timezone.localdate(), outcome="completed", effort=3, symptoms=[])
    assert draw_client_reports(client.pk) == 1, "a logged session changes her latest report only"
    now = dict(DrawnReport.objects.values_list("assessment_id", "key"))
    assert now[first.pk] == keys[first.pk] and now[second.pk] != keys[second.pk]
    client.full_name = "Amira Haddad-Stone"
    client.save()
    assert draw_client_reports(client.pk) == 2
    assert DrawnReport.objects.filter(client=client).count() == 2, "replaced, not added"


def test_the_task_for_an_erased_client_does_nothing(owner):
    client = make_client(owner)
    pk = client.pk
    client.delete()
    assert draw_client_reports(pk) == 0


# Queueing ------------------------------------------------------------------------------------


@pytest.fixture
def database_queue(settings):
    """The real queue (django-tasks-db's table), as deployed: the client ids of waiting drawings."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}

    def waiting():
        return [row["args"][0] for row in DBTaskResult.objects.filter(status="READY").values_list("args_kwargs", flat=True)]

    return waiting


@pytest.fixture
def queued():
    default_task_backend.clear()

    def clients():
        return [(result.args, result.task.priority) for result in default_task_backend.results]

    yield clients
    default_task_backend.clear()


def test_saving_editing_or_deleting_an_assessment_queues_her_reports_with_the_change(
        owner, queued, django_capture_on_commit_callbacks):
    client = make_client(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assessment = make_assessment(client)
    assert callbacks == [], "nothing runs after the commit: the task is stored with the change"
    assert {(tuple(args), priority) for args, priority in queued()} == {((client.pk,), 0)}
    assert default_task_backend.results[0].task.run_after > timezone.now(), "after the studio's burst of saves"
    assessment.save_changes({"notes": "Edited"}, owner, assessment.version)
    assessment.delete()
    assert {tuple(args) for args, _ in queued()} == {(client.pk,)}


def test_a_change_rolled_back_takes_its_task_with_it(owner, database_queue):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    client = make_client(owner)
    DBTaskResult.objects.all().delete()  # her record's own task
    with transaction.atomic():
        make_assessment(client)
        assert database_queue() == [client.pk]
        transaction.set_rollback(True)
    assert database_queue() == []


def test_a_task_still_waiting_covers_the_next_changes(owner, database_queue):
    from django_tasks_db.models import DBTaskResult

    client = make_client(owner)
    assessment = make_assessment(client)
    for notes in ("One", "Two", "Three"):  # the studio saves field by field
        assessment = type(assessment).objects.get(pk=assessment.pk)
        assessment.save_changes({"notes": notes}, owner, assessment.version)
    assert database_queue() == [client.pk]
    # One about to start may read her data before this change commits: the change queues its own.
    DBTaskResult.objects.update(run_after=timezone.now() + timedelta(seconds=2))
    assessment.save_changes({"notes": "Four"}, owner, assessment.version)
    assert database_queue() == [client.pk, client.pk]


def test_waiting_finds_the_clients_whose_drawing_starts_later_and_no_others(owner, database_queue):
    """Asked about several clients at once (her trainer's details changed): a drawing about to
    start, another task of hers, another backend's and a finished one cover nothing."""
    from django_tasks_db.models import DBTaskResult

    from reports.drawing import waiting

    DBTaskResult.objects.all().delete()
    later, soon, other_task, other_backend, finished, none = (make_client(owner, name=f"Client {n}").pk for n in range(6))
    DBTaskResult.objects.all().delete()  # their records' own tasks
    for pk in (later, soon, other_task, other_backend, finished):
        draw_reports.using(run_after=timezone.now() + timedelta(seconds=30)).enqueue(pk)
    DBTaskResult.objects.filter(args_kwargs__args__0=soon).update(run_after=timezone.now() + timedelta(seconds=2))
    DBTaskResult.objects.filter(args_kwargs__args__0=other_task).update(task_path="reports.worker.sweep")
    DBTaskResult.objects.filter(args_kwargs__args__0=other_backend).update(backend_name="elsewhere")
    DBTaskResult.objects.filter(args_kwargs__args__0=finished).update(status="SUCCESSFUL")
    assert waiting([later, soon, other_task, other_backend, finished, none]) == {later}
    assert waiting([later]) == {later} and waiting([none]) == set() and waiting([]) == set()


def test_a_drawing_queued_to_run_at_once_covers_no_later_change(owner, database_queue):
    """Finish queues her latest report's drawing with no start time (draw_now): the worker may take
    it at once and read her data before a change made a moment later commits (her session logged
    after the verdict), so that change queues its own drawing."""
    from django_tasks_db.models import DBTaskResult

    from reports.drawing import draw_now, waiting

    client = make_client(owner)
    assessment = make_assessment(client)
    DBTaskResult.objects.all().delete()
    draw_now(client.pk)
    assert waiting([client.pk]) == set()
    assessment.save_changes({"notes": "After Finish"}, owner, assessment.version)
    assert database_queue() == [client.pk, client.pk]


def test_a_logged_session_or_her_profile_queues_her_reports(full_client, owner, queued):  # noqa: F811
    client, _ = full_client
    default_task_backend.clear()
    client.programmes.get().log_session(by=owner, sequence=2, done_on=timezone.localdate(), outcome="completed",
                                        effort=3, symptoms=[])
    assert {tuple(args) for args, _ in queued()} == {(client.pk,)}
    default_task_backend.clear()
    client.full_name = "Amira Haddad-Stone"
    client.save()
    assert {tuple(args) for args, _ in queued()} == {(client.pk,)}


def test_her_trainers_details_queue_every_client_with_assessments_but_signing_in_does_not(owner, queued):
    assessed = make_client(owner)
    make_assessment(assessed)
    make_client(owner, "Beth Okafor")  # nothing to draw
    default_task_backend.clear()
    owner.last_login = timezone.now()
    owner.save(update_fields=["last_login"])
    assert queued() == []
    owner.full_name = "Olivia Owner-Stone"
    owner.save()
    assert queued() == [([assessed.pk], TRAINER_PRIORITY)]


def test_her_studios_details_queue_every_client_of_the_studio_with_assessments(owner, queued):
    colleague = make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)
    hers, theirs = make_client(owner), make_client(colleague, "Beth Okafor")
    make_assessment(hers), make_assessment(theirs)
    make_client(owner, "Cleo Nash")  # nothing to draw
    default_task_backend.clear()
    owner.studio.phone = "01632 960000"
    owner.studio.save()
    assert sorted(queued()) == sorted([([hers.pk], TRAINER_PRIORITY), ([theirs.pk], TRAINER_PRIORITY)])


def test_a_write_outside_a_transaction_is_never_an_error_when_queueing_fails(owner, monkeypatch, caplog):
    from types import SimpleNamespace

    from reports import drawing

    client = make_client(owner)

    def broken(*args, **kwargs):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(drawing, "enqueue", broken)
    autocommit = SimpleNamespace(in_atomic_block=False)
    monkeypatch.setattr(drawing, "transaction", SimpleNamespace(get_connection=lambda: autocommit))
    drawing.queue_drawing([client.pk])  # logged, not raised
    assert "Could not queue the drawing" in caplog.text


def test_storing_a_drawing_changes_nothing_of_hers(full_client, fake_drawing):  # noqa: F811
    client, _ = full_client
    before = type(client).objects.values_list("data_version", flat=True).get(pk=client.pk)
    draw_client_reports(client.pk)
    assert type(client).objects.values_list("data_version", flat=True).get(pk=client.pk) == before


# The export and downloads read the stored drawings --------------------------------------------


def test_the_export_uses_the_stored_reports_and_draws_nothing(full_client, owner_http, fake_drawing, monkeypatch):  # noqa: F811
    client, assessments = full_client
    draw_client_reports(client.pk)
    stored = dict(DrawnReport.objects.values_list("assessment_id", "pdf"))

    def must_not_draw(html):
        raise AssertionError("the export drew a report the worker had drawn")

    monkeypatch.setattr(pdf, "html_to_pdf", must_not_draw)
    monkeypatch.setattr(pdf, "render_to_string", lambda *args, **kwargs: pytest.fail("rendered a report again"))
    page = owner_http.get(reverse("audit:everything", args=[client.pk]))
    zip_url = reverse("audit:export_everything", args=[client.pk])
    assert page.status_code == 302 and page["Location"] == zip_url, "nothing to wait for"
    from privacy import everything

    reports = zip_reports(owner_http.get(zip_url))
    assert reports == {everything.report_name(a): bytes(stored[a.pk]) for a in assessments}
    for assessment in assessments:  # her downloads are the same files
        assert owner_http.get(reverse("reports:trainer_pdf", args=[assessment.pk])).content == bytes(stored[assessment.pk])


def test_an_older_reports_download_is_the_stored_record_for_owner_only(full_client, owner_http, stranger_http,  # noqa: F811
                                                                     anon_http, fake_drawing):
    client, (first, second) = full_client
    url = reverse("reports:trainer_pdf", args=[first.pk])
    response = owner_http.get(url)
    record = DrawnReport.objects.get(assessment=first)
    assert response.content == bytes(record.pdf) and response["ETag"] == f'"{record.key}"'
    assert owner_http.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    assert stranger_http.get(url).status_code == 404
    assert anon_http.get(url)["Location"].startswith(reverse("login"))
    assert len(fake_drawing) == 1


def test_a_row_of_nobodys_queues_nothing(owner, queued):
    """A trainer's own template is no client's data: before, it queued a drawing for client None."""
    from programmes.models import Plan

    default_task_backend.clear()
    template = Plan.objects.filter(trainer=None).first().copy(trainer=owner, name="Her own template")
    template.name = "Renamed"
    template.save()
    assert queued() == []


# Issue 20: one changed client costs one report; Finish draws hers at once ----------------------------


def test_a_logged_session_renders_and_draws_her_latest_report_alone(full_client, owner, fake_drawing, monkeypatch):  # noqa: F811
    client, (first, second) = full_client
    draw_client_reports(client.pk)
    rendered = []
    render = pdf.report_html
    monkeypatch.setattr(pdf, "report_html", lambda assessment, *args: rendered.append(assessment.pk) or render(assessment, *args))
    programme = client.programmes.get()
    programme.log_session(by=owner, sequence=2, done_on=timezone.localdate(), outcome="completed", effort=3, symptoms=[])
    assert draw_client_reports(client.pk) == 1 and rendered == [second.pk], "the record of her first is not even rendered"
    first.save_changes({"strength_calf_raise_left": 11}, owner, first.version)  # her earlier one: both show it
    rendered.clear()
    assert draw_client_reports(client.pk) == 2 and sorted(rendered) == sorted([second.pk, first.pk])


def test_her_latest_report_is_drawn_first(full_client, fake_drawing):  # noqa: F811
    client, (first, second) = full_client
    draw_client_reports(client.pk)
    assert [html.count("Prepared") for html in fake_drawing] == [1, 0], "her latest (live) report, then the record"


def test_finish_queues_her_reports_at_once_ahead_of_everything(owner_http, queued, client_record,
                                                               django_capture_on_commit_callbacks):
    from reports.drawing import FINISHED_PRIORITY, FINISHED_QUEUE
    from tests.assessments.test_assessments import form_data

    assessment = make_assessment(client_record)
    default_task_backend.clear()
    owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps="12"),
                    headers={"HX-Request": "true"})  # an autosave: queued with the usual delay, or not at all
    assert all(priority == 0 for _, priority in queued())
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_http.post(assessment.get_absolute_url(), form_data(assessment, pelvic_floor_fast_reps="12",
                                                                           version=assessment.version + 1))
    assert response.status_code == 302
    result = default_task_backend.results[-1]
    assert (result.args, result.kwargs, result.task.priority) == ([client_record.pk], {"latest_only": True}, FINISHED_PRIORITY)
    assert result.task.run_after is None, "not after the studio's delay: now"
    assert result.task.queue_name == FINISHED_QUEUE, "the finisher's queue: never behind someone else's drawing"


def test_a_task_of_many_reports_makes_way_for_a_finish_between_two_of_them(full_client, owner, fake_drawing,  # noqa: F811
                                                                         database_queue):
    """A Finish waits for one report's drawing at most: the rest of hers is queued again at once,
    at the task's own priority, and drawn after the Finish's; then every report of hers is current."""
    from django_tasks_db.models import DBTaskResult

    from reports.drawing import FINISHED_PRIORITY
    from reports.worker import BACKFILL_PRIORITY

    client, (first, second) = full_client  # both drawings stale
    other = make_client(owner, "Beth Okafor")
    make_assessment(other)
    DBTaskResult.objects.all().delete()
    draw_reports.using(priority=FINISHED_PRIORITY).enqueue(other.pk, latest_only=True)
    queued = draw_reports.using(priority=BACKFILL_PRIORITY).enqueue(client.pk)  # the sweep's, say
    assert run_as_the_worker_does(queued.id) == 1
    assert [html.count("Prepared") for html in fake_drawing] == [1], "her latest, then it made way"
    again = DBTaskResult.objects.ready().exclude(pk=queued.id).get(args_kwargs__args=[client.pk])
    assert again.priority == BACKFILL_PRIORITY, "at the priority of the task that made way, read from its row"
    DBTaskResult.objects.filter(args_kwargs__args=[other.pk]).delete()  # the Finish's report drawn
    assert run_as_the_worker_does(again.id) == 1, "the record of her first"
    assert all(report.stored for report in pdf.reports_of(client, timezone.localdate()))


def test_a_task_that_keeps_making_way_renders_each_report_once(full_client, owner, fake_drawing, database_queue,  # noqa: F811
                                                                monkeypatch):
    """With a Finish always waiting, a client of six stale reports is drawn one report a run: each
    run renders only the report it draws (the ones drawn before are current by their stamps)."""
    from django_tasks_db.models import DBTaskResult

    from reports.drawing import FINISHED_PRIORITY

    client, _ = full_client
    for days in (120, 150, 180, 210):
        make_assessment(client, days_after_birth=days)
    other = make_client(owner, "Beth Okafor")
    make_assessment(other)
    DBTaskResult.objects.all().delete()
    rendered, render = [], pdf.report_html
    monkeypatch.setattr(pdf, "report_html", lambda *args, **kwargs: rendered.append(1) or render(*args, **kwargs))
    draw_reports.using(priority=FINISHED_PRIORITY).enqueue(other.pk, latest_only=True)  # never drawn: always waiting
    runs = 0
    while runs < 20 and draw_client_reports(client.pk) and DBTaskResult.objects.filter(args_kwargs__args=[client.pk]).exists():
        DBTaskResult.objects.filter(args_kwargs__args=[client.pk]).delete()  # the rest of hers, queued again
        runs += 1
    assert len(fake_drawing) == client.assessments.count() == 6
    assert len(rendered) == 6, "each report rendered once, for its drawing"


def run_as_the_worker_does(task_id):
    """Run a queued task as django-tasks-db's db_worker does: its arguments and a context from its row."""
    from django.tasks.base import TaskContext
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get(pk=task_id)
    result = row.task_result
    return row.task.call(TaskContext(task_result=result), *result.args, **result.kwargs)


def test_after_finish_the_worker_draws_her_latest_alone_and_queues_the_rest_behind_everyone(
        full_client, fake_drawing, queued):  # noqa: F811
    """A Finish's task frees the worker after one report's drawing (the next Finish waits for no
    more than that); her earlier reports follow in a task of the usual priority."""
    client, (first, second) = full_client  # both drawings stale
    default_task_backend.clear()
    assert draw_client_reports(client.pk, latest_only=True) == 1
    assert [html.count("Prepared") for html in fake_drawing] == [1], "her latest (live) report alone"
    assert queued() == [([client.pk], 0)]
    assert draw_client_reports(client.pk) == 1, "then the record of her first"
    assert DrawnReport.objects.filter(client=client).count() == 2
