"""Database backups with PostgreSQL's own tools: pg_dump's custom format (compressed, every
table including trainers' logos, which live in the database) and pg_restore."""

import os
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone


def libpq_environment(settings_dict):
    """Connection details as libpq environment variables: the password never appears in a
    process listing, as it would in a command-line URL."""
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("Backups use pg_dump and need PostgreSQL. With SQLite, copy the database file.")
    env = {**os.environ, "PGDATABASE": settings_dict["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def tool(name):
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian: apt install postgresql-client).")
    return path


def dump(directory, keep=None, alias="default"):
    """Write restride-<timestamp>.dump into `directory`; keep only the newest `keep` dumps."""
    env = libpq_environment(connections[alias].settings_dict)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"restride-{timezone.now():%Y%m%d-%H%M%S}.dump"
    partial = target.with_suffix(".dump.partial")
    # Written under another name first: a dump cut short never looks like a good one.
    result = subprocess.run([tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
    partial.rename(target)
    if keep:
        for old in sorted(directory.glob("restride-*.dump"))[:-keep]:
            old.unlink()
    return target


def restore(path, settings_dict):
    """Restore a dump into the (empty) database named by `settings_dict`."""
    env = libpq_environment(settings_dict)
    result = subprocess.run([tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                             f"--dbname={settings_dict['NAME']}", str(path)], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
