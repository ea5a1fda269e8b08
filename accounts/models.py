import base64
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.dispatch import Signal
from django.utils import timezone
from django.utils.crypto import salted_hmac

# Sent with `studio` (inside the transaction) when its owner changes quiet_after_days: home's
# worklist, an app above this one, works its clients' first day on it out again (practice/apps.py).
quiet_after_changed = Signal()


def default_retention_days():
    return settings.RETENTION_DAYS_AFTER_ARCHIVE


class Studio(models.Model):
    """Whose clients they are: a trainer on her own (a studio of one, which she never sees as
    such) or a small studio's trainers together. It owns the clients, the walk–run templates and
    exercises its trainers make, the letterhead on her report (name, contact details, logo) and
    the settings its owners keep: when a programme counts as quiet, how long archived clients are kept."""

    name = models.CharField("studio name", max_length=150, blank=True,
                            help_text="Shown on your clients' pages and reports. Left blank, they show the lead trainer's name.")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField("contact email", blank=True)
    website = models.URLField(blank=True)
    # Home lists a client whose running programme has had no session for this many days ("quiet"):
    # at least 2, since a session is due every other day (DOMAIN.md "Pacing").
    quiet_after_days = models.PositiveSmallIntegerField(
        "a programme is quiet after", default=7, validators=[MinValueValidator(2), MaxValueValidator(60)],
        help_text="Days without a session before home lists her: from 2 to 60.")
    # How long an archived client's records are kept before the daily purge erases them
    # (privacy/erasure.py); new studios start from the installation's RETENTION_DAYS_AFTER_ARCHIVE.
    retention_days = models.PositiveIntegerField("keep archived clients for (days)", default=default_retention_days)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name or f"Studio #{self.pk}"


class TrainerManager(BaseUserManager):
    # Signing in and every signed-in request load her through this manager (ModelBackend.get_user):
    # her studio comes joined, so scoping and the studio's settings cost no query of their own.
    # Not in migrations: their historical trainers may have no studio yet.
    use_in_migrations = False

    def get_queryset(self):
        return super().get_queryset().select_related("studio")

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("A trainer needs an email address.")
        trainer = self.model(email=self.normalize_email(email).lower(), **fields)
        trainer.set_password(password)
        trainer.save(using=self._db)
        return trainer

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class Trainer(AbstractUser):
    """A postnatal trainer: signs in with her email address and works with her studio's clients
    (one studio at a time; signing up on her own makes her the owner of a studio of one)."""

    OWNER, TRAINER = "owner", "trainer"
    ROLES = [(OWNER, "Owner"), (TRAINER, "Trainer")]

    username = None  # type: ignore[assignment]  # Django's way to drop an inherited field; django-stubs cannot express it
    first_name = None  # type: ignore[assignment]  # as above
    last_name = None  # type: ignore[assignment]  # as above
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=8, choices=ROLES, default=OWNER)
    # Moved on when she leaves a studio (removed, or joining another): every session she has ends
    # at once (get_session_auth_hash). 0 keeps the hash Django gave sessions before studios.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when she confirms an authenticator app, cleared when she turns it off. The devices
    # live in django-otp's tables; this copy lets every request know without a query.
    two_factor_enabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # One email a day saying how many clients are on her worklist (reports/reminders.py).
    daily_digest = models.BooleanField("email me a daily digest of my worklist", default=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    # django-stubs types AbstractUser.objects as the username-based UserManager; an email-only user
    # needs its own create_user(email, ...), as Django's custom-user docs do.
    objects = TrainerManager()  # type: ignore[misc,assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="trainer_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(role__in=["owner", "trainer"]), name="trainer_role_valid"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Written only by the membership operations below, under a lock of the studio's members: a
    # full save of a copy read before one of them (her profile, a password change) must not move
    # her back into a studio she was removed from, or back to a role she lost, with her old
    # sessions valid again.
    MEMBERSHIP_FIELDS = ("studio", "role", "session_epoch")

    def save(self, *args, **kwargs):
        if self.studio_id is None:  # signing up (or createtrainer, or a test) on her own
            self.studio = Studio.objects.create()
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            skipped = {*self.MEMBERSHIP_FIELDS, *self.get_deferred_fields()}
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in skipped and f.attname not in skipped]
        super().save(*args, **kwargs)

    @property
    def is_owner(self):
        return self.role == self.OWNER

    def _get_session_auth_hash(self, secret=None):
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret)
        return salted_hmac("restride.accounts.session", f"{self.password}|{self.session_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()


class StudioLogo(models.Model):
    """A studio's logo, in its own table so no page but the ones that show it loads it. It is
    embedded as a data: URL: no public media URL to guess, nothing for WeasyPrint to fetch."""

    studio = models.OneToOneField(Studio, on_delete=models.CASCADE, related_name="logo")
    data = models.BinaryField()
    content_type = models.CharField(max_length=20)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Logo of studio #{self.studio_id}"

    @classmethod
    def url_for(cls, studio_id):
        """Her studio's logo as a data: URL, or "" when it has none."""
        logo = cls.objects.filter(studio_id=studio_id).first()
        return logo.data_url() if logo else ""

    @classmethod
    def url_of(cls, studio):
        """url_for() of a studio read with its logo joined (select_related("logo")): no query."""
        logo = getattr(studio, "logo", None)  # a studio without one: RelatedObjectDoesNotExist, an AttributeError
        return logo.data_url() if logo else ""

    def data_url(self):
        return f"data:{self.content_type};base64,{base64.b64encode(bytes(self.data)).decode()}"


class RateCount(models.Model):
    """One rate-limit counter (accounts/limits.py): how many times `name` was counted in the
    window that ends at `resets_at`. In the database, not the cache, so neither a cache outage
    nor eviction can reset a limit; expired rows are removed by manage.py purge_expired."""

    name = models.CharField(max_length=200, primary_key=True)
    hits = models.PositiveIntegerField()
    resets_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.name}: {self.hits} until {self.resets_at:%Y-%m-%d %H:%M}"


