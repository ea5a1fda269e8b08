from django.apps import AppConfig


class PracticeConfig(AppConfig):
    """The trainer's pages that bring her clients' records, assessments, programmes and reports
    together: home and its worklist, "needs attention", the client list and the client page."""

    name = "practice"

    def ready(self):
        from accounts.models import quiet_after_changed
        from clients import versions

        from .attention import refresh_worklist_of, worklist_fields

        versions.deriving.connect(worklist_fields, dispatch_uid="practice-worklist-fields")
        quiet_after_changed.connect(refresh_worklist_of, dispatch_uid="practice-worklist-quiet-after")
