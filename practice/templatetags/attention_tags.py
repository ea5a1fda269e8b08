"""The worklist's entries, written out directly. Home draws 20 of them and "See all" 50, each
with its reasons, actions and two forms: through the template's loops, an include and about 35
variable lookups an entry they were most of both pages' cost (about 0.3 ms an entry). Each entry
is exactly what the template it replaced drew: tests/practice/test_attention_tags.py renders
that template beside it for every kind of reason, namesake, acknowledgement and switch."""

from django import template
from django.template.defaultfilters import date
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import mark_safe

from lib.html import text

register = template.Library()


def namesake(client):
    """clients/_namesake.html: which of two clients of the same name she is."""
    if not getattr(client, "has_namesake", False):
        return ""
    if getattr(client, "has_twin", False) and client.email:
        which = text(client.email)
    else:
        which = f"baby born {text(date(client.baby_date_of_birth))}"
    return f' <span class="namesake">{which}</span>'


def entry_html(entry, csrf, hidden):
    """One entry: her name, her reasons, the last acknowledgement, the next actions, "Referral
    sent" where a reason is about a referral, and "Seen". `csrf` is {% csrf_token %} as drawn
    for the page; `hidden` the inputs that send her back to this page and switch."""
    client = entry.client
    name = text(client.full_name)
    whose = getattr(client, "whose", "")
    whose = f' <span class="attention__whose">· {text(whose)}</span>' if whose else ""
    reasons = "".join(
        f'\n        <span class="attention__reason attention__reason--{text(reason.kind)}"><span class="attention__title">'
        f'<span aria-hidden="true">{text(reason.icon)}</span> {text(reason.title)}</span>\n'
        f'          <span class="attention__detail">{text(reason.detail)}</span></span>\n        '
        for reason in entry.reasons)
    last_ack = entry.last_ack
    last_ack = f'<span class="attention__detail">{text(last_ack)}</span>' if last_ack else ""
    actions = "".join(f'<a class="button button--small button--primary" href="{text(action.url)}" aria-label="'
                      f'{text(action.label)}: {name}">{text(action.label)}</a>' for action in entry.actions)
    ack_url, fingerprint = text(entry.ack_url), text(entry.fingerprint)
    referral = (f'\n        <form method="post" action="{ack_url}">{csrf}<input type="hidden" name="kind" value="referral_sent">'
                f'<input type="hidden" name="fingerprint" value="{fingerprint}">{hidden}<button class="button button--small" '
                f'type="submit" aria-label="Referral sent for {name}">Referral sent</button></form>\n        '
                if entry.offers_referral_sent else "")
    return (
        f'\n    <li class="attention attention--{text(entry.kind)}">\n'
        f'      <a href="{text(entry.url)}{text(entry.anchor)}">\n'
        f'        <span class="attention__client">{name}{namesake(client)}{whose}</span>\n'
        f'        {reasons}\n'
        f'        {last_ack}\n'
        f'      </a>\n'
        f'      <div class="attention__actions">\n'
        f'        {actions}\n'
        f'        {referral}\n'
        f'        <form method="post" action="{ack_url}">{csrf}<input type="hidden" name="kind" value="seen">'
        f'<input type="hidden" name="fingerprint" value="{fingerprint}">{hidden}<button class="button button--small '
        f'button--quiet" type="submit" aria-label="Seen: {name}">Seen</button></form>\n'
        f'      </div>\n'
        f'    </li>\n    ')


@register.simple_tag(takes_context=True)
def attention_entries(context, entries):
    """The worklist's entries (practice.attention.Entry), each as an <li>: home's and "See all"'s.
    `back` in the context (See all's page number) and `everyone` (the switch) go with each form."""
    csrf = CsrfTokenNode().render(context)
    back, everyone = context.get("back"), context.get("everyone")
    hidden = (f'<input type="hidden" name="back" value="{text(back)}">' if back else "") + (
        '<input type="hidden" name="clients" value="all">' if everyone else "")
    return mark_safe("".join(entry_html(entry, csrf, hidden) for entry in entries))
