"""How views reach an assessment: always through the signed-in trainer."""

from django.shortcuts import get_object_or_404

from .models import Assessment


def get_assessment_for_trainer(request, pk, *related):
    """Hers, with her client row and any other `related` rows the page reads."""
    return get_object_or_404(Assessment.objects.for_trainer(request.user).select_related("client", *related), pk=pk)
