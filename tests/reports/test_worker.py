"""A worker that dies mid-task leaves nothing RUNNING for ever (issue 21, part 2): its lease
(reports/worker.py) expires, another worker's sweep hands the task back, and drawing again is
harmless. The last test kills a real `manage.py worker` process with SIGKILL mid-drawing."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports import worker
from reports.drawing import draw_reports
from reports.models import DrawnReport, WorkerHeartbeat
from reports.pdf import reports_of
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}


def running_task(client_pk, worker_id, started_seconds_ago):
    DBTaskResult.objects.filter(args_kwargs__args=[client_pk]).delete()  # her record's own task
    draw_reports.enqueue(client_pk)
    task = DBTaskResult.objects.get(args_kwargs__args=[client_pk], status="READY")
    task.claim(worker_id)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(seconds=started_seconds_ago))
    return task


def test_a_task_whose_worker_stopped_beating_goes_back_to_the_queue(owner, database_queue):
    DBTaskResult.objects.all().delete()
    dead, alive = make_client(owner, "Dead Worker's"), make_client(owner, "Live Worker's")
    now = timezone.now()
    worker.beat("dead-worker", now - timedelta(seconds=worker.LEASE_SECONDS + 5))
    worker.beat("live-worker", now)
    abandoned = running_task(dead.pk, "dead-worker", started_seconds_ago=60)
    slow = running_task(alive.pk, "live-worker", started_seconds_ago=600)  # a long task of a living worker
    assert worker.requeue_abandoned(now) == 1
    abandoned.refresh_from_db()
    slow.refresh_from_db()
    assert abandoned.status == "READY" and abandoned.run_after <= timezone.now()
    assert abandoned.worker_ids == ["dead-worker"], "who ran it before stays on record"
    assert slow.status == "RUNNING"
    assert DBTaskResult.objects.ready().filter(pk=abandoned.pk).exists(), "a worker picks it up at once"
    assert worker.requeue_abandoned(now) == 0


def test_a_task_just_claimed_is_not_taken_back_before_its_worker_first_beats(owner, database_queue):
    DBTaskResult.objects.all().delete()
    client = make_client(owner)
    running_task(client.pk, "new-worker", started_seconds_ago=1)
    assert worker.requeue_abandoned() == 0


def test_reports_never_drawn_are_queued_once(owner, database_queue):
    client = make_client(owner)
    make_assessment(client)
    DBTaskResult.objects.all().delete()  # as if its task could not be queued
    assert worker.queue_missing_drawings() == [client.pk]
    assert worker.queue_missing_drawings() == [], "queued already"
    assert DBTaskResult.objects.get().priority == worker.BACKFILL_PRIORITY


def test_only_the_worker_of_every_queue_sweeps_for_reports_never_drawn(owner, database_queue, monkeypatch):
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)  # the test's own transaction stays
    client = make_client(owner)
    make_assessment(client)
    DBTaskResult.objects.all().delete()
    finisher = worker.Heartbeat("finisher", sweeps=False)
    finisher.stopped.set()  # one beat, then out
    finisher.run()
    assert WorkerHeartbeat.objects.filter(worker_id="finisher").exists()
    assert not DBTaskResult.objects.exists(), "the finisher beats but queues nothing"
    everything = worker.Heartbeat("everything")
    everything.stopped.set()
    everything.run()
    assert list(DBTaskResult.objects.values_list("priority", flat=True)) == [worker.BACKFILL_PRIORITY]


def compose_service(name):
    compose = (ROOT / "docker-compose.yml").read_text()
    return compose.split(f"\n  {name}:\n", 1)[1].split("\n\n", 1)[0]


def cpu_shares(service):
    """Its CPU weight against the other containers: Docker's default where the file sets none."""
    found = [line.split(":", 1)[1] for line in compose_service(service).splitlines() if line.startswith("    cpu_shares:")]
    return int(found[0]) if found else 1024


def test_the_compose_worker_runs_the_leased_worker_and_outlasts_a_report():
    service = compose_service("worker")
    assert service.split("command:", 1)[1].split("\n", 1)[0].strip().startswith('["python", "manage.py", "worker"')
    grace = service.split("stop_grace_period:", 1)[1].split()[0]
    assert grace.endswith("s") and int(grace[:-1]) >= 60, "longer than one report, however slow"


def test_the_compose_finisher_draws_finishs_reports_alone_at_the_pages_priority():
    from reports.drawing import FINISHED_QUEUE

    def command(service):
        return compose_service(service).split("command:", 1)[1].split("\n", 1)[0].strip()

    assert command("finisher").startswith(f'["python", "manage.py", "worker", "--queue-name", "{FINISHED_QUEUE}"'), \
        "not niced: her report is wanted now"
    assert f'"worker", "--exclude-queues", "{FINISHED_QUEUE}"' in command("worker"), "never drawn at the worker's priority"
    grace = compose_service("finisher").split("stop_grace_period:", 1)[1].split()[0]
    assert grace.endswith("s") and int(grace[:-1]) >= 30, "longer than one report, however slow"


