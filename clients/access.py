"""How views reach a client: always through the signed-in trainer."""

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from .models import Client


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def get_client_for_trainer(request, pk):
    """Another trainer's client is a 404, exactly like one that does not exist."""
    return get_object_or_404(Client.objects.for_trainer(request.user), pk=pk)


def client_address(request):
    """Her address for throttling: the trusted proxy's header when one is configured."""
    forwarded = request.META.get(settings.CLIENT_IP_HEADER, "") if settings.CLIENT_IP_HEADER else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def private(response):
    """Pages that show a client's data or her link: never indexed, cached or leaked in a Referer."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
