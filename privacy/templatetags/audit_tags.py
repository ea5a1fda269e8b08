from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from audit.models import KINDS
from lib.html import text
from lib.urls import addresses

register = template.Library()


@register.simple_tag
def current_consent():
    """The consent wording to read to her now, with its version (clients/consent.py)."""
    from clients import consent

    return {"version": consent.CURRENT, "text": consent.wording(consent.CURRENT)}


@register.simple_tag
def erasure_date(client):
    """When an archived client's data will be erased (privacy/erasure.py); None if she is current."""
    from privacy.erasure import erasure_date as date_for

    return date_for(client)


@dataclass(frozen=True)
class EventRow:
    event: Any
    at: str  # when, as {{ event.at|date:"j M Y, H:i" }} writes it (in the site's time zone)
    client_url: str  # her activity page; "" for an event about nobody in particular

    @property
    def what(self):
        """event.get_kind_display(), from a dict made once: Django's makes one from every kind for each call."""
        return KIND_LABELS.get(self.event.kind, self.event.kind)


@register.simple_tag
def event_rows(events):
    """The access log's rows, each with its time written and its client's activity address, worked
    out once for the page (issue 20: each of 50 rows wrote its time through |date and reversed
    the address, half the cost of the access log)."""
    activity, days = addresses("audit:client_activity"), {}

    def written(at):
        """EVENT_TIME: its day written once for the page (date_format() costs ~40 µs), then its time."""
        at = localtime(at)
        day = days.get(at.date()) or days.setdefault(at.date(), date_format(at, EVENT_DAY))
        return f"{day}, {at:%H:%M}"

    return [EventRow(event, written(event.at), activity(event.client_id) if event.client_id else "") for event in events]


EVENT_TIME = "j M Y, H:i"  # as EVENT_DAY, then the hour and minute (H:i), as event_rows() writes it
EVENT_DAY = "j M Y"
KIND_LABELS = {kind: str(label) for kind, label in KINDS}


@register.simple_tag(takes_context=True)
def event_table_rows(context, events):
    """The access log's rows (event_rows()), written out: 50 a page, each through a {% with %} and
    a dozen lookups in the template, a fifth of the page's cost. `show_client` in the context adds
    the client column. Exactly what the template's loop drew: tests/audit/test_audit.py renders
    that loop beside it."""
    show_client = context.get("show_client")
    rows = []
    for row in event_rows(events):
        event = row.event
        target = f'<br><span class="help">{text(event.target)}</span>' if event.target else ""
        client = ""
        if show_client:
            found = event.client
            client = (f'<td><a href="{text(row.client_url)}">{text(found.full_name)}</a></td>' if found else "<td>—</td>")
        rows.append(
            f"\n    <tr>\n      <td>{text(row.at)}</td>\n      <td>{text(event.who)}</td>\n"
            f"      <td>{text(row.what)}{target}</td>\n      {client}\n      <td>{text(event.address or '—')}</td>\n"
            f"    </tr>\n    ")
    return mark_safe("".join(rows))
