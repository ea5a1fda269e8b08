from django.conf import settings
from django.db import models
from django.db.models import Q


class DrawnReport(models.Model):
    """A drawn PDF report of one assessment, kept so "download everything about her" and her
    downloads never wait for WeasyPrint when a worker has drawn it already (reports/drawing.py).

    `key` is derived from what the report shows (reports/pdf.py report_key: the rendered HTML,
    the stylesheet and REPORT_VERSION), never from a list of inputs: a drawing whose key no
    longer matches what the report would show now is stale and is replaced. One per
    assessment; the key is not unique across assessments (two clients' identical reports may
    share it).
    Her PDFs are her health data: they go with her (the cascade from Client and Assessment) and
    are her export's reports/ folder."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="drawn_reports")
    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.CASCADE, related_name="drawn_report")
    key = models.CharField(max_length=64)
    # What the report could depend on when the key was last found current (pdf.report_stamps):
    # while it matches, the key is known without rendering the report again.
    stamp = models.CharField(max_length=64)
    pdf = models.BinaryField()
    drawn_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Report of assessment #{self.assessment_id} ({self.key[:12]})"


class WorkerHeartbeat(models.Model):
    """A background worker's lease (reports/worker.py): it writes seen_at every few seconds while
    it runs. A task still RUNNING under a worker whose heartbeat stopped (killed, out of memory,
    stopped by a deploy mid-task) is handed back to the queue by the other workers' sweep."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"Worker {self.worker_id} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Reminder(models.Model):
    """One reminder email, claimed before it is sent (reports/reminders.py): the unique row is the
    "exactly once per (her, kind, day)" — two schedulers that overlap both try to insert it and
    the database lets one win; only the winner queues the sending. `client` for hers, `trainer`
    (without a client) for a trainer's daily digest. `day` is the recipient's local date."""

    KINDS = [("session_day", "Session day"), ("missed", "Missed session"), ("check_up", "Check-up due"),
             ("digest", "Trainer's daily digest")]

    client = models.ForeignKey("clients.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=KINDS)
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why it was not sent after all (she turned reminders off meanwhile, the mail server refused).
    skipped = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "day"], condition=Q(client__isnull=False), name="reminder_once"),
            models.UniqueConstraint(fields=["trainer", "kind", "day"], condition=Q(client__isnull=True), name="digest_once"),
            models.CheckConstraint(condition=Q(client__isnull=False) | Q(trainer__isnull=False), name="reminder_has_recipient"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.day:%-d %b %Y}"
