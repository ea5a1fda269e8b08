"""Health data at rest (issue 21, part 3): her private link kept only hashed and encrypted,
nothing of hers left in the cache or the queue after erasure, and an access log the database
itself keeps append-only."""

import logging

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse

from audit.models import AccessEvent, erasing
from clients.models import Client, ShareLink, hash_token
from privacy.erasure import erase_client
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = pytest.mark.django_db

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


def cached_entries():
    """Every (key, value bytes) in the cache backend, whichever it is (locmem here, Redis in CI)."""
    from django.core.cache import caches

    backend = caches["default"]
    if hasattr(backend, "_cache") and isinstance(backend._cache, dict):  # LocMemCache
        return [(key, value) for key, value in backend._cache.items()]
    client = backend._cache.get_client(write=False)  # Redis: everything under our prefix
    prefix = backend.key_prefix
    return [(key.decode(), client.get(key) or b"") for key in client.scan_iter(match=f"{prefix}:*")]


def mentions(entries, *needles):
    found = []
    for key, value in entries:
        # Pickled and raw values alike hold text as UTF-8 bytes.
        text = key + " " + (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
        found += [(key, needle) for needle in needles if needle and needle in text]
    return found


@pytest.fixture
def her(owner):
    client = make_client(owner, "Zenobia Quillfeather", email="zenobia@example.com")
    assessment = make_assessment(client)
    _, token = ShareLink.issue(client, owner)
    return client, assessment, token


def visit_everything_of_hers(owner, client, assessment, token):
    http = HttpClient()
    http.force_login(owner)
    for url in [reverse("home"), reverse("clients:list"), client.get_absolute_url(),
                reverse("assessments:studio", args=[assessment.pk]),
                reverse("programmes:assessment_summary", args=[assessment.pk])]:
        assert http.get(url).status_code == 200, url
    assert HttpClient().get(reverse("reports:progress", args=[token])).status_code == 200


def test_erasure_leaves_nothing_of_hers_in_the_cache(owner, her):
    client, assessment, token = her
    visit_everything_of_hers(owner, client, assessment, token)
    erase_client(client)
    left = mentions(cached_entries(), client.full_name, client.email, token, hash_token(token))
    assert not left, f"still in the cache after erasing her: {left[:5]}"


def test_erasure_leaves_nothing_of_hers_queued(owner, her, settings):
    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    client, assessment, _ = her
    assessment.save_changes({"notes": "Queues a drawing"}, owner, assessment.version)
    assert DBTaskResult.objects.filter(args_kwargs__args=[client.pk]).exists()
    erase_client(client)
    assert not DBTaskResult.objects.filter(args_kwargs__args=[client.pk]).exists()
    event = AccessEvent.objects.get(kind="deleted_client")
    assert "queued drawing" in event.target


def test_her_link_is_stored_only_hashed_and_encrypted_and_shown_again(owner, her, caplog, settings):
    client, assessment, token = her
    with caplog.at_level(logging.DEBUG):
        visit_everything_of_hers(owner, client, assessment, token)
    link = ShareLink.objects.get(client=client)
    assert link.token_hash == hash_token(token) and link.token() == token, "her trainer can be shown it again"
    for model in apps.get_models():  # every row of every table
        for row in model._base_manager.values_list():
            assert token not in str(row), f"{model._meta.label} holds her link in plain text"
    assert not mentions(cached_entries(), token), "her link in the cache"
    assert token not in caplog.text
    settings.PRIVATE_LINK_KEY = "0" * 43 + "="  # another key: the stored link cannot be read
    assert ShareLink.objects.get(client=client).token() is None
    assert ShareLink.objects.find(token) == link, "her link still opens: lookups use the hash"


def test_a_link_made_before_a_key_rotation_is_read_with_the_old_key(owner, settings):
    client = make_client(owner)
    link, token = ShareLink.issue(client, owner)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" * 2
    assert ShareLink.objects.get(pk=link.pk).token() == token


def test_the_database_refuses_a_second_live_link_for_her(owner):
    client = make_client(owner)
    link, _ = ShareLink.issue(client, owner)
    with pytest.raises(DatabaseError), transaction.atomic():
        ShareLink.objects.create(client=client, token_hash="0" * 64)
    assert list(ShareLink.objects.usable()) == [link]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks exist on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_double_tap_on_make_link_leaves_exactly_one_working_link(owner):
    import threading

    client = make_client(owner)
    barrier, answers = threading.Barrier(6), []

    def tap():
        http = HttpClient()
        http.force_login(owner)
        barrier.wait()
        answers.append(http.post(reverse("clients:link_create", args=[client.pk]), {"expires_on": ""}).status_code)
        connection.close()

    taps = [threading.Thread(target=tap) for _ in range(6)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join()
    assert answers == [200] * 6
    assert ShareLink.objects.filter(client=client).usable().count() == 1
    assert ShareLink.objects.filter(client=client).count() == 6


@postgresql
def test_the_database_refuses_to_update_or_delete_the_access_log_as_the_apps_own_role(owner, client_record):
    event = AccessEvent.objects.create(trainer=owner, actor=owner, client=client_record, kind="viewed_client")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
    assert role == connection.settings_dict["USER"], "the role the app itself connects as"
    for sql in ["UPDATE audit_accessevent SET kind = 'signed_in' WHERE id = %s", "DELETE FROM audit_accessevent WHERE id = %s"]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Client.objects.filter(pk=client_record.pk).delete()  # her log would go by cascade: not outside erasure
    assert AccessEvent.objects.get(pk=event.pk).kind == "viewed_client"


@postgresql
def test_only_the_erasure_routine_removes_her_log_and_it_records_what_it_erased(owner, client_record):
    for _ in range(3):
        AccessEvent.objects.create(trainer=owner, actor=owner, client=client_record, kind="viewed_client")
    pk = client_record.pk
    erase_client(client_record)
    assert not AccessEvent.objects.filter(client_id=pk).exists()
    event = AccessEvent.objects.get(kind="deleted_client")
    assert event.target.startswith(f"Client #{pk}: 3 access-log lines")
    # The permission ends with the routine: the transaction goes on append-only.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])
    with erasing(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('restride.erasing', true)")
        assert cursor.fetchone()[0] == "on"
