"""Her programme as a page reads it: one plain, frozen snapshot, worked out once per request.

Her page, her PDF report, her calendar, her log page and the trainer's programme card each take
one snapshot (`Programme.snapshot()`, which is `snapshot_of`) and read it, instead of asking the programme for its status, its
schedule, its next session and its advice one call at a time. Everything in it is worked out
from the programme as it was loaded (`ProgrammeQuerySet.with_progress`, with her latest
assessment when the caller has it), so taking it costs the queries those calls cost before:
none for a programme loaded with its blocks, one for the next session's blocks otherwise.

The wording for her (her status, her standing, who to see) is the reports app's
(`reports/her_words.py`): this module says where the programme stands, not how to say it.

This module imports the models only inside its functions, so the models import `snapshot_of`
at their top for `Programme.snapshot()`.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from . import progression

if TYPE_CHECKING:
    from .models import PlanSession, Programme, SessionLog


@dataclass(frozen=True)
class ProgrammeSnapshot:
    """What any page shows of her current programme, on `today`."""

    today: date
    programme_id: int  # its calendar events' ids carry it
    plan_name: str
    start_date: date
    starts_later: bool  # its start date is after today
    # Programme.status: "active" | "held" (the rule for who may run says no) | "paused" | "finished"
    status: str
    status_label: str  # the status in a few words, for the card's badge ("Week 2 of 9", "Paused: referral pending")
    # The replayed position: week, weeks, session, sessions_this_week, repeats, clean_streak,
    # alerts, last_outcome and the replay's own status (progression.State).
    state: progression.State
    decision: progression.RunningDecision  # may she run now, and why, for each reader
    latest_assessment: Any  # the Assessment the decision read (None: never assessed)
    can_log: bool
    can_resume: bool
    referral_pending: bool  # paused, or held while her latest verdict is "refer"
    paused_for_red_flag: bool  # paused by a red flag in a session, not by symptoms twice running
    red_flags: tuple[progression.RedFlag, ...]  # open on her record, oldest first (DOMAIN.md "Open red flags")
    schedule: tuple[date, ...]  # dates for the rest of this week's sessions; () unless she can log
    next_session: "PlanSession | None"  # with its blocks; None unless she can log
    advice: str  # about running with the buggy ("" while held: the hold says why)
    recovery_check: bool  # little sleep or run down in her last two sessions (never a gate)
    sessions: "tuple[PlanSession, ...]"  # her plan's sessions, in (week, number) order
    logs: "tuple[SessionLog, ...]"  # every session logged, in the order recorded
    logged_outcome: progression.Outcome | None  # what the log just made (?logged=N) did; None when none

    @property
    def logged_count(self) -> int:
        return len(self.logs)

    @property
    def recent_logs(self) -> "tuple[SessionLog, ...]":
        """The latest six logs, newest first (Programme.recent_logs)."""
        return self.logs[::-1][:6]


def snapshot_of(programme: "Programme", today: date, logged: int | None = None) -> ProgrammeSnapshot:
    """Her programme on `today`, asked once. `logged`: the sequence number of the session she or
    her trainer has just logged (the view reads it from ?logged=N), whose outcome is replayed;
    a number naming none of this programme's logs gives no outcome."""
    from .models import red_flags_of  # here, not above: models may import this module

    return ProgrammeSnapshot(
        today=today,
        programme_id=programme.pk,
        plan_name=programme.plan.name,
        start_date=programme.start_date,
        starts_later=programme.start_date > today,
        status=programme.status,
        status_label=programme.status_label,
        state=programme.state,
        decision=programme.running_decision,
        latest_assessment=programme.latest_assessment,
        can_log=programme.can_log,
        can_resume=programme.can_resume,
        referral_pending=programme.referral_pending,
        paused_for_red_flag=programme.paused_for_red_flag,
        red_flags=red_flags_of(programme.client),
        schedule=tuple(programme.schedule(today)),
        next_session=programme.next_session,
        advice=programme.buggy_running_advice(today),
        recovery_check=programme.stored_recovery,
        sessions=tuple(programme.plan.sessions.all()),
        logs=tuple(sorted(programme.logs.all(), key=lambda log: (log.created_at, log.pk))),
        logged_outcome=programme.outcome_of_log(logged) if logged is not None else None,
    )


def current_snapshot(client, today: date, latest: Any = None, logged: int | None = None,
                     blocks: bool = True) -> ProgrammeSnapshot | None:
    """The snapshot of her current programme (None: she has none), loaded for it in a fixed number
    of queries (current_programme_of); pass her latest assessment when the caller has loaded it.
    `blocks` False: only her next session's blocks are read (one query, when she can log), and each
    session's running seconds are summed in SQL (for her weekly running chart): her page and her
    report, which show no other session's blocks. Her calendar describes the rest of her week's."""
    from .models import current_programme_of

    programme = current_programme_of(client, latest, blocks=blocks, running=not blocks)
    return programme.snapshot(today, logged) if programme is not None else None
