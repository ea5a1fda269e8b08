from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from clients import versions
from clients.models import Client, weeks_between
from clients.versions import VersionedQuerySet
from guideline import protocol
from lib.queries import Written, read

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


class RecordRefused(Exception):
    """A change to her record that is not allowed as asked; the message says why, for the trainer."""


class RedFlagRemoval(RecordRefused):
    """A change that takes a red flag off her record (a "yes, now" answered otherwise after it was
    saved, or the assessment deleted) without the trainer's confirmation and reason (DOMAIN.md
    "Open red flags": it is a correction, and stays in history). `fields` are the answers it concerns."""

    def __init__(self, message, fields=()):
        super().__init__(message)
        self.fields = tuple(fields)


RED_FLAG_COLUMNS = tuple(column for column in COLUMNS if column.item.section == "symptoms")
RED_FLAG_NAMES = frozenset(column.name for column in RED_FLAG_COLUMNS)


# Sent with `assessment` when the trainer finishes it in the studio: its report is about to be
# wanted (the summary offers it), so it is drawn at once, ahead of all else (reports/drawing.py).
finished = Signal()


def as_json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


SUMMARY_FIELDS = ("client", "assessed_on", "verdict", "recorded_by", "updated_at")


@cache  # the tables' columns do not change while running
def _latest_summaries_statement():
    listed, recorder = Written(Assessment, "a", only=SUMMARY_FIELDS), Written(Assessment.recorded_by.field.related_model, "t")
    sql = (f"SELECT {listed.columns}, {recorder.columns}, COUNT(*) OVER () FROM {listed.table} "
           f'LEFT OUTER JOIN {recorder.table} ON t."id" = a."recorded_by_id" WHERE a."client_id" = %s '
           'ORDER BY a."assessed_on" DESC, a."id" DESC LIMIT %s')
    return listed, recorder, sql


def latest_summaries(client, count):
    """Her latest `count` assessments, newest first, as a list shows them (summaries(), who
    recorded each joined), and how many she has in all (0: none), in one statement, written out:
    what client.assessments.summaries().select_related("recorded_by").order_by("-assessed_on", "-pk")
    .annotate(history_count=Window(Count("pk")))[:count] reads, whose compiling cost her page
    about as much CPU as its other queries together (issue 20)."""
    listed, recorder, sql = _latest_summaries_statement()
    assessments, total = [], 0
    for assessment, recorded_by, (in_all,) in read(sql, [client.pk, count], listed, recorder):
        assessment.client, assessment.recorded_by = client, recorded_by
        assessments.append(assessment)
        total = in_all  # how many she has in all, the same on every row
    return assessments, total


class AssessmentQuerySet(VersionedQuerySet):
    def for_trainer(self, trainer):
        return self.filter(client__studio_id=trainer.studio_id)

    def summaries(self):
        """Just what a list row shows: compiling and loading all ~70 measurement columns
        is most of the cost of a page that only lists dates and verdicts."""
        return self.only(*SUMMARY_FIELDS)


