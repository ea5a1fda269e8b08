import logging
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from clients import versions
from clients.models import Client, weeks_between
from clients.versions import VersionedQuerySet
from guideline import protocol

from .. import builtin, progression, wellbeing

logger = logging.getLogger(__name__)

REST_DAYS_BETWEEN_SESSIONS = 1  # 3 sessions a week with a rest day between each
MAX_WEEKS = 52
MAX_SESSIONS_PER_WEEK = 7


class PlanRefused(Exception):
    """A plan edit that is not allowed; the message says why, for the trainer."""


class ProgrammeRefused(Exception):
    """An operation the programme's state does not allow; the message is for the trainer."""


class AlreadyLogged(ProgrammeRefused):
    """A second log for a position that was logged already (a double tap, a retried request)."""

    def __init__(self, log=None, message=""):
        self.log = log
        if not message:
            message = (f"Already logged: {log.describe()}. Nothing was recorded twice." if log else
                       "Already logged: this session was recorded and has since been deleted. Nothing was recorded twice.")
        super().__init__(message)


class RedFlagNotConfirmed(ProgrammeRefused):
    """Removing a red-flag symptom from the record needs the trainer's explicit confirmation."""


class PlanQuerySet(VersionedQuerySet):
    def templates(self):
        """Built-in templates and trainers' own: what a programme is assigned from."""
        return self.filter(is_template=True)

    def client_copies(self):
        """The copies clients follow, one per programme, each edited for her alone."""
        return self.filter(is_template=False)

    def templates_for(self, trainer):
        """Templates a trainer can use: the built-ins and her own."""
        return self.templates().filter(Q(trainer=trainer) | Q(trainer__isnull=True))

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
        Plan.objects.filter(pk=self.pk).update(updated_at=timezone.now())
        if self.is_client_copy and (programme := Programme.objects.filter(plan=self).first()):
            programme.refresh_state()
            programme.client.touch()

    @classmethod
    @versions.operation()
    def create_template(cls, trainer, name, first_block):
        """Her own new template: one week of one session with `first_block` (a PlanBlock's fields)."""
        plan = cls.objects.create(trainer=trainer, name=name, is_template=True)
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

    objects = VersionedQuerySet.as_manager()

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


