"""A programme's history (ProgrammeEvent): who did what and when, and what a correction or a
deletion changed; every operation on a programme records one (operations.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.versions import VersionedQuerySet

from .. import progression
from .logs import SessionLog

EVENT_KINDS = [
    ("assigned", "Programme assigned"), ("logged", "Session logged"), ("corrected", "Session corrected"),
    ("deleted", "Session deleted"), ("resumed", "Programme resumed"), ("override", "Override recorded"),
    ("ended", "Programme ended"), ("reopened", "Programme reopened"),
]


class ProgrammeEvent(models.Model):
    """The programme's history: who did what and when, with what a correction changed."""

    programme = models.ForeignKey("Programme", on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=12, choices=EVENT_KINDS)
    sequence = models.PositiveIntegerField(null=True, blank=True)  # the session log it is about
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_client = models.BooleanField(default=False)  # she did it herself, through her private link
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(max_length=1000, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=[k for k, _ in EVENT_KINDS]), name="programme_event_kind_valid")]

    FIELD_LABELS = {"done_on": "Date", "outcome": "Outcome", "effort": "Effort", "symptoms": "Symptoms", "notes": "Notes"}

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%-d %b %Y}"

    def changes(self):
        """[(label, before, after)] in words, for each field a correction changed."""
        if not (self.before and self.after):
            return []
        return [
            (label, self.describe_value(field, self.before.get(field)), self.describe_value(field, self.after.get(field)))
            for field, label in self.FIELD_LABELS.items() if self.before.get(field) != self.after.get(field)
        ]

    def recorded(self):
        """[(label, value)] of the session as it was, for a deletion or a log."""
        values = self.before if self.kind == "deleted" else self.after
        if not values or "outcome" not in values:
            return []
        return [(label, self.describe_value(field, values.get(field))) for field, label in self.FIELD_LABELS.items()]

    def recorded_line(self):
        """What a log or a deletion recorded, in one line ("week 2, session 1 · Date: 1 Dec 2026 ·
        Outcome: …"): the history page shows 50 events, and a template loop over each event's fields
        cost more than the rest of the page."""
        after, before = self.after or {}, self.before or {}
        week = after.get("week") or before.get("week")
        place = f"week {week}, session {after.get('session') or before.get('session') or ''} · " if week else ""
        return place + " · ".join(f"{label}: {value}" for label, value in self.recorded())

    def by_whom(self):
        return "her, through her private link" if self.by_client else str(self.by or "a former trainer")

    @property
    def red_flags_removed(self):
        """The red-flag symptoms this correction or deletion took off her record."""
        if self.kind not in ("corrected", "deleted") or not self.before:
            return ""
        removed = set(self.before.get("symptoms", [])) - set((self.after or {}).get("symptoms", []))
        removed &= set(progression.RED_FLAG_SYMPTOMS)
        return progression.symptom_names(removed) if removed else ""

    @staticmethod
    def describe_value(field, value):
        from datetime import date

        if value in (None, "", []):
            return "none" if field == "symptoms" else "—"
        if field == "done_on":
            return f"{date.fromisoformat(value):%-d %b %Y}"
        if field == "outcome":
            return dict(SessionLog.OUTCOMES).get(value, value)
        if field == "symptoms":
            return progression.symptom_names(value)
        return str(value)
