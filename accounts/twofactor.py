"""Two-factor sign-in: a TOTP authenticator app (django-otp) plus ten one-time recovery codes.

The password step is the ordinary sign-in page. A trainer with a confirmed authenticator is
then signed in but not *verified*: the middleware below lets her reach nothing but the code
page until she enters a code. With REQUIRE_2FA on, a trainer without one is sent to enrol.

Wrong codes count towards a django-axes lockout under their own name ("2fa:<email>"), so a
correct password (which resets the password counter) never buys more guesses at the code.
"""

from urllib.parse import quote

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from lib.http import client_address
from lib.qr import qr_svg

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

# Pages a signed-in but unverified trainer may still reach.
OPEN_BEFORE_VERIFIED = {"two_factor_verify", "two_factor_setup", "logout"}


# --- devices -------------------------------------------------------------------------------

def has_two_factor(trainer):
    return trainer.two_factor_enabled_at is not None


def recovery_codes_left(trainer):
    return StaticToken.objects.filter(device__user=trainer, device__confirmed=True).count()


def new_recovery_codes(trainer):
    """Replace her recovery codes with ten fresh ones; returns them (shown once, never again)."""
    device, _ = StaticDevice.objects.get_or_create(user=trainer, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def matching_device(trainer, code):
    """The device that accepts `code` (six digits: her app; anything else: a recovery code), or None.
    Each device refuses a code it has already accepted: an app code once per 30 s step, a
    recovery code ever again."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            devices = TOTPDevice.objects.select_for_update().filter(user=trainer, confirmed=True)
        else:
            devices = StaticDevice.objects.select_for_update().filter(user=trainer, confirmed=True)
        for device in devices:
            if device.verify_token(code):
                return device
    return None


def enrolment_qr(device, trainer):
    """The enrolment QR code: our own otpauth:// URL (lib/qr.py)."""
    return qr_svg(device.config_url, f"QR code to add Restride for {trainer.email} to your authenticator app")


def secret_text(device):
    """The base32 secret, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- lockout -------------------------------------------------------------------------------

def _credentials(trainer):
    return {settings.AXES_USERNAME_FORM_FIELD: f"2fa:{trainer.email}"}


def is_locked(request, trainer):
    return AxesProxyHandler.is_locked(request, _credentials(trainer))


def count_failure(request, trainer):
    """A wrong code: counted by django-axes like a wrong password (and logged by the audit app)."""
    user_login_failed.send(sender=__name__, credentials=_credentials(trainer), request=request)


def clear_failures(request, trainer):
    # Name the address too: lockouts count (username, address) pairs.
    axes_reset(ip=client_address(request), username=_credentials(trainer)[settings.AXES_USERNAME_FORM_FIELD])


def locked_out(request):
    """Sign her out and show the lockout page: she starts again from the password when it lifts."""
    logout(request)
    return render(request, "registration/locked_out.html", status=429)


# --- middleware ----------------------------------------------------------------------------

class RequireSecondFactor:
    """After the password: a trainer with an authenticator must enter a code before anything
    else; with REQUIRE_2FA on, a trainer without one must first set one up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.url_name in OPEN_BEFORE_VERIFIED or match.namespace == "admin":
            return None  # the admin site refuses unverified staff itself
        if has_two_factor(user):  # no query: a field of the signed-in trainer
            target = "two_factor_verify"
        elif settings.REQUIRE_2FA:
            target = "two_factor_setup"
        else:
            return None
        url = f"{reverse(target)}?next={quote(request.get_full_path())}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)


def next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


# --- forms ---------------------------------------------------------------------------------

CODE_WIDGET = forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off",
                                     "spellcheck": "false", "autofocus": True})


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20, widget=CODE_WIDGET,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your app", max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class DisableForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(label="A current code", max_length=20, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
        help_text="From your authenticator app, or one of your recovery codes.")


class ConfirmForm(forms.Form):
    """Her password or a current code: either proves it is her, not someone at a tablet she left signed in."""

    password = forms.CharField(label="Your password", strip=False, required=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(label="Or a current code", max_length=20, required=False, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
        help_text="From your authenticator app, or one of your recovery codes.")

    def clean(self):
        data = super().clean()
        if not data.get("password") and not data.get("code"):
            raise forms.ValidationError("Enter your password or a current code.")
        return data


# --- views ---------------------------------------------------------------------------------

@login_required
def verify(request):
    """The second step of signing in."""
    trainer = request.user
    if trainer.is_verified():
        return redirect(next_url(request))
    if not has_two_factor(trainer):
        return redirect(f"{reverse('two_factor_setup')}?next={quote(next_url(request))}")
    if is_locked(request, trainer):
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = matching_device(trainer, form.cleaned_data["code"])
        if device is None:
            count_failure(request, trainer)
            if is_locked(request, trainer):
                return locked_out(request)
            form.add_error("code", "That code is not right. Check your app's clock, or use a recovery code.")
        else:
            otp_login(request, device)
            request.session.cycle_key()
            clear_failures(request, trainer)
            audit.record(request, None, "second_factor_passed", "Recovery code" if isinstance(device, StaticDevice) else "")
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(trainer)
                messages.warning(request, f"You signed in with a recovery code: it cannot be used again. "
                                          f"{left} left. Make new ones from Your details when you run low.")
            return redirect(next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url(request), "second_step": True})


