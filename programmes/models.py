from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from assessments.models import Assessment
from clients.models import Client, weeks_between

from . import builtin, progression

REST_DAYS_BETWEEN_SESSIONS = 1  # 3 sessions a week with a rest day between each


class PlanQuerySet(models.QuerySet):
    def templates_for(self, trainer):
        """Templates a trainer can use: the built-ins and her own."""
        return self.filter(is_template=True).filter(Q(trainer=trainer) | Q(trainer__isnull=True))

    def viewable_by(self, trainer):
        """The built-ins and everything she owns: her templates and her clients' copies."""
        return self.filter(Q(trainer=trainer) | Q(trainer__isnull=True))

    def editable_by(self, trainer):
        return self.filter(trainer=trainer)


class Plan(models.Model):
    """Weeks of walk–run sessions: a built-in template (no trainer), a trainer's own
    template, or the copy a client follows, which her trainer can edit for her alone."""

    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    is_template = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["trainer_id", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="plan_name_not_blank"),
            models.CheckConstraint(condition=Q(trainer__isnull=False) | Q(is_template=True), name="plan_copy_has_trainer"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:detail", args=[self.pk])

    @property
    def is_builtin(self):
        return self.trainer_id is None

    def weeks(self):
        """[(week number, [sessions with their blocks])] — call on a plan fetched with_sessions()."""
        weeks = {}
        for session in self.sessions.all():
            weeks.setdefault(session.week, []).append(session)
        return sorted(weeks.items())

    def sessions_per_week(self):
        return tuple(len(sessions) for _, sessions in self.weeks())

    @transaction.atomic
    def copy(self, *, trainer, name=None, is_template=True):
        """A deep copy: her own to edit, leaving the original untouched."""
        name = (name or self.name)[: Plan._meta.get_field("name").max_length]
        plan = Plan.objects.create(trainer=trainer, name=name, description=self.description, is_template=is_template)
        for session in self.sessions.prefetch_related("blocks"):
            session.copy_to(plan, week=session.week, number=session.number)
        return plan


def with_sessions(queryset):
    return queryset.prefetch_related(models.Prefetch("sessions", PlanSession.objects.prefetch_related("blocks")))


class PlanSession(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sessions")
    week = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    warm_up_seconds = models.PositiveIntegerField("warm-up walk (seconds)", default=300)
    cool_down_seconds = models.PositiveIntegerField("cool-down walk (seconds)", default=300)

    class Meta:
        ordering = ["week", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "week", "number"], name="plan_session_unique"),
            models.CheckConstraint(condition=Q(week__gte=1) & Q(number__gte=1), name="plan_session_numbered_from_one"),
        ]

    def __str__(self):
        return f"Week {self.week}, session {self.number}"

    def copy_to(self, plan, *, week, number):
        """This session with its blocks, as week `week`, session `number` of `plan`."""
        new = PlanSession.objects.create(
            plan=plan, week=week, number=number,
            warm_up_seconds=self.warm_up_seconds, cool_down_seconds=self.cool_down_seconds,
        )
        PlanBlock.objects.bulk_create(
            PlanBlock(session=new, position=b.position, run_seconds=b.run_seconds, walk_seconds=b.walk_seconds, repeats=b.repeats)
            for b in self.blocks.all()
        )
        return new

    def as_plan(self):
        return builtin.SessionPlan(
            self.warm_up_seconds,
            tuple(builtin.Block(b.run_seconds, b.walk_seconds, b.repeats) for b in self.blocks.all()),
            self.cool_down_seconds,
        )

    def in_words(self):
        """The session as she reads it: "Warm up 5 min walking, then 6 × (run 1 min, walk 1 min 30 s),
        then cool down 5 min walking"."""
        main = ", then ".join(block.describe() for block in self.blocks.all())
        return (f"Warm up {format_duration(self.warm_up_seconds)} walking, then {main}, "
                f"then cool down {format_duration(self.cool_down_seconds)} walking")

    @cached_property
    def running_seconds(self):
        return builtin.running_seconds(self.as_plan())

    @cached_property
    def walking_seconds(self):
        return builtin.walking_seconds(self.as_plan())

    @property
    def total_seconds(self):
        return self.running_seconds + self.walking_seconds


class PlanBlock(models.Model):
    """Run r seconds, then walk w seconds, n times."""

    session = models.ForeignKey(PlanSession, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveSmallIntegerField()
    run_seconds = models.PositiveIntegerField()
    walk_seconds = models.PositiveIntegerField()
    repeats = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=Q(run_seconds__gt=0), name="block_runs"),
            models.CheckConstraint(condition=Q(repeats__gte=1), name="block_repeats_at_least_once"),
        ]

    def describe(self):
        run = f"run {format_duration(self.run_seconds)}"
        walk = f", walk {format_duration(self.walk_seconds)}" if self.walk_seconds else ""
        return f"{self.repeats} × ({run}{walk})" if self.repeats > 1 else f"{run}{walk}"


def format_duration(seconds):
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return f"{minutes} min"
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s"


class ProgrammeQuerySet(models.QuerySet):
    def for_trainer(self, trainer):
        return self.filter(client__trainer=trainer)

    def current(self):
        return self.filter(ended_at__isnull=True)

    def with_progress(self, blocks=True):
        """Everything a programme's state and card read, in a fixed number of queries."""
        sessions = PlanSession.objects.prefetch_related("blocks") if blocks else PlanSession.objects.all()
        return self.select_related("client", "plan", "assigned_by").prefetch_related(
            models.Prefetch("plan__sessions", sessions), "logs", "resumes"
        )


