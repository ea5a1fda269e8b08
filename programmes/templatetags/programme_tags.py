from django import template

from programmes.forms import HER_SYMPTOM_CHOICES, SYMPTOM_CHOICES
from programmes.models import format_duration

register = template.Library()


@register.filter
def duration(seconds):
    return format_duration(seconds)


@register.filter
def minutes(seconds):
    """Whole or half minutes, as a trainer reads a plan: 90 → "1.5"."""
    value = round(seconds / 60, 1)
    return f"{value:g}"


# The log form's own words for each symptom, for the trainer's tables and hers.
LABELS = {reader: {code: label for _, group in choices for code, label in group}
          for reader, choices in (("trainer", SYMPTOM_CHOICES), ("client", HER_SYMPTOM_CHOICES))}


@register.filter
def symptom_labels(codes, reader="trainer"):
    """Symptom codes as the log form words them: {{ log.symptoms|symptom_labels }}, or hers with :"client"."""
    order = list(LABELS[reader])
    return ", ".join(LABELS[reader].get(code, code) for code in sorted(codes, key=lambda c: order.index(c) if c in order else len(order)))
