"""Her strength work (issue 24) as pure rules over plain data: which exercises to suggest from an
assessment, at what dose, and how a dose steps up. No database here: models hand in plain
`ExerciseSpec`s and readiness' own `Result`, so every rule reads beside DOMAIN.md and is tested
rule by rule (tests/programmes/test_strength_rules.py).

Decisions where DOMAIN.md and the issue are silent:
- A focus area is readiness' (`Result.focus_areas`: a strength test below 20 on a side); nothing
  here recomputes one, so a side not assessed is never a shortfall (it is never 0).
- The dose fits the larger shortfall of her two sides: under half the target starts gentler
  (one set fewer, 60 % of the reps or hold), under three quarters a little gentler (80 %), nearer
  the target at the library's starting dose. Week 1 never exceeds the starting dose.
- The pelvic-floor routine (long holds, fast squeezes, relax) is suggested every time a plan is:
  it is daily and safe at any stage short of a red flag.
- "Too early" (readiness' not_yet, DOMAIN.md rule 2: "low-impact and strength work only") keeps
  the pelvic-floor routine and the exercises marked low-impact; the others wait for "ready".
- A refer verdict or an open red flag on her record: no plan at all (she sees whom to see).
- Exercises of the trainer's own that serve a test replace the built-ins for that test, so her
  edited copy of a built-in is what she is given, not both.
- The dose steps up one step after `SYMPTOM_FREE_WEEKS` finished weeks with sessions ticked and
  none with symptoms: 2 more reps (or 2 s more hold) a step, up to `MAX_REPS` / `MAX_HOLD_SECONDS`,
  then one more set, up to `MAX_SETS`. The week under way never counts, so a dose does not change
  in the middle of a week, and week 1 is always the assigned dose.
- A symptom noted with a strength session follows a run's rules (DOMAIN.md): stop and report it;
  a red-flag symptom opens a red flag on her record, which pauses her strength work and her
  running alike until a clear screen; any symptom stops the dose stepping up for two weeks.
  Symptoms in two sessions in a row do not pause strength work by themselves (a run's rule for
  the walk–run programme): the trainer sees each one.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from guideline import protocol

from .progression import RED_FLAG_SYMPTOMS

STRENGTH_TESTS = tuple(item.path for item in protocol.section("strength").items)
PELVIC_FLOOR_ROUTINE = ("pelvic_floor.long_holds", "pelvic_floor.fast_reps", "pelvic_floor.can_relax")
SINGLE_LEG_CONTROL = ("load_impact.single_leg_balance", "load_impact.single_leg_squat", "load_impact.running_man")
# What an exercise can serve: protocol item codes, read from protocol (the one definition).
SERVABLE = (*STRENGTH_TESTS, *PELVIC_FLOOR_ROUTINE, *SINGLE_LEG_CONTROL)
SERVES_CHOICES = tuple((code, f"{protocol.ITEMS[code].label} ({protocol.section(code.split('.')[0]).title})")
                       for code in SERVABLE)

GENTLE_BELOW = 0.5  # of the target: one set fewer, 60 % of the reps
EASIER_BELOW = 0.75  # of the target: 80 % of the reps
SYMPTOM_FREE_WEEKS = 2
REPS_STEP = 2
HOLD_STEP = 2  # seconds
MAX_REPS = 20
MAX_HOLD_SECONDS = 10
MAX_SETS = 4

# Her words and the trainer's, in one place.
PAUSED_FOR_HER = "Your strength work is paused until you have been seen. {route}"
PAUSED_FOR_TRAINER = "Her strength plan is paused: a red flag is open on her record. {route}"
REFER_NO_PLAN = "No strength plan while her latest assessment says refer: she needs to be seen first."
RED_FLAG_NO_PLAN = "No strength plan while a red flag is open on her record: she needs to be seen first."
TOO_EARLY_NOTE = ("Too early for running: the pelvic-floor routine and low-impact strength work only "
                  "(DOMAIN.md rule 2), so she has something safe to do while running waits.")
LOW_IMPACT_WORDS = {True: "Yes: suitable while it is too early to run",
                    False: "No: waits until she is ready to run"}
TICKED_FOR_HER = "Ticked: your trainer sees it. Well done!"
SYMPTOM_NOTED_FOR_HER = ("Stop the exercise that brought it on, and tell your trainer. Your doses stay as they are "
                         "until you have had two weeks without symptoms.")
RED_FLAG_NOTED_FOR_HER = ("Stop exercising now. {route} Your strength work and your running are paused until you "
                          "have been checked; your trainer sees what you noted.")
SYMPTOM_ADVICE_FOR_HER = ("If you notice leaking, heaviness, dragging or pain, stop the exercise and tell "
                          "your trainer.")


@dataclass(frozen=True)
class Dose:
    sets: int
    reps: int  # per set (for holds: how many holds)
    hold_seconds: int | None = None  # a held exercise's seconds each; None: not a hold

    def __post_init__(self):
        if self.sets < 1 or self.reps < 1 or (self.hold_seconds is not None and self.hold_seconds < 1):
            raise ValueError(f"Impossible dose: {self}")

    def within(self, other: "Dose") -> bool:
        """Never more than `other` on any count."""
        return (self.sets <= other.sets and self.reps <= other.reps
                and (self.hold_seconds or 0) <= (other.hold_seconds or 0))

    @property
    def words(self) -> str:
        hold = f", hold {self.hold_seconds} s" if self.hold_seconds else ""
        sets = "1 set" if self.sets == 1 else f"{self.sets} sets"
        return f"{sets} of {self.reps}{hold}"


@dataclass(frozen=True)
class ExerciseSpec:
    key: int  # the library exercise's id
    serves: str  # one of SERVABLE
    dose: Dose  # the library's starting dose
    low_impact: bool = True
    own: bool = False  # the trainer's own (or her edited copy), not a built-in


@dataclass(frozen=True)
class Suggested:
    key: int
    serves: str
    dose: Dose
    reason: str  # for the trainer: why it is in the plan
    daily: bool = False  # the pelvic-floor routine


@dataclass(frozen=True)
class Suggestion:
    items: tuple[Suggested, ...]
    refused: str = ""  # why there is no plan ("" when there is one)
    note: str = ""  # what shaped it (too early)

    @property
    def allowed(self) -> bool:
        return not self.refused


def shortfall_by_test(focus_areas: Iterable) -> dict[str, float]:
    """{test code: her lowest value as a share of the target}, from readiness' focus areas."""
    worst: dict[str, float] = {}
    for area in focus_areas:
        share = area.value / area.target if area.target else 1
        worst[area.code] = min(worst.get(area.code, 1.0), share)
    return worst


