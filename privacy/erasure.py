"""Erasing a client: everything about her, wherever it is.

The database cascade from Client removes every row that refers to her (the same models her
export walks: tests/privacy/test_everything.py and tests/privacy/test_retention.py check both),
the access log about her included: the one place the database lets its rows go (audit.erasing).
What the cascade cannot reach is removed here too: her own copies of programme plans (a
programme points at its plan, not the other way round), drawings of her reports still queued and
the rate-limit counters of her links. Nothing else of hers is kept: pages are drawn for each
request and no cache holds anything of hers. The erasure is logged in her trainer's log, without her name, with what it erased
(tests/privacy/test_erasure.py)."""

from datetime import timedelta

from django.apps import apps
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Func
from django.utils import timezone

from accounts import limits
from audit.log import record
from audit.models import AccessEvent, erasing
from clients import versions
from clients.models import Client
from programmes.models import Plan
from reports.drawing import draw_reports

# What the log line of an erasure names first (it is cut at 200 characters).
ERASED_ORDER = ["audit.AccessEvent", "assessments.Assessment", "programmes.SessionLog", "reports.DrawnReport",
                "clients.ShareLink", "programmes.Programme", "clients.ConsentRecord"]


def erased_name(label, count):
    if label == "audit.AccessEvent":
        return "access-log line" + ("s" if count != 1 else "")
    if label == "django_tasks_db.DBTaskResult":
        return "queued drawing" + ("s" if count != 1 else "")
    meta = apps.get_model(label)._meta
    return str(meta.verbose_name_plural if count != 1 else meta.verbose_name)


def erase_client(client, request=None, kind="deleted_client"):
    """Delete her and everything about her, in one operation (the cascade's deletions write nothing
    of hers on the way), and log it (`kind`, by whoever `request` is signed in as, in her
    trainer's log) with what was erased."""
    from django_tasks_db.models import DBTaskResult

    pk, trainer_id, studio_id = client.pk, client.trainer_id, client.studio_id
    with erasing():
        with versions.operation():
            plan_ids = list(client.programmes.values_list("plan_id", flat=True))
            counters = [link.write_counter for link in client.share_links.all()]
            _, deleted = client.delete()
            # Her copies only: a plan that is still someone's template or programme stays.
            _, plans = Plan.objects.client_copies().filter(pk__in=plan_ids, programme__isnull=True).delete()
        # After the operation's end, which queued her drawing: waiting or finished; one running now
        # finds nothing of hers and ends (its worker owns its row).
        queued, _ = DBTaskResult.objects.filter(task_path=draw_reports.module_path, args_kwargs__args=[pk]).exclude(
            status="RUNNING").delete()
        limits.forget(counters)
        erased = {**deleted, **{label: deleted.get(label, 0) + n for label, n in plans.items()}}
        erased.pop("clients.Client", None)
        if queued:
            erased["django_tasks_db.DBTaskResult"] = queued
        target = f"Client #{pk}: " + ", ".join(f"{n} {erased_name(label, n)}" for label, n in sorted(
            erased.items(), key=lambda item: (ERASED_ORDER.index(item[0]) if item[0] in ERASED_ORDER else 99, item[0])) if n)
        if request is not None:
            record(request, None, kind, target)  # by a member of her studio (may_erase): in its log
        else:
            AccessEvent.objects.create(trainer_id=trainer_id, studio_id=studio_id, kind=kind, target=target[:200])


class Days(Func):
    """A whole number of days as a duration, in the database: PostgreSQL's interval; SQLite keeps
    durations as microseconds (Django's own DurationField arithmetic there)."""

    output_field = DurationField()
    template = "make_interval(days => %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="(%(expressions)s * 86400000000)", **extra_context)


def may_erase(trainer, client):
    """Her lead trainer or an owner of her studio; any other member gets a 403 (the views scope
    her to the studio first, so another studio's trainer never gets this far: 404)."""
    return client.studio_id == trainer.studio_id and (trainer.is_owner or client.trainer_id == trainer.pk)


def erasure_date(client):
    """When an archived client's data will be erased, by her studio's retention period; None
    for a current client."""
    if client.archived_at is None:
        return None
    return timezone.localdate(client.archived_at + timedelta(days=client.studio.retention_days))


def expired(now=None):
    """Archived clients whose studio's retention period has passed since they were archived: one
    query, the period read from her studio by a join."""
    now = now or timezone.now()
    erase_from = ExpressionWrapper(F("archived_at") + Days(F("studio__retention_days")), output_field=DateTimeField())
    return Client.objects.filter(archived_at__isnull=False).alias(erase_from=erase_from).filter(erase_from__lte=now)


def purge(dry_run=False, now=None):
    """Erase every expired client; returns [(client pk, trainer, archived_at, assessments)] erased
    (or, with dry_run, that would be). Running it again finds nothing more to do."""
    gone = []
    for client in expired(now).select_related("trainer", "studio").order_by("archived_at", "pk"):
        summary = (client.pk, client.trainer, client.archived_at, client.assessments.count())
        if not dry_run:
            erase_client(client, kind="erased_expired")  # logged in her studio's log, without her name
        gone.append(summary)
    return gone
