from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse

from clients.models import Client, weeks_between
from clients.versions import VersionedQuerySet

from . import protocol
from .readiness import evaluate


def model_field(field):
    """The database column of a protocol field: nullable, so null is "not assessed", never 0 or "no"."""
    if field.is_flag:
        return models.BooleanField(field.label, null=True, blank=True)
    return models.PositiveSmallIntegerField(
        field.label, null=True, blank=True, validators=[MaxValueValidator(field.item.maximum)]
    )


# One column per protocol field, named as the field: an assessment's values() are the flat
# shape that protocol.nest turns into the assessment dict.
COLUMNS = protocol.FIELDS
COLUMNS_BY_NAME = protocol.FIELDS_BY_NAME


def values_at_target():
    """Every measurement on target, no symptoms, no concerns: what a "ready" assessment holds."""
    return {
        column.name: (column.item.section == "pelvic_floor") if column.is_flag else column.item.target
        for column in COLUMNS
    }


VERDICT_CHOICES = [(code, label) for code, label in protocol.VERDICTS]


@dataclass(frozen=True)
class SectionProgress:
    section: protocol.Section
    done: int

    @property
    def total(self):
        return len(self.section.items)

    @property
    def complete(self):
        return self.done == self.total


class StaleAssessment(Exception):
    """The assessment changed since the form was loaded: saving would overwrite someone's edit."""


def as_json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class AssessmentQuerySet(VersionedQuerySet):
    def for_trainer(self, trainer):
        return self.filter(client__trainer=trainer)

    def summaries(self):
        """Just what a list row shows: compiling and loading all ~70 measurement columns
        is most of the cost of a page that only lists dates and verdicts."""
        return self.only("client", "assessed_on", "verdict", "recorded_by", "updated_at")


