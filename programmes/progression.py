"""Symptom-gated progression through a graded walk–run programme.

DOMAIN.md "Graded programmes". Pure functions over plain data, no ORM: a client's
position is derived by replaying her session logs (and the trainer's resumes) in order,
so it cannot drift from what was logged. The programme row keeps a copy of the result
for home and the client list (Programme.refresh_state(), written in the same transaction
as every change); the replay stays the truth, and a property test holds the two equal.

The rules, checked in this order for each log:
1. A red-flag symptom → pause, with a referral alert for the trainer.
2. Symptoms (any, including non-red-flag pain) in two logged sessions in a row → pause.
3. Any other symptom → walk the rest of the session; the week restarts at session 1.
4. A partial or skipped session → the week restarts (a week must be done in full).
5. Effort 9–10 → the week restarts (easy running should feel easy).
6. Otherwise the session is clean: next session, next week, or finished.
Resumed (trainer, paused programmes only) → one week back, session 1.

Decisions where DOMAIN.md is silent:
- Logs on a paused or finished programme are ignored by replay() (kept as
  history, but they do not move the programme); outcome_of() raises ValueError for
  them, because the logging form should not be offered then. replay() never raises
  on events, so a stored history can always be shown.
- A skipped session with no symptoms is not a "logged session" for the streaks:
  nothing was run, so it neither adds to clean_streak nor separates two symptomatic
  sessions (symptom → skip → symptom still pauses; skipping is often *because* of
  symptoms). A skipped session that records symptoms counts like any other.
- Effort is optional (None = not rated, which is not 0): only a rating of 9–10
  holds a week back; symptoms are the gate.
- Resumed clears the open alerts and the run of symptomatic sessions: the referral
  has dealt with them, so one symptom after resuming repeats the week rather than
  pausing again straight away. It also resets `repeats` (a different week).
- A Resumed on an active or finished programme does nothing.

Corrections (issue 9): a logged session can be corrected or deleted, for a reason kept in
the programme's history. Nothing is patched: her position, pause and alerts are simply the
replay of the logs as they now stand, and replay_steps() re-derives the week and session
each surviving log sits at. Removing a red flag from the record needs the trainer's explicit
confirmation (Programme.correct_log / delete_log), and the history shows it.

Pacing (DOMAIN.md "Pacing", issue 19): sessions need a rest day between them. A session she
ran (completed or partly done) on the same day as, the day after or the day before another that
counted is recorded but does not count towards moving on ("not_counted": her position stays, and
she is told why). The symptom rules still apply to it: a symptom is a symptom whatever the day.
Decisions where DOMAIN.md is silent:
- "The previous counted one" is any counted session she ran, not only the one logged last: a
  session logged late for an earlier day is judged against the days on either side of it.
- A skipped session involves no running, so it is judged as before (the week restarts) and does
  not set a day to rest after. A second log for the same day is refused when it is logged
  (Programme.log_session); replay() reads one that a correction moved there as not counted.
- A session that does not count breaks the run of sessions that makes buggy running possible:
  that run must itself respect the pacing.
- A warning sign or bleeding during a session means stop exercising now (not "walk the rest").

Open red flags (DOMAIN.md "Open red flags", issue 19) are decided by `open_red_flags()`: a red
flag found by an assessment's symptom screen or in a logged session stays open until a complete
symptom screen with no red flag clears it. Decisions where DOMAIN.md is silent:
- A screen clears a red flag when it is dated on or after the day the red flag was found AND was
  recorded (created) after it: a screen entered before anyone knew of the red flag never clears
  it, nor does an earlier-dated screen entered later. A screen completed by editing an older
  assessment clears only what was raised before that assessment was created.
- An open red flag is checked first by running_allowed(), before "never assessed": it names
  whom to see, which matters most.

Who may run (DOMAIN.md "Who may run: the latest assessment governs") is decided by
`running_allowed()`, the one rule every screen asks (assign, log, resume, her page, the
programme card, home). Decisions where DOMAIN.md is silent:
- "Too early" is judged on the programme's start date, and an assessment that itself was
  too early (or found no low-impact and strength programme yet, which the guideline puts
  under the same rule) cannot be overridden: she is reassessed once she is past it.
- An override covers the items it was recorded for. A later assessment that is not
  "ready" for other items holds running until the trainer records an override for those
  too or reassesses; a later "ready" needs no override at all.
- A "refer" on the latest assessment holds a running programme without changing its
  position (the hold is derived; the row's stored copy is refreshed with each assessment): nothing can be logged and no next session
  is shown. A newer assessment that is not "refer" lifts the hold; a programme that the
  logs paused still needs the trainer's resume, which is refused while the hold lasts.
"""

