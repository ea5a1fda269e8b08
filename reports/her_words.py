"""Her words: what her progress page and her PDF report say to her, in sentences.

The headline of her check-up, her next steps, her results' outcome column, where her programme
stands and why she cannot log now. Each reads her assessment's result or her programme's snapshot
(programmes/snapshot.py) and says it for her, never to the trainer (DOMAIN.md "Signposting").
Her trends and charts are reports/trends.py; the page that brings both together is
reports/progress.py."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.formats import date_format

from guideline import protocol
from programmes import progression
from programmes.snapshot import ProgrammeSnapshot
from programmes.strength import paused_words

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
    """Her check-ups, latest first, each with its outcome in her words and its verdict's badge, its
    date and how long after the birth it was, as her page's timeline writes them ({{ day|date }},
    {{ weeks|quantity:"weeks" }}): worked out here once, not through a filter each in the template."""
    return [{"assessment": a, "outcome": OUTCOME_FOR_HER[a.verdict], "verdict": a.verdict_wording,
             "on": date_format(a.assessed_on),
             "weeks": "" if a.weeks_postpartum in (None, "") else protocol.quantity(a.weeks_postpartum, "weeks")}
            for a in reversed(assessments)]


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


def check_up_words(latest, red_flags=(), overridden=False):
    """Her latest check-up in her words: its headline and explanation (an open red flag's, or her
    trainer's agreement to run, before the verdict's), her next steps, her focus areas and her
    results. `red_flags`: those open on her record; `overridden`: her programme runs on her trainer's
    recorded reason (a snapshot's decision code "overridden")."""
    result = latest.result
    headline, explanation = HEADLINES[result.verdict]
    if red_flags:
        headline, explanation = HEADLINES["refer"]
    elif overridden:
        headline, explanation = OVERRIDDEN_HEADLINE
    found = {reason.code.removeprefix("symptoms.") for reason in result.reasons if reason.kind == "red_flag"}
    steps = red_flag_steps(red_flags, found) + next_steps(result, latest.weeks_postpartum, provoking_tests(latest),
                                                          latest.assessed_on)
    return {"result": result, "headline": headline, "explanation": explanation, "next_steps": steps,
            "focus_areas": focus_areas(result), "tables": section_tables(latest)}


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

    In this order: red flags, her stage, pelvic floor, tests that brought on symptoms, load and
    impact, what is still to check, anything else; or, with nothing to say, her programme."""
    reasons = result.reasons
    stage = Stage.of(reasons)
    red_flags, by_kind = grouped_reasons(reasons, stage, provoked)
    steps = [f"You mentioned {joined(labels)}. {route.client} Do not run until you have been seen."
             for route, labels in red_flags.items()]
    steps += stage_steps(stage, weeks, assessed_on)
    steps += pelvic_floor_steps(by_kind.pop(("unmet", "pelvic_floor"), None), stage)
    steps += provoked_steps(provoked)
    steps += load_impact_steps(by_kind.pop(("unmet", "load_impact"), None), stage, reasons)
    if missing := by_kind.pop(("not_assessed", ""), None):
        steps.append(f"Your trainer will check next time: {joined(missing)}.")
    steps += [f"Keep working on {joined(labels)}." for labels in by_kind.values()]
    if not reasons:
        steps.append(FOLLOW_YOUR_PROGRAMME)
    return steps


FOLLOW_YOUR_PROGRAMME = ("Follow your walk–run programme. If any symptom comes on while running, stop and walk the rest, "
                         "and tell your trainer.")
DAILY_PELVIC_FLOOR = "Keep up your daily pelvic floor exercises (the NHS Squeezy app can guide you)."


def no_programme_yet(reason):
    """She has not yet done a low-impact and strength programme (said on its own, as her stage)."""
    return reason.code == "pelvic_floor.strength_training_to_date" and reason.kind == "unmet"


@dataclass(frozen=True)
class Stage:
    """Where she is on the seed's timeline (DOMAIN.md rule 2): too early (under 12 weeks since the
    birth), or without a low-impact and strength programme yet. Either is the low-impact stage."""

    too_early: bool
    no_programme: bool

    @classmethod
    def of(cls, reasons):
        return cls(any(r.kind == "too_early" for r in reasons), any(no_programme_yet(r) for r in reasons))

    @property
    def low_impact(self):
        return self.too_early or self.no_programme


def grouped_reasons(reasons, stage, provoked):
    """(red flags' labels by route, the other reasons' labels by (kind, section)): an unmet
    item by its section, an untested one with the others untested. Left out: her stage (said on
    its own, stage_steps) and load and impact tests that are not for now or not to be practised."""
    by_kind = defaultdict(list)
    red_flags = defaultdict(list)
    for reason in reasons:
        if no_programme_yet(reason) or reason.kind == "too_early":
            continue  # her stage, said on its own
        section = reason.code.split(".")[0]
        if reason.kind == "red_flag":
            red_flags[protocol.signpost_for(reason.code)].append(label(reason.code))
        elif section == "load_impact" and (stage.low_impact or reason.code in provoked):
            continue  # impact tests are not for now, or not to be practised
        else:
            by_kind[(reason.kind, section if reason.kind == "unmet" else "")].append(label(reason.code))
    return red_flags, by_kind


def stage_steps(stage, weeks, assessed_on):
    """Give her body time (too early), and a low-impact and strength programme first (none yet)."""
    steps = []
    if stage.too_early:
        # True on the day she reads it: the weeks were counted on the day of her check-up.
        when = f"at your check-up on {assessed_on:%-d %b %Y} it was" if assessed_on else "it is"
        steps.append(f"Give your body time: {when} {protocol.quantity(weeks, 'weeks')} since the birth. For now, "
                     f"low-impact exercise and strength work only; {protocol.RUNNING_TIMELINE}.")
    if stage.no_programme:
        timeline = "" if stage.too_early else (
            f" The same timeline applies however long ago the birth was: {protocol.RUNNING_TIMELINE}.")
        steps.append(f"First, a low-impact exercise and strength programme, which your trainer will set with you.{timeline}")
    return steps


def pelvic_floor_steps(unmet, stage):
    """Her daily pelvic floor exercises, with what is still to build; at the low-impact stage always."""
    if unmet:
        return [f"{DAILY_PELVIC_FLOOR} Still to build: {joined(unmet)}."]
    return [DAILY_PELVIC_FLOOR] if stage.low_impact else []


def provoked_steps(provoked):
    """Not to practise the tests that brought on symptoms, and where to get them checked."""
    if not provoked:
        return []
    tests = [label(code) for code in sorted(provoked, key=list(protocol.ITEMS).index)]
    them = "it" if len(tests) == 1 else "them"
    return [f"Do not practise {joined(tests)} for now: {them} brought on symptoms. {protocol.SIGNPOSTS['pelvic_health'].client}"]


def load_impact_steps(unmet, stage, reasons):
    """The load and impact tests to keep practising; at the low-impact stage, that they come later."""
    steps = []
    if unmet:
        steps.append(f"Keep practising these tests until they feel easy and symptom-free: {joined(unmet)}.")
    if stage.low_impact and any(r.code.startswith("load_impact.") for r in reasons):
        steps.append(f"The load and impact tests, such as jogging, bounding and hopping, come later: not before "
                     f"{protocol.MIN_WEEKS_TEXT} after the birth, and after a low-impact and strength programme.")
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


def programme_standing(snapshot):
    """Where her programme stands (a snapshot: programmes/snapshot.py), for her page and her report."""
    state = snapshot.state
    if snapshot.status == "active" and snapshot.starts_later:
        before, strong, after = "", f"It starts on {snapshot.start_date:%A %-d %b}.", ""
    elif snapshot.status == "held":
        decision = snapshot.decision
        strong = "Paused for now:" if decision.referral_pending else "On hold for now:"
        before, after = "", f" {decision.for_her}"
    elif snapshot.status == "paused":
        outcome = state.last_outcome
        detail = outcome.message if outcome and outcome.kind == "pause" else CHECK_FIRST
        before, strong, after = "", "Paused for now.", f" {detail}"
    elif snapshot.status == "finished":
        before, strong, after = "", "Finished. Well done!", " Your trainer will help you plan what comes next."
    else:
        repeating = ", repeating this week so it feels easy" if state.repeats else ""
        before, strong, after = "You are in ", f"week {state.week} of {state.weeks}", f"{repeating}."
    return ProgrammeStanding(before, strong, after, logged_words(snapshot.logged_count, state.clean_streak))


def logged_words(count, clean):
    """"4 sessions logged so far; the last 2 without symptoms." (`clean`: symptom-free in a row)."""
    if not count:
        return "No sessions logged yet."
    if clean == count:
        streak = ", without symptoms" if count == 1 else ", all without symptoms"
    elif clean == 1:
        streak = "; the last one without symptoms"
    else:
        streak = f"; the last {clean} without symptoms" if clean else ""
    return f"{count} session{'' if count == 1 else 's'} logged so far{streak}."


SELF_LOGGING_OFF_FOR_HER = "Your trainer is logging your sessions for now: tell them how each one went."


def her_strength_refusal(client, plan):
    """Why she cannot tick a strength session through her link now, in her words; "" when she can."""
    if plan is None:
        return "You have no strength plan yet: your trainer will set one up with you."
    if not client.self_logging:
        return SELF_LOGGING_OFF_FOR_HER
    return paused_words(client, "client")


def her_logging_refusal(client, snapshot):
    """Why she cannot log a session through her link now, in her words; "" when she can.
    `snapshot`: her current programme's (programmes/snapshot.py), or the programme itself (which
    answers the same), None when she has none.
    (A revoked or expired link, withdrawn consent or an archived record never get this far.)"""
    if snapshot is None:
        return "You have no running programme yet: your trainer will set one up with you."
    if not client.self_logging:
        return SELF_LOGGING_OFF_FOR_HER
    if snapshot.can_log:
        return ""
    if snapshot.status == "held":
        decision = snapshot.decision if isinstance(snapshot, ProgrammeSnapshot) else snapshot.running_decision
        return decision.for_her
    if snapshot.status == "paused":
        return "Your programme is paused, so there is nothing to log until your trainer restarts it with you."
    return "You have finished your programme, so there is nothing more to log. Well done!"


def who_to_see(snapshot):
    """Where to go about the symptoms that paused her programme, in her words: her latest log's
    with symptoms."""
    for log in reversed(snapshot.logs):
        if log.symptoms:
            return protocol.route_text(set(log.symptoms), "client")
    return "Please get checked before running again (see “Where to get help” below)."


def her_status(snapshot, latest, red_flags=()):
    """Where she stands, in a sentence or two: (sentence, detail), the detail may be "".
    `snapshot`: her current programme's (programmes/snapshot.py), None when she has none;
    `red_flags`: those open on her record. An open red flag comes first, whatever her programme:
    ending it or assigning another does not close it (DOMAIN.md "Open red flags")."""
    if red_flags:
        return ("Please see a health professional before you run.",
                f"{protocol.route_text(progression.red_flag_codes(red_flags), 'client')} Your trainer will check you again after that.")
    if snapshot is None:
        return status_without_programme(latest)
    return programme_status(snapshot)


def status_without_programme(latest):
    """Where she stands before any programme: her latest check-up's verdict, or none yet."""
    if latest is None:
        return "Your trainer has not recorded an assessment yet.", "Your results will appear here after your first one."
    if latest.verdict == "refer":
        return "Please see a health professional before you run.", "Your next steps below say who to see."
    if latest.verdict == "ready":
        return "You are ready for a graded return to running.", "Your trainer will set your walk–run programme with you."
    return "You are not ready to run yet, and that is normal at this stage.", "Keep up the work below; your trainer will check again."


def programme_status(snapshot):
    """Where she stands in her programme: held, paused, finished, not started, or her week."""
    state, decision = snapshot.state, snapshot.decision
    if snapshot.status == "held":
        if decision.referral_pending:
            return "Your running is paused until you have been checked.", decision.for_her
        return "Your running is on hold for now.", decision.for_her
    if snapshot.status == "paused":
        return ("Your running is paused until you have been checked.",
                f"{who_to_see(snapshot)} Your trainer will restart your programme with you, a week back.")
    if snapshot.status == "finished":
        return "You have finished your programme. Well done!", "Your trainer will help you plan what comes next."
    if snapshot.starts_later:
        return (f"Your walk–run programme starts on {snapshot.start_date:%A %-d %b}.",
                "Your first session is below: start with that one.")
    if decision.code == "overridden":
        return (f"You are in week {state.week} of {state.weeks}, running with your trainer's agreement.",
                "Keep working on the things under “What to do next” alongside it.")
    if state.repeats:
        return f"You are in week {state.week} of {state.weeks}, repeating this week before moving on.", ""
    return f"You are in week {state.week} of {state.weeks} and running is on track.", ""
