"""Retention: archived clients are erased, with everything about them, after the retention period."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Studio
from audit.models import AccessEvent
from clients.models import Client
from privacy.erasure import erasure_date
from programmes.models import Exercise, Plan
from reports.models import DrawnReport
from tests.conftest import make_client, nothing_cached_about
from tests.privacy.test_everything import builtin_templates_db, full_client, lookup_to_client, related_models  # noqa: F401


def purge(*args):
    out = StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


def archive(client, days_ago):
    Client.objects.filter(pk=client.pk).update(archived_at=timezone.now() - timedelta(days=days_ago))
    client.refresh_from_db()


def rows_about(client_pk):
    return {model.__name__: model.objects.filter(**{lookup_to_client(model): client_pk}).count()
            for model in related_models(Client)}


@pytest.fixture
def short_retention(owner):
    """The owner's studio keeps archived clients for 30 days (its own setting, Studio.retention_days)."""
    Studio.objects.filter(pk=owner.studio_id).update(retention_days=30)


def test_an_expired_client_is_erased_with_everything_about_her(full_client, owner_http, short_retention):
    client, assessments = full_client
    owner_http.get(reverse("reports:trainer_pdf", args=[assessments[0].pk]))  # a report drawn and stored
    assert DrawnReport.objects.get(assessment=assessments[0]).pdf
    owner_http.get(reverse("clients:detail", args=[client.pk]))
    plan_pk = client.programmes.get().plan_id
    kept = make_client(client.trainer, "Beth Okafor")
    recent = make_client(client.trainer, "Cara Lewis")
    archive(client, 31)
    archive(recent, 29)
    assert all(rows_about(client.pk).values())

    listed = purge("--dry-run")
    assert f"Would erase client #{client.pk} of owner@example.com" in listed and "2 assessments" in listed
    assert "Would erase 1 client past her studio's retention period." in listed and "Amira" not in listed
    assert Client.objects.filter(pk=client.pk).exists(), "a dry run erases nothing"

    done = purge()
    assert f"Erased client #{client.pk}" in done and "Erased 1 client" in done
    assert not Client.objects.filter(pk=client.pk).exists()
    assert not any(rows_about(client.pk).values()), rows_about(client.pk)
    assert not Plan.objects.filter(pk=plan_pk).exists(), "her own copy of the plan goes too"
    assert Plan.objects.filter(trainer__isnull=True, is_template=True).exists(), "built-in templates stay"
    assert Exercise.objects.filter(trainer__isnull=True).exists(), "the exercise library stays: her plan held copies"
    assert nothing_cached_about(client.full_name)  # any backend: no page of hers was ever cached
    assert not DrawnReport.objects.filter(assessment__in=assessments).exists()  # nor a drawn report
    assert set(Client.objects.values_list("full_name", flat=True)) == {kept.full_name, recent.full_name}
    event = AccessEvent.objects.get(kind="erased_expired")
    assert (event.trainer, event.client) == (client.trainer, None)
    assert event.target.startswith(f"Client #{client.pk}: ") and "2 assessments" in event.target, "what was erased"

    assert purge() == "Erased 0 clients past her studio's retention period.\n", "running it twice does nothing more"
    assert AccessEvent.objects.filter(kind="erased_expired").count() == 1


def test_current_and_restored_clients_are_never_erased(owner, short_retention):
    current = make_client(owner, "Amira Haddad")
    restored = make_client(owner, "Beth Okafor")
    archive(restored, 400)
    restored.restore()
    assert purge() == "Erased 0 clients past her studio's retention period.\n"
    assert Client.objects.count() == 2 and current.pk


def test_the_default_period_is_seven_years(settings):
    from config import settings as config_settings

    assert config_settings.RETENTION_DAYS_AFTER_ARCHIVE == 2555


def test_an_archived_clients_page_says_when_her_data_will_be_erased(owner, owner_http, short_retention):
    client = make_client(owner)
    page = owner_http.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "will be erased" not in page
    owner_http.post(reverse("clients:archive", args=[client.pk]))
    client.refresh_from_db()
    due = erasure_date(client)
    assert due == timezone.localdate(client.archived_at) + timedelta(days=30)
    page = owner_http.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert f"Everything about her will be erased on {due.day} {due:%b %Y} unless you restore her." in page


def test_deleting_a_client_also_removes_her_reports_and_plan_copies_and_leaves_nothing_cached(full_client, owner_http):
    client, assessments = full_client
    owner_http.get(reverse("reports:trainer_pdf", args=[assessments[1].pk]))
    assert DrawnReport.objects.filter(assessment=assessments[1]).exclude(key="stale").exists()
    owner_http.get(reverse("clients:detail", args=[client.pk]))
    owner_http.get(reverse("assessments:studio", args=[assessments[1].pk]))
    plan_pk = client.programmes.get().plan_id
    owner_http.post(reverse("clients:delete", args=[client.pk]), {"confirm_name": client.full_name})
    assert not Client.objects.filter(pk=client.pk).exists()
    assert not Plan.objects.filter(pk=plan_pk).exists()
    assert nothing_cached_about(client.full_name)
    assert not DrawnReport.objects.filter(assessment__in=assessments).exists()


# --- retention is each studio's own setting ------------------------------------------------

def test_each_studio_keeps_archived_clients_for_its_own_period(owner, stranger):
    """Two studios, one keeping archived clients for a year, the other for two: the daily purge
    erases exactly the clients past their own studio's period, in one query for all studios."""
    import time_machine

    Studio.objects.filter(pk=owner.studio_id).update(retention_days=365)
    Studio.objects.filter(pk=stranger.studio_id).update(retention_days=730)
    start = timezone.now()
    ours, theirs = make_client(owner, "Amira Haddad"), make_client(stranger, "Zara Other")
    ours.archive()
    theirs.archive()
    ours.refresh_from_db()
    assert erasure_date(ours) == timezone.localdate(ours.archived_at + timedelta(days=365))

    with time_machine.travel(start + timedelta(days=364), tick=False):
        assert purge() == "Erased 0 clients past her studio's retention period.\n"
    with time_machine.travel(start + timedelta(days=366), tick=False):
        done = purge()
        assert f"Erased client #{ours.pk} of owner@example.com (studio #{owner.studio_id})" in done
        assert "Erased 1 client past" in done
        assert set(Client.objects.values_list("full_name", flat=True)) == {"Zara Other"}
        event = AccessEvent.objects.get(kind="erased_expired")
        assert (event.studio_id, event.client, event.who) == (owner.studio_id, None, "Restride"), "in her studio's log"
    with time_machine.travel(start + timedelta(days=731), tick=False):
        assert "Erased 1 client past" in purge()
        assert not Client.objects.exists()


def test_finding_the_expired_clients_of_every_studio_is_one_query(owner, stranger, django_assert_num_queries):
    from privacy.erasure import expired

    for trainer in (owner, stranger):
        for name in ("Amira Haddad", "Beth Okafor"):
            archive(make_client(trainer, name), 4000)
    with django_assert_num_queries(1):
        assert len(list(expired())) == 4


def test_an_archived_clients_page_uses_her_studios_period(owner, owner_http):
    Studio.objects.filter(pk=owner.studio_id).update(retention_days=400)
    client = make_client(owner)
    owner_http.post(reverse("clients:archive", args=[client.pk]))
    client.refresh_from_db()
    due = timezone.localdate(client.archived_at + timedelta(days=400))
    page = owner_http.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert f"Everything about her will be erased on {due.day} {due:%b %Y} unless you restore her." in page
