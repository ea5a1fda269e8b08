"""How views reach a client: always through the signed-in trainer's studio."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django_htmx.http import HttpResponseClientRedirect

from .models import Client


def get_client_for_trainer(request, pk):
    """Another studio's client is a 404, exactly like one that does not exist; every member of
    hers works with her, whoever leads her."""
    return get_object_or_404(Client.objects.for_trainer(request.user), pk=pk)


def consent_missing(request, client):
    """None when she has consented; otherwise the refusal to return: back to her page, saying why."""
    if client.has_consent:
        return None
    messages.error(request, "Record her consent to hold health data before recording anything about her health.")
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(client.get_absolute_url())
    return redirect(client)
