"""Her reports drawn before anyone asks for them, in the background.

A report costs about half a second of CPU, so "download everything about her" with 50
assessments cannot draw them while she waits. Instead, whenever something a report shows may
have changed (any write of her data: an assessment of hers created, edited or deleted, her
profile, her programme and its logs; her trainer's details or logo), a task is queued; a worker
(`manage.py worker`, django-tasks-db's worker with a lease: reports/worker.py) runs it and
draws every report of hers whose stored drawing (reports.DrawnReport) is missing or no longer
matches what it would show (its key). Which ones are stale is decided by the derived key alone,
so a hook that fires too often only costs a check, and one that is missed only leaves the
export's own steps (or a download) to draw the rest.

The task is queued in the same transaction as the change, not after it commits: the queue is a
table in the same database, so the task is stored with the change or rolled back with it, and
nothing runs after the commit that could fail and turn a stored change into an error answer.
It waits QUEUE_DELAY seconds, so it never runs before the change commits, and the studio's
field-by-field saves queue one task: a task for her that is still waiting covers the next change.
No cache is involved: the queue itself says what is waiting."""

import logging
from datetime import timedelta
from functools import cache

from django.db import connections, router, transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from clients import versions

logger = logging.getLogger(__name__)

QUEUE_DELAY = 30  # seconds after a change before her reports are drawn
# A waiting task for her covers a change only while it is this far from starting: one about to
# start may read her data before the change commits, so the change queues its own.
COVER_MARGIN = 10
TRAINER_PRIORITY = -10  # a trainer's new details redraw all her clients: after single clients' changes
FINISHED_PRIORITY = 10  # an assessment just finished: her report is wanted now, before anything else
# Finish's drawings have a queue of their own (settings.TASKS QUEUES), so a worker of that queue
# alone (docker-compose.yml's finisher, with the CPU weight of all the pages together) draws each at once, never behind
# a drawing of someone else's at the low CPU weight the compose file's worker runs with (it leaves
# this queue to the finisher). A lone worker of every queue (bin/demo's) takes them first of all.
FINISHED_QUEUE = "finished"


@task(takes_context=True)
def draw_reports(context, client_pk, latest_only=False):
    """The worker's task: draw_client_reports() at the task's own priority, as its row in the queue
    says (not an argument: a task queued by an earlier version of this code has none)."""
    return draw_client_reports(client_pk, latest_only, context.task_result.task.priority)


def draw_client_reports(client_pk, latest_only=False, priority=0):
    """Draw every report of hers whose stored drawing is missing or stale, her latest first (the
    one she and her trainer download), then the others, newest first; returns how many. After a
    change of hers only her latest's stamp has moved on (reports/pdf.py report_stamps), unless
    the change was to an earlier assessment or to what every report shows: so one changed client
    costs one report's drawing. `latest_only` (after Finish, at the front of the queue): her
    latest alone, and the others queued behind everyone else's, so the worker is free for the
    next Finish after one report's drawing, not all of hers.

    For the same reason, between two of her reports it makes way for a Finish's drawing waiting
    in the queue: the rest of hers is queued again at once, at this task's own `priority`, and
    found again by its keys. A Finish then waits for one report's
    drawing at most, never for all of a client's (her first assessment edited, her trainer's or
    studio's new details, reports never drawn)."""
    from clients.models import Client

    from .pdf import draw, reports_for

    client = Client.objects.select_related("trainer", "studio").filter(pk=client_pk).first()
    if client is None:  # erased meanwhile
        return 0
    history = list(client.assessments.order_by("assessed_on", "pk"))
    if not history:
        return 0
    today = timezone.localdate()
    latest_pk = history[-1].pk
    # Which have moved on, by their stamps alone (one look for all of hers, nothing rendered);
    # each of those is rendered at its turn, so a task that makes way has rendered nothing it did
    # not draw, and the next finds the ones drawn current by their stamps.
    wanted = history[-1:] if latest_only else history[::-1]
    moved = [report.assessment for report in reports_for(client, wanted, latest_pk, today, render=False, history=history)
             if not report.stored]
    drawn = 0
    for assessment in moved:
        if drawn and finish_waiting():
            draw_reports.using(priority=priority).enqueue(client_pk)
            return drawn
        [report] = reports_for(client, [assessment], latest_pk, today, history=history)
        if not report.stored:  # its key unchanged: nothing it shows moved (its stamp is brought up to date)
            draw(report)
            drawn += 1
    if latest_only and len(history) > 1:  # the others behind everyone's Finish: they find nothing to draw if none changed
        queue_drawing([client_pk])
    return drawn


