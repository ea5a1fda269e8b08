"""Which reminder emails are due (issue 23 §1): pure rules over plain data, no ORM.

- "session_day": the morning of a planned session day (07:00 to noon her time). The planned day
  is the one her programme suggests (a rest day after her last session, or its start), not
  moved to today when it has passed: an overdue session gets the nudge below, not a reminder
  every morning.
- "missed": two days after a planned session day with nothing logged since.
- "check_up": a week before her check-up is due (her latest assessment + REASSESS_AFTER).
- "digest": a trainer's daily digest, when her worklist is not empty.
Quiet hours: nothing before 07:00 or after 21:00 in the recipient's time zone (an hourly
scheduler sends at the first run after 07:00). Stopping (her link revoked or expired, consent
withdrawn, archived, reminders off, a red flag or a pause open) is decided before these run
(reports/reminders.py eligible())."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

QUIET_UNTIL, QUIET_FROM = 7, 21  # hours, her local time
MORNING_UNTIL = 12
MISSED_AFTER = timedelta(days=2)
CHECK_UP_NOTICE = timedelta(days=7)


@dataclass(frozen=True)
class Facts:
    planned_on: date | None  # her next planned session day (None: no programme she can log on)
    check_up_due: date | None  # None: no check-up to remind about


def awake(local_now: datetime) -> bool:
    return QUIET_UNTIL <= local_now.hour < QUIET_FROM


def due_kinds(facts: Facts, local_now: datetime) -> list[str]:
    """Her reminders due now, for her local day (each is sent once a day at most: the caller claims it)."""
    if not awake(local_now):
        return []
    today = local_now.date()
    kinds = []
    if facts.planned_on is not None:
        if facts.planned_on == today and local_now.hour < MORNING_UNTIL:
            kinds.append("session_day")
        if facts.planned_on + MISSED_AFTER == today:
            kinds.append("missed")
    if facts.check_up_due is not None and facts.check_up_due - CHECK_UP_NOTICE == today:
        kinds.append("check_up")
    return kinds