# Sent with `studio`, `member`, `taker`, `by` and `reason` inside the transaction in which a member
# who leads clients leaves her studio (removed, or leaving): the clients app, above this one, makes
# `taker` their lead trainer (clients/apps.py). She leads none of the studio's clients afterwards.
member_leaving = Signal()


class MembershipRefused(Exception):
    """A membership change the studio's rules refuse; its message says why, in words for the page."""


def locked_members(studio_id):
    """The studio's members, their rows locked until the transaction ends (always in the same
    order, so two changes at once queue rather than deadlock): two owners demoting or removing each
    other at once are counted one after the other, and the second sees the first's change."""
    return list(Trainer.objects.select_for_update(of=("self",)).filter(studio_id=studio_id).order_by("pk"))


def leads_clients(member, studio_id):
    """How many of the studio's clients she leads (reached through the relation: clients sits above)."""
    return member.clients.filter(studio_id=studio_id).count()


def acting_owner_refusal(by, members):
    """Checked under the lock: whoever acts must still be an owner of the studio (another owner may
    have removed or demoted her a moment ago)."""
    if by is not None and (by.pk not in members or members[by.pk].role != Trainer.OWNER):
        raise MembershipRefused("You are no longer an owner of this studio.")


def change_role(member, role, *, by=None):
    """Make a member an owner or a trainer. The last owner stays one: a studio with members always
    has an owner to manage them. An owner who becomes a trainer takes back the invitations she sent."""
    with transaction.atomic():
        members = {m.pk: m for m in locked_members(member.studio_id)}
        acting_owner_refusal(by, members)
        if member.pk not in members:
            raise MembershipRefused("She is no longer a member of this studio.")
        if role != Trainer.OWNER and is_last_owner(member.pk, members.values()):
            raise MembershipRefused("The studio needs an owner: make another member an owner first.")
        Trainer.objects.filter(pk=member.pk).update(role=role, updated_at=timezone.now())
        if role != Trainer.OWNER:
            Invitation.objects.pending().filter(studio_id=member.studio_id, invited_by=member).update(revoked_at=timezone.now())
    member.role = role


def is_last_owner(pk, members):
    """Whether `pk` is the studio's only active owner (a deactivated one cannot sign in to run it)."""
    owners = [m.pk for m in members if m.role == Trainer.OWNER and m.is_active]
    return owners == [pk]


