"""The built-in programme templates (DOMAIN.md "Graded programmes"), as plain data.

A session is a warm-up walk, then intervals, then a cool-down walk. Times are whole
seconds so that the table's half-minute walks stay exact. No Django here: models
copy these into editable templates, and tests read them beside DOMAIN.md.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """Run, then walk, `repeats` times. A set that ends on a run has walk_seconds=0."""

    run_seconds: int
    walk_seconds: int
    repeats: int = 1

    def __post_init__(self):
        # Trainers edit templates, so catch impossible blocks where they are made.
        if self.run_seconds < 0 or self.walk_seconds < 0 or self.repeats < 1:
            raise ValueError(f"Impossible interval block: {self}")
        if self.run_seconds + self.walk_seconds == 0:
            raise ValueError("An interval block needs some running or walking.")


@dataclass(frozen=True)
class SessionPlan:
    warm_up_seconds: int
    blocks: tuple[Block, ...]
    cool_down_seconds: int


@dataclass(frozen=True)
class WeekPlan:
    sessions: tuple[SessionPlan, ...]


@dataclass(frozen=True)
class TemplatePlan:
    name: str
    description: str
    weeks: tuple[WeekPlan, ...]


def running_seconds(session: SessionPlan) -> int:
    return sum(b.run_seconds * b.repeats for b in session.blocks)


def walking_seconds(session: SessionPlan) -> int:
    """All walking: warm-up, the walks between runs, and cool-down."""
    intervals = sum(b.walk_seconds * b.repeats for b in session.blocks)
    return session.warm_up_seconds + intervals + session.cool_down_seconds


def week_running_seconds(week: WeekPlan) -> int:
    return sum(running_seconds(s) for s in week.sessions)


def week_walking_seconds(week: WeekPlan) -> int:
    return sum(walking_seconds(s) for s in week.sessions)


def sessions_per_week(template: TemplatePlan) -> tuple[int, ...]:
    """The shape progression.replay() needs."""
    return tuple(len(w.sessions) for w in template.weeks)


# --- Building blocks for the tables below -------------------------------------

def _min(minutes: float) -> int:
    return round(minutes * 60)


def _run(run: float, walk: float = 0, repeats: int = 1) -> Block:
    """A block in the table's units (minutes)."""
    return Block(_min(run), _min(walk), repeats)


def _session(*blocks: Block) -> SessionPlan:
    # Every built-in session has the same 5-minute warm-up and cool-down walks.
    return SessionPlan(_min(5), blocks, _min(5))


def _thrice(session: SessionPlan) -> WeekPlan:
    # 3 sessions a week with a rest day between; the same session each time.
    return WeekPlan((session, session, session))


# --- "Walk–run to 30 minutes": the 9-week Couch to 5K interval structure ------

WALK_RUN_TO_30 = TemplatePlan(
    name="Walk–run to 30 minutes",
    description=(
        "Nine weeks, three sessions a week with a rest day between, from run 1 "
        "minute / walk 90 seconds to 30 minutes of easy running. Each session "
        "starts with a 5-minute warm-up walk and ends with a 5-minute cool-down walk."
    ),
    weeks=(
        # 1: 8 × (run 1, walk 1.5)
        _thrice(_session(_run(1, 1.5, repeats=8))),
        # 2: 6 × (run 1.5, walk 2)
        _thrice(_session(_run(1.5, 2, repeats=6))),
        # 3: 2 × (run 1.5, walk 1.5, run 3, walk 3). A Block repeats a single
        # run/walk pair, so the two-pair set is written out twice.
        _thrice(_session(_run(1.5, 1.5), _run(3, 3), _run(1.5, 1.5), _run(3, 3))),
        # 4: run 3, walk 1.5, run 5, walk 2.5, run 3, walk 1.5, run 5
        _thrice(_session(_run(3, 1.5), _run(5, 2.5), _run(3, 1.5), _run(5))),
        WeekPlan((
            # s1: 3 × run 5 with walk 3 between (no walk after the last run)
            _session(_run(5, 3, repeats=2), _run(5)),
            # s2: run 8, walk 5, run 8
            _session(_run(8, 5), _run(8)),
            # s3: run 20
            _session(_run(20)),
        )),
        WeekPlan((
            # s1: run 5, walk 3, run 8, walk 3, run 5
            _session(_run(5, 3), _run(8, 3), _run(5)),
            # s2: 2 × run 10 with walk 3 between
            _session(_run(10, 3), _run(10)),
            # s3: run 25
            _session(_run(25)),
        )),
        _thrice(_session(_run(25))),
        _thrice(_session(_run(28))),
        _thrice(_session(_run(30))),
    ),
)


