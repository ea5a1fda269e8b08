from contextlib import contextmanager

from django.conf import settings
from django.db import connections, models, transaction
from django.utils import timezone


class AppendOnly(Exception):
    """The access log is never edited or deleted from the app."""


KINDS = [
    # Views of her data
    ("viewed_client", "Opened her record"),
    ("viewed_assessment", "Opened an assessment"),
    ("viewed_referral", "Opened a referral summary"),
    ("viewed_comparison", "Compared assessments"),
    ("viewed_report", "Downloaded a PDF report"),
    ("viewed_programme_history", "Opened a programme's history"),
    ("viewed_programme", "Opened her programme (a form or its plan)"),
    ("viewed_activity", "Opened her Activity page"),
    ("exported_assessment", "Exported an assessment (JSON)"),
    ("exported_everything", "Downloaded everything about her"),
    # Through her private link
    ("link_viewed_progress", "Opened her progress page"),
    ("link_viewed_report", "Downloaded her report"),
    ("link_viewed_calendar", "Her calendar app fetched her sessions"),
    ("link_viewed_log_page", "Opened her log page"),
    ("link_logged_session", "Logged a session through her private link"),
    ("link_viewed_reminders", "Opened her email reminders page"),
    ("link_reminders_on", "Turned on email reminders through her private link"),
    ("link_reminders_off", "Turned off email reminders through her private link"),
    ("reminders_unsubscribed", "Stopped reminder emails (unsubscribe link)"),
    # Changes
    ("created_client", "Added her"),
    ("changed_client", "Changed her details"),
    ("archived_client", "Archived her"),
    ("restored_client", "Restored her"),
    ("handed_over", "Handed her over to another trainer"),
    ("deleted_client", "Deleted a client permanently"),
    ("consent_recorded", "Recorded her consent"),
    ("consent_withdrawn", "Recorded that she withdrew consent"),
    ("created_assessment", "Started an assessment"),
    ("changed_assessment", "Changed an assessment"),
    ("imported_assessment", "Imported an assessment"),
    ("deleted_assessment", "Deleted an assessment"),
    ("assigned_programme", "Assigned a programme"),
    ("logged_session", "Logged a session"),
    ("corrected_session", "Corrected a logged session"),
    ("deleted_session", "Deleted a logged session"),
    ("resumed_programme", "Resumed a programme"),
    ("recorded_override", "Recorded a reason to run before “ready”"),
    ("ended_programme", "Ended a programme"),
    ("reopened_programme", "Reopened a programme"),
    ("attention_acknowledged", "Marked seen or referral sent on home"),
    ("self_logging_on", "Let her log her own sessions"),
    ("self_logging_off", "Stopped her logging her own sessions"),
    ("reminders_on", "Recorded her consent to email reminders"),
    ("reminders_off", "Turned off her email reminders"),

    # Her private link
    ("link_created", "Made her private link"),
    ("link_emailed", "Emailed her private link"),
    ("link_shown", "Showed her private link again"),
    ("link_revoked", "Revoked her private link"),
    # Sign-in
    ("signed_in", "Signed in (password)"),
    ("second_factor_passed", "Entered a sign-in code"),
    ("sign_in_failed", "Failed sign-in (password)"),
    ("second_factor_failed", "Failed sign-in (code)"),
    ("sign_in_locked", "Refused sign-in: locked after repeated failures"),
    ("erased_expired", "Erased after the retention period"),
    # The studio's members
    ("member_invited", "Invited someone to the studio"),
    ("invitation_revoked", "Revoked an invitation to the studio"),
    ("member_joined", "Joined the studio"),
    ("member_removed", "Removed a member from the studio"),
    ("member_left", "Left the studio"),
    ("role_changed", "Changed a member's role"),
]
SIGN_IN_KINDS = ["signed_in", "second_factor_passed", "sign_in_failed", "second_factor_failed", "sign_in_locked"]
# Written by Restride itself, nobody signed in (the daily retention purge).
SYSTEM_KINDS = ["erased_expired"]


