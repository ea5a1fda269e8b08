from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Access log"

    def ready(self):
        from . import signals  # noqa: F401  sign-ins and failed sign-ins are recorded
