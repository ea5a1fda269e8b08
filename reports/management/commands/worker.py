import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from reports.worker import Heartbeat


class Command(db_worker.Command):
    help = ("Run the background worker (django-tasks-db's db_worker) with a lease: a task left RUNNING "
            "by a worker that died is run again, and reports never drawn are queued (reports/worker.py).")

    def handle(self, *args, worker_id, reload, batch, **options):
        # With --reload the watching parent runs no task: only the process that runs them beats.
        if not (reload and not batch) or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            Heartbeat(worker_id).start()
        super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
