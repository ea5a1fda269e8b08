"""Her progress page and her PDF report: what each shows, put together here, one builder for both,
so the page and the report always agree.

What they say to her is reports/her_words.py (her check-up's headline and next steps, her results,
where her programme stands); her trends and charts are reports/trends.py. Her programme is asked
once for each page: one snapshot (programmes/snapshot.py) that the words, the charts and the
templates read."""

from functools import cache

from django.db.models import Q
from django.utils import timezone

from assessments.models import Assessment
from guideline import protocol
from lib.queries import Written, read
from programmes import wellbeing
from programmes.models import red_flags_of
from programmes.snapshot import current_snapshot
from programmes.strength import current_strength_plan, paused_words
from programmes.strength_rules import SYMPTOM_ADVICE_FOR_HER

from . import her_words, trends

HISTORY_SHOWN = 12  # assessments in her charts and timeline; earlier ones are summarised in a sentence


def up_to(assessment):
    """Her assessments up to and including this one, in (date, id) order."""
    return Q(assessed_on__lt=assessment.assessed_on) | Q(assessed_on=assessment.assessed_on, pk__lte=assessment.pk)


@cache  # the table's columns do not change while running
def history_statement(bounded):
    """Her latest assessments (LIMIT %s), newest first, each with how many she has and her first
    one's date, up to an assessment when `bounded` (its date and id: a report shows her history as
    it stood then). Written out: the window totals cost more to compile as expressions (about 1 ms)
    than the whole read costs to run, on every drawing of her page and her report (issue 20); its
    rows built as the ORM builds them (lib/queries.py Written), where Assessment.objects.raw() cost
    a third of the read again mapping its columns to the model's on every drawing."""
    assessment = Written(Assessment, "a")
    bound = ' AND (a."assessed_on" < %s OR (a."assessed_on" = %s AND a."id" <= %s))' if bounded else ""  # up_to()
    return assessment, (f'SELECT {assessment.columns}, COUNT(*) OVER (), MIN(a."assessed_on") OVER () FROM {assessment.table} '
                        f'WHERE a."client_id" = %s{bound} ORDER BY a."assessed_on" DESC, a."id" DESC LIMIT %s')


def recent_history(client, assessment=None):
    """(her latest HISTORY_SHOWN assessments up to `assessment`, or her latest, in (date, id) order;
    how many came before them and since when, or None). One query, bounded in her history: the
    page and the report cost the same after 300 assessments as after 12."""
    params = [client.pk]
    if assessment is not None:
        params += [assessment.assessed_on, assessment.assessed_on, assessment.pk]
    written, sql = history_statement(assessment is not None)
    rows = read(sql, [*params, HISTORY_SHOWN], written)
    assessments = []
    for each, _ in reversed(rows):
        each.client = client  # hers, as client.assessments sets it
        assessments.append(each)
    earlier = None
    if rows:
        _, (count, first) = rows[0]  # how many she has, and her first one's date, on every row
        if count > len(assessments):
            # A date as its column reads it (SQLite answers a window's date as text).
            earlier = {"count": count - len(assessments), "first": Assessment._meta.get_field("assessed_on").to_python(first)}
    return assessments, earlier


