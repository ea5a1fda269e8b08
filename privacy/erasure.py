"""Erasing a client: everything about her, wherever it is.

The database cascade from Client removes every row that refers to her (the same models her
export walks: tests/privacy/test_everything.py and tests/privacy/test_retention.py check both). Two things
the cascade cannot reach are removed here: her own copies of programme plans (a programme
points at its plan, not the other way round) and her reports in the cache."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from programmes.models import Plan
from reports.pdf import forget_client_reports

from audit.models import AccessEvent


def erase_client(client):
    """Delete her and everything about her. Returns the number of cached reports removed."""
    pk = client.pk
    with transaction.atomic():
        plan_ids = list(client.programmes.values_list("plan_id", flat=True))
        client.delete()
        # Her copies only: a plan that is still someone's template or programme stays.
        Plan.objects.client_copies().filter(pk__in=plan_ids, programme__isnull=True).delete()
    return forget_client_reports(pk)


def retention_period():
    return timedelta(days=settings.RETENTION_DAYS_AFTER_ARCHIVE)


def erasure_date(client):
    """When an archived client's data will be erased; None for a current client."""
    if client.archived_at is None:
        return None
    return timezone.localdate(client.archived_at + retention_period())


def expired(now=None):
    """Archived clients whose retention period has passed."""
    now = now or timezone.now()
    return Client.objects.filter(archived_at__isnull=False, archived_at__lte=now - retention_period())


def purge(dry_run=False, now=None):
    """Erase every expired client; returns [(client pk, trainer, archived_at, assessments)] erased
    (or, with dry_run, that would be). Running it again finds nothing more to do."""
    gone = []
    for client in expired(now).select_related("trainer").order_by("archived_at", "pk"):
        summary = (client.pk, client.trainer, client.archived_at, client.assessments.count())
        if not dry_run:
            pk = client.pk
            erase_client(client)
            # The erasure itself is logged in her trainer's log, without her name.
            AccessEvent.objects.create(trainer=summary[1], kind="erased_expired", target=f"Client #{pk}")
        gone.append(summary)
    return gone