def ruling(result):
    """What the rule for who may run (programmes.progression.running_allowed) reads of a readiness
    result: its verdict and its reasons. tests/programmes/test_progression.py holds it to that."""
    return result.verdict, result.reasons


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

    def save(self, *args, touch=False, **kwargs):
        """`touch`: a trainer's new assessment or import, which floats her to the top of her list."""
        if self._state.adding:
            self.prefill_from_client()
        self.__dict__.pop("result", None)
        self.verdict = self.result.verdict
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "verdict", "updated_at"}
        with versions.operation():
            super().save(*args, **kwargs)
            self.client.refresh_derived()
            if touch:
                self.client.touch()

    def get_absolute_url(self):
        return reverse("assessments:studio", args=[self.pk])

    def delete(self, *args, **kwargs):
        with versions.operation():
            result = super().delete(*args, **kwargs)
            self.client.refresh_derived()
        return result

    def delete_for(self, by, reason, confirm_red_flag_removed=False):
        """Delete this assessment for a reason, keeping what it recorded and its change history
        (a DeletedAssessment on her record). One that records a red flag needs the trainer's
        explicit confirmation too: deleting it takes the red flag off her record."""
        reason = reason.strip()
        if not reason:
            raise RecordRefused("Give the reason for deleting it.")
        if self.red_flag_codes and not confirm_red_flag_removed:
            raise RedFlagRemoval(RED_FLAG_DELETION_NEEDED, ["confirm_red_flag_removed"])
        with versions.operation():
            DeletedAssessment.objects.create(
                client=self.client, assessed_on=self.assessed_on, verdict=self.verdict, recorded_by=self.recorded_by,
                created_at=self.created_at, deleted_by=by, reason=reason, red_flags=self.red_flag_codes,
                record=self.exported(),
                changes=[change.as_json() for change in self.changes.select_related("changed_by")],
            )
            self.delete()

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

    @property
    def red_flag_codes(self):
        """The symptoms this assessment records as present now (red flags), in protocol order."""
        return [column.item.code for column in RED_FLAG_COLUMNS if getattr(self, column.name)]

    def red_flags_removed(self, values):
        """The red-flag answers that `values` would change from "yes, now" to anything else."""
        return [column.name for column in RED_FLAG_COLUMNS
                if getattr(self, column.name) is True and column.name in values and values[column.name] is not True]

    def answer_none_of(self, group_key, by, expected_version):
        """"None of these": every question of the group still unanswered becomes "no" (an answer
        already given is never changed), recorded as one line of the history."""
        group = protocol.ANSWER_GROUPS[group_key]
        unanswered = {field.name: False for field in group.fields if getattr(self, field.name) is None}
        return self.save_changes(unanswered, by, expected_version, group=group)

    def save_changes(self, values, by, expected_version, reasons=None, group=None, entered=()):
        """Save the fields that differ, record who changed what, and bump the version.

        Raises StaleAssessment when someone saved since `expected_version` was read,
        so two tabs never silently overwrite each other. Taking a red flag off her record needs
        the trainer's reason for each such answer (`reasons`: {field name: reason}), kept in the
        history; without one, RedFlagRemoval and nothing is saved. A `group` (protocol.AnswerGroup)
        answered at once is one line of the history, naming the questions it answered. A carried-over
        value `entered` again (the box she just filled in, named by the autosave) is confirmed even when
        it is the same value: its "carried over" mark goes, recorded in the history."""
        reasons = {name: reason.strip() for name, reason in (reasons or {}).items() if reason and reason.strip()}
        if missing := [name for name in self.red_flags_removed(values) if name not in reasons]:
            raise RedFlagRemoval(RED_FLAG_REMOVAL_NEEDED, missing)
        changed = {name: (getattr(self, name), value) for name, value in values.items() if getattr(self, name) != value}
        confirmed = [name for name in entered if name in values and name in self.carried_over and name not in changed]
        if not changed and not confirmed:
            return []
        before = {name: getattr(self, name) for name in (*changed, "carried_over", "verdict", "updated_at")}
        result_before = self.result
        for name, (_, new) in changed.items():
            setattr(self, name, new)
        self.carried_over = [name for name in self.carried_over if name not in changed and name not in confirmed]
        self.__dict__.pop("result", None)
        self.verdict, self.updated_at = self.result.verdict, timezone.now()
        with versions.operation():
            # The version check and the write in one statement (her version moves on with the
            # operation's end, below): a save from another tab since makes it match no row.
            written = {name: getattr(self, name) for name in (*changed, "carried_over", "verdict", "updated_at")}
            if not Assessment._base_manager.filter(pk=self.pk, version=expected_version).update(
                    version=F("version") + 1, **written):
                for name, value in before.items():
                    setattr(self, name, value)
                self.__dict__.pop("result", None)
                raise StaleAssessment
            self.version = expected_version + 1
            versions.bump([self.client_id])
            # Her programmes (and her open red flags) read this assessment only through the rule for
            # who may run (progression.running_allowed: its verdict and reasons, never its focus areas
            # or cautions, and how many values it still carries over) and its date (which one is her
            # latest): a value that changes none of them, as most edits of a measurement on target and
            # every strength or holistic answer do, leaves their state as it is. A carried-over value
            # retested or confirmed moves the count, even with the result unchanged. The property test
            # tests/programmes/test_stored_state.py replays after every such edit.
            programmes = (ruling(self.result) != ruling(result_before) or "assessed_on" in changed
                          or len(self.carried_over) != len(before["carried_over"]))
            # Nor does an edit move what a replay of her programmes reads (their logs, resumes and
            # plan): only their hold by that rule. Her open red flags come from her symptom screens
            # (and their dates), and which assessment is her latest from the dates: an edit of
            # neither leaves them as her row keeps them (tests/assessments/test_autosave_writes.py).
            redated = "assessed_on" in changed
            versions.derive(self.client_id, programmes=programmes, replay=False, latest=redated, assessment=self,
                            red_flags=redated or any(column in changed for column in RED_FLAG_NAMES))
            if group is not None:
                rows = [AssessmentChange(assessment=self, changed_by=by, field=f"{GROUP_PREFIX}{group.key}",
                                         new_value=sorted(changed))]
            else:
                rows = [AssessmentChange(assessment=self, changed_by=by, field=name, old_value=as_json(old),
                                         new_value=as_json(new), reason=reasons.get(name, "") if old is True else "")
                        for name, (old, new) in changed.items()]
            rows += [AssessmentChange(assessment=self, changed_by=by, field=name, old_value=as_json(values[name]),
                                      new_value=as_json(values[name]), reason=CARRIED_OVER_CONFIRMED)
                     for name in confirmed]
            changes = AssessmentChange.objects.bulk_create(rows)
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
        with versions.operation():
            AssessmentChange.objects.create(
                assessment=self, changed_by=by, field="carried_over",
                old_value=len(self.carried_over), new_value="confirmed",
            )
            self.carried_over = []
            self.version += 1
            self.save(update_fields=["carried_over", "version"], touch=True)

    @property
    def carried_over_count(self):
        return len(self.carried_over)