class Programme(models.Model):
    """A client's walk–run programme: her own copy of a plan, from a start date."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="programmes")
    plan = models.OneToOneField(Plan, on_delete=models.PROTECT, related_name="programme")
    start_date = models.DateField()
    # Recorded when she was assigned running while her latest verdict was not "ready".
    override_reason = models.TextField(max_length=1000, blank=True)
    # The item paths the override was recorded for (DOMAIN.md "Who may run"): a later
    # assessment that is not "ready" for other items holds running until these cover them.
    override_items = models.JSONField(default=list, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(ended_at__isnull=True), name="one_current_programme")
        ]

    def __str__(self):
        return f"{self.plan.name} for {self.client}"

    def delete(self, *args, **kwargs):
        plan = self.plan
        result = super().delete(*args, **kwargs)
        plan.delete()
        return result

    def events(self):
        """Session logs and resumes in the order they were recorded — fetch with
        prefetch_related("logs", "resumes") to keep this free of queries."""
        events = [(log.created_at, log.pk, log.as_event()) for log in self.logs.all()]
        events += [(resume.created_at, resume.pk, progression.Resume()) for resume in self.resumes.all()]
        return [event for *_, event in sorted(events, key=lambda e: (e[0], e[1]))]

    @cached_property
    def state(self):
        return progression.replay(self.plan.sessions_per_week(), self.events())

    @cached_property
    def latest_assessment(self):
        """Her latest assessment, which governs whether she may run (DOMAIN.md); pages that
        show many programmes set it in bulk with attach_latest_assessments()."""
        latest = self.client.assessments.first()
        if latest is not None:
            latest.client = self.client
        return latest

    @cached_property
    def running_decision(self):
        return running_decision_for(self.client, self.latest_assessment, self.start_date, frozenset(self.override_items))

    @property
    def status(self):
        """What the card, her page and home show: the replayed state, held while the rule
        for who may run says no. "held" never moves her position."""
        if self.state.status == "active" and not self.running_decision.allowed:
            return "held"
        return self.state.status

    @property
    def status_label(self):
        # A pause from the logs is always a referral alert; a hold is one when the verdict is "refer".
        if self.status == "paused" or (self.status == "held" and self.running_decision.referral_pending):
            return "Paused: referral pending"
        if self.status == "held":
            return "On hold"
        return "Finished" if self.status == "finished" else f"Week {self.state.week} of {self.state.weeks}"

    @property
    def can_log(self):
        return self.status == "active"

    @property
    def can_resume(self):
        return self.state.status == "paused" and self.running_decision.allowed

    @cached_property
    def next_session(self):
        state = self.state
        if not self.can_log:
            return None
        for session in self.plan.sessions.all():
            if (session.week, session.number) == (state.week, state.session):
                # One query for its blocks, unless the whole plan's were prefetched.
                models.prefetch_related_objects([session], "blocks")
                return session
        return None

    def buggy_running_advice(self, today):
        if self.status == "held":
            return ""  # no running at all for now: the hold's own message says why
        return progression.buggy_running_advice(self.client.weeks_postpartum(today), self.state)

    def schedule(self, today):
        """Dates for the rest of this week's sessions, a rest day between each."""
        state = self.state
        if not self.can_log:
            return []
        first = self.suggested_date(today)
        remaining = state.sessions_this_week - state.session + 1
        return [first + timedelta(days=(REST_DAYS_BETWEEN_SESSIONS + 1) * index) for index in range(remaining)]

    def suggested_date(self, today):
        """Next session date: a rest day after the last one, never before the start or today."""
        logs = self.logs.all()
        last = max((log.done_on for log in logs), default=None)
        earliest = last + timedelta(days=REST_DAYS_BETWEEN_SESSIONS + 1) if last else self.start_date
        return max(earliest, today)


def running_decision_for(client, latest, start_date, overridden=frozenset()):
    """May she start running on `start_date`, given her latest assessment (or None)?"""
    weeks = weeks_between(client.baby_date_of_birth, start_date)
    return progression.running_allowed(latest.result if latest else None, weeks, overridden)


def attach_latest_assessments(programmes):
    """Set each programme's latest_assessment in two queries, however many there are."""
    programmes = list(programmes)
    latest_ids = Assessment.objects.filter(client=models.OuterRef("client_id")).order_by("-assessed_on", "-pk").values("pk")[:1]
    ids = Programme.objects.filter(pk__in=[p.pk for p in programmes]).annotate(latest=models.Subquery(latest_ids))
    by_client = {a.client_id: a for a in Assessment.objects.filter(pk__in=ids.values("latest"))}
    for programme in programmes:
        latest = by_client.get(programme.client_id)
        if latest is not None:
            latest.client = programme.client
        programme.__dict__["latest_assessment"] = latest
    return programmes


class SessionLog(models.Model):
    OUTCOMES = [("completed", "Completed"), ("partial", "Partly done"), ("skipped", "Skipped")]

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="logs")
    week = models.PositiveSmallIntegerField()
    session_number = models.PositiveSmallIntegerField()
    done_on = models.DateField("date")
    outcome = models.CharField(max_length=10, choices=OUTCOMES)
    effort = models.PositiveSmallIntegerField(null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(effort__isnull=True) | Q(effort__lte=10), name="session_effort_0_to_10"),
            models.CheckConstraint(condition=Q(outcome__in=["completed", "partial", "skipped"]), name="session_outcome_valid"),
        ]

    def as_event(self):
        return progression.SessionLog(self.outcome, self.effort, frozenset(self.symptoms))

    @property
    def has_symptoms(self):
        return bool(self.symptoms)

    @property
    def has_red_flag(self):
        return any(code in progression.RED_FLAG_SYMPTOMS for code in self.symptoms)


class Resume(models.Model):
    """The trainer resumed a paused programme (after the referral was dealt with)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="resumes")
    note = models.CharField(max_length=300, blank=True)
    resumed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
