"""programmes' models, one module for each part (this package was programmes/models.py):

- plans.py: plans and their editing (Plan, PlanSession, PlanBlock);
- programme.py: a client's programme, its replayed and stored state (Programme);
- operations.py: the operations on a programme (assign, log, correct, delete, resume, override,
  end, reopen), mixed into Programme, and the refusals they raise;
- running.py: the rule for who may run as a programme asks it, and her open red flags;
- logs.py: her session logs and the trainer's resumes (SessionLog, Resume);
- history.py: a programme's history (ProgrammeEvent);
- ../strength.py: her strength work (issue 24).

Home's worklist acknowledgement (AttentionAck) is practice's: practice/models.py.

Every public name is re-exported here, so `from programmes.models import Programme` works
whichever module defines it, and importing this package registers every model with Django.
The modules import one another one way, with no cycle: programme.py imports plans, logs,
running and operations; operations.py imports logs, history and running; history.py and
running.py import logs. Plans and logs reach Programme by an import inside the method that
needs it, which says why."""

from ..strength import Exercise, ExercisePicture, StrengthItem, StrengthLog, StrengthPlan
from .history import EVENT_KINDS, ProgrammeEvent
from .logs import Resume, SessionLog
from .operations import RESUME_NOTE_NEEDED, AlreadyLogged, ProgrammeRefused, RedFlagNotConfirmed
from .plans import MAX_SESSIONS_PER_WEEK, MAX_WEEKS, Plan, PlanBlock, PlanQuerySet, PlanRefused, PlanSession, format_duration, with_sessions
from .programme import (
    REST_DAYS_BETWEEN_SESSIONS,
    STORED_FIELDS,
    Programme,
    ProgrammeQuerySet,
    attach_latest_assessments,
    current_programme_for_card,
    current_programme_of,
    plan_for_page,
    read_resumes,
    status_label,
)
from .running import SYMPTOM_COLUMNS, recorded_red_flags, red_flags_of, running_decision_for

__all__ = [
    "EVENT_KINDS", "MAX_SESSIONS_PER_WEEK", "MAX_WEEKS", "REST_DAYS_BETWEEN_SESSIONS", "RESUME_NOTE_NEEDED",
    "STORED_FIELDS", "SYMPTOM_COLUMNS", "AlreadyLogged", "Exercise", "ExercisePicture", "Plan",
    "PlanBlock", "PlanQuerySet", "PlanRefused", "PlanSession", "Programme", "ProgrammeEvent", "ProgrammeQuerySet",
    "ProgrammeRefused", "RedFlagNotConfirmed", "Resume", "SessionLog", "StrengthItem", "StrengthLog", "StrengthPlan",
    "attach_latest_assessments", "current_programme_for_card", "current_programme_of", "plan_for_page", "format_duration",
    "recorded_red_flags", "red_flags_of", "read_resumes", "running_decision_for", "status_label", "with_sessions",
]
