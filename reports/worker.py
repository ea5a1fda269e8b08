"""The background worker: django-tasks-db's worker with a lease, so a task is never RUNNING for ever.

`manage.py worker` runs `db_worker` and, beside it, a heartbeat thread. Every HEARTBEAT_SECONDS
it writes this worker's WorkerHeartbeat, then sweeps:
- a task RUNNING for longer than LEASE_SECONDS under a worker whose heartbeat is older than
  LEASE_SECONDS (SIGKILL, out of memory, `docker compose stop` past its grace period) goes back
  to the queue, to run again at once. Drawing is idempotent (each report is stored, replacing
  the stale one, in its own transaction; a current one is not drawn again), so a task that runs
  twice costs time only, and one killed half-way leaves the reports it finished stored;
- every MISSING_SWEEP_SECONDS, clients with an assessment that has no drawn report at all and no
  drawing queued (a change stored outside a transaction whose task could not be queued, data
  restored from a backup, a task that failed) are queued, a batch at a time.
A worker that is alive but slow keeps its heartbeat (a thread: WeasyPrint releases the GIL often
enough), so only a dead worker's task is taken back."""

import logging
import threading
from datetime import timedelta

from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 3
LEASE_SECONDS = 15  # five missed heartbeats: that worker is gone
MISSING_SWEEP_SECONDS = 300
MISSING_BATCH = 200  # clients queued per sweep: a restored database is drawn in steps
BACKFILL_PRIORITY = -20  # after changes and trainers' new details


def beat(worker_id, now=None):
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now or timezone.now()})


def requeue_abandoned(now=None):
    """Hand back to the queue every task whose worker stopped beating; returns how many."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    now = now or timezone.now()
    expired = now - timedelta(seconds=LEASE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gt=expired).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=expired).values_list("id", "worker_ids")
    abandoned = [pk for pk, workers in running if not workers or workers[-1] not in alive]
    if not abandoned:
        return 0
    count = DBTaskResult.objects.filter(id__in=abandoned, status="RUNNING").update(
        status="READY", run_after=now, started_at=None)
    logger.warning("Re-queued %s task(s) of a worker that stopped mid-task", count)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return count


def queue_missing_drawings():
    """Queue a drawing for clients whose assessments include one never drawn; returns them."""
    from django_tasks_db.models import DBTaskResult

    from assessments.models import Assessment

    from .drawing import draw_reports, enqueue

    queued = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"], task_path=draw_reports.module_path)
    pending = {args_kwargs["args"][0] for args_kwargs in queued.values_list("args_kwargs", flat=True) if args_kwargs["args"]}
    missing = Assessment.objects.filter(drawn_report__isnull=True).exclude(client_id__in=pending)
    clients = sorted(set(missing.values_list("client_id", flat=True)[:MISSING_BATCH * 20]))[:MISSING_BATCH]
    if clients:
        enqueue(clients, BACKFILL_PRIORITY)
        logger.info("Queued the drawing of reports never drawn for %s client(s)", len(clients))
    return clients


class Heartbeat(threading.Thread):
    """Beats and sweeps until the process ends (a daemon thread: it never holds the worker up)."""

    def __init__(self, worker_id, sweeps=True):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.sweeps = sweeps  # queue reports never drawn (a worker of the default queue)
        self.stopped = threading.Event()

    def run(self):
        last_missing_sweep = None
        while True:
            try:
                close_old_connections()
                beat(self.worker_id)
                requeue_abandoned()
                now = timezone.now()
                if self.sweeps and (last_missing_sweep is None
                                    or now - last_missing_sweep >= timedelta(seconds=MISSING_SWEEP_SECONDS)):
                    last_missing_sweep = now
                    queue_missing_drawings()
            except Exception:  # the database away for a moment: the next beat tries again
                logger.warning("Worker heartbeat failed", exc_info=True)
                connection.close()
            if self.stopped.wait(HEARTBEAT_SECONDS):
                return