def test_the_compose_worker_weighs_less_than_the_pages_and_the_finisher_as_much():
    """Containers share the CPU by their weights (a nice value inside one ranks only against its own
    processes): the worker's drawing takes what the pages leave; Finish's drawing is not held back."""
    assert cpu_shares("worker") <= cpu_shares("web") // 4
    assert cpu_shares("finisher") >= cpu_shares("web")
    assert "nice" not in compose_service("worker").split("command:", 1)[1].split("\n", 1)[0], "a nice value there does nothing"


def test_the_worker_draws_a_warm_up_document_and_sets_start_up_aside_before_its_first_task(database_queue, monkeypatch):
    """The first Finish after the worker starts has its report as quickly as any other."""
    from types import SimpleNamespace

    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    from reports import pdf
    from reports.management.commands import worker as command

    steps = []
    monkeypatch.setattr(command, "Heartbeat",
                        lambda worker_id, sweeps: SimpleNamespace(start=lambda: steps.append(("beat", sweeps))))
    monkeypatch.setattr(pdf, "warm_up", lambda: steps.append("warm up"))
    monkeypatch.setattr(command, "gc", SimpleNamespace(collect=lambda: steps.append("collect"),
                                                       freeze=lambda: steps.append("freeze")))
    monkeypatch.setattr(db_worker.Command, "handle",
                        lambda self, *args, queue_name, **options: steps.append(("tasks", queue_name)))
    call_command("worker", "--no-reload")
    assert steps == [("beat", True), "warm up", "collect", "freeze", ("tasks", "*")], "every queue's, and the sweep"
    steps.clear()
    call_command("worker", "--no-reload", "--queue-name", "finished")
    assert steps == [("beat", False), "warm up", "collect", "freeze", ("tasks", "finished")], "Finish's alone, no sweep"
    for arguments, sweeps in [(["--exclude-queues", "finished"], True), (["--queue-name", "default,finished"], True),
                              (["--exclude-queues", "default"], False)]:
        steps.clear()
        call_command("worker", "--no-reload", *arguments)
        assert steps[0] == ("beat", sweeps), arguments


def test_the_warm_up_document_is_drawn_without_fetching_anything(monkeypatch):
    from reports import pdf

    fetched = []
    monkeypatch.setattr(pdf, "fetch_safely", lambda url: fetched.append(url))
    assert pdf.html_to_pdf(pdf.WARM_UP_HTML).startswith(b"%PDF") and not fetched


def database_url():
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def start_worker(log):
    environ = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings",
               "RESTRIDE_ENV_FILE": "", "DEBUG": "1", "REDIS_URL": "", "LOG_LEVEL": "INFO"}
    return subprocess.Popen([sys.executable, "manage.py", "worker", "--no-reload", "--interval", "0.5",
                             "--no-startup-delay", "-v", "2"], cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)


def wait_for(condition, seconds, step=0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes share the test database only on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_no_task_running_and_every_report_is_current_within_a_minute(owner, database_queue, tmp_path):
    client = make_client(owner)
    for weeks in (12, 16):  # two reports: the worker is killed after the first, while it draws the second
        make_assessment(client, days_after_birth=7 * weeks)
    DBTaskResult.objects.all().delete()
    draw_reports.enqueue(client.pk)  # now, not after the studio's delay
    logs = [open(tmp_path / f"worker-{n}.log", "w") for n in (1, 2)]  # noqa: SIM115  closed below
    # The workers draw as of the day they read from the real clock, as this process does (time-machine
    # cannot reach them, so neither is frozen): every day either could have read runs from now on.
    first_day = timezone.localdate()
    first = start_worker(logs[0])
    second = None
    try:
        assert wait_for(lambda: DrawnReport.objects.filter(client=client).exists(), 90), "the first worker drew nothing"
        first.send_signal(signal.SIGKILL)  # mid-task: one report stored, the others not yet
        first.wait(10)
        killed_at = time.monotonic()
        task = DBTaskResult.objects.get()
        assert task.status == "RUNNING" and DrawnReport.objects.filter(client=client).count() < 2
        second = start_worker(logs[1])

        def all_current():
            # Current by key (the HTML each report would show as of the day its worker drew it), not
            # by stamp: a stamp names the code's version, which this test process read when it started.
            # A run across midnight may see a report drawn the day before: it counts as current.
            if DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
                return False
            by_day = [reports_of(client, day, render=True) for day in sorted({first_day, timezone.localdate()})]
            return all(any(report.stored for report in same) for same in zip(*by_day, strict=True))

        if not wait_for(all_current, 60, step=0.5):
            logs[1].flush()
            tail = (tmp_path / "worker-2.log").read_text().splitlines()
            pytest.fail("not every report current within a minute of the kill; the second worker's log ends:\n"
                        + "\n".join(line for line in tail if "Step" not in line)[-2000:])
        took = time.monotonic() - killed_at
        print(f"\nevery report current {took:.1f} s after the worker was killed")
        task.refresh_from_db()
        assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2
        assert DrawnReport.objects.filter(client=client).count() == 2
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(30)
        for log in logs:
            log.close()
        WorkerHeartbeat.objects.all().delete()
