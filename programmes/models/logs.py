"""Her session logs (SessionLog: one row for each session she or her trainer logged) and the
trainer's resumes of a paused programme (Resume): the rows a programme's state is replayed from
(Programme.events())."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clients import versions
from clients.versions import VersionedQuerySet

from .. import progression, wellbeing


class SessionLog(models.Model):
    OUTCOMES = [("completed", "Completed"), ("partial", "Partly done"), ("skipped", "Skipped")]
    OUTCOMES_FOR_HER = {"completed": "I did all of it", "partial": "I did part of it", "skipped": "I skipped it"}

    programme = models.ForeignKey("Programme", on_delete=models.CASCADE, related_name="logs")
    # Her n-th log on this programme: unique, so a position is logged once, while a repeated
    # week (same week and session number again) is simply a later sequence number.
    sequence = models.PositiveIntegerField()
    week = models.PositiveSmallIntegerField()
    session_number = models.PositiveSmallIntegerField()
    done_on = models.DateField("date")
    outcome = models.CharField(max_length=10, choices=OUTCOMES)
    effort = models.PositiveSmallIntegerField(null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # She logged it herself through her private link (logged_by is then empty).
    logged_by_client = models.BooleanField(default=False)
    # The optional wellbeing check (programmes/wellbeing.py): empty = not answered, never "no".
    sleep = models.CharField(max_length=8, choices=wellbeing.SLEEP, null=True, blank=True)  # noqa: DJ001 (NULL as for the yes/no)
    run_down = models.BooleanField(null=True, blank=True)
    breastfeeding = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(effort__isnull=True) | Q(effort__lte=10), name="session_effort_0_to_10"),
            models.CheckConstraint(condition=Q(outcome__in=["completed", "partial", "skipped"]), name="session_outcome_valid"),
            models.UniqueConstraint(fields=["programme", "sequence"], name="session_log_once"),
        ]

    def __str__(self):
        return f"Week {self.week}, session {self.session_number} on {self.done_on:%-d %b %Y}"

    def save(self, *args, refresh=True, **kwargs):
        """`refresh=False` from the operations, which refresh the programme's stored state
        themselves once everything is written."""
        from .programme import Programme  # programme.py imports this module: its operations write logs

        with versions.operation():
            if self.sequence is None:
                # Written directly (demo data, fixtures): take the programme's next number.
                Programme.objects.filter(pk=self.programme_id).update(log_sequence=F("log_sequence") + 1)
                self.sequence = Programme.objects.values_list("log_sequence", flat=True).get(pk=self.programme_id)
            super().save(*args, **kwargs)
            if refresh:
                Programme(pk=self.programme_id).refresh_state()

    def snapshot(self):
        """What this log records, as plain data for the history's before and after."""
        return {
            "sequence": self.sequence, "week": self.week, "session": self.session_number,
            "done_on": self.done_on.isoformat(), "outcome": self.outcome, "effort": self.effort,
            "symptoms": sorted(self.symptoms), "notes": self.notes,
            "sleep": self.sleep, "run_down": self.run_down, "breastfeeding": self.breastfeeding,
        }

    @property
    def wellbeing(self):
        return wellbeing.Answers(self.sleep, self.run_down, self.breastfeeding)

    def describe(self):
        effort = f", effort {self.effort}" if self.effort is not None else ""
        symptoms = f", symptoms: {progression.symptom_names(self.symptoms)}" if self.symptoms else ", no symptoms"
        feeling = f"; {words}" if (words := wellbeing.describe(self.wellbeing)) else ""
        return (f"week {self.week}, session {self.session_number} on {self.done_on:%-d %b %Y}, "
                f"{self.get_outcome_display().lower()}{effort}{symptoms}{feeling}")

    def as_event(self):
        return progression.LoggedSession(self.outcome, self.effort, frozenset(self.symptoms), self.done_on)

    @property
    def has_symptoms(self):
        return bool(self.symptoms)

    @property
    def logged_by_words(self):
        """Who logged it, as the trainer reads it ("logged by her" / "logged by you")."""
        return "logged by her" if self.logged_by_client else "logged by you"

    @property
    def logged_by_words_for_her(self):
        return "logged by you" if self.logged_by_client else "logged by your trainer"

    def describe_for_her(self):
        """"Week 2, session 1: did all of it, no symptoms", for her page."""
        done = self.OUTCOMES_FOR_HER[self.outcome].removeprefix("I ")
        symptoms = f"noticed {progression.symptom_names(self.symptoms)}" if self.symptoms else "no symptoms"
        return f"Week {self.week}, session {self.session_number}: {done}, {symptoms}"

    @property
    def has_red_flag(self):
        return any(code in progression.RED_FLAG_SYMPTOMS for code in self.symptoms)


class Resume(models.Model):
    """The trainer resumed a paused programme (after the referral was dealt with)."""

    programme = models.ForeignKey("Programme", on_delete=models.CASCADE, related_name="resumes")
    note = models.CharField(max_length=300, blank=True)
    resumed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Resumed {self.created_at:%-d %b %Y}"
