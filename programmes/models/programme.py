"""A client's walk–run programme (Programme): her own copy of a plan from a start date, whose
state is replayed from her session logs and resumes and held by the rule for who may run, with
the stored state home and the client list read (refresh_state()). Its operations are in
operations.py."""

import json
from datetime import timedelta
from functools import cache, cached_property

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q

from assessments.models import Assessment
from clients import versions
from clients.models import Client
from clients.versions import VersionedQuerySet
from lib.queries import Written, fits, is_prefetched, only_row, prefetched, read, read_one

from .. import progression, wellbeing
from ..snapshot import snapshot_of
from .logs import Resume, SessionLog
from .operations import ProgrammeOperations
from .plans import Plan, PlanBlock, PlanSession, running_seconds_sql
from .running import recorded_red_flags, running_decision_for

REST_DAYS_BETWEEN_SESSIONS = 1  # 3 sessions a week with a rest day between each


class ProgrammeQuerySet(VersionedQuerySet):
    def for_trainer(self, trainer):
        return self.filter(client__studio_id=trainer.studio_id)

    def current(self):
        return self.filter(ended_at__isnull=True)

    def locked(self, lock=True):
        """Its programmes' rows locked until the transaction under way ends, a log is written from
        the programme as read (Programme.log_session): its own rows alone, not her row or its plan's
        joined with it. `lock` False: as it is."""
        return self.select_for_update(of=("self",)) if lock else self

    def with_latest_assessment(self):
        """Her latest assessment read with her row, as her row names it (Client.latest_assessment,
        kept with every change of hers): Programme.latest_assessment without a query of its own."""
        return self.select_related("client__latest_assessment")

    def with_progress(self, blocks=True, running=False, resumes=True):
        """Everything a programme's state and card read, in a fixed number of queries. `blocks`:
        every session's blocks too; `running` (without blocks): each session's running seconds
        summed in the sessions' own query (PlanSession.running_seconds), for her weekly running
        chart, instead of loading every block of her plan. `resumes` False: whether it has any
        resumes rides on its row (has_resumes) and read_resumes() reads them only then: most
        programmes were never resumed (a page's read, never one under a lock)."""
        sessions = PlanSession.objects.prefetch_related("blocks") if blocks else PlanSession.objects.all()
        if running and not blocks:
            sessions = sessions.with_running_seconds()
        # Its logs and resumes unordered: every reader puts them in the order they were recorded
        # (timeline(), snapshot_of), and their ORDER BY cost more to compile than to run.
        prefetches = [models.Prefetch("plan__sessions", sessions), models.Prefetch("logs", SessionLog.objects.order_by())]
        if resumes:
            prefetches.append(models.Prefetch("resumes", Resume.objects.order_by()))
        programmes = self.select_related("client", "plan", "assigned_by").prefetch_related(*prefetches)
        return programmes if resumes else programmes.annotate(has_resumes=has_resumes())


