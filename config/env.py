"""Read a development checkout's `.env` into the environment before settings read it.

bin/demo writes one (DEBUG=1 and a generated SECRET_KEY), so `manage.py` commands work in
that checkout without extra variables. A variable already in the environment always wins,
so a deployment's own settings are never overridden; the Docker image never contains a
`.env` (.dockerignore), so production still refuses to start without SECRET_KEY."""

import os
from pathlib import Path


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments are skipped, one pair of quotes is removed."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key:
            values[key] = value
    return values


def read_env_file(path: Path) -> None:
    """Add the file's variables to os.environ, leaving any that are already set alone."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    for key, value in parse_env_file(text).items():
        os.environ.setdefault(key, value)