from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal, NotRequired, TypedDict

from assessments.readiness import Reason, Result
from guideline import protocol

# DOMAIN.md "symptoms" table, from the one protocol definition: any one of these during a
# session means stop and refer.
RED_FLAG_SYMPTOMS = tuple(item.code for item in protocol.section("symptoms").items)
# What a session log can record; "pain" is pain that is not a red flag (knee, hip, shin).
SESSION_SYMPTOMS = RED_FLAG_SYMPTOMS + ("pain",)
SESSION_OUTCOMES = ("completed", "partial", "skipped")


BUGGY_MIN_BABY_MONTHS = 6  # calendar months, not 26 weeks (DOMAIN.md "Graded programmes")
# Sessions need a rest day between them: two counted runs are at least this many days apart.
MIN_DAYS_BETWEEN_RUNS = 2


def months_after(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day (31 Aug + 6 → 28 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def buggy_running_advice(baby_born: date, today: date, state: "State") -> str:
    """DOMAIN.md: buggy running only once solo running is symptom-free (a week of counted
    sessions) and the baby is at least 6 calendar months old. Symptom-free solo running here
    means a full week's worth of sessions in a row that were completed, symptom-free, not rated
    9–10 and each after a rest day (the pacing), from week 2 of the programme on: the first week is
    where running starts (in "Walk–run foundations" too), not evidence that it is established.
    See State.steady_streak."""
    if today < months_after(baby_born, BUGGY_MIN_BABY_MONTHS):
        return (f"No running with the buggy yet: wait until the baby is {BUGGY_MIN_BABY_MONTHS} months old "
                f"({months_after(baby_born, BUGGY_MIN_BABY_MONTHS):%-d %b %Y}).")
    if state.status == "paused" or state.steady_streak < max(state.sessions_per_week, default=3):
        return ("No running with the buggy yet: first a full week of solo running, every session completed "
                "without symptoms and with a rest day between.")
    return "Buggy running can start: solo running is symptom-free and the baby is over 6 months. Begin with short, flat stretches."


def symptom_name(code: str, reader: str = "trainer") -> str:
    """One session or screen symptom in words: the protocol's label, or hers on her pages."""
    item = protocol.ITEMS.get(f"symptoms.{code}")
    if item is None:
        return "pain" if reader == "trainer" else "pain in a knee, hip, shin or elsewhere"
    text = item.label_for_her if reader == "client" else item.label
    return text[0].lower() + text[1:]


def symptom_names(codes: Iterable[str], reader: str = "trainer") -> str:
    """"urinary_leakage" → "leaking urine", in the protocol's words, for people to read."""
    order = {code: index for index, code in enumerate(SESSION_SYMPTOMS)}
    return ", ".join(symptom_name(code, reader) for code in sorted(codes, key=lambda code: (order.get(code, len(order)), code)))


# --- Open red flags ---------------------------------------------------------------


class RedFlagJSON(TypedDict):
    """A RedFlag as her client record stores it (Client.open_red_flags, a JSON field)."""

    codes: list[str]
    on: str  # ISO date
    at: str  # ISO date and time
    source: Literal["assessment", "session", "strength"]
    source_id: int
    by: NotRequired[str]  # absent in flags stored before it was recorded


@dataclass(frozen=True)
class RedFlag:
    """A red flag recorded on her record: by an assessment's symptom screen or in a logged session."""

    codes: tuple[str, ...]  # symptom codes, in protocol order
    on: date  # the day it was found: the assessment's or the session's date
    at: datetime  # when it was recorded
    source: Literal["assessment", "session", "strength"]
    source_id: int  # the Assessment's, the SessionLog's or the StrengthLog's id
    by: str = ""  # who recorded it, as the trainer reads it: a name, or "her, through her link"

    @property
    def where(self) -> str:
        """"at her assessment of 3 Dec 2026" / "in her session of 3 Dec 2026, logged by her"."""
        if self.source == "assessment":
            return f"at her assessment of {self.on:%-d %b %Y}"
        by = f", logged by {self.by}" if self.by else ""
        kind = "strength session" if self.source == "strength" else "session"
        return f"in her {kind} of {self.on:%-d %b %Y}{by}"

    def as_json(self) -> RedFlagJSON:
        return {"codes": list(self.codes), "on": self.on.isoformat(), "at": self.at.isoformat(),
                "source": self.source, "source_id": self.source_id, "by": self.by}

    @classmethod
    def from_json(cls, data: RedFlagJSON) -> "RedFlag":
        return cls(tuple(data["codes"]), date.fromisoformat(data["on"]), datetime.fromisoformat(data["at"]),
                   data["source"], data["source_id"], data.get("by", ""))


@dataclass(frozen=True)
class Screen:
    """A complete symptom screen that found no red flag: what closes the red flags before it."""

    on: date
    at: datetime


def clears(screen: Screen, flag: RedFlag) -> bool:
    """A screen clears a red flag dated on or before it, recorded before it was (see the module docstring)."""
    return screen.on >= flag.on and screen.at > flag.at


def open_red_flags(raised: Iterable[RedFlag], screens: Iterable[Screen]) -> tuple[RedFlag, ...]:
    """The red flags no later complete, clear screen has closed, oldest first."""
    screens = list(screens)
    still_open = [flag for flag in raised if not any(clears(screen, flag) for screen in screens)]
    return tuple(sorted(still_open, key=lambda flag: (flag.on, flag.at)))


def red_flag_codes(flags: Iterable[RedFlag]) -> list[str]:
    """Every symptom code of these red flags, once each, in protocol order."""
    found = {code for flag in flags for code in flag.codes}
    return [code for code in RED_FLAG_SYMPTOMS if code in found]

# Reasons a recorded override may cover: measured foundations, load/impact and strength
# items. Red flags, the symptom screen, the timing rule (rule 2) and anything else never.
OVERRIDABLE_SECTIONS = ("pelvic_floor", "load_impact", "strength")


@dataclass(frozen=True)
class RunningDecision:
    """Whether she may run now, and why, for each reader."""

    allowed: bool
    # "ready" | "overridden" | "refer" | "never_assessed" | "too_early" | "screen_incomplete"
    # | "carried_over" | "not_ready" | "needs_override"
    code: str
    reason: str  # to the trainer
    for_her: str  # to her, on her page and report
    overridable: bool = False  # a recorded reason would allow running
    override_items: tuple[str, ...] = ()  # item paths an override must cover
    red_flag_codes: tuple[str, ...] = ()  # the open red flags' symptoms, for "refer"

    @property
    def referral_pending(self) -> bool:
        return self.code == "refer"

    @property
    def new_questions_only(self) -> bool:
        """Held only because the screen lacks the medical warning-sign questions added in issue 19."""
        return self.code == "screen_incomplete" and "warning-sign" in self.reason


WARNING_SIGNS = tuple(item.code for item in protocol.section("symptoms").items if item.group == "warning")


def running_allowed(latest: Result | None, weeks_at_start: int | None, overridden: Iterable[str] = frozenset(),
                    red_flags: Sequence[RedFlag] = (), carried_over: int = 0) -> RunningDecision:
    """The one rule for who may run (DOMAIN.md "Who may run" and "Open red flags").

    `latest` is the readiness result of her latest assessment (by date, then id), or None
    when she has never been assessed; `weeks_at_start` the whole weeks from the birth to
    the programme's (proposed) start date; `overridden` the item paths a recorded override
    covers; `red_flags` the red flags open on her record (open_red_flags()); `carried_over` how
    many measurements her latest assessment still carries over unconfirmed. Checked in order: an
    open red flag, never assessed, too early, symptom screen incomplete, carried-over values
    (none of these can be overridden), then "ready", then an override of the rest."""
    if codes := _open_red_flag_codes(latest, red_flags):
        return _referral_pending(codes, red_flags)
    if latest is None:
        return RunningDecision(
            False, "never_assessed",
            "She has not been assessed: record an assessment, with the full symptom screen, before any running.",
            "Your trainer will assess you before you start running.",
        )
    if weeks_at_start is None or weeks_at_start < protocol.MIN_WEEKS_POSTPARTUM:
        return RunningDecision(
            False, "too_early",
            f"Too early: running cannot start before {protocol.MIN_WEEKS_TEXT} after the birth, "
            "whatever the reason.",
            f"Low-impact exercise and strength work for now; {protocol.RUNNING_TIMELINE}.",
        )
    if unasked := [r.code.removeprefix("symptoms.") for r in latest.reasons if r.code.startswith("symptoms.")]:
        return _screen_incomplete(unasked)
    if carried_over:
        return RunningDecision(
            False, "carried_over",
            f"Her latest assessment carries over {quantity_of(range(carried_over), 'measurement')} from her previous "
            "one: retest them, or confirm they still hold, before any running.",
            "Your trainer will check a few of your measurements again before your next run.",
        )
    if latest.verdict == "ready":
        return RunningDecision(True, "ready", "Her latest assessment is “ready” for a graded walk–run return.", "")
    return _not_yet(latest, overridden)


def _open_red_flag_codes(latest: Result | None, red_flags: Sequence[RedFlag]) -> list[str]:
    """The symptoms of every red flag open on her record, in protocol order, with those of her
    latest assessment when it says "refer": its own red flags are open by definition (nothing
    newer cleared them), whether or not `red_flags` lists them yet."""
    codes = red_flag_codes(red_flags)
    if latest is not None and latest.verdict == "refer":
        found = {r.code.removeprefix("symptoms.") for r in latest.reasons if r.kind == "red_flag"}
        codes = [code for code in RED_FLAG_SYMPTOMS if code in found or code in codes]
    return codes


def _referral_pending(codes: list[str], red_flags: Sequence[RedFlag]) -> RunningDecision:
    """No running with a red flag open: the trainer reads where each was recorded and whom she
    is to see, she reads what to do; only a new, clear symptom screen closes it, so nothing can
    override this."""
    where = "; ".join(f"{symptom_names(flag.codes)} {flag.where}" for flag in red_flags) or (
        f"{symptom_names(codes)} at her latest assessment")
    return RunningDecision(
        False, "refer",
        f"Referral pending: a red flag is open on her record ({where}). No running until she has been seen by "
        f"{protocol.referral_to(codes)} and a new assessment with the full symptom screen finds no red flag.",
        f"Please do not run until you have been seen. {protocol.route_text(codes, 'client')} "
        "Your trainer will check you again after that.",
        red_flag_codes=tuple(codes),
    )


def _screen_incomplete(unasked: list[str]) -> RunningDecision:
    """Her latest symptom screen left questions unasked: when they are only the warning-sign
    questions added since it was recorded (issue 19), the trainer is told to ask those, on that
    assessment or a retest; otherwise to finish the screen."""
    if set(unasked) <= set(WARNING_SIGNS):
        reason = (f"Ask the new warning-sign questions: her latest assessment's symptom screen does not yet ask "
                  f"about {quantity_of(unasked, 'medical warning sign')} (added since it was recorded). Answer them "
                  "on that assessment, or retest her, before any running.")
    else:
        reason = (f"The symptom screen of her latest assessment is not complete ({quantity_of(unasked, 'question')} "
                  "not asked): finish it before any running.")
    return RunningDecision(False, "screen_incomplete", reason,
                           "Your trainer will finish your check-up before you start running.")


def _not_yet(latest: Result, overridden: Iterable[str]) -> RunningDecision:
    """A "not yet" verdict, once nothing checked before it holds her: held with no override
    possible while any of its reasons cannot be overridden (_overridable), running when a recorded
    override covers every item it lists, else held until the trainer reassesses her or records
    her reason to run."""
    items = tuple(dict.fromkeys(r.code for r in latest.reasons))
    blocking = [r for r in latest.reasons if not _overridable(r)]
    if blocking:
        return RunningDecision(
            False, "not_ready",
            "Not yet, and this cannot be overridden: " + " ".join(r.message for r in blocking),
            f"{protocol.VERDICT_WORDING['not_yet'].label} with the work your trainer sets; they will check you again.",
        )
    if set(items) <= set(overridden):
        return RunningDecision(
            True, "overridden", "Running despite a “not yet” verdict, for the reason recorded.",
            "You are running with your trainer's agreement while you keep working on a few things.",
            overridable=True, override_items=items,
        )
    return RunningDecision(
        False, "needs_override",
        "Her latest assessment is “not yet”: reassess her, or record your reason to run anyway.",
        "Not yet: your trainer will check you again before your next run.",
        overridable=True, override_items=items,
    )


def quantity_of(things: Sized, noun: str) -> str:
    """(["a", "b"], "question") → "2 questions"."""
    count = len(things)
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _overridable(reason: Reason) -> bool:
    """Unmet or untested measurements only; never symptoms brought on by a load or impact test."""
    section = reason.code.split(".")[0]
    return (
        section in OVERRIDABLE_SECTIONS
        and reason.kind in ("unmet", "not_assessed")
        and reason.rule != "rule_2_too_early"
        and not reason.provoked
    )


OutcomeKind = Literal[
    "advance_session", "advance_week", "repeat_week", "pause", "finish", "resume", "not_counted"
]
Status = Literal["active", "paused", "finished"]

_STOP_AND_WALK = "When a symptom comes on, stop running and walk the rest of the session."
_STOP_NOW = "Stop exercising now, and do not run again until a health professional has seen you."


@dataclass(frozen=True)
class LoggedSession:
    """A logged session as replay() reads it (a SessionLog row's `as_event()`)."""

    outcome: str  # "completed" | "partial" | "skipped"
    effort: int | None = None  # 0 rest … 10 maximal; None = not rated
    symptoms: frozenset[str] = frozenset()
    done_on: date | None = None  # None: the day is not known, so pacing is not judged

    def __post_init__(self) -> None:
        # Accept any iterable of codes, but store a frozenset so logs stay hashable.
        object.__setattr__(self, "symptoms", frozenset(self.symptoms))
        if self.outcome not in SESSION_OUTCOMES:
            raise ValueError(f"Unknown session outcome: {self.outcome!r}")
        if self.effort is not None and not 0 <= self.effort <= 10:
            raise ValueError(f"Effort must be 0–10, not {self.effort!r}")
        if unknown := self.symptoms - set(SESSION_SYMPTOMS):
            raise ValueError(f"Unknown symptom codes: {sorted(unknown)}")

    @property
    def ran(self) -> bool:
        """She ran in it (all or part): it needs a rest day either side to count."""
        return self.outcome != "skipped"


@dataclass(frozen=True)
class Resumed:
    """The trainer resumed a paused programme (after the client has been seen): a Resume row's event."""


@dataclass(frozen=True)
class Alert:
    code: str  # "red_flag" | "symptoms_in_a_row"
    message: str  # for the trainer


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    message: str  # to her, on her page: what to do, what happens next
    alert: Alert | None = None  # set when the outcome is a pause
    trainer: str = ""  # to the trainer, on the card: what happened and what to do; "" when it reads the same

    @property
    def for_trainer(self) -> str:
        """What the trainer's card says (issue 22): her words stay on her page."""
        return self.trainer or self.message

    @property
    def tone(self) -> str:
        """How the pages show it: "error" for a pause, "warning" for a repeated or uncounted session, "" otherwise."""
        return {"pause": "error", "repeat_week": "warning", "not_counted": "warning"}.get(self.kind, "")


@dataclass(frozen=True)
class State:
    sessions_per_week: tuple[int, ...]  # carried so outcome_of() needs only the state
    week: int = 1  # 1-based
    session: int = 1  # 1-based: the next session to do (the last one done, once finished)
    status: Status = "active"
    repeats: int = 0  # times the current week has been restarted
    clean_streak: int = 0  # symptom-free logged sessions in a row, across weeks
    symptom_streak: int = 0  # logged sessions with symptoms in a row (2 → pause)
    # Completed, symptom-free, paced sessions not rated 9–10, in a row, from week 2 on (buggy running).
    steady_streak: int = 0
    alerts: tuple[Alert, ...] = ()  # open alerts; cleared by Resumed
    last_outcome: Outcome | None = None
    run_days: tuple[date, ...] = field(default=())  # days of the counted sessions she ran (pacing)

    @property
    def weeks(self) -> int:
        return len(self.sessions_per_week)

    @property
    def sessions_this_week(self) -> int:
        return self.sessions_per_week[self.week - 1]

    def too_soon(self, day: date | None) -> date | None:
        """The counted run within a day of `day` (so a session then would not count), or None."""
        if day is None:
            return None
        near = [run for run in self.run_days if abs((day - run).days) < MIN_DAYS_BETWEEN_RUNS]
        return max(near) if near else None


def replay(sessions_per_week: Sequence[int], events: Sequence[LoggedSession | Resumed]) -> State:
    plan = tuple(sessions_per_week)
    if not plan or any(n < 1 for n in plan):
        raise ValueError("A programme needs at least one week, each with at least one session.")
    state = State(plan)
    for event in events:
        state = _apply(state, event)
    return state


def replay_steps(sessions_per_week: Sequence[int], events: Sequence[LoggedSession | Resumed]) -> list[tuple[State, State]]:
    """(state before, state after) for each event, in order: the position each log was
    applied at and what it did. replay() is the last "after"."""
    state = replay(sessions_per_week, ())
    steps = []
    for event in events:
        after = _apply(state, event)
        steps.append((state, after))
        state = after
    return steps


def _stop_words(codes: Iterable[str]) -> str:
    """What to do at once: stop exercising for a warning sign or bleeding, else stop running and walk."""
    stop_now = any(route.stop_now for route in protocol.signposts_for_symptoms(codes))
    return _STOP_NOW if stop_now else _STOP_AND_WALK


def outcome_of(state_before: State, log: LoggedSession) -> Outcome:
    """What this log does to the programme, with the message to show when it is logged. Checked
    in order, the first that holds decides: a red flag pauses; symptoms after symptoms pause;
    symptoms restart the week; a run too soon after the last one does not count; a session not
    completed, or rated 9–10, restarts the week; else she moves on."""
    if state_before.status != "active":
        raise ValueError(f"A {state_before.status} programme does not take session logs.")
    where = f"week {state_before.week}, session {state_before.session}"
    restart = f"Week {state_before.week} will start again from session 1."

    if red_flags := log.symptoms & set(RED_FLAG_SYMPTOMS):
        return _red_flag_pause(red_flags, where)
    if log.symptoms and state_before.symptom_streak >= 1:
        return _symptoms_in_a_row_pause(log.symptoms, where)
    if log.symptoms:
        return _symptoms_restart(log.symptoms, restart)
    if log.ran and (near := state_before.too_soon(log.done_on)):
        return _not_counted(near, where)
    if log.outcome != "completed":
        return Outcome(
            "repeat_week",
            f"{restart} A week moves on once every session in it is completed.",
        )
    if log.effort is not None and log.effort >= 9:
        return Outcome(
            "repeat_week",
            f"Easy running should feel easy, and this felt very hard. {restart}",
            trainer=f"Rated {log.effort} of 10: easy running should feel easy, so {restart[0].lower()}{restart[1:]}",
        )
    return _moved_on(state_before)


def _red_flag_pause(red_flags: frozenset[str], where: str) -> Outcome:
    """A red-flag symptom pauses the programme at once: she is told to stop (exercising at all,
    for a warning sign or bleeding) and whom to see, the trainer gets the alert and the route."""
    stop = _stop_words(red_flags)
    walk = " " if stop == _STOP_NOW else " The symptom you logged is one to get checked before running again. "
    return Outcome(
        "pause",
        f"{stop}{walk}The programme is paused. {protocol.route_text(red_flags, 'client')} Once a health "
        "professional has seen you, your trainer will check you again and restart it with you, a week back.",
        Alert(
            "red_flag",
            f"Red-flag symptom logged in {where} ({symptom_names(red_flags)}). "
            f"Programme paused. {protocol.route_text(red_flags, 'trainer')}",
        ),
        f"Red-flag symptom logged ({symptom_names(red_flags)}): the programme is paused, and she was told to "
        f"{'stop exercising now' if stop == _STOP_NOW else 'stop running and walk the rest'} and whom to see. "
        f"{protocol.route_text(red_flags, 'trainer')} It restarts a week back once a new assessment with the full "
        "symptom screen finds no red flag.",
    )


def _symptoms_in_a_row_pause(symptoms: frozenset[str], where: str) -> Outcome:
    """Symptoms (none a red flag) in a second session in a row pause the programme until she has
    been seen or they have settled; the trainer resumes it with a note."""
    return Outcome(
        "pause",
        f"{_STOP_AND_WALK} Symptoms in two sessions in a row mean the programme is "
        f"paused. {protocol.route_text(symptoms, 'client')} Your trainer will "
        "restart the programme with you, a week back, once a health professional has seen you or the symptoms "
        "have settled.",
        Alert(
            "symptoms_in_a_row",
            f"Symptoms logged in two sessions in a row (latest: {where}, {symptom_names(symptoms)}). "
            f"Programme paused. {protocol.route_text(symptoms, 'trainer')}",
        ),
        f"Symptoms in two sessions in a row ({symptom_names(symptoms)}): the programme is paused. "
        f"{protocol.route_text(symptoms, 'trainer')} Resume it a week back, with a note, once she has been "
        "seen or the symptoms have settled.",
    )


def _symptoms_restart(symptoms: frozenset[str], restart: str) -> Outcome:
    """Symptoms (none a red flag) after a clear session restart the week, with the warning that
    symptoms again next session pause it."""
    return Outcome(
        "repeat_week",
        f"{_STOP_AND_WALK} {restart} If symptoms come back next session, the "
        f"programme pauses so you can get them checked. {protocol.route_text(symptoms, 'client')}",
        trainer=f"Symptoms logged ({symptom_names(symptoms)}): she was told to stop running and walk the rest. "
                f"{restart} If symptoms come back next session, the programme pauses. "
                f"{protocol.route_text(symptoms, 'trainer')}",
    )


def _not_counted(near: date, where: str) -> Outcome:
    """A run within a day of a counted one (the pacing: a rest day between): recorded, but she
    does the same session again."""
    return Outcome(
        "not_counted",
        f"Recorded, but it does not count towards moving on: sessions need a rest day between them, and "
        f"another session counted on {near:%-d %b %Y}. Next: {where} again, after a rest day.",
        trainer=f"Recorded, but it does not count towards moving on: no rest day since the session of "
                f"{near:%-d %b %Y} (3 sessions a week, a rest day between). Next: {where} again.",
    )


def _moved_on(state_before: State) -> Outcome:
    """A completed, symptom-free, paced session not rated 9–10: the next session, the next week,
    or, after the last week's last session, the end of the programme."""
    week, session = state_before.week, state_before.session
    if session < state_before.sessions_this_week:
        return Outcome("advance_session", f"Well done. Next: week {week}, session {session + 1}.")
    if week < state_before.weeks:
        return Outcome(
            "advance_week",
            f"Week {week} done with no symptoms. Next: week {week + 1}, session 1.",
        )
    return Outcome(
        "finish",
        "The last week is done with no symptoms: the programme is finished. Talk to "
        "your trainer before adding more; weekly running time should go up by no "
        "more than about 10% at a time.",
        trainer="The last week is done with no symptoms: the programme is finished. Reassess her and plan what comes "
                "next, adding running time by no more than about 10% a week.",
    )


def _apply(state: State, event: LoggedSession | Resumed) -> State:
    if isinstance(event, Resumed):
        return _resume(state) if state.status == "paused" else state
    if state.status != "active":
        return state  # logs while paused or finished are history, not progress

    outcome = outcome_of(state, event)
    if event.symptoms:
        clean_streak, symptom_streak = 0, state.symptom_streak + 1
    elif event.outcome == "skipped":
        # Nothing was run: neither evidence of symptom-free running nor a break
        # between two symptomatic sessions.
        clean_streak, symptom_streak = state.clean_streak, state.symptom_streak
    else:
        clean_streak, symptom_streak = state.clean_streak + 1, 0
    if outcome.kind == "not_counted":
        steady_streak = 0  # the run of sessions that allows buggy running must respect the pacing
    elif event.outcome == "skipped" and not event.symptoms:
        steady_streak = state.steady_streak
    elif event.outcome == "completed" and not event.symptoms and (event.effort is None or event.effort < 9):
        steady_streak = state.steady_streak + 1 if state.week >= 2 else 0
    else:
        steady_streak = 0
    run_days = state.run_days
    if event.ran and event.done_on is not None and outcome.kind != "not_counted":
        run_days = (*run_days, event.done_on)
    state = replace(
        state, clean_streak=clean_streak, symptom_streak=symptom_streak, steady_streak=steady_streak,
        last_outcome=outcome, run_days=run_days,
    )
    match outcome.kind:
        case "advance_session":
            return replace(state, session=state.session + 1)
        case "advance_week":
            return replace(state, week=state.week + 1, session=1, repeats=0)
        case "repeat_week":
            return replace(state, session=1, repeats=state.repeats + 1)
        case "finish":
            return replace(state, status="finished")
        case "pause":
            # Every pause carries its alert (outcome_of).
            alerts = (*state.alerts, outcome.alert) if outcome.alert else state.alerts
            return replace(state, status="paused", alerts=alerts)
        case "not_counted":
            return state
    raise AssertionError(outcome.kind)


def _resume(state: State) -> State:
    week = max(1, state.week - 1)
    if week < state.week:
        message = f"Programme resumed a week back: next is week {week}, session 1."
    else:
        message = "Programme resumed: next is week 1, session 1."
    return replace(
        state,
        week=week,
        session=1,
        status="active",
        repeats=0,
        symptom_streak=0,
        alerts=(),
        last_outcome=Outcome("resume", message),
    )