class ProgrammeQuerySet(VersionedQuerySet):
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
    # The last session-log sequence number issued (never reused, even after a deletion): the
    # log form carries the next one, so a second post of the same form is "already logged".
    log_sequence = models.PositiveIntegerField(default=0)
    # Stored state (what home and the client list read, without replaying anyone): written by
    # refresh_state() in the same transaction as every operation, assessment and plan edit that
    # can change it. Replaying the logs stays the truth; a property test holds the two equal.
    stored_status = models.CharField(max_length=8, default="held")  # status: active | held | paused | finished
    stored_referral = models.BooleanField(default=False)  # status_label says "Paused: referral pending"
    stored_week = models.PositiveSmallIntegerField(default=1)
    stored_weeks = models.PositiveSmallIntegerField(default=1)
    stored_repeats = models.PositiveSmallIntegerField(default=0)
    stored_detail = models.TextField(blank=True)  # the pause's alerts, or why she is held
    latest_log = models.ForeignKey("SessionLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    latest_log_pain = models.BooleanField(default=False)
    # Little sleep or run down in her two latest sessions (programmes/wellbeing.py): the
    # worklist's "check in about recovery". It never gates.
    stored_recovery = models.BooleanField(default=False)
    # Bumped by every operation: home's "Seen" holds while it is unchanged.
    version = models.PositiveIntegerField(default=0)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(ended_at__isnull=True), name="one_current_programme")
        ]

    def __str__(self):
        return f"{self.plan.name} for {self.client}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        with versions.operation():
            super().save(*args, **kwargs)
            if adding:  # however it was made (assign, demo data, fixtures), its stored state is right
                self.refresh_state()

    def delete(self, *args, **kwargs):
        plan = self.plan
        result = super().delete(*args, **kwargs)
        plan.delete()
        return result

    def timeline(self):
        """Session logs and resumes (the model rows) in the order they were recorded — fetch
        with prefetch_related("logs", "resumes") to keep this free of queries."""
        rows = [(log.created_at, 0, log.pk, log) for log in self.logs.all()]
        rows += [(resume.created_at, 1, resume.pk, resume) for resume in self.resumes.all()]
        return [row for *_, row in sorted(rows, key=lambda r: r[:3])]

    def events(self):
        """The timeline as progression events, which replay() turns into her position."""
        return [row.as_event() if isinstance(row, SessionLog) else progression.Resumed() for row in self.timeline()]

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
    def referral_pending(self):
        # A pause from the logs is always a referral alert; a hold is one when the verdict is "refer".
        return self.status == "paused" or (self.status == "held" and self.running_decision.referral_pending)

    @property
    def status_label(self):
        return status_label(self.status, self.referral_pending, self.state.week, self.state.weeks)

    def replayed_state(self):
        """The stored columns' values worked out afresh: replay of the logs and the rule for
        who may run. refresh_state() writes them; the property test compares them."""
        status = self.status
        logs = sorted(self.logs.all(), key=lambda log: (log.created_at, log.pk))
        latest = logs[-1] if logs else None
        detail = (" ".join(alert.message for alert in self.state.alerts) if status == "paused"
                  else self.running_decision.reason if status == "held" else "")
        return {
            "stored_status": status, "stored_referral": self.referral_pending, "stored_week": self.state.week,
            "stored_weeks": self.state.weeks, "stored_repeats": self.state.repeats, "stored_detail": detail,
            "latest_log_id": latest.pk if latest else None, "latest_log_pain": bool(latest and "pain" in latest.symptoms),
            "stored_recovery": wellbeing.needs_recovery_check(log.wellbeing for log in logs[-2:]),
        }

    def refresh_state(self, **fields):
        """Write the stored state from a fresh replay, with any other `fields` of the operation in
        the same statement (call inside the change's operation); her row follows at its end.
        Returns the programme as it now stands, loaded for its state and card."""
        [programme] = Programme.refresh_states(Programme.objects.filter(pk=self.pk), **fields)
        versions.derive(programme.client_id, programmes=False)
        return programme

    @staticmethod
    def open_red_flags_of(client_ids, using=None):
        """{client id: her open red flags as JSON, oldest first} (progression.open_red_flags over
        what her assessments and logs record): her row's derived state (Client.derived_fields)."""
        return {pk: [flag.as_json() for flag in progression.open_red_flags(*found)]
                for pk, found in recorded_red_flags(client_ids, using).items()}

    @staticmethod
    def refresh_states(programmes, latest=None, red_flags=None, **fields):
        """refresh_state() for many programmes at once (her derived state, loading data, the
        migration); `latest`: their client's latest assessment, when it is loaded already;
        `red_flags`: her open red flags as her row will have them (it is written after). Only the
        rows whose state changed (or that take `fields`) are written."""
        programmes = programmes.with_progress(blocks=False)
        if latest is not None:
            rows = list(programmes)
            for programme in rows:
                latest.client = programme.client
                programme.__dict__["latest_assessment"] = latest
        else:
            rows = attach_latest_assessments(programmes)
        changed = []
        for programme in rows:
            if red_flags is not None:
                programme.client.open_red_flags = red_flags
            state = programme.replayed_state()
            if fields or any(getattr(programme, field) != value for field, value in state.items()):
                for field, value in {**state, **fields}.items():
                    setattr(programme, field, value)
                changed.append(programme)
        if changed:
            Programme.objects.bulk_update(changed, [*STORED_FIELDS, *fields], batch_size=500)
            for programme in changed:  # a field written as an expression is read afresh when wanted
                for name, value in fields.items():
                    if hasattr(value, "resolve_expression"):
                        del programme.__dict__[programme._meta.get_field(name).attname]
        return rows

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
        return progression.buggy_running_advice(self.client.baby_date_of_birth, today, self.state)

    def schedule(self, today):
        """Dates for the rest of this week's sessions, a rest day between each."""
        state = self.state
        if not self.can_log:
            return []
        first = self.suggested_date(today)
        remaining = state.sessions_this_week - state.session + 1
        return [first + timedelta(days=(REST_DAYS_BETWEEN_SESSIONS + 1) * index) for index in range(remaining)]

    @property
    def logging_refusal(self):
        if self.ended_at is not None:
            return "This programme has ended: reopen it to log sessions on it."
        if self.status == "held":
            return f"Nothing can be logged now. {self.running_decision.reason}"
        if self.status == "finished":
            return "This programme is finished: nothing more can be logged on it."
        return "This programme is paused: nothing can be logged until it is resumed."

    @property
    def next_sequence(self):
        return self.log_sequence + 1

    def same_day_refusal(self, day, except_log=None):
        """DOMAIN.md "Pacing": at most one session a day counts, so a second log for the same day
        is refused, with the reason; "" when there is none that day."""
        if day is None or not any(log.done_on == day and log.pk != getattr(except_log, "pk", None) for log in self.logs.all()):
            return ""
        return (f"A session is already logged for {day:%-d %b %Y}: at most one session a day counts, with a rest day "
                "between sessions. Correct that one if it was wrong.")

    @property
    def paused_for_red_flag(self):
        """Paused by a red flag in a session (not by symptoms two sessions in a row)."""
        return self.state.status == "paused" and any(alert.code == "red_flag" for alert in self.state.alerts)

    def outcome_of_log(self, sequence):
        """What the log numbered `sequence` did to her programme, replayed from the logs as
        they stand now; None if it is gone or was logged while the programme did not move."""
        steps = progression.replay_steps(self.plan.sessions_per_week(), self.events())
        for row, (before, after) in zip(self.timeline(), steps, strict=True):
            if isinstance(row, SessionLog) and row.sequence == sequence:
                return after.last_outcome if before.status == "active" else None
        return None

    def recent_logs(self, count=6):
        return sorted(self.logs.all(), key=lambda log: (log.created_at, log.pk), reverse=True)[:count]

    # --- Operations: each one locks the programme row, records itself in the history, and
    # writes the programme's state and her row once each, at its end. --------------------------

    def _lock(self):
        """Lock this programme's row until the transaction ends: operations on one programme
        run one at a time, so two of them never act on the same position."""
        return Programme.objects.select_for_update().get(pk=self.pk)

    def _reloaded(self):
        return Programme.objects.filter(pk=self.pk).with_progress(blocks=False).get()

    def _changed(self, **fields):
        """The end of every operation: its version moves on (home's "Seen" holds while it does
        not), with its state and any other `fields` in one write, and she floats to the top.
        Returns the programme as it now stands."""
        programme = self.refresh_state(version=F("version") + 1, **fields)
        self.client.touch()
        return programme

    def _record(self, kind, by, *, log=None, reason="", before=None, after=None, by_client=False):
        return ProgrammeEvent.objects.create(
            programme=self, kind=kind, by=by, by_client=by_client, sequence=log.sequence if log else None,
            reason=reason, before=before, after=after,
        )

    @classmethod
    @versions.operation()
    def assign(cls, *, client, template, start_date, by, override_reason="", override_items=()):
        """Her own copy of `template`, from `start_date`. The rule for who may run decides on her
        record as it stands (the form asks it first, for the words): an open red flag, or anything
        else no reason can override, refuses; a "not yet" needs the reason for the items it lists."""
        client = Client.objects.select_for_update().get(pk=client.pk)  # one assignment at a time for her
        decision = running_decision_for(client, client.assessments.first(), start_date, frozenset(override_items))
        if not decision.allowed:
            if not (decision.overridable and override_reason.strip()):
                raise ProgrammeRefused(decision.reason)
            override_items = decision.override_items
        programme = cls.objects.create(
            client=client, plan=template.copy(trainer=by, is_template=False), start_date=start_date,
            override_reason=override_reason, override_items=list(override_items), assigned_by=by,
        )
        programme._record("assigned", by, after={"plan": template.name, "start_date": start_date.isoformat()})
        programme._changed()
        return programme

    def log_session(self, *, by, sequence, done_on, outcome, effort=None, symptoms=(), notes="", position=None,
                    by_client=False, sleep=None, run_down=None, breastfeeding=None):
        """Record the session at her current position, exactly once: `sequence` is the number
        the log form was given (next_sequence), `position` the (week, session) it showed.
        `by_client`: she logged it herself through her private link (`by` is then None).
        Returns (log, outcome); raises AlreadyLogged or ProgrammeRefused."""
        with versions.operation():
            locked = self._lock()
            if sequence <= locked.log_sequence:
                raise AlreadyLogged(self.logs.filter(sequence=sequence).first())
            if sequence != locked.log_sequence + 1:
                raise ProgrammeRefused("This form is out of date: reload her page and log the session again.")
            current = self._reloaded()
            if current.ended_at is not None or not current.can_log:
                raise ProgrammeRefused(current.logging_refusal)
            if refusal := current.same_day_refusal(done_on):
                raise ProgrammeRefused(refusal)
            state = current.state
            if position is not None and tuple(position) != (state.week, state.session):
                raise ProgrammeRefused(f"Her programme is now at week {state.week}, session {state.session}, not the "
                                       "session this form showed: check her programme and log again.")
            log = SessionLog(
                programme=current, sequence=sequence, week=state.week, session_number=state.session, done_on=done_on,
                outcome=outcome, effort=effort, symptoms=sorted(symptoms), notes=notes, logged_by=by,
                logged_by_client=by_client, sleep=sleep, run_down=run_down, breastfeeding=breastfeeding,
            )
            result = progression.outcome_of(state, log.as_event())
            try:
                with transaction.atomic():
                    log.save(refresh=False)
            except IntegrityError:
                # The unique (programme, sequence) constraint: where row locks are not
                # available (SQLite), the database still refuses the second copy.
                raise AlreadyLogged(message="Already logged: this session was just recorded. Nothing was recorded twice.") from None
            current._record("logged", by, log=log, after=log.snapshot(), by_client=by_client)
            log.programme = current._changed(log_sequence=sequence)  # as it stands now, for its card
        if log.has_red_flag:  # opened on her row as the operation ended: the card's banner shows it
            log.programme.client.refresh_from_db(fields=["open_red_flags", "red_flag_since"])
        return log, result

    def email_trainer_about_pause(self, client_url):
        """She logged a session through her link that paused her programme: tell her trainer.
        Nothing clinical and no name in the email (mail is not a safe place for health data):
        the link to her page, where the trainer sees what was logged after signing in."""
        trainer = self.client.trainer
        if not trainer.email:
            return
        body = render_to_string("programmes/paused_email.txt", {"trainer": trainer, "client_url": client_url})
        try:
            send_mail("A client's running programme is paused", body, None, [trainer.email])
        except OSError:  # the log is recorded and home lists her first; a mail outage must not lose that
            logger.exception("Could not email the trainer about a paused programme")

    def _red_flags_removed(self, before, after, confirmed):
        removed = {*before} - {*after}
        removed = removed & set(progression.RED_FLAG_SYMPTOMS)
        if removed and not confirmed:
            raise RedFlagNotConfirmed(
                f"This removes a red-flag symptom ({progression.symptom_names(removed)}) from her record: "
                "tick to confirm she did not have it."
            )

    def _renumber(self):
        """Re-derive each log's week and session from the logs as they now stand, so the
        record reads as replay sees it (replay, not the stored numbers, decides her position)."""
        current = self._reloaded()
        steps = progression.replay_steps(current.plan.sessions_per_week(), current.events())
        for row, (before, _) in zip(current.timeline(), steps, strict=True):
            if isinstance(row, SessionLog) and (row.week, row.session_number) != (before.week, before.session):
                SessionLog.objects.filter(pk=row.pk).update(week=before.week, session_number=before.session)

    def _locked_log(self, log):
        try:
            return SessionLog.objects.select_for_update().get(pk=log.pk, programme=self)
        except SessionLog.DoesNotExist:
            raise ProgrammeRefused("That session has been deleted: there is nothing to change.") from None

    CORRECTABLE = ("done_on", "outcome", "effort", "symptoms", "notes", "sleep", "run_down", "breastfeeding")

    def correct_log(self, log, *, by, reason, confirm_red_flag_removed=False, **changes):
        """Change what a logged session records, for a reason; her position, pause and
        alerts follow from the corrected logs. Returns the log."""
        if unknown := set(changes) - set(self.CORRECTABLE):
            raise TypeError(f"Not correctable: {sorted(unknown)}")
        if not reason.strip():
            raise ProgrammeRefused("Give the reason for the correction.")
        with versions.operation():
            self._lock()
            log = self._locked_log(log)
            before = log.snapshot()
            for field, value in changes.items():
                setattr(log, field, sorted(value) if field == "symptoms" else value)
            after = log.snapshot()
            if after == before:
                raise ProgrammeRefused("Nothing was changed: change what was recorded, or cancel.")
            self._red_flags_removed(before["symptoms"], after["symptoms"], confirm_red_flag_removed)
            if after["done_on"] != before["done_on"] and (refusal := self._reloaded().same_day_refusal(log.done_on, log)):
                raise ProgrammeRefused(refusal)
            log.save(refresh=False)
            self._renumber()
            self._record("corrected", by, log=log, reason=reason.strip(), before=before, after=after)
            self._changed()
        return log

    def delete_log(self, log, *, by, reason, confirm_red_flag_removed=False):
        """Delete a logged session, for a reason; what it recorded stays in the history."""
        if not reason.strip():
            raise ProgrammeRefused("Give the reason for deleting it.")
        with versions.operation():
            self._lock()
            log = self._locked_log(log)
            before = log.snapshot()
            self._red_flags_removed(before["symptoms"], [], confirm_red_flag_removed)
            log.delete()
            self._renumber()
            ProgrammeEvent.objects.create(programme=self, kind="deleted", by=by, sequence=before["sequence"],
                                          reason=reason.strip(), before=before)
            self._changed()

    def resume(self, by, note=""):
        """Resume a paused programme one week back. After a red flag, only once a newer assessment
        with the full symptom screen found none (the rule for who may run says so); after symptoms
        in two sessions in a row, with a note that she has been seen or the symptoms have settled."""
        note = note.strip()
        with versions.operation():
            self._lock()
            current = self._reloaded()
            if current.state.status != "paused":
                raise ProgrammeRefused("Only a paused programme can be resumed.")
            if not current.can_resume:
                raise ProgrammeRefused(f"It cannot be resumed yet. {current.running_decision.reason}")
            if not current.paused_for_red_flag and not note:
                raise ProgrammeRefused(RESUME_NOTE_NEEDED)
            Resume.objects.create(programme=self, note=note, resumed_by=by)
            self._record("resumed", by, reason=note)
            self._changed()

    def record_override(self, by, reason):
        """Carry on running although a newer assessment is "not yet", for a recorded reason
        that covers exactly the items that assessment left unmet or untested."""
        with versions.operation():
            self._lock()
            current = self._reloaded()
            decision = current.running_decision
            if current.status != "held" or not decision.overridable:
                raise ProgrammeRefused("There is nothing to override: " + (decision.reason if not decision.allowed else "she may run."))
            if not reason.strip():
                raise ProgrammeRefused("Give your reason to carry on running, or reassess her.")
            dated = f"{timezone.localdate():%-d %b %Y}: {reason}"
            items = sorted({*current.override_items, *decision.override_items})
            Programme.objects.filter(pk=self.pk).update(
                override_reason=f"{current.override_reason}\n{dated}".strip()[:1000], override_items=items,
            )
            self._record("override", by, reason=reason, before={"items": current.override_items}, after={"items": items})
            self._changed()

    def end(self, by):
        with versions.operation():
            locked = self._lock()
            if locked.ended_at is not None:
                raise ProgrammeRefused("This programme has already ended.")
            self.ended_at = timezone.now()
            Programme.objects.filter(pk=self.pk).update(ended_at=self.ended_at)
            self._record("ended", by)
            self._changed()

    def reopen(self, by):
        """Make an ended programme current again, if she has no other current programme."""
        with versions.operation():
            locked = self._lock()
            if locked.ended_at is None:
                raise ProgrammeRefused("This programme is current already.")
            refusal = ProgrammeRefused("She has another current programme: end it before reopening this one.")
            if Programme.objects.filter(client_id=self.client_id).current().exists():
                raise refusal
            try:
                with transaction.atomic():
                    Programme.objects.filter(pk=self.pk).update(ended_at=None)
            except IntegrityError:  # one_current_programme: another one was assigned meanwhile
                raise refusal from None
            self.ended_at = None
            self._record("reopened", by)
            self._changed()

    def suggested_date(self, today):
        """Next session date: a rest day after the last one, never before the start or today."""
        logs = self.logs.all()
        last = max((log.done_on for log in logs), default=None)
        earliest = last + timedelta(days=REST_DAYS_BETWEEN_SESSIONS + 1) if last else self.start_date
        return max(earliest, today)


