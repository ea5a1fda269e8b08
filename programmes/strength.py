"""Her strength work (issue 24): the exercise library, her own strength plan (a copy, like her
walk–run plan) and the sessions she ticks done. The rules are in strength_rules (pure)."""

import base64
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clients import versions
from clients.models import Client
from clients.versions import VersionedQuerySet
from guideline import protocol
from lib.queries import only_row

from . import progression, strength_rules
from .strength_rules import SERVES_CHOICES, Dose, ExerciseSpec


class StrengthRefused(Exception):
    """A strength-plan operation that is not allowed now; the message says why."""


class AlreadyTicked(StrengthRefused):
    """A second tick with the same key (a double tap, a retried request)."""


class ExerciseQuerySet(models.QuerySet):
    def viewable_by(self, trainer):
        """The built-ins and her studio's."""
        return self.filter(Q(studio_id=trainer.studio_id) | Q(studio__isnull=True))

    def editable_by(self, trainer):
        return self.filter(studio_id=trainer.studio_id)


class DoseFields(models.Model):
    """A starting dose and how to do it: the library's, and each item of her plan (its copy)."""

    name = models.CharField(max_length=120)
    serves = models.CharField("test it serves", max_length=60, choices=SERVES_CHOICES)
    steps = models.TextField("her steps, in plain words", max_length=2000)
    sets = models.PositiveSmallIntegerField(default=3)
    reps = models.PositiveSmallIntegerField("reps (or holds)", default=10)
    hold_seconds = models.PositiveSmallIntegerField("hold (seconds)", null=True, blank=True,
                                                    help_text="Only for held exercises; leave empty otherwise.")
    tempo = models.CharField(max_length=80, blank=True)
    load = models.CharField(max_length=80, blank=True, default="Body weight")

    class Meta:
        abstract = True

    @property
    def dose(self):
        return Dose(self.sets, self.reps, self.hold_seconds or None)

    @property
    def serves_label(self):
        return dict(SERVES_CHOICES).get(self.serves, self.serves)


