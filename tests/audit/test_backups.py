"""Backups that restore: dump the test database with `manage.py backup`, restore it into a
fresh PostgreSQL database with `manage.py restore`, and check that the restored app holds and
serves every studio and its members, logo, client, assessment, programme, access-log row and
report unchanged."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from accounts.models import StudioLogo
from audit.backups import libpq_environment
from audit.models import AccessEvent
from tests.browser.conftest import assign_programme, builtin_templates  # noqa: F401  (a fixture)
from tests.conftest import make_client, make_trainer
from tests.factories import make_assessment

ROOT = Path(__file__).resolve().parents[2]

def url_for(settings_dict, name):
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{name}"


def run_psql(sql, settings_dict):
    env = libpq_environment({**settings_dict, "NAME": "postgres"})
    subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], env=env, check=True, capture_output=True)


def snapshot(database_name, today):
    env = {**os.environ, "DATABASE_URL": url_for(connection.settings_dict, database_name)}
    result = subprocess.run([sys.executable, "-m", "tests.audit.backup_snapshot", today.isoformat()], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 100)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def restored_name(transactional_db):
    name = f"{connection.settings_dict['NAME']}_restored"
    run_psql(f'DROP DATABASE IF EXISTS "{name}"', connection.settings_dict)
    run_psql(f'CREATE DATABASE "{name}"', connection.settings_dict)
    yield name
    run_psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', connection.settings_dict)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="backups use pg_dump: run with DATABASE_URL=postgres://...")
def test_a_backup_restores_into_a_fresh_database_unchanged(restored_name, tmp_path, builtin_templates):
    owner = make_trainer("owner@example.com", "Olivia Owner", studio_name="Owner Fitness")
    StudioLogo.objects.create(studio=owner.studio, data=png(), content_type="image/png")
    colleague = make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)  # studios carry their members
    for index, name in enumerate(["Amira Haddad", "Beth Okafor"]):
        client = make_client(owner, name, weeks=14 + index)
        make_assessment(client, days_after_birth=70)
        latest = make_assessment(client, days_after_birth=90, notes="Strong")
        latest.save_changes({"notes": "Stronger"}, owner, latest.version)
        assign_programme(client)
    from practice.models import AttentionAck
    AttentionAck.record(client, owner, kind="seen", fingerprint="1-2-3-4-5")  # home's "Seen" is carried too
    # The access log, each row naming its studio and its person.
    AccessEvent.objects.create(trainer=owner, actor=colleague, client=client, kind="viewed_client")
    AccessEvent.objects.create(trainer=colleague, actor=colleague, kind="signed_in")
    today = timezone.localdate()

    out = io.StringIO()
    call_command("backup", dir=str(tmp_path), keep=3, stdout=out)
    dumps = list(tmp_path.glob("restride-*.dump"))
    assert len(dumps) == 1 and dumps[0].read_bytes()[:5] == b"PGDMP", "a pg_dump custom-format file"
    into = url_for(connection.settings_dict, restored_name)
    call_command("restore", str(dumps[0]), into=into, stdout=io.StringIO())

    original = snapshot(connection.settings_dict["NAME"], today)
    restored = snapshot(restored_name, today)
    assert len(original["tables"]["clients.Client"]) == 2 and len(original["reports"]) == 4
    assert len(original["tables"]["accounts.StudioLogo"]) == 1
    assert len(original["tables"]["accounts.Studio"]) == 1 and len(original["tables"]["accounts.Trainer"]) == 2
    assert len(original["tables"]["practice.AttentionAck"]) == 1
    log = original["tables"]["audit.AccessEvent"]
    assert [(row["studio_id"], row["actor_name"]) for row in log] == [(owner.studio_id, "Cara Colleague")] * 2
    assert restored == original


def test_backups_refuse_a_database_that_is_not_postgresql():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="need PostgreSQL"):
        libpq_environment({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
