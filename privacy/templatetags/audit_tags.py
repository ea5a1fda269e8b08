from django import template

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