class Exercise(DoseFields):
    """An exercise of the library: a built-in (no studio) or a studio's own."""

    studio = models.ForeignKey("accounts.Studio", null=True, blank=True, on_delete=models.CASCADE, related_name="exercises")
    # Who added it (kept when she leaves the studio; the exercise stays the studio's).
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="exercises", verbose_name="added by")
    muscles = models.CharField(max_length=200)
    cues = models.TextField("your cues", max_length=2000, blank=True)
    progression = models.TextField("how to progress", max_length=2000, blank=True)
    regressions = models.TextField(max_length=2000, blank=True)
    low_impact = models.BooleanField("low impact", default=True,
                                     help_text="Suitable while it is too early to run (pelvic floor and low-impact strength only).")
    video_url = models.URLField("video link", blank=True, help_text="A link to a video elsewhere; nothing is uploaded.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["serves", "studio_id", "name", "pk"]
        indexes = [models.Index(fields=["studio", "serves"], name="exercise_studio_serves")]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="exercise_name_not_blank"),
            models.CheckConstraint(condition=Q(sets__gte=1) & Q(reps__gte=1), name="exercise_dose_positive"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self._state.adding and self.studio_id is None and self.trainer_id is not None:
            self.studio_id = self.trainer.studio_id  # made by a trainer: her studio's (no trainer: a built-in)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("plans:exercise", args=[self.pk])

    @property
    def is_builtin(self):
        return self.studio_id is None

    @property
    def low_impact_words(self):
        return strength_rules.LOW_IMPACT_WORDS[self.low_impact]

    @property
    def spec(self):
        return ExerciseSpec(self.pk, self.serves, self.dose, self.low_impact, own=not self.is_builtin)

    COPIED = ("name", "serves", "steps", "sets", "reps", "hold_seconds", "tempo", "load", "muscles", "cues",
              "progression", "regressions", "low_impact", "video_url")

    def copy(self, trainer):
        name = f"{self.name[: self._meta.get_field('name').max_length - 7]} (copy)"
        with transaction.atomic():
            copy = Exercise.objects.create(studio_id=trainer.studio_id, trainer=trainer, name=name,
                                           **{f: getattr(self, f) for f in self.COPIED if f != "name"})
            picture = ExercisePicture.objects.filter(exercise=self).first()
            if picture:
                ExercisePicture.objects.create(exercise=copy, data=picture.data)
        return copy


class ExercisePicture(models.Model):
    """An exercise's picture, re-encoded as a PNG (accounts.forms.checked_image), in its own table so
    the library's lists never load it. Shown as a data: URL, as the trainer's logo is."""

    exercise = models.OneToOneField(Exercise, on_delete=models.CASCADE, related_name="picture")
    data = models.BinaryField()

    def __str__(self):
        return f"Picture of exercise #{self.exercise_id}"

    def data_url(self):
        return "data:image/png;base64," + base64.b64encode(bytes(self.data)).decode()


class StrengthPlanQuerySet(VersionedQuerySet):
    def for_trainer(self, trainer):
        return self.filter(client__studio_id=trainer.studio_id)

    def current(self):
        return self.filter(ended_at__isnull=True)


class StrengthPlan(models.Model):
    """Her own strength plan: copies of library exercises at her doses, assigned by her trainer."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="strength_plans")
    assessment = models.ForeignKey("assessments.Assessment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    start_date = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # The exactly-once key of her ticks: a tick form carries the next number (as her run log does).
    log_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StrengthPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(ended_at__isnull=True), name="one_current_strength_plan"),
        ]

    def __str__(self):
        return f"Strength plan of client #{self.client_id} from {self.start_date}"

    def week_on(self, day):
        return max(1, (day - self.start_date).days // 7 + 1)

    def dose_steps(self, today):
        """How many steps up her doses have earned by `today` (strength_rules.steps_earned): one query."""
        ticks = [(self.week_on(done_on), bool(symptoms)) for done_on, symptoms in
                 StrengthLog.objects.filter(plan=self).values_list("done_on", "symptoms")]
        return strength_rules.steps_earned(strength_rules.weeks_of(ticks, self.week_on(today)))

    @classmethod
    def assign(cls, *, client, items, start_date, by, assessment=None):
        """Her own copy: `items` are (Exercise, Dose, daily) in order. Ends her current plan.
        An open red flag refuses, as it refuses running (DOMAIN.md "Open red flags")."""
        if not items:
            raise StrengthRefused("Choose at least one exercise for her plan.")
        with versions.operation():
            client = Client.objects.select_for_update().get(pk=client.pk)
            if client.has_open_red_flag:
                raise StrengthRefused(strength_rules.RED_FLAG_NO_PLAN)
            cls.objects.filter(client=client, ended_at__isnull=True).update(ended_at=timezone.now())
            plan = cls.objects.create(client=client, assessment=assessment, assigned_by=by, start_date=start_date)
            StrengthItem.objects.bulk_create(
                StrengthItem(plan=plan, exercise=exercise, position=position, daily=daily,
                             sets=dose.sets, reps=dose.reps, hold_seconds=dose.hold_seconds,
                             **{f: getattr(exercise, f) for f in ("name", "serves", "steps", "tempo", "load")})
                for position, (exercise, dose, daily) in enumerate(items, start=1)
            )
            client.touch()
        return plan

    def tick(self, *, sequence, done_on, by=None, by_client=False, symptoms=()):
        """Record one session done, exactly once: `sequence` is the number the form was given.
        A red-flag symptom opens a red flag on her record at the operation's end (as a run log's
        does), which pauses her running and her strength work alike."""
        with versions.operation():
            locked = StrengthPlan.objects.select_for_update().get(pk=self.pk)
            if sequence <= locked.log_sequence:
                raise AlreadyTicked("Already ticked: this session was recorded. Nothing was recorded twice.")
            if sequence != locked.log_sequence + 1:
                raise StrengthRefused("This page is out of date: reload it and tick again.")
            if locked.ended_at is not None:
                raise StrengthRefused("This strength plan has ended.")
            if Client.objects.filter(pk=self.client_id, red_flag_since__isnull=False).exists():
                raise StrengthRefused(strength_rules.RED_FLAG_NO_PLAN)
            if done_on > timezone.localdate() or done_on < self.start_date:
                raise StrengthRefused("Choose a day from the plan's start to today.")
            try:
                with transaction.atomic():
                    log = StrengthLog.objects.create(plan=locked, sequence=sequence, done_on=done_on, logged_by=by,
                                                     logged_by_client=by_client, symptoms=sorted(symptoms))
            except IntegrityError:
                raise AlreadyTicked("Already ticked: this session was recorded. Nothing was recorded twice.") from None
            StrengthPlan.objects.filter(pk=self.pk).update(log_sequence=sequence)
            self.log_sequence = sequence
            Client(pk=self.client_id).touch()
            if set(symptoms) & set(progression.RED_FLAG_SYMPTOMS):
                versions.derive(self.client_id)
        return log


class StrengthItem(models.Model):
    """One exercise of her plan, copied from the library at her dose (edits never touch the library)."""

    plan = models.ForeignKey(StrengthPlan, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField()
    daily = models.BooleanField(default=False)  # the pelvic-floor routine
    name = models.CharField(max_length=120)
    serves = models.CharField(max_length=60, choices=SERVES_CHOICES)
    steps = models.TextField(max_length=2000)
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField()
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    tempo = models.CharField(max_length=80, blank=True)
    load = models.CharField(max_length=80, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "position"], name="strength_item_position")]

    def __str__(self):
        return self.name

    @property
    def dose(self):
        return Dose(self.sets, self.reps, self.hold_seconds or None)

    @property
    def this_week(self):
        """This week's dose: the assigned one moved on the steps her plan has earned (set by
        current_strength_plan; the assigned dose until then)."""
        return strength_rules.stepped(self.dose, getattr(self, "dose_step", 0))


class StrengthLog(models.Model):
    """A strength session she (or her trainer) ticked done."""

    plan = models.ForeignKey(StrengthPlan, on_delete=models.CASCADE, related_name="logs")
    sequence = models.PositiveIntegerField()
    done_on = models.DateField()
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    logged_by_client = models.BooleanField(default=False)
    # Symptom codes noticed during or after it (progression.SESSION_SYMPTOMS, as a run log's): a
    # red-flag one opens a red flag on her record (recorded_red_flags, programmes/models/running.py).
    symptoms = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-done_on", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["plan", "sequence"], name="strength_log_once")]

    def __str__(self):
        return f"Strength session {self.sequence} on {self.done_on}"

    @property
    def has_red_flag(self):
        return bool(set(self.symptoms) & set(progression.RED_FLAG_SYMPTOMS))


def with_counts(plans, today):
    """Each plan with its sessions done in all (`done`) and in its current week (`done_this_week`)."""
    return plans.annotate(
        done=models.Count("logs"),
        done_this_week=models.Count("logs", filter=Q(logs__done_on__gte=today - timedelta(days=today.weekday()))),
    )


def current_strength_plan(client, today=None):
    """Her current strength plan with its exercises, counts and this week's doses, or None: three queries."""
    today = today or timezone.localdate()
    plan = only_row(with_counts(client.strength_plans.current(), today).prefetch_related("items"))
    if plan is not None:
        plan.dose_step = plan.dose_steps(today)
        for item in plan.items.all():
            item.dose_step = plan.dose_step
    return plan


def red_flag_route(client, reader):
    """Whom to see about her open red flags, for `reader`; "" when none is open."""
    if not client.has_open_red_flag:
        return ""
    flags = tuple(progression.RedFlag.from_json(flag) for flag in client.open_red_flags)
    return protocol.route_text(progression.red_flag_codes(flags), reader)


def paused_words(client, reader):
    """Why her strength plan is paused and whom to see, for `reader`; "" when it is not paused."""
    if not (route := red_flag_route(client, reader)):
        return ""
    return (strength_rules.PAUSED_FOR_HER if reader == "client" else strength_rules.PAUSED_FOR_TRAINER).format(route=route)
