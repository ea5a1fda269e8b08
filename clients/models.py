import base64
import hashlib
import json
import secrets
from datetime import date
from functools import cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from guideline import protocol
from lib.queries import Written, only_row, read_one

from . import consent, versions
from .versions import VersionedQuerySet


class ClientQuerySet(VersionedQuerySet):
    def for_trainer(self, trainer):
        """The only way views reach clients: a trainer works with her studio's clients (all of
        them, whoever leads each) and nobody else's. Her row carries her studio: no query."""
        return self.filter(studio_id=trainer.studio_id)

    def led_by(self, trainer):
        """Hers to lead, of those: home's "my clients"."""
        return self.filter(trainer=trainer)

    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def search(self, text):
        # PostgreSQL refuses a NUL in a query; no name holds one, so drop it.
        text = text.replace("\x00", "").strip()
        return self.filter(full_name__icontains=text) if text else self


def weeks_between(start, end):
    return (end - start).days // 7


def latest_assessment_id():
    """Her latest assessment's id, as a subquery over OuterRef("pk") of a client. The assessments
    app sits above this one (layering): reach its model through the relation it is named in."""
    assessments = Client._meta.get_field("latest_assessment").related_model.objects
    return assessments.filter(client=models.OuterRef("pk")).order_by("-assessed_on", "-pk").values("pk")[:1]


# Written only by clients/versions.py: her version, and what derived_fields() works out.
# What her row keeps for home's worklist (practice/attention.py worklist_fields): no page of hers shows it.
WORKLIST_FIELDS = ("on_worklist_from", "worklist_kinds", "check_up_from", "session_due_from", "quiet_from", "worklist_seen")
DERIVED_FIELDS = ("data_version", "latest_assessment", "open_red_flags", "red_flag_since", *WORKLIST_FIELDS)


# Her latest assessment as her row names it, and what the worklist reads of it (Client.derived_fields).
LATEST_COLUMNS = ("latest_assessment_id", "latest_assessment__verdict", "latest_assessment__assessed_on",
                  "latest_assessment__version")


@cache  # the tables' names do not change while running
def stored_derived_sql():
    """Her open red flags and her latest assessment as her row keeps them (stored_derived)."""
    clients, assessments = Client._meta.db_table, Client._meta.get_field("latest_assessment").related_model._meta.db_table
    return (f"SELECT c.open_red_flags, c.latest_assessment_id, a.verdict, a.assessed_on, a.version FROM {clients} c "
            f"LEFT JOIN {assessments} a ON a.id = c.latest_assessment_id WHERE c.id = %s")


