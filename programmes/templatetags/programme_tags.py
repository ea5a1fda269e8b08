from dataclasses import dataclass
from typing import Any

from django import template
from django.template.defaultfilters import capfirst
from django.template.defaulttags import CsrfTokenNode
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from lib.html import plain
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


# The plan page's card of one session, as its partial wrote it (tests/programmes/plan_before), each
# {} a value escaped as {{ value }} writes it under {% localize off %} (plain()).
CARD_HEAD = ('\n<article class="plan-session" id="session-{0}" aria-labelledby="session-{0}-heading">\n'
             '  <h3 id="session-{0}-heading">Session {1}<span class="visually-hidden">, week {2}</span></h3>\n'
             '  <ol class="plan-session__steps">\n'
             '    <li>Warm-up walk {3}</li>\n    ')
CARD_BLOCK = '<li class="plan-session__block">{}</li>'
CARD_TAIL = ('\n    <li>Cool-down walk {0}</li>\n'
             '  </ol>\n'
             '  <p class="plan-totals">Running {1} · walking {2}</p>\n  ')
CARD_SAVED = '<p class="status status--ok"><span aria-hidden="true">✓</span> Saved</p>'
CARD_EDIT = ('\n  <div class="actions actions--tight plan-session__actions">\n'
             '    <a class="button button--small" href="{0}" hx-get="{0}" hx-target="#session-{1}" hx-swap="outerHTML"{2}>'
             'Edit<span class="visually-hidden"> week {3}, session {4}</span></a>\n    ')
CARD_REMOVE = ('<form method="post" action="{0}">{1}<button class="button button--small button--danger-quiet" type="submit">'
               'Remove<span class="visually-hidden"> week {2}, session {3}</span></button></form>')


def more_than_one(count):
    """{% if count > 1 %}: false, as the tag answers, for what cannot be compared (none given)."""
    try:
        return count > 1
    except TypeError:
        return False


@register.simple_tag(takes_context=True)
def session_card(context, item):
    """The plan page's card of one session (plan_views.SessionSummary): its steps, its totals, and
    where the plan is editable its Edit link and Remove form. Built here, not by a partial: a plan of
    27 sessions included it 27 times, a quarter of drawing the page (issue 20). Every value is escaped
    as the template escaped it, and the whole marked safe only as markup made of escaped parts;
    tests/programmes/test_plans.py holds it equal, byte for byte, to the partial it replaces."""
    session = item.session
    pk, number, week = plain(session.pk), plain(session.number), plain(session.week)
    just_saved = bool(context.get("just_saved"))
    parts = [CARD_HEAD.format(pk, number, week, plain(item.warm_up))]
    parts += [CARD_BLOCK.format(plain(capfirst(block.describe()))) for block in session.blocks.all()]
    parts.append(CARD_TAIL.format(plain(item.cool_down), plain(item.running), plain(item.walking)))
    if just_saved:
        parts.append(CARD_SAVED)
    parts.append("\n  ")
    if context.get("editable"):
        parts.append(CARD_EDIT.format(plain(item.edit_url), pk, " autofocus" if just_saved else "", week, number))
        if more_than_one(context.get("session_count")):
            parts.append(CARD_REMOVE.format(plain(item.remove_url), CsrfTokenNode().render(context), week, number))
        parts.append("\n  </div>\n  ")
    parts.append("\n</article>\n")
    return mark_safe("".join(parts))
