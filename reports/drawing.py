"""Her reports drawn before anyone asks for them, in the background.

A report costs one to two seconds of CPU, so "download everything about her" with 50
assessments cannot draw them while she waits. Instead, whenever something a report shows may
have changed (any write of her data: an assessment of hers created, edited or deleted, her
profile, her programme and its logs; her trainer's details or logo), a task is queued after
the transaction commits; a worker (`manage.py db_worker`, django-tasks-db) runs it and draws every report of hers whose stored drawing
(reports.DrawnReport) is missing or no longer matches what it would show (its key). Which
ones are stale is decided by the derived key alone, so a hook that fires too often only costs
a check, and one that is missed only leaves the export's own steps to draw the rest.

Edits in the studio save field by field: the task for her waits QUEUE_DELAY seconds, and one
queued within DEDUPE_SECONDS of another for her is not queued again (that one runs after the
edit committed and sees it)."""

from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from clients import versions

QUEUE_DELAY = 30  # seconds after a change before her reports are drawn
DEDUPE_SECONDS = 20  # shorter than QUEUE_DELAY: a change the queued task may miss is queued anew
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


def enqueue_now(client_pk, priority=0):
    if not cache.add(f"reports-queued:{client_pk}", True, timeout=DEDUPE_SECONDS):
        return
    options = {"priority": priority}
    if draw_reports.get_backend().supports_defer:
        options["run_after"] = timezone.now() + timedelta(seconds=QUEUE_DELAY)
    draw_reports.using(**options).enqueue(client_pk)


def queue_drawing(client_pk, priority=0):
    """Queue her reports to be drawn once the current transaction (if any) commits."""
    transaction.on_commit(lambda: enqueue_now(client_pk, priority))


def _saved(sender, instance, raw=False, using=None, **kwargs):
    if not raw:  # loaddata
        for pk in versions.client_ids_of(sender, [instance], using):
            queue_drawing(pk)


def _deleting(sender, instance, using=None, **kwargs):
    # Before the row goes, while the path to her still resolves (as clients/versions.py does).
    for pk in versions.client_ids_of(sender, [instance], using):
        queue_drawing(pk)


# Trainer saves that change nothing a report shows (sign-in, two-factor set-up).
NOT_SHOWN = {"last_login", "password", "two_factor_enabled_at"}


def _trainer_changed(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw or created or (update_fields is not None and set(update_fields) <= NOT_SHOWN):
        return
    from clients.models import Client

    def queue_all():
        for pk in Client.objects.filter(trainer=instance, assessments__isnull=False).distinct().values_list("pk", flat=True):
            enqueue_now(pk, TRAINER_PRIORITY)

    transaction.on_commit(queue_all)


def connect():
    """Every write of her data (the models clients/versions.py finds: her assessments, profile,
    programme, plan and logs) queues her reports; so does a change of her trainer's details."""
    from django.conf import settings
    from django.db.models.signals import post_save, pre_delete

    for model in versions.versioned_models():
        post_save.connect(_saved, sender=model, dispatch_uid=f"reports-draw-save-{model._meta.label}")
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"reports-draw-delete-{model._meta.label}")
    post_save.connect(_trainer_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="reports-draw-trainer-saved")
