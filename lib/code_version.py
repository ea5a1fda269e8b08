"""The project's code, hashed: what a stored report's stamp (reports/pdf.py) names besides her data."""

import hashlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@cache
def code_version():
    """Every template, static file and module of the project (not the tests), hashed once per
    process: a deploy that changes any of them may change what a report shows, so stored
    reports' stamps (reports/pdf.py) start afresh."""
    from django.apps import apps

    folders = {ROOT / "templates", ROOT / "static", ROOT / "config", ROOT / "lib", ROOT / "guideline"}
    folders |= {Path(app.path) for app in apps.get_app_configs() if Path(app.path).is_relative_to(ROOT)}
    digest = hashlib.sha256()
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".txt", ".css", ".svg"}:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
