"""Sign-ins and failed sign-ins go in the log of the trainer whose account it is, in her studio's."""

from axes.helpers import get_cool_off
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from .log import actor_name, client_address
from .models import AccessEvent


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def signed_in(sender, request, user, **kwargs):
    if request is None:
        return
    AccessEvent.objects.create(trainer=user, studio_id=user.studio_id, actor=user, actor_name=actor_name(user),
                               kind="signed_in", address=client_address(request))


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    username = str(credentials.get("username") or credentials.get("email") or "")
    second_factor = username.startswith("2fa:")
    email = username.removeprefix("2fa:").lower()[:200]
    trainer = get_user_model().objects.filter(email__iexact=email).first() if email else None
    # An unknown address is kept (without a trainer, so only the admin sees it) to spot guessing.
    target, address = email if trainer is None else "", client_address(request)
    if getattr(request, "axes_locked_out", False):  # axes' own receiver ran first: locked by now
        locked(trainer, target, address)
        return
    AccessEvent.objects.create(
        trainer=trainer, studio_id=studio_of(trainer), actor=None,
        kind="second_factor_failed" if second_factor else "sign_in_failed", target=target, address=address,
    )


def studio_of(trainer):
    """An unknown address's failed sign-in is nobody's studio's: only the admin sees it."""
    return trainer.studio_id if trainer is not None else None


def locked(trainer, target, address):
    """The try that locked the account, and every try refused while it stays locked, write one
    "locked" line per lockout, not one per try: a flood cannot fill her log."""
    since = timezone.now() - get_cool_off()
    with transaction.atomic():
        if trainer is not None:  # concurrent tries wait here, then find the line written
            get_user_model().objects.select_for_update().filter(pk=trainer.pk).values_list("pk", flat=True).first()
        lines = AccessEvent.objects.filter(kind="sign_in_locked", trainer=trainer, target=target, address=address, at__gte=since)
        if not lines.exists():
            AccessEvent.objects.create(trainer=trainer, studio_id=studio_of(trainer), actor=None, kind="sign_in_locked",
                                       target=target, address=address)

