"""How views reach an assessment: always through the signed-in trainer."""

from django.shortcuts import get_object_or_404

from .models import Assessment


def get_assessment_for_trainer(request, pk):
    return get_object_or_404(Assessment.objects.for_trainer(request.user).select_related("client"), pk=pk)
