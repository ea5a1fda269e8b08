from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"

    def ready(self):
        from accounts.models import member_leaving

        from . import versions
        from .leaving import hand_over_leavers_clients

        versions.connect()
        member_leaving.connect(hand_over_leavers_clients, dispatch_uid="clients-hand-over-leavers-clients")
