"""Sign-ins and failed sign-ins go in the log of the trainer whose account it is."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .log import client_address
from .models import AccessEvent


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def signed_in(sender, request, user, **kwargs):
    if request is None:
        return
    AccessEvent.objects.create(trainer=user, actor=user, kind="signed_in", address=client_address(request))


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    username = str(credentials.get("username") or credentials.get("email") or "")
    second_factor = username.startswith("2fa:")
    email = username.removeprefix("2fa:").lower()[:200]
    trainer = get_user_model().objects.filter(email__iexact=email).first() if email else None
    # An unknown address is kept (without a trainer, so only the admin sees it) to spot guessing.
    AccessEvent.objects.create(
        trainer=trainer, actor=None, kind="second_factor_failed" if second_factor else "sign_in_failed",
        target=email if trainer is None else "", address=client_address(request),
    )

