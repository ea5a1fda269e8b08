from django import template

from audit.models import AccessEvent

register = template.Library()


@register.simple_tag
def last_link_visit(client):
    """When she last opened her progress page or report through her private link."""
    return AccessEvent.objects.filter(client=client, via_link=True).only("at").first()


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