class Assessment(models.Model):
    """A dated return-to-running assessment. One nullable column per protocol measurement
    (added below from the protocol): null is "not assessed", never 0 or "no"."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField("date of assessment")
    notes = models.TextField(max_length=5000, blank=True)
    # Stored so lists and the trainer's home can filter and badge without re-evaluating;
    # always recomputed from the values in save().
    verdict = models.CharField(max_length=8, choices=VERDICT_CHOICES, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # A retest pre-fills measurements from her previous assessment: the columns still
    # holding those values, until retested (changed) or confirmed by the trainer.
    carried_over = models.JSONField(default=list, blank=True, editable=False)
    carried_over_from = models.DateField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["client", "-assessed_on"], name="assessment_client_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=[code for code, _ in protocol.VERDICTS]), name="assessment_verdict_valid"
            ),
            *[
                models.CheckConstraint(condition=Q(**{f"{c.name}__lte": c.item.maximum}), name=f"{c.name}_in_range")
                for c in COLUMNS
                if not c.is_flag
            ],
        ]

    def __str__(self):
        return f"{self.client} · {self.assessed_on:%-d %b %Y}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.prefill_from_client()
        self.__dict__.pop("result", None)
        self.verdict = self.result.verdict
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "verdict", "updated_at"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.client.refresh_derived()

    def get_absolute_url(self):
        return reverse("assessments:studio", args=[self.pk])

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            self.client.refresh_derived()
        return result

    @property
    def weeks_postpartum(self):
        return weeks_between(self.client.baby_date_of_birth, self.assessed_on)

    @property
    def verdict_wording(self):
        """Her verdict's word, icon and label (protocol.Verdict), for the verdict badge."""
        return protocol.VERDICT_WORDING[self.verdict]

    def values(self):
        """Her recorded values, flat: {field name: value} (protocol.FIELDS)."""
        return {column.name: getattr(self, column.name) for column in COLUMNS}

    def to_dict(self):
        """The DOMAIN.md dict that the readiness rules read, the charts draw and the JSON export writes."""
        return protocol.nest({"weeks_postpartum": self.weeks_postpartum, **self.values(),
                              "profile": self.client.profile(on=self.assessed_on)})

    def exported(self):
        """The JSON export (and the assessment in "everything we hold about her"): the assessment
        dict with its date and notes, importable again as it is."""
        return {"assessed_on": self.assessed_on.isoformat(), **self.to_dict(), "notes": self.notes}

    @cached_property
    def result(self):
        return evaluate(self.to_dict())

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("result", None)
        super().refresh_from_db(*args, **kwargs)

    PHYSIO = protocol.ITEMS["pelvic_floor.physio_assessed"]

    def prefill_from_client(self):
        """A new assessment starts from what her record already says: a physio visit dated on
        or before the assessment answers "seen by a pelvic health physiotherapist" (the
        trainer can still change it). Existing assessments are never rewritten."""
        column = self.PHYSIO.fields[0].name
        if getattr(self, column) is None and self.client.physio_seen_by(self.assessed_on):
            setattr(self, column, True)

    def save_changes(self, values, by, expected_version):
        """Save the fields that differ, record who changed what, and bump the version.

        Raises StaleAssessment when someone saved since `expected_version` was read,
        so two tabs never silently overwrite each other."""
        changed = {name: (getattr(self, name), value) for name, value in values.items() if getattr(self, name) != value}
        if not changed:
            return []
        with transaction.atomic():
            if not Assessment.objects.filter(pk=self.pk, version=expected_version).update(version=F("version") + 1):
                raise StaleAssessment
            for name, (_, new) in changed.items():
                setattr(self, name, new)
            self.carried_over = [name for name in self.carried_over if name not in changed]
            self.version = expected_version + 1
            self.save()
            changes = AssessmentChange.objects.bulk_create(
                AssessmentChange(assessment=self, changed_by=by, field=name, old_value=as_json(old), new_value=as_json(new))
                for name, (old, new) in changed.items()
            )
        self.client.touch()
        return changes

    def section_progress(self):
        """Each protocol section with how many of its items are fully recorded (every box of
        the item filled: both sides and symptoms for a load test), for the studio's index."""
        return [
            SectionProgress(section, sum(all(getattr(self, field.name) is not None for field in item.fields)
                                         for item in section.items))
            for section in protocol.SECTIONS
        ]

    def carry_over_from(self, other):
        """Pre-fill a retest with the measurements of `other`, marked as carried over."""
        carried = []
        for column in COLUMNS:
            if column.carries_over and (value := getattr(other, column.name)) is not None:
                setattr(self, column.name, value)
                carried.append(column.name)
        self.carried_over, self.carried_over_from = carried, other.assessed_on if carried else None

    def confirm_carried_over(self, by):
        """The trainer confirms the carried-over values still hold: recorded in the history."""
        if not self.carried_over:
            return
        with transaction.atomic():
            AssessmentChange.objects.create(
                assessment=self, changed_by=by, field="carried_over",
                old_value=len(self.carried_over), new_value="confirmed",
            )
            self.carried_over = []
            self.version += 1
            self.save(update_fields=["carried_over", "version"])
        self.client.touch()

    @property
    def carried_over_count(self):
        return len(self.carried_over)


for _column in COLUMNS:
    Assessment.add_to_class(_column.name, model_field(_column))


class AssessmentChange(models.Model):
    """One field of an assessment changed: who, when, from what to what."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=80)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.label}: {self.old_text} → {self.new_text}"

    @property
    def label(self):
        column = COLUMNS_BY_NAME.get(self.field)
        if column:
            return column.label
        return {"assessed_on": "Date of assessment", "notes": "Notes",
                "carried_over": "Values carried over from her previous assessment"}.get(self.field, self.field)

    @staticmethod
    def describe(value, field):
        if field == "assessed_on" and value:
            return date.fromisoformat(value).strftime("%-d %b %Y")
        if field == "carried_over":
            return "confirmed by the trainer" if value == "confirmed" else f"{value} not yet retested"
        column = COLUMNS_BY_NAME.get(field)
        if column:
            return column.describe(value)
        if value is None or value == "":
            return "blank"
        return str(value)

    @property
    def old_text(self):
        return self.describe(self.old_value, self.field)

    @property
    def new_text(self):
        return self.describe(self.new_value, self.field)
