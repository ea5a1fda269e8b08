"""Writing HTML directly, where a template loop cost a page most of its time (issue 20)."""

from html import escape

from django.utils.formats import localize
from django.utils.html import conditional_escape


def text(value):
    """{{ value }}: localised and escaped as the template engine does (plain text, the usual case,
    straight to html.escape(), which django.utils.html.escape() wraps)."""
    return escape(value) if type(value) is str else conditional_escape(localize(value))


def plain(value):
    """{{ value }} under {% localize off %}: an int as str() writes it, a str escaped unless it is
    marked safe, anything else as localize() writes it without localisation, then escaped. Not for
    an aware datetime: {{ }} would write it in local time (template_localtime), this in UTC."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return escape(value)
    return conditional_escape(localize(value, use_l10n=False))