def leave_studio(member, *, by, taker=None):
    """She leaves her studio (an owner removed her, or she left): her other sessions end at once
    (session_epoch), and she moves to a new, empty studio of her own as its owner, keeping her
    account; what she recorded stays attributed to her. The clients she leads go to `taker` first
    (required when she leads any), as a hand-over whose reason says she left. The last owner cannot
    leave. Returns how many clients were handed over."""
    with transaction.atomic():
        studio_id = member.studio_id
        members = {m.pk: m for m in locked_members(studio_id)}
        if by is not None and by.pk != member.pk:  # removed by an owner, who must still be one
            acting_owner_refusal(by, members)
        if member.pk not in members:
            raise MembershipRefused("She is no longer a member of this studio.")
        if is_last_owner(member.pk, members.values()):
            raise MembershipRefused("The studio's last owner cannot leave: make another member an owner first.")
        led = leads_clients(member, studio_id)
        if led:
            if taker is None or taker.pk not in members or taker.pk == member.pk or not members[taker.pk].is_active:
                raise MembershipRefused("Choose another member of the studio to take over the clients she leads.")
            member_leaving.send(sender=Trainer, studio=members[member.pk].studio, member=member, taker=members[taker.pk],
                                by=by, reason=f"{member.full_name} left the studio")
            if leads_clients(member, studio_id):  # nothing connected: never move her away from clients she leads
                raise MembershipRefused("Her clients could not be handed over.")
        studio = Studio.objects.create()
        Trainer.objects.filter(pk=member.pk).update(studio=studio, role=Trainer.OWNER, updated_at=timezone.now(),
                                                    session_epoch=F("session_epoch") + 1)
        # What she sent goes with her: an invitation of hers cannot bring anyone in after she left.
        Invitation.objects.pending().filter(studio_id=studio_id, invited_by=member).update(revoked_at=timezone.now())
    member.refresh_from_db()
    return led


INVITATION_DAYS = 7


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Neither accepted nor revoked, and its link still works."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                           created_at__gt=timezone.now() - timedelta(days=INVITATION_DAYS))


class Invitation(models.Model):
    """An owner's invitation to join her studio with a role, emailed as a signed link that works
    for INVITATION_DAYS days (accounts/views.py): a new person chooses her password through the
    sign-up path; someone with an account signs in and accepts."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("email address")
    role = models.CharField(max_length=8, choices=Trainer.ROLES, default=Trainer.TRAINER)
    invited_by = models.ForeignKey(Trainer, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["studio", "-created_at"], name="invitation_studio_created")]
        constraints = [models.CheckConstraint(condition=models.Q(role__in=["owner", "trainer"]), name="invitation_role_valid")]

    def __str__(self):
        return f"Invitation #{self.pk} to studio #{self.studio_id}"

    @property
    def expires_at(self):
        return self.created_at + timedelta(days=INVITATION_DAYS)

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None and timezone.now() < self.expires_at

    def locked_if_pending(self):
        """This invitation, its row locked for the transaction, while it is pending; else None
        (used, revoked or expired meanwhile: a link submitted twice at once creates one account)."""
        return Invitation.objects.select_for_update().pending().filter(pk=self.pk).first()

    def accept_as_new(self, trainer):
        """A new person, from the emailed link: her account, in the studio, with the invited role.
        `trainer` is unsaved (ChoosePasswordForm's instance). None if the invitation was used meanwhile."""
        with transaction.atomic():
            if self.locked_if_pending() is None or self.inviter_refusal():
                return None
            trainer.studio_id, trainer.role = self.studio_id, self.role
            trainer.save()
            Invitation.objects.filter(pk=self.pk).update(accepted_at=timezone.now())
        return trainer

    def accept(self, trainer):
        """Someone with an account joins, signed in: one studio at a time, so only from a studio of
        one with no clients (else MembershipRefused says what to do first). Her other sessions end."""
        with transaction.atomic():
            if self.locked_if_pending() is None:
                raise MembershipRefused("This invitation has been used, revoked or has expired.")
            locked_members(trainer.studio_id)
            if refused := self.refusal_for(trainer):
                raise MembershipRefused(refused)
            Trainer.objects.filter(pk=trainer.pk).update(studio_id=self.studio_id, role=self.role, updated_at=timezone.now(),
                                                         session_epoch=F("session_epoch") + 1)
            Invitation.objects.filter(pk=self.pk).update(accepted_at=timezone.now())
            # The studio she leaves has nobody now: nobody may join it by an invitation of hers.
            Invitation.objects.pending().filter(studio_id=trainer.studio_id).update(revoked_at=timezone.now())
        trainer.refresh_from_db()
        return trainer

    def refusal_for(self, trainer):
        """Why `trainer`, who has an account, cannot accept now (in words for her), or None."""
        if inviter_gone := self.inviter_refusal():
            return inviter_gone
        if trainer.studio_id == self.studio_id:
            return "You are already a member of this studio."
        if Trainer.objects.filter(studio_id=trainer.studio_id).count() > 1 or Studio.objects.get(pk=trainer.studio_id).clients.exists():
            return ("One studio at a time: your studio has other members or clients. Leave it, or hand its clients "
                    "over and leave, first; then open this link again.")
        return None

    def inviter_refusal(self):
        """An invitation stands only while whoever sent it is still an owner of the studio."""
        inviter = self.invited_by
        if inviter is None or inviter.studio_id != self.studio_id or inviter.role != Trainer.OWNER:
            return "Whoever sent this invitation no longer manages the studio: ask the studio to invite you again."
        return None

    def revoke(self):
        Invitation.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
