"""Consent you can show: the wording is versioned and each consent record keeps its version."""

import pytest
from django.urls import reverse

from clients import consent
from clients.models import ConsentRecord
from tests.conftest import make_client


def test_recording_consent_keeps_the_current_wording_version(owner, owner_http):
    client = make_client(owner, consent=False)
    page = owner_http.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert f"Read her the wording (version {consent.CURRENT})" in page
    assert consent.wording(consent.CURRENT)[:60] in page
    owner_http.post(reverse("clients:consent", args=[client.pk]))
    client.refresh_from_db()
    assert client.consent_version == consent.CURRENT
    record = ConsentRecord.objects.get(client=client)
    assert (record.action, record.version, record.by) == ("given", consent.CURRENT, owner)
    assert record.wording == consent.wording(consent.CURRENT)
    page = owner_http.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert f"to wording version {consent.CURRENT}" in page


def test_withdrawing_is_history_too(owner, owner_http):
    client = make_client(owner, consent=False)
    owner_http.post(reverse("clients:consent", args=[client.pk]))
    owner_http.post(reverse("clients:consent", args=[client.pk]), {"action": "withdraw"})
    assert list(ConsentRecord.objects.filter(client=client).values_list("action", "version")) == [
        ("given", consent.CURRENT), ("withdrawn", consent.CURRENT)
    ]


def test_every_version_has_its_wording_and_a_publication_date():
    assert consent.CURRENT in consent.VERSIONS
    for version in consent.VERSIONS.values():
        assert version["text"].strip() and version["published"]
    assert consent.wording("") is None and consent.wording("no-such-version") is None


def test_consents_from_before_versioning_become_history_without_a_version(migrator_free_backfill):
    client, records = migrator_free_backfill
    assert [(r.action, r.version) for r in records] == [("given", ""), ("withdrawn", "")]
    assert records[0].by == client.trainer and records[0].wording is None


@pytest.fixture
def migrator_free_backfill(owner):
    """Run the migration's backfill function against today's models, on a client consented the old way."""
    from datetime import timedelta
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    client = make_client(owner, consent_recorded_at=timezone.now() - timedelta(days=3), consent_withdrawn_at=timezone.now())
    assert not ConsentRecord.objects.filter(client=client).exists()
    import_module("clients.migrations.0003_consent_version_and_history").backfill_history(apps, None)
    return client, list(ConsentRecord.objects.filter(client=client))