def finish_waiting():
    """Whether a Finish's drawing is queued and due. Only the database backend has a queue to read."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = draw_reports.get_backend()
    return isinstance(backend, DatabaseBackend) and DBTaskResult.objects.ready().filter(
        backend_name=backend.alias, task_path=draw_reports.module_path, priority__gte=FINISHED_PRIORITY).exists()


@cache  # the table's name does not change while running
def waiting_sql(vendor, count):
    """The statement waiting() runs, for `count` clients: her id is the task's first argument
    (args_kwargs {"args": [her id], "kwargs": …}), read as PostgreSQL's or else SQLite's JSON
    functions read it (text on PostgreSQL, a number on SQLite)."""
    from django_tasks_db.models import DBTaskResult

    first = "args_kwargs #>> '{args,0}'" if vendor == "postgresql" else "JSON_EXTRACT(args_kwargs, '$.args[0]')"
    return (f"SELECT {first} FROM {DBTaskResult._meta.db_table} WHERE status = %s AND backend_name = %s "
            f"AND task_path = %s AND run_after > %s AND run_after < %s AND {first} IN ({', '.join(['%s'] * count)})")


def waiting(client_pks):
    """Those of `client_pks` with a drawing task queued that will not start for COVER_MARGIN
    seconds yet (so it will see a change committed now). A task queued to run at once (Finish's,
    draw_now; one handed back by the worker's sweep) covers nothing: django-tasks-db stores its
    "no start time" as the largest date (get_date_max()), which is not "later" but "now". Only the database backend has a queue
    to read; with any other (the test suite's) nothing is found waiting. One statement, written
    out: it runs at the end of every operation on her data (an autosave, a session logged), and
    compiling it as expressions cost more than running it."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = draw_reports.get_backend()
    client_pks = list(client_pks)
    if not isinstance(backend, DatabaseBackend) or not client_pks:
        return set()
    connection = connections[router.db_for_read(DBTaskResult)]
    starts = connection.ops.adapt_datetimefield_value(timezone.now() + timedelta(seconds=COVER_MARGIN))
    at_once = connection.ops.adapt_datetimefield_value(get_date_max())
    keys = [str(pk) for pk in client_pks] if connection.vendor == "postgresql" else client_pks
    with connection.cursor() as cursor:
        cursor.execute(waiting_sql(connection.vendor, len(keys)),
                       [TaskResultStatus.READY.value, backend.alias, draw_reports.module_path, starts, at_once, *keys])
        return {int(first) for first, in cursor.fetchall()}


def enqueue(client_pks, priority=0):
    """Queue a drawing of each of these clients' reports, unless one is waiting already."""
    covered = waiting(client_pks)
    options = {"priority": priority}
    if draw_reports.get_backend().supports_defer:
        options["run_after"] = timezone.now() + timedelta(seconds=QUEUE_DELAY)
    for pk in client_pks:
        if pk not in covered:
            draw_reports.using(**options).enqueue(pk)


def queue_drawing(client_pks, priority=0):
    """Queue her reports to be drawn: inside the current transaction, so the task is stored with
    the change or not at all. A write outside any transaction has committed already: queueing
    it must not turn it into an error, so a failure is logged and left to the export's steps
    and the worker's sweep (reports/worker.py)."""
    client_pks = [pk for pk in client_pks if pk is not None]  # a row of nobody's (a trainer's own template)
    if not client_pks:
        return
    if transaction.get_connection().in_atomic_block:
        enqueue(client_pks, priority)
        return
    try:
        enqueue(client_pks, priority)
    except Exception:  # the change is stored whatever the queue says: never an error answer
        logger.warning("Could not queue the drawing of reports of clients %s", client_pks, exc_info=True)


def draw_now(client_pk):
    """Draw her latest report ahead of everything else and without waiting (the rest of hers
    after): an assessment was just finished, and the summary it leads to offers its report. Stored or
    logged, never an error: the finish is saved already."""
    try:
        draw_reports.using(priority=FINISHED_PRIORITY, queue_name=FINISHED_QUEUE).enqueue(client_pk, latest_only=True)
    except Exception:
        logger.warning("Could not queue the drawing of the reports of client %s", client_pk, exc_info=True)


def _finished(sender, assessment, **kwargs):
    draw_now(assessment.client_id)


def _data_changed(sender, client_ids, using=None, **kwargs):
    queue_drawing(client_ids)


# Trainer saves that change nothing a report shows (sign-in, two-factor set-up, her studio or role).
NOT_SHOWN = {"last_login", "password", "two_factor_enabled_at", "session_epoch", "studio", "role"}


def _trainer_changed(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    """Her report names her lead trainer: a change of the trainer's details redraws the reports of
    the clients she leads."""
    if raw or created or (update_fields is not None and set(update_fields) <= NOT_SHOWN):
        return
    from clients.models import Client

    clients = Client.objects.filter(trainer=instance, assessments__isnull=False).distinct().values_list("pk", flat=True)
    queue_drawing(list(clients), TRAINER_PRIORITY)


def _studio_changed(sender, instance, raw=False, created=False, **kwargs):
    """Her report carries her studio's letterhead (its details, its logo): a change redraws the
    reports of every client of the studio."""
    if raw or created:
        return
    from clients.models import Client

    clients = Client.objects.filter(studio=instance, assessments__isnull=False).distinct().values_list("pk", flat=True)
    queue_drawing(list(clients), TRAINER_PRIORITY)


def connect():
    """Every operation on her data (whatever moves her version on, clients/versions.py: her
    assessments, profile, programme, plan and logs, bulk updates included) queues her reports,
    once; so does a change of her lead trainer's or her studio's details."""
    from django.conf import settings
    from django.db.models.signals import post_save

    from assessments.models import finished

    versions.data_changed.connect(_data_changed, dispatch_uid="reports-draw-data-changed")
    finished.connect(_finished, dispatch_uid="reports-draw-finished")
    post_save.connect(_trainer_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="reports-draw-trainer-saved")
    post_save.connect(_studio_changed, sender="accounts.Studio", dispatch_uid="reports-draw-studio-saved")
