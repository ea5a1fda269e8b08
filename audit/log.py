"""Writing the access log. One call per view; nothing here ever reads or changes a row."""

from django.utils import timezone

from lib import http

from .models import AccessEvent


def client_address(request):
    """The trusted client address (TRUSTED_PROXY_COUNT), never one the visitor wrote."""
    return http.client_address(request) or None


def describe(obj):
    """A short, name-free description of what was touched ("Assessment of 26 Nov 2026")."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj[:200]
    if hasattr(obj, "assessed_on"):
        return f"Assessment of {obj.assessed_on:%-d %b %Y}"[:200]
    return f"{obj._meta.verbose_name.capitalize()} #{obj.pk}"[:200]


def actor_name(user):
    """Who did it, as the log keeps it: her name then, whatever happens to her account later."""
    return str(user)[:150] if user is not None else ""


def record(request, client, kind, obj=None, *, studio_id=None):
    """A signed-in trainer saw or changed something about `client` (None: nobody in particular),
    in the log of her client's studio (or, about nobody, `studio_id`'s, else her own studio's:
    leaving a studio is written in the log of the studio she left)."""
    user = request.user if request.user.is_authenticated else None
    if studio_id is None:
        studio_id = client.studio_id if client is not None else getattr(user, "studio_id", None)
    return AccessEvent.objects.create(
        trainer_id=client.trainer_id if client is not None else getattr(user, "pk", None),
        studio_id=studio_id,
        actor=user, actor_name=actor_name(user), client=client, kind=kind,
        target=describe(obj), address=client_address(request), at=timezone.now(),
    )


def record_link(request, client, kind, obj=None):
    """She opened something through her private link."""
    return AccessEvent.objects.create(
        trainer_id=client.trainer_id, studio_id=client.studio_id, via_link=True, client=client, kind=kind,
        target=describe(obj), address=client_address(request), at=timezone.now(),
    )
