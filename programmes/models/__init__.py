"""programmes' models, one module for each part (this package replaces programmes/models.py);
every public name is re-exported here, so `from programmes.models import Programme` works
whichever module defines it."""

from .programme import (
    EVENT_KINDS,
    MAX_SESSIONS_PER_WEEK,
    MAX_WEEKS,
    REST_DAYS_BETWEEN_SESSIONS,
    RESUME_NOTE_NEEDED,
    STORED_FIELDS,
    SYMPTOM_COLUMNS,
    AlreadyLogged,
    AttentionAck,
    Exercise,
    ExercisePicture,
    Plan,
    PlanBlock,
    PlanQuerySet,
    PlanRefused,
    PlanSession,
    Programme,
    ProgrammeEvent,
    ProgrammeQuerySet,
    ProgrammeRefused,
    RedFlagNotConfirmed,
    Resume,
    SessionLog,
    StrengthItem,
    StrengthLog,
    StrengthPlan,
    attach_latest_assessments,
    current_programme_of,
    format_duration,
    recorded_red_flags,
    red_flags_of,
    running_decision_for,
    status_label,
    with_sessions,
)

__all__ = [
    "EVENT_KINDS", "MAX_SESSIONS_PER_WEEK", "MAX_WEEKS", "REST_DAYS_BETWEEN_SESSIONS", "RESUME_NOTE_NEEDED",
    "STORED_FIELDS", "SYMPTOM_COLUMNS", "AlreadyLogged", "AttentionAck", "Exercise", "ExercisePicture", "Plan",
    "PlanBlock", "PlanQuerySet", "PlanRefused", "PlanSession", "Programme", "ProgrammeEvent", "ProgrammeQuerySet",
    "ProgrammeRefused", "RedFlagNotConfirmed", "Resume", "SessionLog", "StrengthItem", "StrengthLog", "StrengthPlan",
    "attach_latest_assessments", "current_programme_of", "format_duration", "recorded_red_flags", "red_flags_of",
    "running_decision_for", "status_label", "with_sessions",
]
