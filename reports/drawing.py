"""Her reports drawn before anyone asks for them, in the background.

A report costs one to two seconds of CPU, so "download everything about her" with 50
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

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from clients import versions

logger = logging.getLogger(__name__)

QUEUE_DELAY = 30  # seconds after a change before her reports are drawn
# A waiting task for her covers a change only while it is this far from starting: one about to
# start may read her data before the change commits, so the change queues its own.
COVER_MARGIN = 10
TRAINER_PRIORITY = -10  # a trainer's new details redraw all her clients: after single clients' changes


@task
def draw_reports(client_pk):
    """Draw every report of hers whose stored drawing is missing or stale; returns how many."""
    from clients.models import Client

    from .pdf import draw, reports_of

    client = Client.objects.select_related("trainer").filter(pk=client_pk).first()
    if client is None:  # erased meanwhile
        return 0
    drawn = 0
    for report in reports_of(client, timezone.localdate()):
        if not report.stored:
            draw(report)
            drawn += 1
    return drawn


def waiting(client_pks):
    """Those of `client_pks` with a drawing task queued that will not start for COVER_MARGIN
    seconds yet (so it will see a change committed now). Only the database backend has a queue
    to read; with any other (the test suite's) nothing is found waiting."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = draw_reports.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return set()
    queued = DBTaskResult.objects.filter(
        status="READY", backend_name=backend.alias, task_path=draw_reports.module_path,
        run_after__gt=timezone.now() + timedelta(seconds=COVER_MARGIN), args_kwargs__args__0__in=list(client_pks),
    ).values_list("args_kwargs", flat=True)
    return {args_kwargs["args"][0] for args_kwargs in queued}


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


def _saved(sender, instance, raw=False, using=None, **kwargs):
    if not raw:  # loaddata
        queue_drawing(sorted(versions.client_ids_of(sender, [instance], using)))


def _deleting(sender, instance, using=None, **kwargs):
    if versions.client_path(sender) == "pk":
        return  # she is being erased: nothing of hers is left to draw (privacy/erasure.py empties her queue)
    # Before the row goes, while the path to her still resolves (as clients/versions.py does).
    queue_drawing(sorted(versions.client_ids_of(sender, [instance], using)))


# Trainer saves that change nothing a report shows (sign-in, two-factor set-up).
NOT_SHOWN = {"last_login", "password", "two_factor_enabled_at"}


def _trainer_changed(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw or created or (update_fields is not None and set(update_fields) <= NOT_SHOWN):
        return
    from clients.models import Client

    clients = Client.objects.filter(trainer=instance, assessments__isnull=False).distinct().values_list("pk", flat=True)
    queue_drawing(list(clients), TRAINER_PRIORITY)


def connect():
    """Every write of her data (the models clients/versions.py finds: her assessments, profile,
    programme, plan and logs) queues her reports; so does a change of her trainer's details."""
    from django.conf import settings
    from django.db.models.signals import post_save, pre_delete

    for model in versions.versioned_models():
        post_save.connect(_saved, sender=model, dispatch_uid=f"reports-draw-save-{model._meta.label}")
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"reports-draw-delete-{model._meta.label}")
    post_save.connect(_trainer_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="reports-draw-trainer-saved")
