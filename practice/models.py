"""Home's own record: the worklist acknowledgement (AttentionAck), the trainer marking what home
listed for a client "seen" or "referral sent" (practice/attention.py reads them, practice/views.py
records them). It was programmes' until issue 25: only home reads and writes it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import Client
from clients.versions import VersionedQuerySet


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
        # The table keeps the name it had when this model was programmes' (moved by migrations
        # programmes 0013 and practice 0001 without touching the database): existing acks stay
        # where they are, backups taken before the move restore as they are, and
        # programmes/0012_refresh_derived_state, which reads the app's real models, finds its
        # table whether or not the move has run yet.
        db_table = "programmes_attentionack"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["client", "-at"], name="attention_ack_latest")]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["seen", "referral_sent"]), name="attention_ack_kind_valid")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%-d %b %Y}"

    @classmethod
    def record(cls, client, by, *, kind, fingerprint):
        return cls.objects.create(client=client, by=by, kind=kind, fingerprint=fingerprint)
