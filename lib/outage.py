"""When things break: a friendly 500, a 503 while the database is unreachable, and /healthz."""

import logging
import sys
import uuid

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def standalone_page(template, status):
    # Rendered without the request: no context processor, no session, no user, no database.
    response = HttpResponse(render_to_string(template), status=status)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable():
    response = standalone_page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_outage(get_response):
    """A database that cannot be reached (a restart, a failover, a full connection table) is a
    503 with Retry-After, not a 500: the request was fine and will work again shortly."""

    def middleware(request):
        return get_response(request)

    def process_exception(request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("Database unavailable: %s", exception.__class__.__name__)
            return database_unavailable()
        return None

    middleware.process_exception = process_exception
    return middleware


def server_error(request):
    """handler500. Also reached when the database fails outside a view (loading the session,
    saving it), where no middleware's process_exception sees it."""
    if isinstance(sys.exception(), DATABASE_ERRORS):
        return database_unavailable()
    return standalone_page("500.html", 500)


def health(get_response):
    """/healthz, for the container's health check and load balancers: answered before any other
    middleware, so it needs no allowed Host, no HTTPS and no session. The database down is the
    app down (503); the cache down only makes it slower, so it is "degraded" and still 200: a
    load balancer must not take every server out because Redis restarted."""

    def middleware(request):
        if request.path != "/healthz":
            return get_response(request)
        checks = {"database": check_database(), "cache": check_cache()}
        if checks["database"] != "ok":
            status, code = "unavailable", 503
        else:
            status, code = ("ok" if checks["cache"] == "ok" else "degraded"), 200
        response = JsonResponse({"status": status, **checks}, status=code)
        response["Cache-Control"] = "no-store"
        if code == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    return middleware


def check_database():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_ERRORS:
        return "unavailable"
    return "ok"


def check_cache():
    if hasattr(cache, "available"):  # the shared Redis (config/cache.py): asked past its outage pause
        return "ok" if cache.available() else "unavailable"
    key, value = "healthz", uuid.uuid4().hex
    try:
        cache.set(key, value, 10)
        return "ok" if cache.get(key) == value else "unavailable"
    except Exception:  # any other backend's connection error: the check must answer, not raise
        logger.warning("Cache unavailable", exc_info=True)
        return "unavailable"
