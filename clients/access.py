"""How views reach a client: always through the signed-in trainer."""

from django.shortcuts import get_object_or_404

from .models import Client


def get_client_for_trainer(request, pk):
    """Another trainer's client is a 404, exactly like one that does not exist."""
    return get_object_or_404(Client.objects.for_trainer(request.user), pk=pk)
