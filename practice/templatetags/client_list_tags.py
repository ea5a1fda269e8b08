"""The client list's rows, written out directly: 25 a page, each through two includes, a filter
chain and about 25 variable lookups in the template, which were most of the page's cost. Each row
is exactly what the template it replaced drew: tests/practice/test_attention_tags.py renders that
template beside it."""

from django import template
from django.template.defaultfilters import date
from django.utils.safestring import mark_safe
from django.utils.timezone import is_aware, localtime

from assessments.templatetags.protocol_tags import verdict_badge_html
from guideline import protocol
from lib.html import text
from lib.urls import addresses

from .attention_tags import namesake

register = template.Library()


def verdict_badge(code):
    """assessments/_verdict_badge.html for a verdict code (code|as_verdict), in the trainer's words."""
    verdict = protocol.VERDICT_WORDING.get(code)
    if verdict is None:  # as the template draws a code it does not know: an empty badge, never an error
        return '<span class="badge badge--"><span aria-hidden="true"></span> </span>'
    return verdict_badge_html(verdict)


class Days(dict):
    """{{ value|date }} for a page's dates and times, each day written once (DATE_FORMAT writes the
    day alone, "j M Y", and date_format() costs ~40 µs): its datetimes by their day where she is."""

    def __missing__(self, day):
        self[day] = text(date(day))
        return self[day]

    def of(self, value):
        if value is None:
            return ""
        if hasattr(value, "hour"):  # a datetime: its day where she is, as |date converts it (USE_TZ)
            value = (localtime(value) if is_aware(value) else value).date()
        return self[value]


def row_html(client, url, many_trainers, days):
    status = client.status
    weeks = client.weeks_postpartum_today
    weeks = "" if weeks is None or weeks == "" else text(protocol.quantity(weeks, "weeks"))
    lead = (f' · <span class="client-row__lead">lead trainer {text(client.lead_name or "—")}</span>'
            if many_trainers else "")
    if status.verdict:
        assessed = (f'{verdict_badge(status.verdict)} <span class="client-row__when">assessed '
                    f'{days.of(status.assessed_on)}</span>')
    else:
        assessed = '<span class="client-row__when">Not assessed yet</span>'
    programme = (f'<span class="client-row__programme client-row__programme--{text(status.programme_status)}">Programme: '
                 f'{text(status.programme_label)}</span>' if status.programme_label else "")
    check_up = (f'<span class="client-row__due"><span aria-hidden="true">↻</span> {text(status.check_up)}</span>'
                if status.check_up else "")
    return (
        f'\n    <li class="client-row">\n'
        f'      <a class="client-row__link" href="{text(url)}">\n'
        f'        <span class="client-row__name">{text(client.full_name)}{namesake(client)}</span>\n'
        f'        <span class="client-row__meta">{weeks} after birth · last activity '
        f'{days.of(client.last_activity_at)}{lead}</span>\n'
        f'        <span class="client-row__status">\n'
        f'          {assessed}\n'
        f'          {programme}\n'
        f'          {check_up}\n'
        f'        </span>\n'
        f'      </a>\n'
        f'    </li>\n    ')


@register.simple_tag(takes_context=True)
def client_rows(context, clients):
    """A page of the client list (each client with its `status`, practice.attention.statuses_for()),
    each as an <li>; `many_trainers` in the context adds her lead trainer."""
    page = addresses("clients:detail")  # client.get_absolute_url(), reversed once for the page
    many_trainers = context.get("many_trainers")
    days = Days()
    return mark_safe("".join(row_html(client, page(client.pk), many_trainers, days) for client in clients))
