from django import template

from assessments import protocol

register = template.Library()

VERDICT_ICONS = {"refer": "⚠", "not_yet": "◔", "ready": "✓"}
VERDICT_WORDS = {"refer": "Refer", "not_yet": "Not yet", "ready": "Ready"}


@register.filter
def item_label(path):
    """"strength.calf_raise" → "Single leg calf raise"."""
    item = protocol.ITEMS.get(path)
    return item.label if item else path


@register.filter
def verdict_word(verdict):
    return VERDICT_WORDS.get(verdict, verdict)


@register.filter
def verdict_icon(verdict):
    return VERDICT_ICONS.get(verdict, "")


@register.filter
def verdict_label(verdict):
    return dict(protocol.VERDICTS).get(verdict, verdict)


@register.filter
def rule_title(rule):
    return protocol.RULES.get(rule, "")


@register.filter
def measurement(value, unit):
    """A measured value with its unit, or "not tested"."""
    if value is None:
        return "not tested"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value} {unit}".strip()


REASON_KINDS = {"red_flag": "Red flag", "too_early": "Too early", "unmet": "Not met", "not_assessed": "Not assessed"}


@register.filter
def reason_kind(kind):
    return REASON_KINDS.get(kind, kind)


@register.filter
def findings(reasons):
    """Reasons other than "not assessed": what the trainer found."""
    return [reason for reason in reasons if reason.kind != "not_assessed"]


@register.filter
def still_to_assess(reasons):
    return [reason for reason in reasons if reason.kind == "not_assessed"]
