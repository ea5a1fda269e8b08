"""How views reach a client: always through the signed-in trainer."""

import ipaddress

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


def private(response):
    """Pages that show a client's data or her link: never indexed, cached or leaked in a Referer."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
