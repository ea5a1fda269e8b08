"""Small HTTP helpers every app may use (lib sits below every app)."""

import ipaddress
from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# A view function: a request (and the URL's arguments) in, a response out.
type View = Callable[..., HttpResponseBase]


def absolute_url(request: HttpRequest, path: str) -> str:
    """A link to `path` for an email or to copy: on SITE_URL when it is set, otherwise on the
    address this request came to (its Host header is one ALLOWED_HOSTS accepted), so the link
    opens wherever the app runs."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)


def client_address(request: HttpRequest | None) -> str | None:
    """The visitor's address, for sign-in lockout, link throttling and rate limits.

    Each of the TRUSTED_PROXY_COUNT proxies in front appends the address it received the
    request from to X-Forwarded-For; anything to the left of those entries was written by the
    visitor and proves nothing. So the address is the right-most entry no trusted proxy could
    have written: the N-th from the right. With no proxies, the connection's own address."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer hops than proxies: the request skipped the outer ones, and the left-most hop is
    # the one a trusted proxy wrote.
    candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        # Lockout stores it in an address column: anything else would be a database error.
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def private[R: HttpResponseBase](response: R) -> R:
    """Pages that show a client's data or her link: never indexed, cached or leaked in a Referer."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def csrf_cookie_on_this_path(view: View) -> View:
    """CSRF for a form that has no account behind it (her private link): the CSRF cookie this
    view sets is scoped to its own path and sent only from the same site (SameSite=Strict),
    instead of Django's site-wide CSRF_COOKIE_PATH. CsrfViewMiddleware still checks every
    POST against it; it just does not set its own, site-wide copy afterwards."""

    @wraps(view)
    def scoped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not settings.CSRF_USE_SESSIONS:
            response.set_cookie(
                settings.CSRF_COOKIE_NAME, request.META["CSRF_COOKIE"], max_age=settings.CSRF_COOKIE_AGE,
                domain=settings.CSRF_COOKIE_DOMAIN, path=request.path, secure=settings.CSRF_COOKIE_SECURE,
                httponly=settings.CSRF_COOKIE_HTTPONLY, samesite="Strict",
            )
            patch_vary_headers(response, ("Cookie",))
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response

    return scoped


def query_number(request: HttpRequest, name: str) -> int | None:
    """?name=N as a whole number, or None when absent, not a number or too long to be an id.
    ASCII digits only: str.isdigit() also accepts "²" and "①", which int() then refuses."""
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def query_string(**params: str) -> str:
    """The params that have a value, in the order given, as a link's query ("q=rose%20%26%20co&show=archived"),
    for a pager to keep in front of its page number. Each value is quoted as the |urlencode filter
    quotes it (a space as %20, "/" left as it is), so links read as they did when templates wrote them."""
    return "&".join(f"{name}={quote(value)}" for name, value in params.items() if value)