for _column in COLUMNS:
    Assessment.add_to_class(_column.name, model_field(_column))


# The history's word for a carried-over value entered again unchanged (save_changes(entered=...)).
CARRIED_OVER_CONFIRMED = "Carried-over value entered again: confirmed"

# An AssessmentChange for a whole group answered "no" at once: "group:symptoms.warning".
GROUP_PREFIX = "group:"

RED_FLAG_REMOVAL_NEEDED = ("This takes a red flag off her record: tick to confirm she does not have this symptom, and "
                           "give your reason. The change stays in the assessment's history.")
RED_FLAG_DELETION_NEEDED = ("This assessment records a red flag: deleting it takes the red flag off her record. Tick to "
                            "confirm she did not have it.")


class AssessmentChange(models.Model):
    """One field of an assessment changed: who, when, from what to what (and why, when it took a
    red flag off her record)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=80)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    reason = models.TextField(max_length=1000, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.label}: {self.old_text} → {self.new_text}"

    @property
    def group(self):
        return protocol.ANSWER_GROUPS.get(self.field.removeprefix(GROUP_PREFIX)) if self.field.startswith(GROUP_PREFIX) else None

    @property
    def label(self):
        if group := self.group:
            return f"{group.title}: {group.button.lower()}"
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
        if self.group:
            return protocol.SYMPTOM_ANSWERS.unknown
        return self.describe(self.old_value, self.field)

    @property
    def new_text(self):
        if self.group:
            answered = [COLUMNS_BY_NAME[name].label for name in self.new_value or [] if name in COLUMNS_BY_NAME]
            return f"No, for the {protocol.quantity(len(answered), 'questions')} not yet answered: {', '.join(answered)}"
        return self.describe(self.new_value, self.field)

    @property
    def removed_red_flag(self):
        column = COLUMNS_BY_NAME.get(self.field)
        return bool(column and column.item.section == "symptoms" and self.old_value is True and self.new_value is not True)

    def as_json(self):
        """The change as plain data, kept when its assessment is deleted."""
        return {"at": self.changed_at.isoformat(), "by": str(self.changed_by) if self.changed_by else "",
                "what": self.label, "from": self.old_text, "to": self.new_text, "reason": self.reason}


class DeletedAssessment(models.Model):
    """An assessment that was deleted, for a reason: what it recorded and its change history stay
    on her record (DOMAIN.md "Open red flags": removing a red flag is a correction kept in history)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="deleted_assessments")
    assessed_on = models.DateField()
    verdict = models.CharField(max_length=8, choices=VERDICT_CHOICES)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    deleted_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(max_length=1000)
    red_flags = models.JSONField(default=list, blank=True)  # the symptom codes it recorded as present
    record = models.JSONField()  # what it recorded: the JSON export (Assessment.exported())
    changes = models.JSONField(default=list, blank=True)  # its change history (AssessmentChange.as_json())

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-deleted_at", "-pk"]
        indexes = [models.Index(fields=["client", "-deleted_at"], name="deleted_assessment_client")]

    def __str__(self):
        return f"Assessment of {self.assessed_on:%-d %b %Y}, deleted {self.deleted_at:%-d %b %Y}"

    @property
    def red_flag_names(self):
        return ", ".join(protocol.ITEMS[f"symptoms.{code}"].label.lower() for code in self.red_flags
                         if f"symptoms.{code}" in protocol.ITEMS)
