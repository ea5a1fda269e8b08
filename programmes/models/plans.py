"""Plans and their editing: a built-in template (no trainer), a trainer's own template, or the
copy a client follows, each weeks of walk–run sessions (PlanSession) made of blocks
(PlanBlock). Every edit goes through Plan's methods, which refuse (PlanRefused) what would
rewrite the weeks she has reached and refresh her programme's stored state."""

from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clients import versions
from clients.versions import VersionedQuerySet

from .. import builtin

MAX_WEEKS = 52
MAX_SESSIONS_PER_WEEK = 7


class PlanRefused(Exception):
    """A plan edit that is not allowed; the message says why, for the trainer."""


class PlanQuerySet(VersionedQuerySet):
    def templates(self):
        """Built-in templates and trainers' own: what a programme is assigned from."""
        return self.filter(is_template=True)

    def client_copies(self):
        """The copies clients follow, one per programme, each edited for her alone."""
        return self.filter(is_template=False)

    def templates_for(self, trainer):
        """Templates a trainer can use: the built-ins and her studio's."""
        return self.templates().filter(Q(studio_id=trainer.studio_id) | Q(studio__isnull=True))

    def viewable_by(self, trainer):
        """The built-ins and everything her studio owns: its templates and its clients' copies."""
        return self.filter(Q(studio_id=trainer.studio_id) | Q(studio__isnull=True))

    def editable_by(self, trainer):
        return self.filter(studio_id=trainer.studio_id)