def stored_derived(pk, using=None):
    """{"open_red_flags", *LATEST_COLUMNS} of her row, read at the end of an operation that cannot
    have moved them (Client.derived_fields): one statement, written out, as it is on every write of
    hers and compiling it as expressions cost more than running it."""
    with connections[using or DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(stored_derived_sql(), [pk])
        row = cursor.fetchone()
    if row is None:
        raise Client.DoesNotExist(f"No client {pk}")
    flags, *latest = row
    if isinstance(latest[2], str):  # SQLite may hand a joined date back as its ISO text
        latest[2] = date.fromisoformat(latest[2])
    return {"open_red_flags": json.loads(flags) if isinstance(flags, str) else flags, **dict(zip(LATEST_COLUMNS, latest, strict=True))}


def red_flag_fields(flags):
    """Her row's red-flag columns for her open red flags (as JSON, oldest first)."""
    return {"open_red_flags": flags, "red_flag_since": date.fromisoformat(flags[0]["on"]) if flags else None}


class Client(models.Model):
    # Whose client she is: her studio's (every member works with her) and, within it, her lead
    # trainer's (named on her page and report, handed over with a reason kept in her history).
    # A trainer who leads clients cannot be deleted: they are handed over first.
    studio = models.ForeignKey("accounts.Studio", on_delete=models.PROTECT, related_name="clients")
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients",
                                verbose_name="lead trainer")
    full_name = models.CharField("name", max_length=150)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    date_of_birth = models.DateField("her date of birth", null=True, blank=True)
    baby_date_of_birth = models.DateField("baby's date of birth")
    delivery = models.CharField(
        "type of delivery", max_length=24, blank=True, choices=protocol.DELIVERY_CHOICES
    )
    perineal_trauma = models.CharField(max_length=24, blank=True, choices=protocol.PERINEAL_TRAUMA_CHOICES)
    # Yes / no / not asked: "not asked" must never read as "no".
    breastfeeding = models.BooleanField(null=True, blank=True)
    prior_incontinence = models.BooleanField(
        "leaking before or during pregnancy", null=True, blank=True
    )
    bmi_30_or_more = models.BooleanField("BMI 30 or more", null=True, blank=True)
    goal = models.CharField(max_length=300, blank=True)
    target_event = models.CharField(max_length=150, blank=True)
    target_date = models.DateField(null=True, blank=True)
    gp_check_date = models.DateField("GP six-week check", null=True, blank=True)
    physio_seen_date = models.DateField("pelvic health physio seen", null=True, blank=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Which wording (clients/consent.py) she agreed to; blank for consents recorded before versioning.
    consent_version = models.CharField(max_length=10, blank=True, editable=False)
    notes = models.TextField("private trainer notes", max_length=5000, blank=True)
    # She may log her own sessions through her private link (her trainer can turn it off).
    self_logging = models.BooleanField("she logs her own sessions", default=True)
    # Email reminders (reports/reminders.py): on since when (None: off), and whether she turned
    # them on herself through her link or her trainer recorded her consent to them.
    reminders_since = models.DateTimeField(null=True, blank=True, editable=False)
    reminders_by_her = models.BooleanField(default=False, editable=False)
    # Her time zone, for quiet hours: no reminder before 07:00 or after 21:00 where she is.
    time_zone = models.CharField(max_length=64, default="Europe/London")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Her latest assessment (by date, then id), kept by refresh_derived() in the same
    # transaction as every assessment save and deletion: home and the list join it.
    latest_assessment = models.ForeignKey("assessments.Assessment", null=True, blank=True, editable=False,
                                          on_delete=models.SET_NULL, related_name="+")
    # The red flags open on her record (programmes.progression.open_red_flags, as JSON) and the day
    # the oldest was found (None: none open): derived state, worked out at the end of every
    # operation on her assessments or programmes (derived_fields): home and every page read them here.
    open_red_flags = models.JSONField(default=list, blank=True, editable=False)
    red_flag_since = models.DateField(null=True, blank=True, editable=False)
    # Moves on with every operation on her data (clients/versions.py); her reports' stamps read it.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    # The first day she is on her trainer's worklist whatever "Seen" says, from her latest
    # assessment and her current programme (practice/attention.py worklist_from), worked out at
    # the end of every operation on them: home reads only the clients it names, by its index.
    on_worklist_from = models.DateField(null=True, blank=True, editable=False)
    # What home's worklist reads of her, worked out with on_worklist_from (practice/attention.py
    # worklist_fields), so that the database orders and counts the worklist from her row alone:
    # the reasons that hold whatever the day (a bit each), the days the others start (a check-up's
    # week, a session due, a quiet programme), and what "Seen" records besides her reasons.
    worklist_kinds = models.PositiveIntegerField(default=0, editable=False)
    check_up_from = models.DateField(null=True, blank=True, editable=False)
    session_due_from = models.DateField(null=True, blank=True, editable=False)
    quiet_from = models.DateField(null=True, blank=True, editable=False)
    worklist_seen = models.CharField(max_length=64, blank=True, editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at", "pk"]
        indexes = [
            models.Index(fields=["studio", "-last_activity_at"], name="client_studio_activity"),
            models.Index(fields=["trainer", "-last_activity_at"], name="client_trainer_activity"),
            # Home's worklist, the studio's ("everyone's") and her own ("my clients").
            models.Index(fields=["studio", "on_worklist_from"], name="client_studio_worklist",
                         condition=Q(archived_at__isnull=True, on_worklist_from__isnull=False)),
            models.Index(fields=["trainer", "on_worklist_from"], name="client_worklist",
                         condition=Q(archived_at__isnull=True, on_worklist_from__isnull=False)),
            # Same-named clients of the studio (practice/attention.py with_namesakes): the list and home tell them apart.
            models.Index(fields=["studio", "full_name"], name="client_studio_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(full_name=""), name="client_name_not_blank"),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(date_of_birth__lt=models.F("baby_date_of_birth")),
                name="client_born_before_baby",
            ),
            models.CheckConstraint(
                condition=Q(delivery__in=["", *dict(protocol.DELIVERY_CHOICES)]), name="client_delivery_valid"
            ),
            models.CheckConstraint(
                condition=Q(perineal_trauma__in=["", *dict(protocol.PERINEAL_TRAUMA_CHOICES)]),
                name="client_perineal_trauma_valid",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        adding = self._state.adding
        if adding and self.studio_id is None:  # a new client joins her lead trainer's studio
            self.studio_id = self.trainer.studio_id
        # Only clients/versions.py writes data_version and her derived state: a save of a copy read
        # before a bump or an assessment must not set them back.
        if not adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            # Her studio and lead trainer change only by a hand-over (hand_over, a member leaving),
            # under a lock: a save of a copy read before one must not undo it.
            skipped = {*DERIVED_FIELDS, "studio", "trainer", *self.get_deferred_fields()}  # as Django saves a deferred copy
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.attname not in skipped and f.name not in skipped]
        with versions.operation():
            super().save(*args, **kwargs)
            if not adding:
                self.refresh_derived()  # her profile feeds her assessments' rules and who may run

    def get_absolute_url(self):
        return reverse("clients:detail", args=[self.pk])

    @property
    def letterhead_name(self):
        """What heads her page and report: her studio's name, or her lead trainer's when the
        studio has none (a trainer on her own who gave no business name)."""
        return self.studio.name or self.trainer.full_name

    @property
    def first_name(self):
        """What her page greets her by: the first word of her name."""
        return self.full_name.split()[0] if self.full_name.split() else self.full_name

    @property
    def is_archived(self):
        return self.archived_at is not None

    @property
    def has_consent(self):
        return self.consent_recorded_at is not None and self.consent_withdrawn_at is None

    def weeks_postpartum(self, on=None):
        return weeks_between(self.baby_date_of_birth, on or timezone.localdate())

    @property
    def weeks_postpartum_today(self):
        return self.weeks_postpartum()

    def physio_seen_by(self, day):
        """True when her record says a pelvic health physio saw her on or before `day`; else None
        (not known), never False: a blank date is not a record that she was not seen."""
        return True if self.physio_seen_date and self.physio_seen_date <= day else None

    def profile(self, on=None):
        """The DOMAIN.md "profile" dict that the readiness rules read, as of the date `on`
        (an assessment's date). `physio_seen` goes beyond DOMAIN.md's profile fields: it
        carries the record's "pelvic health physio seen" date into the pure rules, so that
        either the record or the assessment's answer lifts the physio caution."""
        return {
            "delivery": self.delivery or None,
            "perineal_trauma": self.perineal_trauma or None,
            "breastfeeding": self.breastfeeding,
            "prior_incontinence": self.prior_incontinence,
            "bmi_30_or_more": self.bmi_30_or_more,
            "physio_seen": self.physio_seen_by(on or timezone.localdate()),
        }

    @versions.operation()
    def recompute_verdicts(self):
        """Weeks after birth come from the baby's date of birth: stored verdicts follow it (one
        operation: her row and her derived state are written once, whatever her history)."""
        for assessment in self.assessments.all():
            assessment.save(update_fields=["verdict"])

    @versions.operation()
    def record_consent(self, trainer):
        self.consent_recorded_at = timezone.now()
        self.consent_recorded_by = trainer
        self.consent_withdrawn_at = None
        self.consent_version = consent.CURRENT
        self.save(update_fields=["consent_recorded_at", "consent_recorded_by", "consent_withdrawn_at",
                                 "consent_version", "updated_at"])
        ConsentRecord.objects.create(client=self, action="given", version=consent.CURRENT, at=self.consent_recorded_at,
                                     by=trainer)

    @versions.operation()
    def withdraw_consent(self, trainer=None):
        self.consent_withdrawn_at = timezone.now()
        self.save(update_fields=["consent_withdrawn_at", "updated_at"])
        ConsentRecord.objects.create(client=self, action="withdrawn", version=self.consent_version,
                                     at=self.consent_withdrawn_at, by=trainer)
        self.share_links.revoke()

    def set_self_logging(self, on):
        """Let her log her own sessions through her private link, or not; True if it changed."""
        if self.self_logging == on:
            return False
        self.self_logging = on
        self.save(update_fields=["self_logging", "updated_at"])
        return True

    def set_reminders(self, on, by_her):
        """Email reminders on (her consent, given by her or recorded by her trainer) or off; True if it changed."""
        if bool(self.reminders_since) == on:
            return False
        self.reminders_since, self.reminders_by_her = (timezone.now(), by_her) if on else (None, False)
        self.save(update_fields=["reminders_since", "reminders_by_her", "updated_at"])
        return True

    @versions.operation()
    def archive(self):
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at", "updated_at"])
        self.share_links.revoke()

    @versions.operation()
    def hand_over(self, to, by, reason):
        """Make `to`, a member of her studio, her lead trainer, with `by`'s reason kept in her
        history (Handover). Her row is locked first, so two hand-overs at once do not both read
        the same lead trainer; her page and report name the new one, so her version moves on
        (once: one operation). Returns the Handover; ValueError when it cannot be done."""
        reason = Handover.tidy(reason)
        if not reason:
            raise ValueError("Give a reason for the hand-over.")
        if len(reason) > Handover.REASON_MAX_LENGTH:
            raise ValueError(f"Keep the reason to {Handover.REASON_MAX_LENGTH} characters.")
        if to is None or to.studio_id != self.studio_id or not to.is_active:
            raise ValueError("She can only be handed over to a trainer of her studio.")
        locked = type(self)._base_manager.select_for_update().only("pk", "trainer_id").get(pk=self.pk)
        if locked.trainer_id == to.pk:
            raise ValueError(f"{to.full_name} already leads her.")
        now = timezone.now()
        type(self).objects.filter(pk=self.pk).update(trainer=to, updated_at=now)
        self.trainer, self.updated_at = to, now
        return Handover.objects.create(client=self, from_trainer_id=locked.trainer_id, to_trainer=to, by=by,
                                       reason=reason, at=now)

    def restore(self):
        self.archived_at = None
        self.save(update_fields=["archived_at", "updated_at"])

    def refresh_derived(self):
        """After an assessment of hers is saved or deleted, or her record is: her derived state
        (derived_fields) is worked out again at the end of the operation, once."""
        versions.derive(self.pk)

    @property
    def has_open_red_flag(self):
        return self.red_flag_since is not None

    @classmethod
    def derived_fields(cls, pk, using=None, how=None):
        """What her row keeps of her other rows, worked out at the end of each operation that
        wrote them (clients/versions.py): her open red flags (from her assessments and logs); her
        latest assessment (by date, then id), which home and the client list join instead of looking
        it up per client; her programmes' stored state, which her latest assessment, her profile and
        her red flags govern (the rule for who may run), unless only her programme changed (its
        operations refresh it) and her red flags did not; then what the apps above keep on her row
        (versions.deriving: home's worklist). The apps above are reached through the relations
        they are named in. `how` (versions.Derive): what the operation's writes can have moved; what
        they cannot (her red flags when no symptom was recorded or changed, which assessment is her
        latest when none was added, deleted or re-dated) is read from her row as it keeps it, in one
        query, and her programmes' hold alone is worked out again when no log of theirs changed."""
        how = how or versions.Derive()
        programme_model = cls._meta.get_field("programmes").related_model
        assessments = cls._meta.get_field("latest_assessment").related_model._base_manager.using(using)
        stored = None
        if not (how.red_flags and how.latest and how.programmes):
            stored = stored_derived(pk, using)
        flags = programme_model.open_red_flags_of([pk], using)[pk] if how.red_flags else stored["open_red_flags"]
        # Her stored red flags decide it when her programmes are not refreshed anyway.
        refresh = how.programmes or (how.red_flags and stored["open_red_flags"] != flags)
        latest_id = None if how.latest else stored["latest_assessment_id"]
        edited = how.assessment
        if how.latest:
            latest = assessments.filter(client_id=pk).order_by("-assessed_on", "-pk")
            latest = latest.first() if refresh else latest.only("pk", "verdict", "assessed_on", "version").first()
        elif latest_id is None:
            latest = None
        elif edited is not None and edited.pk == latest_id:  # as the operation left it, its result worked out
            latest = edited
        elif refresh:
            latest = assessments.get(pk=latest_id)
        else:  # what the apps above read of it (its id, verdict, date and version), as her row's join read it
            latest = assessments.model(pk=latest_id, client_id=pk, **{
                name.removeprefix("latest_assessment__"): stored[name] for name in LATEST_COLUMNS[1:]})
        if refresh:
            her_programmes = programme_model.objects.using(using).filter(client_id=pk)
            if how.replay:
                her_programmes.model.refresh_states(her_programmes, latest=latest, red_flags=flags)
            else:
                her_programmes.model.refresh_holds(pk, latest=latest, red_flags=flags, using=using)
        return {"latest_assessment_id": latest.pk if latest else None, **red_flag_fields(flags),
                **versions.derived_for([(pk, latest)], using, red_flags={pk: flags})[pk]}

    @classmethod
    def refresh_derived_of(cls, clients):
        """derived_fields()' share of red flags and from the apps above, for many clients at once
        (loading data), from the latest assessment their rows name: call after writing their rows in bulk."""
        clients = list(clients.select_related("latest_assessment").only(
            "pk", "latest_assessment__verdict", "latest_assessment__assessed_on", "latest_assessment__version"))
        flags = cls._meta.get_field("programmes").related_model.open_red_flags_of([client.pk for client in clients])
        derived = versions.derived_for([(client.pk, client.latest_assessment) for client in clients], red_flags=flags)
        for client in clients:
            derived[client.pk].update(red_flag_fields(flags[client.pk]))
        names = sorted({name for fields in derived.values() for name in fields})
        for client in clients:
            for name, value in derived[client.pk].items():
                setattr(client, name, value)
        if names:
            cls._base_manager.bulk_update(clients, names, batch_size=500)

    def touch(self):
        """Something happened for this client: float her to the top of the list (with the
        operation's one write of her row)."""
        versions.bump([self.pk], last_activity_at=timezone.now())


class ConsentRecord(models.Model):
    """Her consent history: every time consent was recorded or withdrawn, with the wording version."""

    ACTIONS = [("given", "Consent recorded"), ("withdrawn", "Consent withdrawn")]

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consent_records")
    action = models.CharField(max_length=10, choices=ACTIONS)
    version = models.CharField(max_length=10, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%-d %b %Y}"

    @property
    def wording(self):
        return consent.wording(self.version)


class Handover(models.Model):
    """Her history of lead trainers: who handed her over, from whom, to whom, when and why. Kept when
    a trainer is deleted (the names go, the hand-over stays)."""

    REASON_MAX_LENGTH = 200

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="handovers")
    from_trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    to_trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=REASON_MAX_LENGTH)
    at = models.DateTimeField(default=timezone.now)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"Handed over {self.at:%-d %b %Y}"

    @staticmethod
    def tidy(reason):
        """A reason as her history keeps it: on one line, its spaces single."""
        return " ".join(reason.split())


def studio_members(trainer):
    """The active trainers of her studio, by name: who may lead its clients (one query)."""
    trainers = Client._meta.get_field("trainer").related_model._base_manager
    return list(trainers.filter(studio_id=trainer.studio_id, is_active=True)
                .only("pk", "full_name", "email", "studio_id").order_by("full_name", "pk"))


def sixteenth_birthday_cutoff(today: date) -> date:
    """The latest date of birth of someone who is 16 today."""
    try:
        return today.replace(year=today.year - 16)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 16, day=28)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_cipher():
    """The key her private link is kept under, so her trainer can be shown it again (a QR code,
    "copy link"): PRIVATE_LINK_KEY when set (a Fernet key), else one derived from SECRET_KEY, and
    the older SECRET_KEY_FALLBACKS' keys to read links made before a key rotation. Lookups never
    need it: they use the hash. A database (or backup) alone shows no link."""
    from cryptography.fernet import Fernet, MultiFernet

    if settings.PRIVATE_LINK_KEY:
        return MultiFernet([Fernet(settings.PRIVATE_LINK_KEY)])
    secrets_ = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(
        salted_hmac("restride.clients.private-link-key", "", secret=secret, algorithm="sha256").digest()))
        for secret in secrets_])


