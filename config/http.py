"""Small HTTP helpers every app may use (config sits below every app)."""

from django.conf import settings


def absolute_url(request, path):
    """A link to `path` for an email or to copy: on SITE_URL when it is set, otherwise on the
    address this request came to (its Host header is one ALLOWED_HOSTS accepted), so the link
    opens wherever the app runs."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)