class AccessEventQuerySet(models.QuerySet):
    def for_trainer(self, trainer):
        """The log a signed-in trainer reads, never another studio's. An owner reads her studio's
        whole log: every member's reads and changes, her clients' private-link visits, every
        member's sign-ins. A trainer reads her own: what she read or changed (actor = her), the
        sign-in events of her account, and the private-link visits of the clients she led when
        they happened (the row's `trainer`); not a colleague's reads, even of a client they share.
        Both start from an index: (studio, -at) for an owner, (actor, -at) and (trainer, -at) for a trainer."""
        events = self.filter(studio_id=trainer.studio_id)
        if trainer.is_owner:
            return events
        return events.filter(
            models.Q(actor=trainer)
            | models.Q(trainer=trainer, kind__in=SIGN_IN_KINDS)
            | models.Q(trainer=trainer, via_link=True))

    def update(self, **kwargs):
        raise AppendOnly("The access log cannot be edited.")

    def delete(self):
        raise AppendOnly("The access log cannot be deleted; it goes with the client when she is erased.")


class AccessEvent(models.Model):
    """One line of the access log. Append-only from the app: save() refuses an existing row,
    delete() and the QuerySet's update()/delete() refuse; and in the database: on PostgreSQL a
    trigger refuses UPDATE and DELETE outside `erasing()`. The only deletion is the cascade when
    the client herself is erased (deletion or the retention purge): the log about her is personal
    data about her, so it goes with her; the erasure itself is logged without her name (client
    empty, "Client #id") with what it erased."""

    # Whose log this is: the studio whose client it is about (or whose trainer signed in); null
    # for nobody's (a failed sign-in with an unknown address: only the admin sees it). A studio
    # with a log is never deleted: the log is append-only (PROTECT).
    studio = models.ForeignKey("accounts.Studio", null=True, on_delete=models.PROTECT, related_name="+")
    # The client's lead trainer when it happened (or the trainer who signed in).
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    # Who did it: a trainer, or nobody signed in when `via_link` (her private link).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The actor's name as it was when it happened: the row stays attributed after she leaves the
    # studio or her account is deleted, and the log is shown without joining the trainers.
    actor_name = models.CharField(max_length=150, blank=True)
    via_link = models.BooleanField(default=False)
    client = models.ForeignKey("clients.Client", null=True, on_delete=models.CASCADE, related_name="access_events")
    kind = models.CharField(max_length=32, choices=KINDS)
    target = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["studio", "-at"], name="access_studio_at"),  # an owner's log
            models.Index(fields=["actor", "-at"], name="access_actor_at"),  # a trainer's own reads and changes
            models.Index(fields=["trainer", "-at"], name="access_trainer_at"),
            models.Index(fields=["client", "-at"], name="access_client_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.who}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("The access log cannot be edited.")
        # Every row names its studio and its actor, however it was written (audit.log sets both).
        if self.studio_id is None:
            if self.client_id is not None:
                self.studio_id = self.client.studio_id
            elif self.trainer_id is not None:
                self.studio_id = self.trainer.studio_id
        if self.actor_id is not None and not self.actor_name:
            self.actor_name = str(self.actor)[:150]
        super().save(*args, **kwargs)

    @property
    def who(self):
        """The person (or thing) that did it, named as they were then: no join needed."""
        if self.via_link:
            return "Her private link"
        if self.actor_name:
            return self.actor_name
        if self.kind in SIGN_IN_KINDS:
            return "Someone not signed in"
        if self.kind in SYSTEM_KINDS:
            return "Restride"
        if self.kind == "reminders_unsubscribed":
            return "An unsubscribe link"
        return "A former trainer"

    def delete(self, *args, **kwargs):
        raise AppendOnly("The access log cannot be deleted; it goes with the client when she is erased.")


# The database's own guard (PostgreSQL, migration 0004): a trigger refuses UPDATE and DELETE on
# the log, from any connection of the app's role, unless this setting is on in the transaction.
ERASING_SETTING = "restride.erasing"


@contextmanager
def erasing(using="default"):
    """The one way rows of the access log may go: inside the erasure routine (privacy/erasure.py),
    in its transaction, which records what it erased. Anywhere else PostgreSQL refuses."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [ERASING_SETTING])
        yield
        if connection.vendor == "postgresql":
            # Off again at once: an outer transaction (a request's) goes on without it.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [ERASING_SETTING])