RESUME_NOTE_NEEDED = "Say that she has been seen or that the symptoms have settled: a note is needed to resume."

STORED_FIELDS = ("stored_status", "stored_referral", "stored_week", "stored_weeks", "stored_repeats", "stored_detail",
                 "latest_log_id", "latest_log_pain", "stored_recovery")


def status_label(status, referral_pending, week, weeks):
    """The programme's state in a few words, for the card, home and the client list."""
    if referral_pending:
        return "Paused: referral pending"
    if status == "held":
        return "On hold"
    return "Finished" if status == "finished" else f"Week {week} of {weeks}"


def running_decision_for(client, latest, start_date, overridden=frozenset()):
    """May she start running on `start_date`, given her latest assessment (or None) and the red
    flags open on her record?"""
    weeks = weeks_between(client.baby_date_of_birth, start_date)
    carried_over = len(latest.carried_over) if latest else 0
    return progression.running_allowed(latest.result if latest else None, weeks, overridden, red_flags_of(client),
                                       carried_over)


def red_flags_of(client):
    """The red flags open on her record, as her row keeps them (Client.derived_fields)."""
    return tuple(progression.RedFlag.from_json(flag) for flag in client.open_red_flags)


SYMPTOM_COLUMNS = tuple(field for field in protocol.FIELDS if field.item.section == "symptoms")


