"""When a member who leads clients leaves her studio (accounts.models.leave_studio), the member
chosen to take them over becomes their lead trainer, in the same transaction."""

from . import versions
from .models import Client


def hand_over_leavers_clients(sender, studio, member, taker, by, reason, **kwargs):
    """Every client of `studio` that `member` leads is led by `taker` from now on: one operation,
    one statement, each client's version moved on once (her page and report name her lead trainer,
    so her report is drawn again). Nothing derived from her records depends on who leads her."""
    # TODO(merge): record each as a Handover (Client.hand_over(to=taker, by=by, reason=reason), issue 26 item 3).
    with versions.operation():
        Client.objects.filter(studio=studio, trainer=member).update(trainer=taker)
