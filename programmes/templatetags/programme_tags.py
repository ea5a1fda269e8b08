from django import template

from programmes.forms import SYMPTOM_CHOICES
from programmes.models import format_duration

register = template.Library()
SYMPTOM_LABELS = dict(SYMPTOM_CHOICES)


@register.filter
def duration(seconds):
    return format_duration(seconds)


@register.filter
def minutes(seconds):
    """Whole or half minutes, as a trainer reads a plan: 90 → "1.5"."""
    value = round(seconds / 60, 1)
    return f"{value:g}"


@register.filter
def symptom_labels(codes):
    return ", ".join(SYMPTOM_LABELS.get(code, code) for code in codes)
