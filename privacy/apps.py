from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Her data rights, which read every app: the Activity pages of the access log, download
    everything about her, erasure and the retention purge."""

    name = "privacy"
