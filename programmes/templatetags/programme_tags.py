from django import template

from programmes.models import format_duration
from programmes.progression import symptom_names

register = template.Library()


@register.filter
def duration(seconds):
    return format_duration(seconds)


@register.filter
def minutes(seconds):
    """Whole or half minutes, as a trainer reads a plan: 90 → "1.5"."""
    value = round(seconds / 60, 1)
    return f"{value:g}"


@register.filter
def symptom_labels(codes, reader="trainer"):
    """Symptom codes in words: {{ log.symptoms|symptom_labels }}, or hers with :"client"."""
    text = symptom_names(codes, reader)
    return text[:1].upper() + text[1:]