@login_required
def setup(request):
    """Enrol an authenticator app: scan the code, confirm one code, receive recovery codes."""
    trainer = request.user
    if has_two_factor(trainer):
        if not trainer.is_verified():
            return redirect(f"{reverse('two_factor_verify')}?next={quote(next_url(request))}")
        return redirect("two_factor")
    # One unconfirmed device per trainer: reloading the page keeps the secret she may have scanned.
    device = TOTPDevice.objects.filter(user=trainer, confirmed=False).first() or TOTPDevice.objects.create(
        user=trainer, name=APP_DEVICE_NAME, confirmed=False
    )
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        if code.isdigit() and device.verify_token(code):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=trainer).exclude(pk=device.pk).delete()
                codes = new_recovery_codes(trainer)
                trainer.two_factor_enabled_at = timezone.now()
                trainer.save(update_fields=["two_factor_enabled_at"])
            otp_login(request, device)
            request.session.cycle_key()
            context = {"codes": codes, "next": next_url(request), "first_time": True}
            return render(request, "accounts/recovery_codes.html", context)
        form.add_error("code", "That code does not match. Check the time on your phone is set automatically, "
                               "then enter the code your app shows now.")
    # Required at sign-in, set-up is part of signing in: no menu until it is done.
    context = {"form": form, "qr": enrolment_qr(device, trainer), "secret": secret_text(device),
               "required": settings.REQUIRE_2FA, "next": next_url(request), "second_step": settings.REQUIRE_2FA}
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def manage(request):
    """Her two-factor settings: on or off, recovery codes left, new codes, turn it off."""
    context = {"enabled": has_two_factor(request.user), "codes_left": recovery_codes_left(request.user),
               "required": settings.REQUIRE_2FA, "nav": "profile"}
    return render(request, "accounts/two_factor.html", context)


@login_required
def regenerate_codes(request):
    """New recovery codes replace the old ones. Like turning two-factor off, it needs her password
    or a current code: new codes in the hands of whoever holds a signed-in tablet would outlive
    her session. Wrong answers count towards the lockout."""
    trainer = request.user
    if not has_two_factor(trainer):
        return redirect("two_factor_setup")
    if is_locked(request, trainer):
        return locked_out(request)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password, code = form.cleaned_data["password"], form.cleaned_data["code"]
        if (password and trainer.check_password(password)) or (code and matching_device(trainer, code)):
            codes = new_recovery_codes(trainer)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("two_factor")})
        count_failure(request, trainer)
        if is_locked(request, trainer):
            return locked_out(request)
        form.add_error(None, "That password or code is not right.")
    return render(request, "accounts/two_factor_codes.html", {"form": form, "nav": "profile"})


@login_required
def disable(request):
    """Turning it off needs her password and a current code, so a borrowed signed-in tablet
    cannot switch it off."""
    trainer = request.user
    if not has_two_factor(trainer):
        return redirect("two_factor")
    if is_locked(request, trainer):
        return locked_out(request)
    form = DisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_ok = trainer.check_password(form.cleaned_data["password"])
        device = matching_device(trainer, form.cleaned_data["code"]) if password_ok else None
        if device is None:
            count_failure(request, trainer)
            if is_locked(request, trainer):
                return locked_out(request)
            if not password_ok:
                form.add_error("password", "That password is not right.")
            else:
                form.add_error("code", "That code is not right.")
        else:
            with transaction.atomic():
                TOTPDevice.objects.filter(user=trainer).delete()
                StaticDevice.objects.filter(user=trainer).delete()
                trainer.two_factor_enabled_at = None
                trainer.save(update_fields=["two_factor_enabled_at"])
            if settings.REQUIRE_2FA:
                messages.warning(request, "Two-factor sign-in is off. Restride requires it: set up your new app now.")
                return redirect("two_factor_setup")
            messages.success(request, "Two-factor sign-in is off. Your recovery codes no longer work.")
            return redirect("two_factor")
    return render(request, "accounts/two_factor_disable.html", {"form": form, "nav": "profile"})
