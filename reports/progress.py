"""What a client's progress page and PDF report show, in plain words for her.

One builder for both, so the page and the report always agree."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from assessments import protocol
from assessments.models import item_columns

from . import charts

HEADLINES = {
    "ready": (
        "Ready for a graded return to running",
        "Start with the walk–run programme your trainer sets: short runs with walking breaks, building week by week. "
        "Not straight to continuous running.",
    ),
    "not_yet": (
        "Not yet: keep building",
        "You are not ready to run yet, and that is normal at this stage. Keep up the work below; your trainer will "
        "check again.",
    ),
    "refer": (
        "Please see your GP or a pelvic health physiotherapist",
        "Something you mentioned needs checking by a health professional before you run. These symptoms are common "
        "after birth and they are treatable. This is not a diagnosis.",
    ),
}


HISTORY_SHOWN = 12  # assessments in her charts and timeline; earlier ones are summarised in a sentence


def up_to(assessment):
    """Her assessments up to and including this one, in (date, id) order."""
    return Q(assessed_on__lt=assessment.assessed_on) | Q(assessed_on=assessment.assessed_on, pk__lte=assessment.pk)


def before(assessment):
    return Q(assessed_on__lt=assessment.assessed_on) | Q(assessed_on=assessment.assessed_on, pk__lt=assessment.pk)


def label(code):
    item = protocol.ITEMS.get(code)
    return item.label if item else protocol.WEEKS_POSTPARTUM_LABEL


def joined(labels):
    labels = [text[0].lower() + text[1:] for text in labels]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def next_steps(result, weeks):
    """The reasons, grouped and said to her rather than to the trainer."""
    by_kind = defaultdict(list)
    for reason in result.reasons:
        if reason.code == "pelvic_floor.strength_training_to_date" and reason.kind == "unmet":
            continue  # said on its own below
        section = reason.code.split(".")[0]
        by_kind[(reason.kind, section if reason.kind == "unmet" else "")].append(label(reason.code))
    steps = []
    if red := by_kind.pop(("red_flag", ""), None):
        steps.append(f"Book an appointment with your GP or a pelvic health physiotherapist about {joined(red)}. "
                     "Do not run until you have been seen.")
    if by_kind.pop(("too_early", ""), None):
        steps.append(f"Give your body time: it is {weeks} weeks since the birth. Running usually starts from 12 weeks "
                     "at the earliest, and often 3 to 6 months. Keep to low-impact exercise and strength work for now.")
    if any(r.code == "pelvic_floor.strength_training_to_date" and r.kind == "unmet" for r in result.reasons):
        steps.append("First, a few weeks of low-impact exercise and strength work: your trainer will set them with you.")
    if pelvic := by_kind.pop(("unmet", "pelvic_floor"), None):
        steps.append(f"Keep up your daily pelvic floor exercises (the NHS Squeezy app can guide you). Still to build: {joined(pelvic)}.")
    if load := by_kind.pop(("unmet", "load_impact"), None):
        steps.append(f"Keep practising these tests until they feel easy and symptom-free: {joined(load)}.")
    if missing := by_kind.pop(("not_assessed", ""), None):
        steps.append(f"Your trainer will check next time: {joined(missing)}.")
    for labels in by_kind.values():
        steps.append(f"Keep working on {joined(labels)}.")
    if not result.reasons:
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


def item_status(item, values, reason_kinds, focus_codes):
    if item.section == "symptoms":
        return {True: "Present: see your GP or physio", False: "No", None: "Not asked"}[values[0]]
    if item.section == "holistic":
        return {True: "Concern raised", False: "No concern", None: "Not asked"}[values[0]]
    if all(value is None for value in values):
        return "Not tested"
    kind = reason_kinds.get(item.path)
    if kind == "unmet":
        return "Not yet"
    if kind == "not_assessed":
        return "Partly tested"
    if item.path in focus_codes:
        return "Focus area"
    return "Met"


def section_tables(assessment):
    """One table per protocol section: what was measured, the target and whether it was met."""
    result = assessment.result
    reason_kinds = {reason.code: reason.kind for reason in result.reasons}
    focus_codes = {area.code for area in result.focus_areas}
    tables = []
    for section in protocol.SECTIONS:
        rows = []
        for item in section.items:
            columns = item_columns(item)
            values = [getattr(assessment, c.name) for c in columns if c.key != "symptoms"]
            measured = []
            for column in columns:
                value = getattr(assessment, column.name)
                if column.key == "symptoms":
                    if value is not None:
                        measured.append("symptoms during it" if value else "no symptoms")
                elif column.is_flag:
                    measured.append({True: "yes", False: "no", None: "—"}[value])
                else:
                    text = "not tested" if value is None else f"{value} {item.unit}"
                    measured.append(f"{column.key}: {text}" if column.key in protocol.SIDES else text)
            target = ""
            if item.target is not None and item.kind == "number":
                target = f"{item.target} {item.unit}" + (" each side" if item.sided else "")
            elif item.section == "pelvic_floor" and item.gating:
                target = "yes"
            rows.append({"label": item.label, "measured": "; ".join(measured), "target": target,
                         "status": item_status(item, values, reason_kinds, focus_codes)})
        tables.append({"section": section, "rows": rows})
    return tables


def assessment_charts(assessments):
    dates = [a.assessed_on.strftime("%-d %b") for a in assessments]
    pelvic = [
        charts.line_chart(
            f"pelvic-{item.code}", f"Pelvic floor: {item.label.lower()}",
            f"{item.label} at each assessment, against the target of {item.target} {item.unit}.",
            item.unit, list(zip(dates, (a.measurement(item) for a in assessments))), target=item.target,
        )
        for item in protocol.section("pelvic_floor").items
        if item.kind == "number"
    ]
    load_items = protocol.section("load_impact").items
    passed = [
        (date, len(load_items) - len({r.code for r in a.result.reasons if r.code.startswith("load_impact.")}))
        for date, a in zip(dates, assessments)
    ]
    load = charts.bar_chart(
        "load-impact", f"Load and impact tests passed (of {len(load_items)})",
        f"How many of the {len(load_items)} load and impact tests were done to target without symptoms, at each assessment.",
        "tests passed", passed, maximum=len(load_items), target=len(load_items),
    )
    latest = assessments[-1]
    strength_items = protocol.section("strength").items
    strength = charts.paired_bar_chart(
        "strength", f"Strength on {latest.assessed_on:%-d %b %Y}: reps on each leg",
        "Reps on the left and right leg for each strength test, against the target of 20.", "reps",
        [(item.short_label, latest.measurement(item, "left"), latest.measurement(item, "right")) for item in strength_items],
        target=strength_items[0].target,
    )
    return {"pelvic": pelvic, "load": load, "strength": strength}


def weekly_running_chart(programme, today, weeks_shown=10):
    """Running minutes per calendar week, from the sessions she logged (a part-done session counts half)."""
    running = {(s.week, s.number): s.running_seconds for s in programme.plan.sessions.all()}
    share = {"completed": 1, "partial": 0.5, "skipped": 0}
    start = programme.start_date - timedelta(days=programme.start_date.weekday())
    last = today - timedelta(days=today.weekday())
    week_starts = []
    week = max(start, last - timedelta(weeks=weeks_shown - 1))
    while week <= last:
        week_starts.append(week)
        week += timedelta(weeks=1)
    minutes = dict.fromkeys(week_starts, 0)
    for log in programme.logs.all():
        monday = log.done_on - timedelta(days=log.done_on.weekday())
        if monday in minutes:
            minutes[monday] += running.get((log.week, log.session_number), 0) * share[log.outcome] / 60
    return charts.bar_chart(
        "weekly-running", "Running minutes each week",
        "Minutes of running in the sessions logged each week (week commencing), from the programme's plan.",
        "minutes", [(f"{monday:%-d %b}", round(value)) for monday, value in minutes.items()],
    )


def client_progress(client, assessment=None, today=None):
    """Everything her page or a report shows. With `assessment`, the report of that one
    (charts up to it); without, her latest."""
    today = today or timezone.localdate()
    history = client.assessments.order_by("-assessed_on", "-pk")
    if assessment is not None:
        history = history.filter(up_to(assessment))
    # Bounded in her history: the page and the report cost the same after 300 assessments as after 12.
    assessments = list(history[:HISTORY_SHOWN])[::-1]
    earlier = None
    if len(assessments) == HISTORY_SHOWN:
        earlier = history.filter(before(assessments[0])).aggregate(count=Count("pk"), first=Min("assessed_on"))
        earlier = earlier if earlier["count"] else None
    latest = assessments[-1] if assessments else None
    programme = client.programmes.current().with_progress().first()
    if programme and assessment is None:
        programme.__dict__["latest_assessment"] = latest  # already loaded: who may run reads her latest
    context = {"client": client, "trainer": client.trainer, "assessments": assessments, "latest": latest,
               "timeline": list(reversed(assessments)), "earlier": earlier, "programme": programme, "today": today,
               "citation": protocol.GUIDELINE_CITATION}
    if latest:
        result = latest.result
        headline, explanation = HEADLINES[result.verdict]
        context.update(
            result=result, headline=headline, explanation=explanation, next_steps=next_steps(result, latest.weeks_postpartum),
            focus_areas=focus_areas(result), charts=assessment_charts(assessments), tables=section_tables(latest),
        )
    if programme:
        context["running_chart"] = weekly_running_chart(programme, today)
        context["schedule"] = programme.schedule(today)
        context["buggy_advice"] = programme.buggy_running_advice(today)
    if latest:
        # Every chart with the template that draws it, two to a row on the report's pages.
        drawn = [("line", chart) for chart in context["charts"]["pelvic"]]
        drawn += [("bar", context["charts"]["load"]), ("paired", context["charts"]["strength"])]
        if programme:
            drawn.append(("bar", context["running_chart"]))
        context["chart_rows"] = [drawn[index:index + 2] for index in range(0, len(drawn), 2)]
    return context
