from django.db import models


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
