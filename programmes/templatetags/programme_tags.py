from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.formats import date_format

from lib.urls import addresses
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


@dataclass(frozen=True)
class LogRow:
    log: Any
    on: str  # its date as {{ log.done_on|date }} writes it
    correct_url: str
    delete_url: str


@register.simple_tag
def log_rows(programme, logs):
    """The card's recent sessions, each with its date and its Correct and Delete addresses worked out
    once (issue 20: each row reversed two addresses and wrote its date twice through |date)."""
    correct, delete = addresses("programmes:log_correct", programme.pk), addresses("programmes:log_delete", programme.pk)
    return [LogRow(log, date_format(log.done_on), correct(log.pk), delete(log.pk)) for log in logs]