@cache  # the table's columns do not change while running
def _usable_link_statement():
    link = Written(ShareLink, "l")
    return link, f'SELECT {link.columns} FROM {link.table} WHERE l."client_id" = %s AND {usable_link_sql("l")} LIMIT 1'


def usable_link_of(client, today=None):
    """Her link that works, as only_row(client.share_links.usable(today)) reads it, with her row as
    the caller read it (her consent, her archiving) instead of joined again: none without a query
    when her row says no link of hers can be shown, else one statement, written out (through the
    ORM, compiling it cost her page several times running it)."""
    if not client.has_consent or client.is_archived:
        return None
    link, sql = _usable_link_statement()
    row = read_one(sql, [client.pk, today or timezone.localdate()], link)
    if row is None:
        return None
    found, _ = row
    found.client = client
    return found


def usable_sql(link, client):
    """ShareLinkQuerySet.usable()'s conditions as a written-out statement says them (`link`, `client`: the
    names of her link's table and her row's in it), with one parameter, today: kept beside usable() so
    that the two cannot drift apart (tests/reports/test_her_link.py holds them equal)."""
    return (f'{usable_link_sql(link)} AND {client}."consent_recorded_at" IS NOT NULL '
            f'AND {client}."consent_withdrawn_at" IS NULL AND {client}."archived_at" IS NULL')