class Plan(models.Model):
    """Weeks of walk–run sessions: a built-in template (no trainer), a trainer's own
    template, or the copy a client follows, which her trainer can edit for her alone."""

    # Whose plan it is: a studio's (its template, or its client's copy); none for a built-in.
    studio = models.ForeignKey("accounts.Studio", null=True, blank=True, on_delete=models.CASCADE, related_name="plans")
    # Who made it (kept when she leaves the studio; the plan stays the studio's).
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="plans", verbose_name="made by")
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    is_template = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["studio_id", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="plan_name_not_blank"),
            models.CheckConstraint(condition=Q(studio__isnull=False) | Q(is_template=True), name="plan_copy_has_studio"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self._state.adding and self.studio_id is None and self.trainer_id is not None:
            self.studio_id = self.trainer.studio_id  # made by a trainer: her studio's (no trainer: a built-in)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("plans:detail", args=[self.pk])

    @property
    def is_builtin(self):
        return self.studio_id is None

    @property
    def is_client_copy(self):
        return not self.is_template

    @property
    def kind(self):
        """Which of the three a plan is: "builtin", "own_template" or "client_copy"."""
        if self.is_client_copy:
            return "client_copy"
        return "builtin" if self.is_builtin else "own_template"

    def weeks(self):
        """[(week number, [sessions with their blocks])] — call on a plan fetched with_sessions()."""
        weeks = {}
        for session in self.sessions.all():
            weeks.setdefault(session.week, []).append(session)
        return sorted(weeks.items())

    def sessions_per_week(self):
        return tuple(len(sessions) for _, sessions in self.weeks())

    def warnings(self):
        """Why this plan may rush her (builtin.plan_warnings): call on a plan fetched with_sessions()."""
        return builtin.plan_warnings([[session.as_plan() for session in sessions] for _, sessions in self.weeks()])

    def changed(self):
        """Every edit of a plan: its updated_at moves on and, for a client's copy, she floats to
        the top of the client list and her programme's stored state is refreshed (a new last
        week can turn "finished" back)."""
        from .programme import Programme  # programme.py imports this module: a programme has a plan
        Plan.objects.filter(pk=self.pk).update(updated_at=timezone.now())
        if self.is_client_copy and (programme := Programme.objects.filter(plan=self).first()):
            programme.refresh_state()
            programme.client.touch()

    @classmethod
    @versions.operation()
    def create_template(cls, trainer, name, first_block):
        """Her own new template: one week of one session with `first_block` (a PlanBlock's fields)."""
        plan = cls.objects.create(studio_id=trainer.studio_id, trainer=trainer, name=name, is_template=True)
        session = PlanSession.objects.create(plan=plan, week=1, number=1)
        PlanBlock.objects.create(session=session, position=1, **first_block)
        return plan

    def rename(self, name, description):
        self.name, self.description = name, description
        self.save(update_fields=["name", "description", "updated_at"])
        self.changed()

    def reached_week(self):
        """The week her programme has reached, for a client's copy; None for a template."""
        if not self.is_client_copy:
            return None
        from .programme import Programme  # programme.py imports this module: a programme has a plan

        programme = Programme.objects.filter(plan=self).with_progress(blocks=False).first()
        return programme.state.week if programme else None

    def refuse_reached_week(self, week):
        """A client's copy: weeks she has reached cannot gain or lose sessions, or her logged
        sessions would be read against a different week (progress is replayed from the plan)."""
        reached = self.reached_week()
        if reached is not None and week <= reached:
            raise PlanRefused(f"She has reached week {reached}: weeks up to there keep their sessions, "
                              "so her progress stays as logged. Change the intervals of a session instead.")

    @versions.operation()
    def add_week(self):
        """A new last week, a copy of the current last one; returns its number."""
        sessions = list(self.sessions.prefetch_related("blocks"))
        last_week = max(s.week for s in sessions)
        if last_week >= MAX_WEEKS:
            raise PlanRefused(f"A plan can have at most {MAX_WEEKS} weeks.")
        self.copy_week(last_week, last_week + 1, sessions)
        self.changed()
        return last_week + 1

    def copy_week(self, week, to_week, sessions=None):
        sessions = sessions if sessions is not None else list(self.sessions.filter(week=week).prefetch_related("blocks"))
        for session in (s for s in sessions if s.week == week):
            session.copy_to(self, week=to_week, number=session.number)

    @versions.operation()
    def remove_week(self):
        """Remove the last week; returns its number."""
        last_week = self.sessions.aggregate(last=models.Max("week"))["last"]
        self.refuse_reached_week(last_week)
        if last_week == 1:
            raise PlanRefused("A plan needs at least one week, so week 1 stays. Edit its sessions instead.")
        self.sessions.filter(week=last_week).delete()
        self.changed()
        return last_week

    @versions.operation()
    def add_session(self, week):
        """A new last session in `week`, a copy of its current last one. None if no such week."""
        sessions = list(self.sessions.filter(week=week).prefetch_related("blocks"))
        if not sessions:
            return None
        self.refuse_reached_week(week)
        if len(sessions) >= MAX_SESSIONS_PER_WEEK:
            raise PlanRefused(f"A week can have at most {MAX_SESSIONS_PER_WEEK} sessions.")
        last = sessions[-1]
        new = last.copy_to(self, week=week, number=last.number + 1)
        self.changed()
        return new

    @versions.operation()
    def remove_session(self, session):
        """Remove a session; returns True when that emptied its week (and later weeks moved up)."""
        self.refuse_reached_week(session.week)
        if self.sessions.count() == 1:
            raise PlanRefused("A plan needs at least one session, so this one stays. Edit it instead.")
        week, number = session.week, session.number
        session.delete()
        # Keep sessions numbered 1, 2, 3… in each week and weeks numbered without gaps:
        # progression counts sessions per week. Ascending order never collides with a neighbour.
        for later in self.sessions.filter(week=week, number__gt=number).order_by("number"):
            later.number -= 1
            later.save(update_fields=["number"])
        week_emptied = not self.sessions.filter(week=week).exists()
        if week_emptied:
            for later in self.sessions.filter(week__gt=week).order_by("week", "number"):
                later.week -= 1
                later.save(update_fields=["week"])
        self.changed()
        return week_emptied

    @versions.operation()
    def copy(self, *, trainer, name=None, is_template=True):
        """A deep copy: her own to edit, leaving the original untouched."""
        name = (name or self.name)[: Plan._meta.get_field("name").max_length]
        plan = Plan.objects.create(studio_id=trainer.studio_id, trainer=trainer, name=name, description=self.description,
                                   is_template=is_template)
        for session in self.sessions.prefetch_related("blocks"):
            session.copy_to(plan, week=session.week, number=session.number)
        return plan


def with_sessions(queryset):
    return queryset.prefetch_related(models.Prefetch("sessions", PlanSession.objects.prefetch_related("blocks")))


def running_seconds_sql(session):
    """A session's running seconds (run × repeats over its blocks) as one correlated sum, for the
    session named `session` in the statement around it (its table's name, or an alias)."""
    return (f'COALESCE((SELECT SUM(U0."run_seconds" * U0."repeats") FROM "{PlanBlock._meta.db_table}" U0 '
            f'WHERE U0."session_id" = {session}."id"), 0)')


class PlanSessionQuerySet(VersionedQuerySet):
    def with_running_seconds(self):
        """Each session's running seconds summed in this query (running_seconds_sql()), as
        `running_seconds` (the cached property is then already set), without loading its blocks.
        A correlated sum written as SQL, as her page's other facts are (reports/views.py
        HAS_STRENGTH_PLAN): the same sum as an aggregate over a join grouped by every column of the
        session, and took 0.8 ms to compile where this takes 0.5, more than the read costs to run (issue 20).
        Never as a subquery: Django would rename the session's table there, not this SQL."""
        return self.annotate(running_seconds=models.expressions.RawSQL(
            running_seconds_sql(f'"{PlanSession._meta.db_table}"'), (), output_field=models.IntegerField()))


class PlanSession(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sessions")
    week = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    warm_up_seconds = models.PositiveIntegerField("warm-up walk (seconds)", default=300)
    cool_down_seconds = models.PositiveIntegerField("cool-down walk (seconds)", default=300)

    objects = PlanSessionQuerySet.as_manager()

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

    @versions.operation()
    def replace_blocks(self, warm_up_seconds, cool_down_seconds, blocks):
        """Set the walks and replace the blocks with `blocks` [(run, walk, repeats)]: all or none."""
        self.warm_up_seconds, self.cool_down_seconds = warm_up_seconds, cool_down_seconds
        self.save(update_fields=["warm_up_seconds", "cool_down_seconds"])
        self.blocks.all().delete()
        PlanBlock.objects.bulk_create(
            PlanBlock(session=self, position=position, run_seconds=run, walk_seconds=walk, repeats=repeats)
            for position, (run, walk, repeats) in enumerate(blocks, start=1)
        )
        self.plan.changed()

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

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=Q(run_seconds__gt=0), name="block_runs"),
            models.CheckConstraint(condition=Q(repeats__gte=1), name="block_repeats_at_least_once"),
        ]

    def __str__(self):
        return self.describe()

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

