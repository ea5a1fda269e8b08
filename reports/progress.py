"""What a client's progress page and PDF report show, in plain words for her.

One builder for both, so the page and the report always agree."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Min, Q, Window
from django.utils import timezone

from assessments import readiness
from guideline import protocol
from programmes import progression, wellbeing
from programmes.models import current_programme_of, red_flags_of
from programmes.strength import StrengthLog, current_strength_plan, paused_words
from programmes.strength_rules import SYMPTOM_ADVICE_FOR_HER

from . import charts

HEADLINES = {
    "ready": (
        "Ready for a graded return to running",
        "Start with the walk–run programme your trainer sets: short runs with walking breaks, building week by week. "
        "Not straight to continuous running.",
    ),
    "not_yet": (
        protocol.VERDICT_WORDING["not_yet"].label,
        "You are not ready to run yet, and that is normal at this stage. Keep up the work below; your trainer will "
        "check again.",
    ),
    # Who to see depends on what she mentioned (bleeding goes to the GP or midwife): the
    # first of her next steps names the route for each symptom.
    "refer": (
        "Please see a health professional before you run",
        "Something you mentioned needs checking before you run: your next steps below say who to see. "
        "This is not a diagnosis.",
    ),
}


# Each check-up's outcome in a few words for her list of check-ups ("Refer" is the trainer's word).
OUTCOME_FOR_HER = {
    "refer": "See a health professional first",
    "not_yet": protocol.VERDICT_WORDING["not_yet"].label,
    "ready": "Ready for a graded return",
}


def check_ups(assessments):
    """Her check-ups, latest first, each with its outcome in her words."""
    return [{"assessment": a, "outcome": OUTCOME_FOR_HER[a.verdict]} for a in reversed(assessments)]


HISTORY_SHOWN = 12  # assessments in her charts and timeline; earlier ones are summarised in a sentence


def up_to(assessment):
    """Her assessments up to and including this one, in (date, id) order."""
    return Q(assessed_on__lt=assessment.assessed_on) | Q(assessed_on=assessment.assessed_on, pk__lte=assessment.pk)


def label(code):
    item = protocol.ITEMS.get(code)
    return item.label if item else protocol.WEEKS_POSTPARTUM_LABEL


def joined(labels):
    labels = [text[0].lower() + text[1:] for text in labels]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def provoking_tests(assessment):
    """The load and impact tests that brought on pelvic floor symptoms in this assessment."""
    tests = assessment.to_dict()["load_impact"]
    return {item.path for item in protocol.section("load_impact").items if tests[item.code]["symptoms"]}


OVERRIDDEN_HEADLINE = (
    "Running with your trainer's agreement",
    "Your check-up found a few things still to build. Your trainer has agreed you can run while you keep working on "
    "them: they are below.",
)


def red_flag_steps(flags, covered=frozenset()):
    """Her next steps for red flags found in her sessions (an assessment's own are said from its
    result): what she noted, where to go, in her words. `covered`: symptoms already said."""
    steps = []
    for flag in flags:
        codes = [code for code in flag.codes if code not in covered]
        if flag.source != "assessment" and codes:
            steps.append(f"In your session of {flag.on:%-d %b %Y} you noted {progression.symptom_names(codes, 'client')}. "
                         f"{protocol.route_text(codes, 'client')} Do not run until you have been seen.")
    return steps


def next_steps(result, weeks, provoked=frozenset(), assessed_on=None):
    """The reasons, grouped and said to her rather than to the trainer, for her stage.

    Decisions (DOMAIN.md rule 2 and the seed's timeline, where DOMAIN.md says nothing about advice):
    - She is at the *low-impact stage* when it is under 12 weeks since the birth, or when she has
      not yet done a low-impact and strength programme (the seed: "the same timeline applies").
      Then her steps are pelvic floor and low-impact strength work only: no load and impact test
      is offered as practice or promised for next time; she is told they come later.
      tests/reports/test_reports.py::test_before_12_weeks_her_steps_never_suggest_impact_tests
    - A load and impact test that brought on symptoms is never advised as practice, at any stage:
      she is told not to practise it for now, and where to get it checked.
      tests/reports/test_reports.py::test_a_test_that_brought_on_symptoms_is_never_advised_as_practice
    - The timeline is the seed's (protocol.RUNNING_TIMELINE), never "a few weeks".
    - Red flags are grouped by route, each in her words (protocol.SIGNPOSTS).
    """
    reasons = result.reasons
    no_programme = any(r.code == "pelvic_floor.strength_training_to_date" and r.kind == "unmet" for r in reasons)
    too_early = any(r.kind == "too_early" for r in reasons)
    low_impact_stage = too_early or no_programme
    by_kind = defaultdict(list)
    red_flags = defaultdict(list)
    for reason in reasons:
        if reason.code == "pelvic_floor.strength_training_to_date" and reason.kind == "unmet":
            continue  # said on its own below
        section = reason.code.split(".")[0]
        if reason.kind == "too_early":
            continue  # said on its own below
        if reason.kind == "red_flag":
            red_flags[protocol.signpost_for(reason.code)].append(label(reason.code))
        elif section == "load_impact" and (low_impact_stage or reason.code in provoked):
            continue  # impact tests are not for now, or not to be practised
        else:
            by_kind[(reason.kind, section if reason.kind == "unmet" else "")].append(label(reason.code))
    steps = []
    for route, labels in red_flags.items():
        steps.append(f"You mentioned {joined(labels)}. {route.client} Do not run until you have been seen.")
    if too_early:
        # True on the day she reads it: the weeks were counted on the day of her check-up.
        when = f"at your check-up on {assessed_on:%-d %b %Y} it was" if assessed_on else "it is"
        steps.append(f"Give your body time: {when} {protocol.quantity(weeks, 'weeks')} since the birth. For now, "
                     f"low-impact exercise and strength work only; {protocol.RUNNING_TIMELINE}.")
    if no_programme:
        timeline = "" if too_early else (
            f" The same timeline applies however long ago the birth was: {protocol.RUNNING_TIMELINE}.")
        steps.append(f"First, a low-impact exercise and strength programme, which your trainer will set with you.{timeline}")
    if pelvic := by_kind.pop(("unmet", "pelvic_floor"), None):
        steps.append(f"Keep up your daily pelvic floor exercises (the NHS Squeezy app can guide you). Still to build: {joined(pelvic)}.")
    elif low_impact_stage:
        steps.append("Keep up your daily pelvic floor exercises (the NHS Squeezy app can guide you).")
    if provoked:
        tests = [label(code) for code in sorted(provoked, key=list(protocol.ITEMS).index)]
        them = "it" if len(tests) == 1 else "them"
        steps.append(f"Do not practise {joined(tests)} for now: {them} brought on symptoms. "
                     f"{protocol.SIGNPOSTS['pelvic_health'].client}")
    if load := by_kind.pop(("unmet", "load_impact"), None):
        steps.append(f"Keep practising these tests until they feel easy and symptom-free: {joined(load)}.")
    if low_impact_stage and any(r.code.startswith("load_impact.") for r in reasons):
        steps.append(f"The load and impact tests, such as jogging, bounding and hopping, come later: not before "
                     f"{protocol.MIN_WEEKS_TEXT} after the birth, and after a low-impact and strength programme.")
    if missing := by_kind.pop(("not_assessed", ""), None):
        steps.append(f"Your trainer will check next time: {joined(missing)}.")
    for labels in by_kind.values():
        steps.append(f"Keep working on {joined(labels)}.")
    if not reasons:
        steps.append("Follow your walk–run programme. If any symptom comes on while running, stop and walk the rest, "
                     "and tell your trainer.")
    return steps


def focus_areas(result):
    """Strength focus areas with an example exercise each, one entry per test."""
    areas = {}
    for area in result.focus_areas:
        item = protocol.ITEMS[area.code]
        entry = areas.setdefault(area.code, {"label": item.label, "exercise": item.exercise, "sides": []})
        entry["sides"].append(f"{area.side} {area.value} of {area.target}")
    return list(areas.values())


STILL_TO_CHECK = "Still to check"
SEE_CAUTIONS = "See “Things to keep in mind”"


def item_status(item, values, reason_kinds, focus_codes, caution_codes=frozenset()):
    """The outcome column: what the answer means against the rule, never the answer again.

    Yes/no answers that are not tests (symptoms, wellbeing, the physio visit) have no Met or
    Not met: a present symptom names where to go, a raised concern or a missing physio visit
    points to its caution, and an answer that needs nothing shows a dash."""
    value = values[0]
    if item.section == "symptoms":
        if value is None:
            return STILL_TO_CHECK
        return f"Please see your {protocol.signpost_for(item.path).who}" if value else "Clear"
    if not item.gating and item.kind == "flag":
        if item.path in caution_codes:
            return SEE_CAUTIONS
        return STILL_TO_CHECK if value is None else "—"
    if all(value is None for value in values):
        return STILL_TO_CHECK
    kind = reason_kinds.get(item.path)
    if kind == "unmet":
        return "Not yet"
    if item.path in focus_codes:
        return "Focus area"
    if kind == "not_assessed" or None in values:
        return "Partly tested"
    return "Met"


def section_tables(assessment):
    """One table per protocol section: what was measured, the target and what it means."""
    result = assessment.result
    reason_kinds = {reason.code: reason.kind for reason in result.reasons}
    focus_codes = {area.code for area in result.focus_areas}
    caution_codes = {caution.code for caution in result.cautions}
    physio_seen_on = assessment.client.physio_seen_date
    recorded = assessment.values()  # flat: one value per protocol field
    tables = []
    for section in protocol.SECTIONS:
        rows = []
        for item in section.items:
            values = [recorded[field.name] for field in item.fields if field.key != "symptoms"]
            measured = []
            for field in item.fields:
                text = field.describe(recorded[field.name])
                if measured:  # mid-sentence: "30 minutes; no symptoms"
                    text = text[0].lower() + text[1:]
                if field.name in assessment.carried_over:  # as the studio marks it, until retested or confirmed
                    text += f" (carried over from {assessment.carried_over_from:%-d %b %Y})"
                measured.append(f"{field.key}: {text}" if field.key in protocol.SIDES else text)
            if item.path == "pelvic_floor.physio_assessed" and assessment.client.physio_seen_by(assessment.assessed_on):
                measured.append(f"seen {physio_seen_on:%-d %b %Y}, from her record")
            measured = "; ".join(measured)
            rows.append({"label": item.label, "measured": measured[0].upper() + measured[1:], "target": item.target_text,
                         "status": item_status(item, values, reason_kinds, focus_codes, caution_codes)})
        tables.append({"section": section, "rows": rows})
    return tables


# --- Her report: two pages (issue 22) -------------------------------------------------------------
# Page 1 is for acting on: the outcome, what to do next, her programme and next session, her headline
# trends and where to get help. Page 2 is the record: her results, only the columns that say
# something, her cautions and the charts that show a trend.


def _number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return float(value) if isinstance(value, str) and value.replace(".", "", 1).isdigit() else None


def measured_count(chart):
    """How many check-ups (or weeks) a chart has a number for: one point is not a trend."""
    return sum(any(_number(value) is not None for value in row[1:]) for row in chart.rows)


def is_steady(chart):
    """Every line of the chart holds one value wherever it was measured: a sentence says it as well."""
    columns = zip(*(row[1:] for row in chart.rows), strict=True)
    return all(len({_number(value) for value in column} - {None}) <= 1 for column in columns)


def results_for_report(tables):
    """Her results for the record page: a sentence for the yes/no sections (what is present or
    raised, what was not asked), a compact table for the measured ones."""
    found = []
    for table in tables:
        section, rows = table["section"], table["rows"]
        if section.code in ("symptoms", "holistic"):
            raised = [row for row in rows if row["status"] not in ("Clear", "—", STILL_TO_CHECK)]
            unasked = [row for row in rows if row["status"] == STILL_TO_CHECK]
            clear = len(rows) - len(raised) - len(unasked)
            symptoms = section.code == "symptoms"
            parts = []
            if raised:
                labels = joined([row["label"] for row in raised])
                where = "present now (see “Where to get help”)" if symptoms else "a concern (see “Things to keep in mind”)"
                parts.append(f"{labels[:1].upper()}{labels[1:]}: {where}.")
            none = "no symptom present" if symptoms else "no concern"
            if clear:
                parts.append(f"{protocol.quantity(clear, 'questions')} asked, {none}." if not raised else
                             f"The other {clear}: {none}.")
            if unasked:
                parts.append(f"{protocol.SYMPTOM_ANSWERS.unknown}: {joined([row['label'] for row in unasked])}.")
            found.append({"section": section, "summary": " ".join(parts)})
        else:
            found.append({"section": section, "rows": rows, "target_word": section.items[0].target_word})
    return found


def report_context(client, assessment, today, record=False):
    """Everything her PDF report shows: her page's context (client_progress) and what the report adds."""
    context = client_progress(client, assessment, today, record=record)
    context.update(report_page_context(context))
    return context


def report_page_context(context):
    """What her report adds to her page's context: the headline trends for page 1, and for page 2
    her results as they read best in print and the charts that show a trend (two or more numbers)."""
    charts = [chart for group in context.get("trends", []) for chart in group["charts"]]
    trends = [chart for chart in charts if measured_count(chart) >= 2]
    focus = {area.code.split(".")[1] for area in context["result"].focus_areas} if "result" in context else set()
    headline = [titled(chart) for chart in trends
                if chart.slug.removeprefix("strength-") in focus or chart.slug in ("load-impact", "weekly-running")]
    # Her strength sessions between check-ups, beside her strength tests' trends (issue 24).
    headline += [group["note"] for group in context.get("trends", []) if group.get("note")]
    # A chart whose lines hold one value throughout says no more than a few words: on paper, one line a group.
    drawn = [chart for chart in trends if not is_steady(chart)]
    steady = [line for group in context.get("trends", [])
              if (line := steady_line(group["title"], [chart for chart in group["charts"] if chart in trends and is_steady(chart)]))]
    return {"results": results_for_report(context.get("tables", [])), "headline_trends": headline,
            "print_charts": [drawn[index:index + 3] for index in range(0, len(drawn), 3)], "steady_trends": steady}


def titled(chart):
    """A chart's sentence naming what it measures: "Single leg bridge: left leg from 9 reps …"."""
    summary = chart.summary
    if summary.lower().startswith(chart.title.lower()[:12]):
        return summary
    return f"{chart.title}: {summary[:1].lower()}{summary[1:]}"


def steady_line(title, charts):
    """"Strength: reps on each leg, the same at each check-up from 30 Aug to 11 Oct: single leg calf raise
    20 reps each side; single leg bridge left 18, right 20 reps." for a group's steady charts; "" for none."""
    if not charts:
        return ""
    if len(charts) == 1 and charts[0].summary:
        return titled(charts[0])
    measured = [row[0] for row in charts[0].rows if any(_number(value) is not None for value in row[1:])]
    values = []
    for chart in charts:
        sides, held = [], []
        for side, column in zip(chart.columns[1:], zip(*(row[1:] for row in chart.rows), strict=True), strict=True):
            numbers = [_number(value) for value in column if _number(value) is not None]
            if numbers:
                sides.append(side.lower())
                held.append(f"{numbers[0]:g}")
        if len(held) > 1 and len(set(held)) == 1:
            text = f"{held[0]} {chart.unit} each side"
        elif len(held) > 1:
            text = ", ".join(f"{side} {value}" for side, value in zip(sides, held, strict=True)) + f" {chart.unit}"
        else:
            text = f"{held[0]} {chart.unit}"
        values.append(f"{chart.title[:1].lower()}{chart.title[1:]} {text}")
    return f"{title}, the same at each check-up from {measured[0]} to {measured[-1]}: {'; '.join(values)}."


def on(day):
    return f"{day:%-d %b %Y}"


def trend_sentence(name, unit, dated, carried_from=None):
    """Where one measurement went, in her words: "Right leg: from 8 reps on 3 Mar 2026 to 13 reps
    on 26 Nov 2026." A check-up that did not test it is passed over, never read as 0; if her
    latest one did not, the sentence says so, or that it carried the value over from the check-up
    of `carried_from` (one measurement, not two). dated: [(date, value or None)] in time order."""
    measured = [(day, value) for day, value in dated if value is not None]
    if not measured:
        return f"{name}: {protocol.NOT_TESTED} yet."
    (first_on, first), (last_on, last) = measured[0], measured[-1]
    if len(measured) == 1:
        text = f"{name}: {protocol.quantity(last, unit)} on {on(last_on)}"
    elif all(value == last for _, value in measured):
        text = f"{name}: {protocol.quantity(last, unit)} at each check-up from {on(first_on)} to {on(last_on)}"
    else:
        text = f"{name}: from {protocol.quantity(first, unit)} on {on(first_on)} to {protocol.quantity(last, unit)} on {on(last_on)}"
    if dated[-1][1] is None and carried_from:
        text += f"; your latest check-up carried it over from {on(carried_from)}, to be checked again"
    elif dated[-1][1] is None:
        text += f"; {protocol.NOT_TESTED} at your latest check-up"
    return text + "."


def strength_trends(days, shapes, dates, carried=None):
    """One chart per strength test: a line for each leg across her check-ups.
    days: her check-ups' dates; shapes: their assessment dicts (measured_at); dates: axis labels;
    carried: {field name: date} of the values her latest check-up carried over."""
    carried = carried or {}
    found = []
    for item in protocol.section("strength").items:
        sides = {side: [shape["strength"][item.code][side] for shape in shapes] for side in protocol.SIDES}
        names = {field.key: field.name for field in item.fields}
        if len({tuple(values) for values in sides.values()}) == 1:  # the legs alike: one sentence, not two
            summary = trend_sentence("Each leg", item.unit, list(zip(days, sides["left"], strict=True)),
                                     carried.get(names["left"]))
        else:
            summary = " ".join(trend_sentence(f"{side.capitalize()} leg", item.unit, list(zip(days, values, strict=True)),
                                              carried.get(names[side]))
                               for side, values in sides.items())
        found.append(charts.sided_line_chart(
            f"strength-{item.code}", item.label, f"{summary} The aim is {item.target_text}.", item.unit,
            list(zip(dates, *sides.values(), strict=True)), target=item.target, summary=summary,
        ))
    return found


def pelvic_floor_trends(days, shapes, dates, carried=None):
    carried = carried or {}
    found = []
    for item in protocol.section("pelvic_floor").items:
        if item.kind != "number":
            continue
        values = [shape["pelvic_floor"][item.code] for shape in shapes]
        summary = trend_sentence(item.label, item.unit, list(zip(days, values, strict=True)), carried.get(item.fields[0].name))
        found.append(charts.line_chart(
            f"pelvic-{item.code}", item.label, f"{summary} The target is {item.target_text}.", item.unit,
            list(zip(dates, values, strict=True)), target=item.target, summary=summary,
        ))
    return found


def load_tests_passed(shape, reasons):
    """How many load and impact tests she did to target without symptoms, from her assessment dict
    (measured_at) and the readiness reasons of that check-up (its result's, or only its load and
    impact tests': readiness.load_impact_reasons); None when none was tried at this check-up (a gap
    in her chart, never 0)."""
    tests = shape["load_impact"]
    if all(value is None for test in tests.values() for value in test.values()):
        return None
    held_back = {reason.code for reason in reasons}
    return sum(item.path not in held_back and any(tests[item.code][key] is not None for key in item.value_keys)
               for item in protocol.section("load_impact").items)


def measured_at(assessment):
    """Her assessment dict with only what was measured at that check-up. A value carried over from
    an earlier one, not yet retested or confirmed, is that earlier measurement: her trends leave a
    gap there rather than describe one measurement as two check-ups."""
    values = assessment.values()
    for name in assessment.carried_over:
        values[name] = None
    return protocol.nest(values)


def load_trend(assessments, shapes, dates):
    total = len(protocol.section("load_impact").items)
    # Each check-up's load and impact reasons from its tests alone, not all its rules (issue 20: the
    # whole evaluation for each of her twelve check-ups was a large part of drawing her page). A test's
    # reason reads only her recorded values, carried-over ones included, as the result's does.
    passed = [load_tests_passed(shape, readiness.load_impact_reasons(protocol.nest(a.values())))
              for a, shape in zip(assessments, shapes, strict=True)]
    measured = [(a.assessed_on, value) for a, value in zip(assessments, passed, strict=True) if value is not None]
    if not measured:
        summary = f"Load and impact tests: {protocol.NOT_TESTED} yet."
    elif len(measured) == 1:
        summary = f"Load and impact tests passed: {measured[0][1]} of {total} on {on(measured[0][0])}."
    else:
        summary = (f"Load and impact tests passed: from {measured[0][1]} of {total} on {on(measured[0][0])} "
                   f"to {measured[-1][1]} of {total} on {on(measured[-1][0])}.")
    if passed[-1] is None and measured:
        summary = summary[:-1] + f"; {protocol.NOT_TESTED} at your latest check-up."
    return charts.bar_chart(
        "load-impact", f"Load and impact tests passed (of {total})",
        f"{summary} A test counts as passed when it reaches its target with no symptoms during it.",
        "tests passed", list(zip(dates, passed, strict=True)), maximum=total, target=total, summary=summary,
    )


RUNNING_WEEKS_SHOWN = 12


def weekly_running_chart(programme, today, weeks_shown=RUNNING_WEEKS_SHOWN):
    """Running minutes per calendar week, from the sessions she logged (a part-done session counts half).
    A week with nothing logged is a real 0: she did not run."""
    running = {(s.week, s.number): s.running_seconds for s in programme.plan.sessions.all()}
    share = {"completed": 1, "partial": 0.5, "skipped": 0}
    minutes = dict.fromkeys(week_starts(programme, today, weeks_shown), 0)
    for log in programme.logs.all():
        monday = log.done_on - timedelta(days=log.done_on.weekday())
        if monday in minutes:
            minutes[monday] += running.get((log.week, log.session_number), 0) * share[log.outcome] / 60
    weekly = [(monday, round(value)) for monday, value in minutes.items()]
    if not weekly:  # a programme that starts next week
        summary = "Your running minutes will show here once your programme starts."
    else:
        total = protocol.quantity(sum(value for _, value in weekly), "minutes")
        if len(weekly) == 1:
            summary = f"Running minutes: {total} so far this week."
        else:
            summary = (f"Running minutes: {total} over the last {protocol.quantity(len(weekly), 'weeks')}; "
                       f"{protocol.quantity(weekly[-1][1], 'minutes')} so far this week.")
    return charts.bar_chart(
        "weekly-running", "Running minutes each week",
        f"{summary} Minutes of running in the sessions logged each week (week commencing).",
        "minutes", [(f"{monday:%-d %b}", value) for monday, value in weekly], summary=summary,
    )


def week_starts(programme, today, weeks_shown=RUNNING_WEEKS_SHOWN):
    """The Mondays of the weeks her charts show: her programme's, up to this one, the latest few."""
    start = programme.start_date - timedelta(days=programme.start_date.weekday())
    last = today - timedelta(days=today.weekday())
    found = []
    week = max(start, last - timedelta(weeks=weeks_shown - 1))
    while week <= last:
        found.append(week)
        week += timedelta(weeks=1)
    return found


def weekly_wellbeing_chart(programme, today, weeks_shown=RUNNING_WEEKS_SHOWN):
    """Sessions each week with little sleep (under 5 hours) or feeling run down, from the optional
    wellbeing check. A week with no answer is "not answered", never 0; None when she never answered."""
    poor = {monday: None for monday in week_starts(programme, today, weeks_shown)}
    for log in programme.logs.all():
        monday = log.done_on - timedelta(days=log.done_on.weekday())
        if monday in poor and log.wellbeing.answered:
            poor[monday] = (poor[monday] or 0) + log.wellbeing.poor_recovery
    if all(value is None for value in poor.values()):
        return None
    answered = [(monday, value) for monday, value in poor.items() if value is not None]
    latest_monday, latest = answered[-1]
    when = "this week" if latest_monday == list(poor)[-1] else f"in the week of {latest_monday:%-d %b}"
    summary = (f"Sessions with little sleep or feeling run down: {latest} {when}."
               if latest else f"No session with little sleep or feeling run down {when}.")
    return charts.bar_chart(
        "weekly-recovery", "Sessions with little sleep or feeling run down",
        f"{summary} From the questions you answered when logging sessions (week commencing); "
        "a week with no answers shows as not answered.",
        "sessions", [(f"{monday:%-d %b}", value) for monday, value in poor.items()], summary=summary,
        missing="not answered",
    )


@dataclass(frozen=True)
class ProgrammeStanding:
    """Where her programme stands, in her words, for her page and her report: a sentence with its
    bold words (`before`, `strong`, `after`), and what she has logged."""

    before: str
    strong: str
    after: str
    logged: str


CHECK_FIRST = ("Please get checked before running again (see “Where to get help”). Your trainer will restart it "
               "with you, a week back.")


def programme_standing(programme, today=None):
    state = programme.state
    today = today or timezone.localdate()
    if programme.status == "active" and programme.start_date > today:
        before, strong, after = "", f"It starts on {programme.start_date:%A %-d %b}.", ""
    elif programme.status == "held":
        decision = programme.running_decision
        strong = "Paused for now:" if decision.referral_pending else "On hold for now:"
        before, after = "", f" {decision.for_her}"
    elif programme.status == "paused":
        outcome = state.last_outcome
        detail = outcome.message if outcome and outcome.kind == "pause" else CHECK_FIRST
        before, strong, after = "", "Paused for now.", f" {detail}"
    elif programme.status == "finished":
        before, strong, after = "", "Finished. Well done!", " Your trainer will help you plan what comes next."
    else:
        repeating = ", repeating this week so it feels easy" if state.repeats else ""
        before, strong, after = "You are in ", f"week {state.week} of {state.weeks}", f"{repeating}."
    count, clean = len(programme.logs.all()), state.clean_streak
    if not count:
        logged = "No sessions logged yet."
    else:
        if clean == count:
            streak = ", without symptoms" if count == 1 else ", all without symptoms"
        elif clean == 1:
            streak = "; the last one without symptoms"
        else:
            streak = f"; the last {clean} without symptoms" if clean else ""
        logged = f"{count} session{'' if count == 1 else 's'} logged so far{streak}."
    return ProgrammeStanding(before, strong, after, logged)


def trend_groups(assessments, running_chart=None, wellbeing_chart=None):
    """Her trends over time, grouped under a heading each: the page and the report draw the same
    list, each chart with its own template (charts.Chart.template). The charts read each
    check-up's assessment dict (protocol.nest), as the readiness rules do."""
    days = [a.assessed_on for a in assessments]
    shapes = [measured_at(a) for a in assessments]
    dates = [day.strftime("%-d %b") for day in days]
    latest = assessments[-1]
    carried = dict.fromkeys(latest.carried_over, latest.carried_over_from)
    groups = [
        {"title": "Strength: reps on each leg", "charts": strength_trends(days, shapes, dates, carried)},
        {"title": "Pelvic floor", "charts": pelvic_floor_trends(days, shapes, dates, carried)},
        {"title": "Load and impact tests", "charts": [load_trend(assessments, shapes, dates)]},
    ]
    if running_chart is not None:
        groups.append({"title": "Your running", "charts": [running_chart]})
    if wellbeing_chart is not None:
        groups.append({"title": "How you are recovering", "charts": [wellbeing_chart]})
    for group in groups:  # two to a row on the report's pages
        group["rows"] = [group["charts"][index:index + 2] for index in range(0, len(group["charts"]), 2)]
    return groups


def client_progress(client, assessment=None, today=None, record=False):
    """Everything her page or a report shows. With `assessment`, the report of that one
    (charts up to it); without, her latest. A `record` is the report of an assessment that is
    no longer her latest, as on the day of it: `today` is its date and no programme is shown
    (reports/pdf.py report_html)."""
    if record:
        today = assessment.assessed_on
    today = today or timezone.localdate()
    history = client.assessments.order_by("-assessed_on", "-pk")
    if assessment is not None:
        history = history.filter(up_to(assessment))
    # Bounded in her history: the page and the report cost the same after 300 assessments as after 12.
    # How many there are in all, and since when, ride on the same query as window totals.
    history = history.annotate(history_count=Window(Count("pk")), history_first=Window(Min("assessed_on")))
    assessments = list(history[:HISTORY_SHOWN])[::-1]
    earlier = None
    if assessments and assessments[0].history_count > len(assessments):
        earlier = {"count": assessments[0].history_count - len(assessments), "first": assessments[0].history_first}
    latest = assessments[-1] if assessments else None
    # Who may run reads her latest assessment: here it is already loaded, unless this is an older report.
    programme = None if record else current_programme_of(client, latest if assessment is None else None)
    context = {"client": client, "trainer": client.trainer, "assessments": assessments, "latest": latest,
               "timeline": check_ups(assessments), "earlier": earlier, "programme": programme, "today": today,
               "record": record, "citation": protocol.GUIDELINE_CITATION}
    # Red flags open on her record (DOMAIN.md "Open red flags"), as of today: not on a record of an older day.
    red_flags = () if record else red_flags_of(client)
    if latest:
        result = latest.result
        headline, explanation = HEADLINES[result.verdict]
        if red_flags:
            headline, explanation = HEADLINES["refer"]
        elif programme is not None and programme.running_decision.code == "overridden":
            headline, explanation = OVERRIDDEN_HEADLINE
        found = {reason.code.removeprefix("symptoms.") for reason in result.reasons if reason.kind == "red_flag"}
        context.update(
            result=result, headline=headline, explanation=explanation,
            next_steps=red_flag_steps(red_flags, found) + next_steps(result, latest.weeks_postpartum, provoking_tests(latest),
                                                                     latest.assessed_on),
            focus_areas=focus_areas(result), tables=section_tables(latest),
        )
    if programme:
        context["standing"] = programme_standing(programme, today)
        context["running_chart"] = weekly_running_chart(programme, today)
        context["wellbeing_chart"] = weekly_wellbeing_chart(programme, today)
        context["schedule"] = programme.schedule(today)
        context["buggy_advice"] = programme.buggy_running_advice(today)
    if not record:
        context.update(strength_plan=current_strength_plan(client, today), strength_paused=paused_words(client, "client"),
                       strength_advice=SYMPTOM_ADVICE_FOR_HER)
    if latest:
        context["trends"] = trend_groups(assessments, context.get("running_chart"), context.get("wellbeing_chart"))
        # Only for her with strength work (a current plan, or a past day's record): no query for the others.
        if (record or context.get("strength_plan")) and (
                between := strength_sessions_between(client, [a.assessed_on for a in assessments])):
            context["trends"][0]["note"] = between
    return context


def strength_sessions_between(client, days):
    """Her strength sessions ticked between each pair of check-ups, in her words, beside her strength
    tests' trends (issue 24); "" when she ticked none. One query, however many check-ups are shown."""
    pairs = [(start, end) for start, end in zip(days, days[1:], strict=False) if end > start]
    if not pairs:
        return ""
    counts = StrengthLog.objects.filter(plan__client=client, done_on__gt=pairs[0][0], done_on__lte=pairs[-1][1]).aggregate(
        **{f"n{index}": Count("pk", filter=Q(done_on__gt=start, done_on__lte=end)) for index, (start, end) in enumerate(pairs)})
    if not any(counts.values()):
        return ""
    parts = [f"{counts[f'n{index}']} from {on(start)} to {on(end)}" for index, (start, end) in enumerate(pairs)]
    return f"Strength sessions you ticked between check-ups: {'; '.join(parts)}."


# --- The top of her page: where she stands and her next step (issue 13) -------------------
# Kept apart from client_progress() above: the page's first screen on her phone, and the log
# form behind its "Log it" button, read only these.


SELF_LOGGING_OFF_FOR_HER = "Your trainer is logging your sessions for now: tell them how each one went."


def her_strength_refusal(client, plan):
    """Why she cannot tick a strength session through her link now, in her words; "" when she can."""
    if plan is None:
        return "You have no strength plan yet: your trainer will set one up with you."
    if not client.self_logging:
        return SELF_LOGGING_OFF_FOR_HER
    return paused_words(client, "client")


def her_logging_refusal(client, programme):
    """Why she cannot log a session through her link now, in her words; "" when she can.
    (A revoked or expired link, withdrawn consent or an archived record never get this far.)"""
    if programme is None:
        return "You have no running programme yet: your trainer will set one up with you."
    if not client.self_logging:
        return SELF_LOGGING_OFF_FOR_HER
    if programme.can_log:
        return ""
    if programme.status == "held":
        return programme.running_decision.for_her
    if programme.status == "paused":
        return "Your programme is paused, so there is nothing to log until your trainer restarts it with you."
    return "You have finished your programme, so there is nothing more to log. Well done!"


def who_to_see(programme):
    """Where to go about the symptoms that paused her programme, in her words."""
    for log in programme.recent_logs(count=len(programme.logs.all())):
        if log.symptoms:
            return protocol.route_text(set(log.symptoms), "client")
    return "Please get checked before running again (see “Where to get help” below)."


def her_status(programme, latest, client=None, today=None):
    """Where she stands, in a sentence or two: (sentence, detail), the detail may be "".
    An open red flag comes first, whatever her programme: ending it or assigning another does not
    close it (DOMAIN.md "Open red flags")."""
    if client is not None and client.has_open_red_flag:
        codes = progression.red_flag_codes(red_flags_of(client))
        return ("Please see a health professional before you run.",
                f"{protocol.route_text(codes, 'client')} Your trainer will check you again after that.")
    today = today or timezone.localdate()
    if programme is None:
        if latest is None:
            return "Your trainer has not recorded an assessment yet.", "Your results will appear here after your first one."
        if latest.verdict == "refer":
            return "Please see a health professional before you run.", "Your next steps below say who to see."
        if latest.verdict == "ready":
            return "You are ready for a graded return to running.", "Your trainer will set your walk–run programme with you."
        return "You are not ready to run yet, and that is normal at this stage.", "Keep up the work below; your trainer will check again."
    state = programme.state
    if programme.status == "held":
        decision = programme.running_decision
        if decision.referral_pending:
            return "Your running is paused until you have been checked.", decision.for_her
        return "Your running is on hold for now.", decision.for_her
    if programme.status == "paused":
        return ("Your running is paused until you have been checked.",
                f"{who_to_see(programme)} Your trainer will restart your programme with you, a week back.")
    if programme.status == "finished":
        return "You have finished your programme. Well done!", "Your trainer will help you plan what comes next."
    if programme.start_date > today:
        return (f"Your walk–run programme starts on {programme.start_date:%A %-d %b}.",
                "Your first session is below: start with that one.")
    if programme.running_decision.code == "overridden":
        return (f"You are in week {state.week} of {state.weeks}, running with your trainer's agreement.",
                "Keep working on the things under “What to do next” alongside it.")
    if state.repeats:
        return f"You are in week {state.week} of {state.weeks}, repeating this week before moving on.", ""
    return f"You are in week {state.week} of {state.weeks} and running is on track.", ""


def her_top(client, programme, latest, today, logged=None):
    """The first screen of her page: greeting, where she stands, her next session with "Log
    it", and the outcome of the session she has just logged (`logged`: its sequence number)."""
    sentence, detail = her_status(programme, latest, client, today)
    top = {"first_name": client.first_name, "status": sentence, "status_detail": detail,
           "can_self_log": False, "next_session": None, "logged_outcome": None, "recent_logs": [], "recovery": ""}
    if programme is None:
        return top
    top["can_self_log"] = not her_logging_refusal(client, programme)
    if programme.can_log and (session := programme.next_session):
        schedule = programme.schedule(today)
        top["next_session"] = {"week": session.week, "number": session.number, "words": session.in_words(),
                               "on": schedule[0] if schedule else None}
    if logged is not None:
        top["logged_outcome"] = programme.outcome_of_log(logged)
    top["recent_logs"] = programme.recent_logs(count=3)
    # Never a gate (DOMAIN.md rule 6): a suggestion beside her next session.
    top["recovery"] = wellbeing.RECOVERY_FOR_HER if programme.can_log and programme.stored_recovery else ""
    return top