def recorded_red_flags(client_ids, using=None):
    """{client id: (every red flag recorded on her surviving records, every complete and clear
    screen)}: what progression.open_red_flags() reads. Four indexed queries, however many clients
    (assessments, clear screens, run logs and strength sessions)."""
    found = {pk: ([], []) for pk in client_ids}
    assessments = Assessment._base_manager.using(using).filter(client_id__in=client_ids).order_by()
    any_yes = models.Q()
    for column in SYMPTOM_COLUMNS:
        any_yes |= models.Q(**{column.name: True})
    for row in assessments.filter(any_yes).values(
            "pk", "client_id", "assessed_on", "created_at", "recorded_by__full_name", *(c.name for c in SYMPTOM_COLUMNS)):
        found[row["client_id"]][0].append(progression.RedFlag(
            tuple(c.item.code for c in SYMPTOM_COLUMNS if row[c.name]), row["assessed_on"], row["created_at"],
            "assessment", row["pk"], row["recorded_by__full_name"] or ""))
    all_clear = assessments.filter(**{column.name: False for column in SYMPTOM_COLUMNS})
    for client_id, on, at in all_clear.values_list("client_id", "assessed_on", "created_at"):
        found[client_id][1].append(progression.Screen(on, at))
    # Red-flag symptoms noted with her runs and with her strength sessions (issue 24), alike.
    for model, to_client, source in ((SessionLog, "programme__client_id", "session"),
                                     (StrengthLog, "plan__client_id", "strength")):
        logs = model._base_manager.using(using).filter(**{f"{to_client}__in": client_ids}).exclude(symptoms=[]).order_by()
        for row in logs.values("pk", to_client, "done_on", "created_at", "symptoms", "logged_by__full_name", "logged_by_client"):
            if codes := tuple(code for code in progression.RED_FLAG_SYMPTOMS if code in row["symptoms"]):
                by = "her" if row["logged_by_client"] else row["logged_by__full_name"] or ""
                found[row[to_client]][0].append(
                    progression.RedFlag(codes, row["done_on"], row["created_at"], source, row["pk"], by))
    return found


