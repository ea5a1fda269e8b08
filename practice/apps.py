from django.apps import AppConfig


class PracticeConfig(AppConfig):
    """The trainer's pages that bring her clients' records, assessments, programmes and reports
    together: home and its worklist, "needs attention", the client list and the client page."""

    name = "practice"

    def ready(self):
        from clients import versions

        from .attention import worklist_fields

        versions.deriving.connect(worklist_fields, dispatch_uid="practice-worklist-fields")