def usable_link_sql(link):
    """usable_sql()'s conditions on the link alone (not revoked, not expired: one parameter, today),
    for a read that has her row already (usable_link_of)."""
    return f'{link}."revoked_at" IS NULL AND ({link}."expires_on" IS NULL OR {link}."expires_on" >= %s)'


def findable_hash(token):
    """The hash a token is looked up by (only hashes are kept), or None for one that can name no link
    (empty, or longer than any made): no query for it."""
    if not token or len(token) > 100:
        return None
    return hash_token(token)


class ShareLinkQuerySet(VersionedQuerySet):
    def usable(self, today=None):
        """Not revoked, not expired, and her data may still be shown: consent in place, not archived."""
        today = today or timezone.localdate()
        return self.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today),
            revoked_at__isnull=True,
            client__consent_recorded_at__isnull=False,
            client__consent_withdrawn_at__isnull=True,
            client__archived_at__isnull=True,
        )

    def revoke(self):
        return self.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

    def find(self, token):
        """The usable link for a token, or None: revoked, expired and unknown look the same."""
        if (token_hash := findable_hash(token)) is None:
            return None
        return only_row(self.usable().select_related("client__trainer", "client__studio").filter(token_hash=token_hash))


class ShareLink(models.Model):
    """A client's private link to her progress page. Looked up by the token's hash; the token
    itself is kept only encrypted (link_cipher), for showing her trainer the link again.
    At most one live (unrevoked) link per client: the database refuses a second."""

    TOKEN_BYTES = 32  # 256 bits of randomness

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    # The token, encrypted (link_cipher); blank for links made before it was kept.
    token_encrypted = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField("expires on", null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(revoked_at__isnull=True), name="one_live_link_per_client"),
        ]

    def __str__(self):
        # Never the token: only its hash exists, and even that stays out of the admin and logs.
        return f"Private link for {self.client} made {self.created_at:%-d %b %Y}"

    @classmethod
    def issue(cls, client, by, expires_on=None):
        """Revoke her current links and make a new one; returns (link, token). Her row is locked
        meanwhile, so a double tap on "make link" makes two in turn and leaves the second working
        (the unique constraint stops a second live one where there are no row locks)."""
        token = secrets.token_urlsafe(cls.TOKEN_BYTES)
        with transaction.atomic():
            Client.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True).get()
            ShareLink.objects.filter(client=client).revoke()
            link = cls.objects.create(client=client, token_hash=hash_token(token), created_by=by, expires_on=expires_on,
                                      token_encrypted=link_cipher().encrypt(token.encode()).decode())
        return link, token

    @property
    def write_counter(self):
        """The rate-limit counter (accounts/limits.py) of sessions logged through this link."""
        return f"link-writes:{self.pk}"

    def token(self):
        """Her link's token, to show her trainer again; None when it was not kept (made before
        it was) or its key is gone (PRIVATE_LINK_KEY or SECRET_KEY changed with no fallback)."""
        from cryptography.fernet import InvalidToken

        if not self.token_encrypted:
            return None
        try:
            token = link_cipher().decrypt(self.token_encrypted.encode()).decode()
        except InvalidToken:
            return None
        return token if hash_token(token) == self.token_hash else None

    def revoke(self):
        ShareLink.objects.filter(pk=self.pk).revoke()
