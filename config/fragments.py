"""Whole signed-in pages cached by what they show, safely.

A page is drawn once for a key naming everything it shows (her data version from
clients/versions.py, the day, the path, who is signed in, the code) and served from the shared
cache after that. Two things differ on every response and are never stored: the form's CSRF
token and the CSP nonce. The page is drawn with unguessable stand-ins for them, and each
response puts its own session's token and its own nonce in their place. A request with
messages waiting is drawn afresh, as is anything but a GET or HEAD.
"""

import hashlib
import hmac
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache as django_cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.middleware.csp import get_nonce
from django.template.loader import render_to_string

TIMEOUT = 60 * 60 * 24  # a day; her pieces are also listed under her, so erasing her removes them
ROOT = Path(__file__).resolve().parent.parent


def stand_in(name):
    # Unguessable, so nothing a trainer types can ask for a token or nonce to be put in its place.
    digest = hmac.new(settings.SECRET_KEY.encode(), f"fragment-stand-in-{name}".encode(), hashlib.sha256).hexdigest()
    return f"{name}{digest[:24]}"


@cache
def code_version():
    """Every template, static file and module of the project (not the tests), hashed once per
    process: a deploy that changes any of them may change what a page or a report shows, so
    cached pages and stored reports' stamps (reports/pdf.py) start afresh."""
    from django.apps import apps

    folders = {ROOT / "templates", ROOT / "static", ROOT / "config"}
    folders |= {Path(app.path) for app in apps.get_app_configs() if Path(app.path).is_relative_to(ROOT)}
    digest = hashlib.sha256()
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".txt", ".css", ".svg"}:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def client_keys_key(client_pk):
    return f"report-keys:{client_pk}"


def remember_for_client(client_pk, key):
    """List a cached piece of her data under her, so erasing her can remove it (privacy/erasure.py)."""
    keys = django_cache.get(client_keys_key(client_pk), [])
    django_cache.set(client_keys_key(client_pk), [*keys[-500:], key], timeout=TIMEOUT)


def cached_page(request, template_name, parts, build_context, *, client_pk=None, viewer=None):
    """The page `template_name` for these key `parts`, drawn by `build_context()` only when it
    is not in the cache. `client_pk` (one, a list, or a function of the drawn context giving a
    list) lists the page under the clients it shows, for erasure; `viewer` names who sees it when nobody is signed in (her private link)."""
    if request.method not in ("GET", "HEAD") or len(messages.get_messages(request)):
        return HttpResponse(render_to_string(template_name, build_context(), request))
    who = request.user.pk if request.user.is_authenticated else f"viewer:{viewer}"
    # The path, not the query string: each view puts the query values it reads, checked, in
    # `parts`, so ?utm=… or a number that names nothing cannot fill the cache with copies.
    text = "|".join(map(str, [code_version(), template_name, request.get_host(), request.path, who,
                              bool(getattr(request, "htmx", False)), *parts]))
    key = "page:" + hashlib.sha256(text.encode()).hexdigest()[:40]
    csrf, nonce = stand_in("csrf"), stand_in("nonce")
    html = django_cache.get(key)
    if html is None:
        context = {**build_context(), "csrf_token": csrf, "csp_nonce": nonce}
        html = render_to_string(template_name, context, request)
        django_cache.set(key, html, TIMEOUT)
        if callable(client_pk):
            client_pk = client_pk(context)
        for pk in client_pk if isinstance(client_pk, list) else [client_pk]:
            if pk is not None:
                remember_for_client(pk, key)
    if csrf in html:
        html = html.replace(csrf, get_token(request))
    if nonce in html:
        real = get_nonce(request)
        html = html.replace(nonce, str(real) if real is not None else "")
    return HttpResponse(html)