def current_programme_of(client, latest=None):
    """Her current programme ready for state and the rule for who may run; pass her latest
    assessment when the caller has already loaded it, to save the query."""
    programme = client.programmes.current().with_progress().first()
    if programme is not None and latest is not None:
        latest.client = client
        programme.__dict__["latest_assessment"] = latest
    return programme


def attach_latest_assessments(programmes):
    """Set each programme's latest_assessment in two queries, however many there are."""
    programmes = list(programmes)
    if not programmes:
        return programmes
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
    OUTCOMES_FOR_HER = {"completed": "I did all of it", "partial": "I did part of it", "skipped": "I skipped it"}

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="logs")
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

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="resumes")
    note = models.CharField(max_length=300, blank=True)
    resumed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Resumed {self.created_at:%-d %b %Y}"


EVENT_KINDS = [
    ("assigned", "Programme assigned"), ("logged", "Session logged"), ("corrected", "Session corrected"),
    ("deleted", "Session deleted"), ("resumed", "Programme resumed"), ("override", "Override recorded"),
    ("ended", "Programme ended"), ("reopened", "Programme reopened"),
]


class ProgrammeEvent(models.Model):
    """The programme's history: who did what and when, with what a correction changed."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="history")
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


class AttentionAck(models.Model):
    """The trainer dealt with what home listed for a client ("seen", "referral sent"): the
    entry stays away while its fingerprint is unchanged, and comes back with anything new."""

    KINDS = [("seen", "Seen"), ("referral_sent", "Referral sent")]

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="attention_acks")
    kind = models.CharField(max_length=16, choices=KINDS)
    fingerprint = models.CharField(max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["client", "-at"], name="attention_ack_latest")]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["seen", "referral_sent"]), name="attention_ack_kind_valid")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%-d %b %Y}"

    @classmethod
    def record(cls, client, by, *, kind, fingerprint):
        return cls.objects.create(client=client, by=by, kind=kind, fingerprint=fingerprint)


# Her strength work (issue 24) lives in its own module; imported here so Django finds its models.
from ..strength import (  # noqa: E402, F401
    Exercise,
    ExercisePicture,
    StrengthItem,
    StrengthLog,
    StrengthPlan,
)
