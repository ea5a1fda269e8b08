"""Settings' environment: the typed readers (`envbool`, `envint`, `envlist`), and a development
checkout's `.env` read into the environment before settings read it.

bin/demo writes one (DEBUG=1 and a generated SECRET_KEY), so `manage.py` commands work in
that checkout without extra variables. A variable already in the environment always wins,
so a deployment's own settings are never overridden; the Docker image never contains a
`.env` (.dockerignore), so production still refuses to start without SECRET_KEY."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def envbool(name: str, default: bool) -> bool:
    """A clear true or false (1/0, true/false, yes/no, on/off, any case); unset or empty: the
    default. Anything else stops start-up: a typo such as EMAIL_USE_TLS=ture must not quietly
    turn TLS off."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is neither true nor false: use one of {', '.join(TRUE_WORDS + FALSE_WORDS)}."
    )


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None else int(value)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


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
