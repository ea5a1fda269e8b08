"""When a member who leads clients leaves her studio (accounts.models.leave_studio), the member
chosen to take them over becomes their lead trainer, in the same transaction."""

from django.utils import timezone

from . import versions
from .models import Client, Handover


def hand_over_leavers_clients(sender, studio, member, taker, by, reason, **kwargs):
    """Every client of `studio` that `member` leads is led by `taker` from now on: one operation,
    one statement, each client's version moved on once (her page and report name her lead trainer,
    so her report is drawn again), and a hand-over in each one's history with the reason. Nothing
    derived from her records depends on who leads her."""
    with versions.operation():
        led = list(Client.objects.filter(studio=studio, trainer=member).values_list("pk", flat=True))
        now = timezone.now()
        Client.objects.filter(pk__in=led).update(trainer=taker, updated_at=now)  # as Client.hand_over() does
        # The reason is made here ("<her name> left the studio"): cut to fit where a long name would
        # overflow it, where Client.hand_over() refuses a trainer's reason that is too long.
        reason = Handover.tidy(reason)[: Handover.REASON_MAX_LENGTH]
        Handover.objects.bulk_create(
            Handover(client_id=pk, from_trainer=member, to_trainer=taker, by=by, reason=reason, at=now) for pk in led)
