import gc
import logging
import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from reports.worker import Heartbeat

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = ("Run the background worker (django-tasks-db's db_worker) with a lease: a task left RUNNING "
            "by a worker that died is run again, and reports never drawn are queued (reports/worker.py). "
            "It takes every queue's tasks unless --queue-name names some (docker-compose.yml's finisher: "
            "--queue-name finished, Finish's drawings alone).")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")

    def handle(self, *args, worker_id, reload, batch, queue_name, **options):
        # With --reload the watching parent runs no task: only the process that runs them beats.
        if not (reload and not batch) or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            # Only a worker of the default queue sweeps for reports never drawn (what the sweep
            # queues goes there): not the finisher, a worker of Finish's queue alone.
            names, excluded = queue_name.split(","), (options.get("exclude_queues") or "").split(",")
            Heartbeat(worker_id, sweeps="default" in names or ("*" in names and "default" not in excluded)).start()
            warm_up()
        super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, queue_name=queue_name, **options)


def warm_up():
    """Before the first task: a drawing, so the first Finish after a start has its report as
    quickly as any other (reports/pdf.py warm_up); then what start-up made (Django, WeasyPrint and
    their caches) is set aside from the garbage collector, which no longer walks it on each full
    collection while a report is drawn: about a tenth of a drawing's CPU."""
    from reports.pdf import warm_up

    try:
        warm_up()
    except Exception:  # each drawing will fail and say why; the worker's other tasks (reminders) still run
        logger.warning("Could not draw the warm-up document", exc_info=True)
    gc.collect()
    gc.freeze()
