import base64

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.dispatch import Signal

# Sent with `trainer` (inside the transaction) when she changes quiet_after_days: home's worklist,
# an app above this one, works her clients' first day on it out again (practice/apps.py).
quiet_after_changed = Signal()


class TrainerManager(BaseUserManager):
    use_in_migrations = True

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
    """A postnatal trainer: signs in with her email address and owns her clients."""

    username = None  # type: ignore[assignment]  # Django's way to drop an inherited field; django-stubs cannot express it
    first_name = None  # type: ignore[assignment]  # as above
    last_name = None  # type: ignore[assignment]  # as above
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    business_name = models.CharField(max_length=150, blank=True)
    business_phone = models.CharField("business phone", max_length=30, blank=True)
    business_email = models.EmailField("business email", blank=True)
    website = models.URLField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when she confirms an authenticator app, cleared when she turns it off. The devices
    # live in django-otp's tables; this copy lets every request know without a query.
    two_factor_enabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Home lists a client whose running programme has had no session for this many days ("quiet"):
    # at least 2, since a session is due every other day (DOMAIN.md "Pacing").
    quiet_after_days = models.PositiveSmallIntegerField(
        "a programme is quiet after", default=7, validators=[MinValueValidator(2), MaxValueValidator(60)],
        help_text="Days without a session before home lists her: from 2 to 60.")
    # One email a day saying how many clients are on her worklist (reports/reminders.py).
    daily_digest = models.BooleanField("email me a daily digest of my worklist", default=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    # django-stubs types AbstractUser.objects as the username-based UserManager; an email-only user
    # needs its own create_user(email, ...), as Django's custom-user docs do.
    objects = TrainerManager()  # type: ignore[misc,assignment]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="trainer_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def display_business(self):
        return self.business_name or self.full_name


class TrainerLogo(models.Model):
    """A trainer's logo, in its own table so signing in never loads it. It is embedded as
    a data: URL where needed: no public media URL to guess, nothing for WeasyPrint to fetch."""

    trainer = models.OneToOneField(Trainer, on_delete=models.CASCADE, related_name="logo")
    data = models.BinaryField()
    content_type = models.CharField(max_length=20)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Logo of trainer #{self.trainer_id}"

    @classmethod
    def url_for(cls, trainer):
        """Her trainer's logo as a data: URL, or "" when the trainer has none."""
        logo = cls.objects.filter(trainer=trainer).first()
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
