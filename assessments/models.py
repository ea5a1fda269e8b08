from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse

from clients.models import Client, weeks_between

from . import protocol
from .protocol import Item
from .readiness import evaluate


@dataclass(frozen=True)
class Column:
    """One database column of an assessment, derived from a protocol item."""

    item: Item
    key: str | None  # None: the item is one value; else "value", "left", "right" or "symptoms"

    @property
    def name(self):
        base = f"{self.item.section}_{self.item.code}"
        return f"{base}_{self.key}" if self.key else base

    @property
    def is_flag(self):
        return self.item.kind == "flag" or self.key == "symptoms"

    @property
    def label(self):
        suffix = {"left": " (left)", "right": " (right)", "symptoms": ": symptoms during the test"}.get(self.key, "")
        return self.item.label + suffix

    def model_field(self):
        if self.is_flag:
            return models.BooleanField(self.label, null=True, blank=True)
        return models.PositiveSmallIntegerField(
            self.label, null=True, blank=True, validators=[MaxValueValidator(self.item.maximum)]
        )


def item_columns(item):
    if item.section == "load_impact":
        return [Column(item, key) for key in (*item.value_keys, "symptoms")]
    if item.section == "strength":
        return [Column(item, key) for key in item.value_keys]
    return [Column(item, None)]


COLUMNS = [column for section in protocol.SECTIONS for item in section.items for column in item_columns(item)]
COLUMNS_BY_NAME = {column.name: column for column in COLUMNS}


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


class AssessmentQuerySet(models.QuerySet):
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

    def get_absolute_url(self):
        return reverse("assessments:studio", args=[self.pk])

    @property
    def weeks_postpartum(self):
        return weeks_between(self.client.baby_date_of_birth, self.assessed_on)

    def values(self):
        return {column.name: getattr(self, column.name) for column in COLUMNS}

    def measurement(self, item, key=None):
        """One recorded value of a protocol item: `key` is "left", "right", "value" or "symptoms"."""
        return getattr(self, Column(item, key).name)

    def to_dict(self):
        """The DOMAIN.md dict that the readiness rules read and the JSON export writes."""
        data = {"weeks_postpartum": self.weeks_postpartum}
        for section in protocol.SECTIONS:
            data[section.code] = {}
        for column in COLUMNS:
            value = getattr(self, column.name)
            entries = data[column.item.section]
            if column.key is None:
                entries[column.item.code] = value
            else:
                entries.setdefault(column.item.code, {})[column.key] = value
        data["profile"] = self.client.profile()
        return data

    @cached_property
    def result(self):
        return evaluate(self.to_dict())

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("result", None)
        super().refresh_from_db(*args, **kwargs)

    def save(self, *args, **kwargs):
        self.__dict__.pop("result", None)
        self.verdict = self.result.verdict
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "verdict", "updated_at"}
        super().save(*args, **kwargs)

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
            SectionProgress(section, sum(all(getattr(self, c.name) is not None for c in item_columns(item))
                                         for item in section.items))
            for section in protocol.SECTIONS
        ]

    def copy_values_from(self, other):
        for column in COLUMNS:
            setattr(self, column.name, getattr(other, column.name))


for _column in COLUMNS:
    Assessment.add_to_class(_column.name, _column.model_field())


class AssessmentChange(models.Model):
    """One field of an assessment changed: who, when, from what to what."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=80)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    @property
    def label(self):
        column = COLUMNS_BY_NAME.get(self.field)
        if column:
            return column.label
        return {"assessed_on": "Date of assessment", "notes": "Notes"}.get(self.field, self.field)

    @staticmethod
    def describe(value, field):
        if field == "assessed_on" and value:
            return date.fromisoformat(value).strftime("%-d %b %Y")
        if value is None or value == "":
            return "not tested" if field in COLUMNS_BY_NAME else "blank"
        if isinstance(value, bool):
            return "yes" if value else "no"
        column = COLUMNS_BY_NAME.get(field)
        return f"{value} {column.item.unit}" if column and column.item.unit else str(value)

    @property
    def old_text(self):
        return self.describe(self.old_value, self.field)

    @property
    def new_text(self):
        return self.describe(self.new_value, self.field)
