"""Her trends: the data of her charts and the sentences that sum them up, for her page and her report.

Each check-up's measurements across her history (strength, pelvic floor, load and impact tests) and,
from her programme's snapshot (programmes/snapshot.py), her running minutes and recovery week by week;
then which of them her report shows as a headline, a chart or a line (a chart needs two numbers).
The charts themselves are drawn by reports/charts.py."""

from datetime import timedelta

from django.db.models import Count, Q

from assessments import readiness
from guideline import protocol
from programmes.strength import StrengthLog

from . import charts


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
    # Without carried-over values her measured shape is her recorded one: not nested again.
    passed = [load_tests_passed(shape, readiness.load_impact_reasons(protocol.nest(a.values()) if a.carried_over else shape))
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


def weekly_running_chart(snapshot, weeks_shown=RUNNING_WEEKS_SHOWN):
    """Running minutes per calendar week, from the sessions she logged (a part-done session counts half),
    up to the snapshot's day (programmes/snapshot.py). A week with nothing logged is a real 0: she did not run."""
    running = {(s.week, s.number): s.running_seconds for s in snapshot.sessions}
    share = {"completed": 1, "partial": 0.5, "skipped": 0}
    minutes = dict.fromkeys(week_starts(snapshot, weeks_shown), 0)
    for log in snapshot.logs:
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


def week_starts(snapshot, weeks_shown=RUNNING_WEEKS_SHOWN):
    """The Mondays of the weeks her charts show: her programme's, up to the snapshot's day, the latest few."""
    start = snapshot.start_date - timedelta(days=snapshot.start_date.weekday())
    last = snapshot.today - timedelta(days=snapshot.today.weekday())
    found = []
    week = max(start, last - timedelta(weeks=weeks_shown - 1))
    while week <= last:
        found.append(week)
        week += timedelta(weeks=1)
    return found


def weekly_wellbeing_chart(snapshot, weeks_shown=RUNNING_WEEKS_SHOWN):
    """Sessions each week with little sleep (under 5 hours) or feeling run down, from the optional
    wellbeing check. A week with no answer is "not answered", never 0; None when she never answered."""
    poor = {monday: None for monday in week_starts(snapshot, weeks_shown)}
    for log in snapshot.logs:
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


def report_trends(groups, focus=frozenset()):
    """Her trends as her report shows them (`groups`: trend_groups; `focus`: her strength focus
    areas' test codes): for page 1 the headline ones (her focus areas, her load and impact tests,
    her running) and her strength sessions between check-ups; for page 2 the charts that show a
    trend (two or more numbers), three to a row, and a line for each group's steady ones."""
    trends = [chart for group in groups for chart in group["charts"] if measured_count(chart) >= 2]
    headline = [titled(chart) for chart in trends
                if chart.slug.removeprefix("strength-") in focus or chart.slug in ("load-impact", "weekly-running")]
    # Her strength sessions between check-ups, beside her strength tests' trends (issue 24).
    headline += [group["note"] for group in groups if group.get("note")]
    # A chart whose lines hold one value throughout says no more than a few words: on paper, one line a group.
    drawn = [chart for chart in trends if not is_steady(chart)]
    steady = [line for group in groups
              if (line := steady_line(group["title"], [chart for chart in group["charts"] if chart in trends and is_steady(chart)]))]
    return {"headline_trends": headline, "print_charts": [drawn[index:index + 3] for index in range(0, len(drawn), 3)],
            "steady_trends": steady}