def client_progress(client, assessment=None, today=None, record=False, logged=None):
    """Everything her page or a report shows. With `assessment`, the report of that one
    (charts up to it); without, her latest. A `record` is the report of an assessment that is
    no longer her latest, as on the day of it: `today` is its date and no programme is shown
    (reports/pdf.py report_html). `logged`: the session she has just logged (her page's ?logged=N)."""
    if record:
        today = assessment.assessed_on
    today = today or timezone.localdate()
    assessments, earlier = recent_history(client, assessment)
    latest = assessments[-1] if assessments else None
    # Her programme, asked once: her words, her charts and the templates read this snapshot. Who may
    # run reads her latest assessment: here it is already loaded, unless this is an older report.
    snapshot = None if record else current_snapshot(client, today, latest if assessment is None else None, logged,
                                                       blocks=False)
    # Red flags open on her record (DOMAIN.md "Open red flags"), as of today: not on a record of an older day.
    red_flags = () if record else snapshot.red_flags if snapshot else red_flags_of(client)
    context = {"client": client, "trainer": client.trainer, "studio": client.studio, "assessments": assessments, "latest": latest,
               "timeline": her_words.check_ups(assessments), "earlier": earlier, "snapshot": snapshot, "today": today,
               "record": record, "citation": protocol.GUIDELINE_CITATION, "red_flags": red_flags}
    if latest:
        context.update(her_words.check_up_words(latest, red_flags, snapshot is not None and snapshot.decision.code == "overridden"))
    if snapshot:
        context.update(standing=her_words.programme_standing(snapshot), running_chart=trends.weekly_running_chart(snapshot),
                       wellbeing_chart=trends.weekly_wellbeing_chart(snapshot))
    if not record:
        # Read only if she has one, when her row says (her page reads it with her link: reports/views.py).
        strength_plan = current_strength_plan(client, today) if getattr(client, "has_strength_plan", True) else None
        context.update(strength_plan=strength_plan, strength_paused=paused_words(client, "client"),
                       strength_advice=SYMPTOM_ADVICE_FOR_HER)
    if latest:
        context["trends"] = trends.trend_groups(assessments, context.get("running_chart"), context.get("wellbeing_chart"))
        # Only for her with strength work (a current plan, or a past day's record): no query for the others.
        if (record or context.get("strength_plan")) and (
                between := trends.strength_sessions_between(client, [a.assessed_on for a in assessments])):
            context["trends"][0]["note"] = between
    return context


# --- Her report: two pages (issue 22) -------------------------------------------------------------
# Page 1 is for acting on: the outcome, what to do next, her programme and next session, her headline
# trends and where to get help. Page 2 is the record: her results, only the columns that say
# something, her cautions and the charts that show a trend.


def report_context(client, assessment, today, record=False):
    """Everything her PDF report shows: her page's context (client_progress) and what the report adds."""
    context = client_progress(client, assessment, today, record=record)
    context.update(report_page_context(context))
    return context


def report_page_context(context):
    """What her report adds to her page's context: the headline trends for page 1, and for page 2
    her results as they read best in print and the charts that show a trend (two or more numbers)."""
    focus = {area.code.split(".")[1] for area in context["result"].focus_areas} if "result" in context else set()
    return {"results": her_words.results_for_report(context.get("tables", [])),
            **trends.report_trends(context.get("trends", []), focus)}


# --- The top of her page: where she stands and her next step (issue 13) -------------------
# The page's first screen on her phone; the log form behind its "Log it" button reads the same
# words (her_words.her_logging_refusal).


def her_page(client, logged=None):
    """Everything her page shows: her progress (client_progress) and its first screen (her_top).
    `logged`: the sequence number of the session she has just logged (?logged=N, read by the view)."""
    context = client_progress(client, logged=logged)
    context["top"] = her_top(client, context["snapshot"], context["latest"], context["red_flags"])
    return context


def her_top(client, snapshot, latest, red_flags=()):
    """The first screen of her page: greeting, where she stands, her next session with "Log
    it", and the outcome of the session she has just logged (the snapshot's logged_outcome)."""
    sentence, detail = her_words.her_status(snapshot, latest, red_flags)
    top = {"first_name": client.first_name, "status": sentence, "status_detail": detail,
           "can_self_log": False, "next_session": None, "logged_outcome": None, "recent_logs": [], "recovery": ""}
    if snapshot is None:
        return top
    top["can_self_log"] = not her_words.her_logging_refusal(client, snapshot)
    if snapshot.can_log and (session := snapshot.next_session):
        top["next_session"] = {"week": session.week, "number": session.number, "words": session.in_words(),
                               "on": snapshot.schedule[0] if snapshot.schedule else None}
    top["logged_outcome"] = snapshot.logged_outcome
    top["recent_logs"] = list(snapshot.recent_logs[:3])
    # Never a gate (DOMAIN.md rule 6): a suggestion beside her next session.
    top["recovery"] = wellbeing.RECOVERY_FOR_HER if snapshot.can_log and snapshot.recovery_check else ""
    return top