# --- "Walk–run foundations": two gentler weeks before week 1 ------------------
#
# DOMAIN.md fixes only the start: 6 × (run 1, walk 2). For the second week we
# change one thing (DOMAIN.md: "change one thing at a time"): the walk shortens to
# 1.5 minutes while running stays at 6 minutes. Week 1 of "Walk–run to 30 minutes",
# 8 × (run 1, walk 1.5), is then again a single change (6 → 8 repeats). It is a
# separate two-week template, finished before "Walk–run to 30 minutes" is assigned,
# so the nine weeks above are not duplicated.

FOUNDATIONS = TemplatePlan(
    name="Walk–run foundations",
    description=(
        "Two gentler weeks to do before week 1 of “Walk–run to 30 minutes”, "
        "three sessions a week: 6 × (run 1 minute, walk 2 minutes), then "
        "6 × (run 1 minute, walk 90 seconds), between 5-minute warm-up and "
        "cool-down walks."
    ),
    weeks=(
        _thrice(_session(_run(1, 2, repeats=6))),
        _thrice(_session(_run(1, 1.5, repeats=6))),
    ),
)


BUILTIN_TEMPLATES: tuple[TemplatePlan, ...] = (FOUNDATIONS, WALK_RUN_TO_30)


# --- Warnings for a plan a trainer edits (DOMAIN.md "Pacing") -------------------

MAX_FIRST_WEEK_RUN_SECONDS = 3 * 60  # a run over 3 minutes in week 1 is continuous running
MIN_WARM_UP_SECONDS = 5 * 60


def steepest_rise(template: TemplatePlan) -> float:
    """The largest week-on-week rise in total running time, as a ratio (week 3 → 4 of "Walk–run to
    30 minutes": 27 → 48 minutes, 1.78)."""
    totals = [week_running_seconds(week) for week in template.weeks]
    return max(later / earlier for earlier, later in zip(totals, totals[1:], strict=False) if earlier)


BUILTIN_STEEPEST_RISE = steepest_rise(WALK_RUN_TO_30)


def plan_warnings(weeks: Sequence[Sequence[SessionPlan]]) -> list[str]:
    """Why a plan may rush her, each in a sentence for the trainer; [] when none. `weeks`: the
    sessions of each week in order. DOMAIN.md "Pacing": a plan that starts with continuous
    running (a run over 3 minutes in week 1), a warm-up under 5 minutes, or a week's running time
    rising more steeply than the built-in template's steepest step. Warnings, not refusals: the
    trainer edits plans for her, and a fixed package must not dictate progression."""
    found = []
    first_week = weeks[0] if weeks else ()
    longest = max((block.run_seconds for session in first_week for block in session.blocks), default=0)
    if longest > MAX_FIRST_WEEK_RUN_SECONDS:
        found.append(f"Week 1 starts with a run of {_minutes(longest)}: start with short runs and walking breaks "
                     f"(no run over {_minutes(MAX_FIRST_WEEK_RUN_SECONDS)} in week 1), never straight to continuous running.")
    short = [(week, number) for week, sessions in enumerate(weeks, 1) for number, session in enumerate(sessions, 1)
             if session.warm_up_seconds < MIN_WARM_UP_SECONDS]
    if short:
        where = ", ".join(f"week {week} session {number}" for week, number in short[:3]) + (" and more" if len(short) > 3 else "")
        found.append(f"A warm-up walk under {_minutes(MIN_WARM_UP_SECONDS)} ({where}): warm up for at least "
                     f"{_minutes(MIN_WARM_UP_SECONDS)} before running.")
    totals = [sum(running_seconds(session) for session in sessions) for sessions in weeks]
    for week, (earlier, later) in enumerate(zip(totals, totals[1:], strict=False), start=2):
        if earlier and later / earlier > BUILTIN_STEEPEST_RISE + 1e-9:
            found.append(f"Week {week}'s running time rises from {_minutes(earlier)} to {_minutes(later)} "
                         f"(×{later / earlier:.1f}): steeper than any week of the built-in plan "
                         f"(at most ×{BUILTIN_STEEPEST_RISE:.1f}). Build running time more gradually.")
    return found


def _minutes(seconds: int) -> str:
    minutes = seconds / 60
    return f"{minutes:g} minute{'' if minutes == 1 else 's'}"
