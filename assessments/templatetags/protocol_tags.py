"""Template access to the one protocol definition: labels, answers, verdict words and icons,
targets, plurals and signposts all come from `guideline.protocol`, never from a template."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from assessments.readiness import worded
from guideline import protocol
from lib.html import plain
from lib.urls import addresses

register = template.Library()


@register.filter
def item_label(path):
    """"strength.calf_raise" → "Single leg calf raise"."""
    item = protocol.ITEMS.get(path)
    return item.label if item else path


def _verdict(verdict):
    return protocol.VERDICT_WORDING.get(verdict)


@register.filter
def as_verdict(code):
    """A verdict code as its protocol.Verdict (word, icon, label), for the verdict badge."""
    return _verdict(code)


@register.filter
def verdict_word(verdict):
    return _verdict(verdict).word if _verdict(verdict) else verdict


@register.filter
def verdict_icon(verdict):
    return _verdict(verdict).icon if _verdict(verdict) else ""


@register.filter
def verdict_label(verdict):
    return _verdict(verdict).label if _verdict(verdict) else verdict


def _red_flag_codes(result):
    return [reason.code.removeprefix("symptoms.") for reason in result.reasons if reason.kind == "red_flag"]


@register.filter
def referral_to(result):
    """Who her red flags send her to: "the GP or a midwife"."""
    return protocol.referral_to(_red_flag_codes(result))


@register.filter
def verdict_heading(result):
    """The verdict's label, naming the right people when it is a referral."""
    if result.verdict == "refer":
        return f"{protocol.VERDICT_WORDING['refer'].word}: see {referral_to(result)}"
    return verdict_label(result.verdict)


@register.filter
def rule_title(rule):
    return protocol.RULES.get(rule, "")


@register.filter
def quantity(value, unit):
    """{{ weeks|quantity:"weeks" }} → "1 week", "14 weeks"."""
    if value is None or value == "":
        return ""
    return protocol.quantity(value, unit)


@register.filter
def profile_answer(value):
    """A yes/no field of the client record: "Yes", "No" or "Not asked"."""
    return protocol.PROFILE_ANSWERS.word(value)


REASON_KINDS = {"red_flag": "Red flag", "too_early": "Too early", "unmet": "Not met", "not_assessed": "Not assessed"}
# The same, in her words (her report).
REASON_KINDS_FOR_HER = {"red_flag": "See someone first", "too_early": "Too early", "unmet": "Still to build",
                        "not_assessed": "Still to check"}


@register.filter
def reason_kind(kind, reader="trainer"):
    return (REASON_KINDS_FOR_HER if reader == "client" else REASON_KINDS).get(kind, kind)


@register.filter
def for_reader(finding, reader):
    """A reason or caution written for "trainer", "client" or "clinician" (the route changes)."""
    return worded(finding, reader)


@register.filter
def signpost_text(signpost, reader):
    """A route on its own line of a "where to get help" list (further routes have their own line)."""
    return signpost.text(reader, with_also=False)


@register.simple_tag
def signposts():
    """Every route, for a "where to get help" list (the warning signs together, first)."""
    return list(protocol.HELP_LIST)


@register.simple_tag
def wording(name):
    """A named piece of protocol wording: {% wording "STRENGTH_TARGET_TEXT" %}."""
    if name not in {"STRENGTH_TARGET_TEXT", "MIN_WEEKS_TEXT", "RUNNING_TIMELINE", "NOT_TESTED", "SESSION_ADVICE_FOR_HER",
                    "SESSION_ADVICE_FOR_TRAINER"}:
        raise template.TemplateSyntaxError(f"No protocol wording called {name!r}")
    return getattr(protocol, name)


@register.filter
def findings(reasons):
    """Reasons other than "not assessed": what the trainer found."""
    return [reason for reason in reasons if reason.kind != "not_assessed"]


@register.filter
def still_to_assess(reasons):
    return [reason for reason in reasons if reason.kind == "not_assessed"]


@dataclass(frozen=True)
class AssessmentRow:
    assessment: Any
    url: str  # its studio (Assessment.get_absolute_url())
    on: str  # its date as {{ assessment.assessed_on|date }} writes it


@register.simple_tag
def assessment_rows(assessments):
    """Each listed assessment with its address and its date, each worked out once: the table and
    the compare form's two lists read them (issue 20: 12 rows reversed 12 addresses and wrote 36
    dates through |date, most of the table's cost on her page)."""
    url = addresses("assessments:studio")
    return [AssessmentRow(a, url(a.pk), date_format(a.assessed_on)) for a in assessments]


# The assessments table's row and the verdict badge it included, as _table.html and _verdict_badge.html
# wrote them under {% localize off %} (tests/assessments/table_before), each {} a value escaped by plain().
ASSESSMENT_ROW = ('\n    <tr>\n      <td><a href="{0}">{1}</a></td>\n      <td>{2}</td>\n      <td>{3}</td>\n'
                  '      <td>{4}</td>\n      <td><a href="{0}">Open<span class="visually-hidden"> the assessment of {1}</span></a>'
                  '</td>\n    </tr>\n    ')
VERDICT_BADGE = '<span class="badge badge--{}"><span aria-hidden="true">{}</span> {}</span>'


def verdict_badge_html(verdict):
    """assessments/_verdict_badge.html for a protocol.Verdict, written out: the assessments table's
    rows and the client list's (practice/templatetags/client_list_tags.py) draw it so."""
    return VERDICT_BADGE.format(plain(verdict.code), plain(verdict.icon), plain(verdict.word))


@register.simple_tag
def assessment_table_rows(rows):
    """The assessments table's rows (assessment_rows()): each its date, weeks after birth, verdict
    badge and recorder, built here where the table looped and included the badge once a row (issue 20:
    her page's 12 rows were a quarter of its drawing). Every value escaped as the template escaped
    it, the whole marked safe only as markup made of escaped parts."""
    parts = []
    for row in rows:
        assessment, url, on = row.assessment, plain(row.url), plain(row.on)
        badge = verdict_badge_html(assessment.verdict_wording)
        parts.append(ASSESSMENT_ROW.format(url, on, plain(assessment.weeks_postpartum), badge,
                                           plain(assessment.recorded_by or "—")))
    return mark_safe("".join(parts))


@register.simple_tag
def assessment_options(rows, selected):
    """The compare form's choice of assessments (assessment_rows()), the `selected`th (from 1) chosen."""
    return mark_safe("".join(
        f'<option value="{plain(row.assessment.pk)}"{" selected" if number == selected else ""}>{plain(row.on)}</option>'
        for number, row in enumerate(rows, start=1)))