def fitted_dose(start: Dose, share: float) -> Dose:
    """The first week's dose for a test where she reached `share` of the target: never above `start`."""
    if share >= EASIER_BELOW:
        return start
    factor = 0.6 if share < GENTLE_BELOW else 0.8
    sets = max(1, start.sets - 1) if share < GENTLE_BELOW else start.sets
    if start.hold_seconds:
        return Dose(sets, start.reps, max(1, int(start.hold_seconds * factor)))
    return Dose(sets, max(1, int(start.reps * factor)), None)


def _chosen(exercises: Iterable[ExerciseSpec]) -> dict[str, list[ExerciseSpec]]:
    """Exercises by the test they serve; her trainer's own replace the built-ins for that test."""
    by_code: dict[str, list[ExerciseSpec]] = {}
    for exercise in exercises:
        by_code.setdefault(exercise.serves, []).append(exercise)
    return {code: [e for e in found if e.own] or found for code, found in by_code.items()}


def suggest(verdict: str, focus_areas: Iterable, exercises: Iterable[ExerciseSpec],
            open_red_flag: bool = False) -> Suggestion:
    """The suggested plan for an assessment's `verdict` and readiness' `focus_areas`."""
    if open_red_flag:
        return Suggestion((), refused=RED_FLAG_NO_PLAN)
    if verdict == "refer":
        return Suggestion((), refused=REFER_NO_PLAN)
    too_early = verdict != "ready"
    chosen = _chosen(exercises)
    items = []
    for code, share in shortfall_by_test(focus_areas).items():
        item = protocol.ITEMS[code]
        if (target := item.target) is None:  # never: a focus area is a strength test, with its 20-rep target
            continue
        for exercise in chosen.get(code, ()):
            if too_early and not exercise.low_impact:
                continue
            reached = round(share * target)
            items.append(Suggested(exercise.key, code, fitted_dose(exercise.dose, share),
                                   f"{item.label}: {reached} of {target} on her weaker side."))
    for code in PELVIC_FLOOR_ROUTINE:
        for exercise in chosen.get(code, ()):
            items.append(Suggested(exercise.key, code, exercise.dose, "Daily pelvic-floor routine.", daily=True))
    return Suggestion(tuple(items), note=TOO_EARLY_NOTE if too_early else "")


def stepped(dose: Dose, steps: int) -> Dose:
    """`dose` moved on `steps` steps: reps (or hold) first, up to their cap, then a set."""
    for _ in range(max(0, steps)):
        if dose.hold_seconds and dose.hold_seconds < MAX_HOLD_SECONDS:
            dose = replace(dose, hold_seconds=min(MAX_HOLD_SECONDS, dose.hold_seconds + HOLD_STEP))
        elif not dose.hold_seconds and dose.reps < MAX_REPS:
            dose = replace(dose, reps=min(MAX_REPS, dose.reps + REPS_STEP))
        elif dose.sets < MAX_SETS:
            dose = replace(dose, sets=dose.sets + 1)
    return dose


def steps_earned(weeks: Mapping[int, tuple[int, int]]) -> int:
    """How many dose steps her logs have earned: {week number since the plan began: (sessions done,
    sessions with symptoms)}. Each run of SYMPTOM_FREE_WEEKS weeks in a row, each with a session
    and none with symptoms, earns one step; a week with symptoms, or none done, starts the count again."""
    steps = run = 0
    for week in range(1, max(weeks, default=0) + 1):
        done, with_symptoms = weeks.get(week, (0, 0))
        if done and not with_symptoms:
            run += 1
            if run == SYMPTOM_FREE_WEEKS:
                steps, run = steps + 1, 0
        else:
            run = 0
    return steps


def tick_outcome(symptoms: Iterable[str]) -> tuple[str, str]:
    """(kind, what she is told) after ticking a session with these symptoms: "red_flag", "symptom" or "clean"."""
    symptoms = set(symptoms)
    if red_flags := [code for code in RED_FLAG_SYMPTOMS if code in symptoms]:
        return "red_flag", RED_FLAG_NOTED_FOR_HER.format(route=protocol.route_text(red_flags, "client"))
    if symptoms:
        return "symptom", SYMPTOM_NOTED_FOR_HER
    return "clean", TICKED_FOR_HER


def weeks_of(ticks: Iterable[tuple[int, bool]], current_week: int) -> dict[int, tuple[int, int]]:
    """steps_earned()'s input from (week number, had symptoms) per ticked session, finished weeks only."""
    weeks: dict[int, tuple[int, int]] = {}
    for week, had_symptoms in ticks:
        if week < current_week:
            done, with_symptoms = weeks.get(week, (0, 0))
            weeks[week] = (done + 1, with_symptoms + bool(had_symptoms))
    return weeks
