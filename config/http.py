"""Small HTTP helpers every app may use (config sits below every app)."""

from functools import wraps

from django.conf import settings
from django.utils.cache import patch_vary_headers


def absolute_url(request, path):
    """A link to `path` for an email or to copy: on SITE_URL when it is set, otherwise on the
    address this request came to (its Host header is one ALLOWED_HOSTS accepted), so the link
    opens wherever the app runs."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)


def csrf_cookie_on_this_path(view):
    """CSRF for a form that has no account behind it (her private link): the CSRF cookie this
    view sets is scoped to its own path and sent only from the same site (SameSite=Strict),
    instead of Django's site-wide CSRF_COOKIE_PATH. CsrfViewMiddleware still checks every
    POST against it; it just does not set its own, site-wide copy afterwards."""

    @wraps(view)
    def scoped(request, *args, **kwargs):
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
