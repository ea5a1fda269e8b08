import base64

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.dispatch import Signal
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

    def save(self, *args, **kwargs):
        if self.studio_id is None:  # signing up (or createtrainer, or a test) on her own
            self.studio = Studio.objects.create()
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