class Programme(ProgrammeOperations, models.Model):
    """A client's walk–run programme: her own copy of a plan, from a start date. Its operations
    (assign(), log_session(), correct_log() …) are ProgrammeOperations' (operations.py)."""

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
        show many programmes set it in bulk with attach_latest_assessments(), and a programme read
        with her row's latest assessment joined (with_latest_assessment()) has it already."""
        client = self.client
        joined = Client._meta.get_field("latest_assessment").is_cached(client)
        latest = client.latest_assessment if joined else client.assessments.first()
        if latest is not None:
            latest.client = client
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

    def refresh_state(self, loaded=None, red_flags=True, **fields):
        """Write the stored state from a fresh replay, with any other `fields` of the operation in
        the same statement (call inside the change's operation); her row follows at its end.
        `loaded`: this programme as the operation loaded it (with_progress) under its lock, with
        what the operation wrote since read into it: replayed as it is instead of read again.
        `red_flags` False: the operation recorded no red flag and took none away (a new log without
        a red-flag symptom), so her open red flags are as her row keeps them, and so is which
        assessment is her latest (no operation on a programme changes that).
        Returns the programme as it now stands, loaded for its state and card."""
        [programme] = Programme.refresh_states([loaded] if loaded is not None else Programme.objects.filter(pk=self.pk),
                                               **fields)
        versions.derive(programme.client_id, programmes=False, red_flags=red_flags, latest=red_flags)
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
        rows whose state changed (or that take `fields`) are written. `programmes`: a QuerySet, or
        a list of programmes loaded with_progress() and their latest assessment (refresh_state)."""
        if isinstance(programmes, list):
            rows = programmes
        elif latest is not None:
            rows = list(programmes.with_progress(blocks=False))
            for programme in rows:
                latest.client = programme.client
                programme.__dict__["latest_assessment"] = latest
        else:
            rows = attach_latest_assessments(programmes.with_progress(blocks=False))
        changed = []
        for programme in rows:
            if red_flags is not None:
                programme.client.open_red_flags = red_flags
            state = programme.replayed_state()
            if fields or any(getattr(programme, field) != value for field, value in state.items()):
                for field, value in {**state, **fields}.items():
                    setattr(programme, field, value)
                changed.append(programme)
        if len(changed) == 1:  # an operation's own programme: a plain UPDATE, not bulk_update's CASE per column
            [programme] = changed
            with transaction.atomic(savepoint=False):  # as Programme.objects.bulk_update() writes and bumps
                models.QuerySet(Programme).filter(pk=programme.pk).update(
                    **{name: getattr(programme, name) for name in (*STORED_FIELDS, *fields)})
                versions.bump([programme.client_id])
        elif changed:
            Programme.objects.bulk_update(changed, [*STORED_FIELDS, *fields], batch_size=500)
        for programme in changed:  # a field written as an expression is read afresh when wanted
            for name, value in fields.items():
                if hasattr(value, "resolve_expression"):
                    del programme.__dict__[programme._meta.get_field(name).attname]
        return rows

    @staticmethod
    def refresh_holds(client_id, latest=None, red_flags=None, using=None):
        """refresh_states() when only what the rule for who may run reads has changed (her latest
        assessment's result, what it carries over, her red flags, her baby's date of birth), not
        her programmes' logs, resumes or plan: a replay would give the position it gave when their
        stored state was last written, so what the hold decides (status "held" or "active", a
        referral, why) is worked out from that stored state alone, without reading the logs. A
        paused or finished programme is not held (status), so only her active and held ones are
        read, in no order (each is worked out alone). `latest`: her latest assessment, loaded;
        `red_flags`: her open red flags as her row will have them (her row as `latest` carries
        it, else read with her programmes). tests/programmes/test_stored_state.py holds the result
        to the replay."""
        client = latest.client if latest is not None and Assessment.client.is_cached(latest) else None
        if client is None:
            fields = ("pk", *(name for name in HOLD_FIELDS if name != "id"))
            rows = list(Programme.objects.using(using).filter(client_id=client_id, stored_status__in=HOLDABLE).order_by()
                        .select_related("client").only(*fields, *(f"client__{name}" for name in HOLD_CLIENT_FIELDS)))
        else:
            rows = holdable_of(client_id, client, using)
        for programme in rows:
            if red_flags is not None:
                programme.client.open_red_flags = red_flags
            if latest is not None and "client" not in latest._state.fields_cache:
                latest.client = programme.client
            decision = running_decision_for(programme.client, latest, programme.start_date,
                                            frozenset(programme.override_items))
            held = not decision.allowed
            state = {"stored_status": "held" if held else "active", "stored_referral": held and decision.referral_pending,
                     "stored_detail": decision.reason if held else ""}
            if any(getattr(programme, field) != value for field, value in state.items()):
                with transaction.atomic(savepoint=False):  # as refresh_states() writes one and bumps
                    models.QuerySet(Programme).filter(pk=programme.pk).update(**state)
                    versions.bump([programme.client_id])
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
                return read_blocks(session, session._state.db)
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

    def suggested_date(self, today):
        """Next session date: a rest day after the last one, never before the start or today."""
        logs = self.logs.all()
        last = max((log.done_on for log in logs), default=None)
        earliest = last + timedelta(days=REST_DAYS_BETWEEN_SESSIONS + 1) if last else self.start_date
        return max(earliest, today)

    def snapshot(self, today, logged=None):
        """What any page shows of her programme on `today`, worked out once (programmes/snapshot.py):
        her page, her PDF, her calendar, her log page and the programme card read it."""
        return snapshot_of(self, today, logged)


STORED_FIELDS = ("stored_status", "stored_referral", "stored_week", "stored_weeks", "stored_repeats", "stored_detail",
                 "latest_log_id", "latest_log_pain", "stored_recovery")


# What the rule for who may run, and her latest assessment's result, read of her row (refresh_holds).
HOLD_CLIENT_FIELDS = ("baby_date_of_birth", "open_red_flags", "delivery", "perineal_trauma", "breastfeeding",
                      "prior_incontinence", "bmi_30_or_more", "physio_seen_date")
# What the hold is worked out from, of her programmes that can be held (refresh_holds).
HOLD_FIELDS = ("id", "client_id", "start_date", "override_items", "stored_status", "stored_referral", "stored_detail")
HOLDABLE = ("active", "held")


@cache  # the table's columns do not change while running
def holdable_sql():
    """Her active and held programmes' HOLD_FIELDS, in the model's order (Model.from_db reads them so)."""
    columns = [field.column for field in Programme._meta.concrete_fields if field.attname in HOLD_FIELDS]
    return (f"SELECT {', '.join(columns)} FROM {Programme._meta.db_table} "
            f"WHERE client_id = %s AND stored_status IN ({', '.join(['%s'] * len(HOLDABLE))})")


def holdable_of(client_id, client, using=None):
    """Her programmes that can be held, as refresh_holds() works them out, with `client` (hers,
    loaded) as theirs: one statement, written out, as it is on most edits of her latest assessment, and
    compiling it as expressions cost more than running it."""
    using = using or DEFAULT_DB_ALIAS
    names = [field.attname for field in Programme._meta.concrete_fields if field.attname in HOLD_FIELDS]
    items = names.index("override_items")
    with connections[using].cursor() as cursor:
        cursor.execute(holdable_sql(), [client_id, *HOLDABLE])
        found = cursor.fetchall()
    programmes = []
    for values in found:
        values = list(values)
        if isinstance(values[items], str):  # JSON as text (SQLite, and PostgreSQL as Django reads it)
            values[items] = json.loads(values[items])
        programme = Programme.from_db(using, names, values)
        programme.client = client
        programmes.append(programme)
    return programmes


@cache  # the table's columns do not change while running
def _blocks_statement():
    block = Written(PlanBlock, "b")
    return block, f'SELECT {block.columns} FROM {block.table} WHERE b."session_id" = %s ORDER BY b."position"'


def read_blocks(session, using=None):
    """A session's blocks, in order, as prefetch_related("blocks") leaves them, unless they were
    read already: one statement, written out (through the ORM's prefetch, compiling it cost several
    times running it: her next session's blocks on the client page, her page and her report)."""
    if is_prefetched(session, "blocks"):
        return session
    block, sql = _blocks_statement()
    blocks = [row for row, _ in read(sql, [session.pk], block, using=using)]
    for row in blocks:
        row.session = session
    return prefetched(session, "blocks", blocks)


@cache  # the table's columns do not change while running
def _sessions_statement(running):
    session = Written(PlanSession, "s")
    # with_progress(running=True): each session's running seconds summed with it (as
    # with_running_seconds() sums them), as the last column.
    summed = f', {running_seconds_sql("s")}' if running else ""
    return session, (f'SELECT {session.columns}{summed} FROM {session.table} WHERE s."plan_id" = %s '
                     'ORDER BY s."week", s."number"')


def read_sessions(plan, running=False, using=None):
    """A plan's sessions, in order, as prefetch_related("sessions") leaves them (each knowing its
    plan), in one statement, written out (the client page's card, the plan page); `running`: each
    with its running seconds, as with_progress(running=True) reads them. Returns them."""
    session_part, sql = _sessions_statement(running)
    sessions = []
    for session, rest in read(sql, [plan.pk], session_part, using=using):
        if running:
            session.running_seconds = rest[0]  # the cached property, set as the annotation sets it
        session.plan = plan
        sessions.append(session)
    prefetched(plan, "sessions", sessions)
    return sessions


def resumed_sql(programme):
    """Whether the programme named `programme` in the statement around it (its table's name, or an
    alias) has any resumes: one indexed EXISTS on its id."""
    return f'EXISTS (SELECT 1 FROM "{Resume._meta.db_table}" U0 WHERE U0."programme_id" = {programme}."id")'


def has_resumes():
    """resumed_sql() as an annotation, written as SQL (Django's Exists() costs about as much to
    compile as the query it saves)."""
    return models.expressions.RawSQL(resumed_sql(f'"{Programme._meta.db_table}"'), (), output_field=models.BooleanField())


def read_resumes(programme):
    """Its resumes, read with with_progress(resumes=False): only if its row says it has any; else
    none, without a query."""
    if programme.has_resumes:
        models.prefetch_related_objects([programme], models.Prefetch("resumes", Resume.objects.order_by()))
    else:
        prefetched(programme, "resumes", [])
    return programme


@cache  # the tables' columns do not change while running
def _card_statements():
    programme, plan = Written(Programme, "p"), Written(Plan, "pl")
    trainer = Written(Programme._meta.get_field("assigned_by").related_model, "t")
    log = Written(SessionLog, "l")
    resumed = resumed_sql("p")
    return {  # each statement, and the parts its rows are read into
        # with_progress(blocks=False, resumes=False).select_related("plan", "assigned_by"), her row not joined
        "programme": (
            f"SELECT {programme.columns}, {plan.columns}, {trainer.columns}, {resumed} "
            f'FROM {programme.table} INNER JOIN {plan.table} ON pl."id" = p."plan_id" '
            f'LEFT OUTER JOIN {trainer.table} ON t."id" = p."assigned_by_id" '
            'WHERE p."client_id" = %s AND p."ended_at" IS NULL', (programme, plan, trainer)),
        # … and without who assigned it, which her page and her report never show
        "programme_alone": (
            f"SELECT {programme.columns}, {plan.columns}, {resumed} "
            f'FROM {programme.table} INNER JOIN {plan.table} ON pl."id" = p."plan_id" '
            'WHERE p."client_id" = %s AND p."ended_at" IS NULL', (programme, plan)),
        # unordered, as with_progress reads them
        "logs": (f'SELECT {log.columns} FROM {log.table} WHERE l."programme_id" = %s', (log,)),
    }


def current_programme_for_card(client, using=None, running=False, who_assigned=True):
    """Her current programme as the client page reads it for its card (None: she has none): its
    plan and who assigned it, its plan's sessions without their blocks, its logs, and its resumes
    only if it has any, with her row as the page read it; what
    client.programmes.current().with_progress(blocks=False, resumes=False).select_related(None)
    .select_related("plan", "assigned_by") and read_resumes() read, in the same statements.
    `running`: each session's running seconds too, as with_progress(running=True) reads them (her
    page, her report and her log page read it so, through current_programme_of, and `who_assigned`
    False: without who assigned it, which they never show).

    Written out: the three statements cost the client page ~3 ms of CPU through the ORM, most of it
    compiling them and prefetching, where running them costs a fraction of that."""
    statements = _card_statements()
    sql, parts = statements["programme" if who_assigned else "programme_alone"]
    row = read_one(sql, [client.pk], *parts, using=using)
    if row is None:
        return None
    programme, plan, *assigned_by, (resumed,) = row  # who assigned it only if read (None: nobody)
    programme.plan, programme.has_resumes, programme.client = plan, bool(resumed), client
    if who_assigned:
        programme.assigned_by = assigned_by[0]
    read_sessions(plan, running, using)
    sql, parts = statements["logs"]
    logs = [log for log, _ in read(sql, [programme.pk], *parts, using=using)]
    for log in logs:  # as a prefetch leaves them: each knows its programme
        log.programme = programme
    prefetched(programme, "logs", logs)
    return read_resumes(programme)


@cache  # the tables' columns do not change while running
def _plan_page_statements():
    plan, programme, client = Written(Plan, "pl"), Written(Programme, "p"), Written(Client, "c")
    block = Written(PlanBlock, "b")
    return {  # each statement, and the parts its rows are read into
        # viewable_by(trainer).select_related("programme__client").get(pk=…): a built-in or her studio's
        "plan": (
            f"SELECT {plan.columns}, {programme.columns}, {client.columns} "
            f'FROM {plan.table} LEFT OUTER JOIN {programme.table} ON pl."id" = p."plan_id" '
            f'LEFT OUTER JOIN {client.table} ON p."client_id" = c."id" '
            'WHERE (pl."studio_id" = %s OR pl."studio_id" IS NULL) AND pl."id" = %s', (plan, programme, client)),
        # with_sessions(): its sessions in order (read_sessions()), then their blocks, each session's in
        # order of position
        "blocks": (
            f'SELECT {block.columns} FROM {block.table} INNER JOIN "{PlanSession._meta.db_table}" s ON s."id" = b."session_id" '
            'WHERE s."plan_id" = %s ORDER BY b."position"', (block,)),
    }


def plan_for_page(trainer, pk, using=None):
    """The plan page's plan (None: no such plan she may view), read as
    with_sessions(Plan.objects.viewable_by(trainer)).select_related("programme__client").get(pk=pk)
    leaves it: its programme and that programme's client joined (None: a template), its sessions
    in order, each with its blocks, each knowing what it belongs to. In the same three statements.

    Written out: through the ORM, compiling the join of some hundred columns and the two prefetches
    cost about 4 ms of CPU a drawing, several times what running them costs (issue 20)."""
    if not fits(Plan._meta.pk, pk, connections[using or DEFAULT_DB_ALIAS]):
        return None
    statements = _plan_page_statements()
    sql, parts = statements["plan"]
    row = read_one(sql, [trainer.studio_id, pk], *parts, using=using)
    if row is None:
        return None
    plan, programme, client, _ = row  # no programme: a template (its client, then, None too)
    if programme is not None:
        programme.client, programme.plan = client, plan
    Plan.programme.related.set_cached_value(plan, programme)  # None: as select_related leaves a template
    sessions = read_sessions(plan, using=using)
    sql, parts = statements["blocks"]
    blocks = [block for block, _ in read(sql, [plan.pk], *parts, using=using)]
    by_session = {session.pk: [] for session in sessions}
    for block in blocks:
        by_session[block.session_id].append(block)
    for session in sessions:  # as a prefetch leaves them: each block knows its session
        for block in by_session[session.pk]:
            block.session = session
        prefetched(session, "blocks", by_session[session.pk])
    return plan


def status_label(status, referral_pending, week, weeks):
    """The programme's state in a few words, for the card, home and the client list."""
    if referral_pending:
        return "Paused: referral pending"
    if status == "held":
        return "On hold"
    return "Finished" if status == "finished" else f"Week {week} of {weeks}"


def current_programme_of(client, latest=None, blocks=True, lock=False, running=False):
    """Her current programme ready for state and the rule for who may run; pass her latest
    assessment when the caller has already loaded it, to save the query (else it is read with her
    programme: with_latest_assessment). `blocks`: every session's blocks too (else its next
    session's are read when wanted, one query); `running`: each session's running seconds without
    its blocks (with_progress); `lock`: its row locked until the transaction under way ends (her
    log is written from it as read). Her latest assessment is also known when her row was read with
    it joined (her log page reads her link so: Client.latest_assessment, None or not)."""
    latest_joined = Client._meta.get_field("latest_assessment").is_cached(client)
    reuse_client = (latest is not None or latest_joined) and not lock
    # Her row as the caller read it, not joined again (some 40 columns built twice), unless the
    # programme is read under its lock: a log is written from what that read, her row with it. Its
    # readers then (her page, her report, her log page, her calendar: current_snapshot) never show
    # who assigned it, and its resumes are read only if it has any.
    if reuse_client and not blocks:  # the client page's written-out read
        programme = current_programme_for_card(client, running=running, who_assigned=False)
    else:
        programmes = client.programmes.current().with_progress(blocks=blocks, running=running, resumes=not reuse_client)
        if reuse_client:
            programmes = programmes.select_related(None).select_related("plan")
        elif latest is None:
            programmes = programmes.with_latest_assessment()
        programme = only_row(programmes.locked(lock))
        if programme is not None and reuse_client:
            programme.client = client
            read_resumes(programme)
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
