from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from lib.http import absolute_url

from .forms import ChoosePasswordForm, LogoForm, ProfileForm, SignInForm, SignUpForm, StudioForm
from .limits import address_over_limit, recipient_over_limit
from .models import Studio, StudioLogo, Trainer, quiet_after_changed

SIGNUP_LINK_MAX_AGE = 3 * 24 * 60 * 60  # seconds
SIGNUP_SALT = "accounts.signup"


def too_many(request):
    return render(request, "registration/rate_limited.html", status=429)


def signup(request):
    """Step one: name, email and business. Whether or not the address already has an account,
    the answer is the same "check your email"; only the email differs, so the page reveals
    nothing about who uses Restride."""
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is closed.")
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method == "POST" and address_over_limit(request, "signup"):
        return too_many(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not recipient_over_limit("signup", email):
            send_signup_email(request, form.cleaned_data)
        return redirect("signup_done")
    return render(request, "registration/signup.html", {"form": form})


def send_signup_email(request, details):
    email = details["email"]
    if Trainer.objects.filter(email__iexact=email).exists():
        context = {"sign_in_url": absolute_url(request, reverse("login")),
                   "reset_url": absolute_url(request, reverse("password_reset"))}
        body = render_to_string("registration/signup_exists_email.txt", context)
    else:
        token = signing.dumps(
            {key: details[key] for key in ("email", "full_name", "business_name")}, salt=SIGNUP_SALT, compress=True
        )
        context = {"url": absolute_url(request, reverse("signup_confirm", args=[token])), "days": SIGNUP_LINK_MAX_AGE // 86400}
        body = render_to_string("registration/signup_email.txt", context)
    send_mail("Your Restride account", body, None, [email])


def signup_done(request):
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is closed.")
    return render(request, "registration/signup_done.html")


def signup_confirm(request, token):
    """Step two, from the emailed link (so she owns the address): choose a password."""
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is closed.")
    try:
        details = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return render(request, "registration/signup_link_invalid.html", status=404)
    if Trainer.objects.filter(email__iexact=details["email"]).exists():
        messages.info(request, "Your account is ready: sign in.")
        return redirect("login")
    business_name = details.pop("business_name", "")
    form = ChoosePasswordForm(request.POST or None, instance=Trainer(**details, role=Trainer.OWNER))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # her own studio, of one until she invites anyone
                form.instance.studio = Studio.objects.create(name=business_name)
                trainer = form.save()
        except IntegrityError:  # the same link, submitted twice at once
            return redirect("login")
        login(request, trainer, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Restride. Add your first client to get started.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/signup_confirm.html", {"form": form, "email": details["email"]})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset already answers the same for every address; this adds the rate limits."""

    def post(self, request, *args, **kwargs):
        if address_over_limit(request, "reset"):
            return too_many(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if recipient_over_limit("reset", form.cleaned_data["email"]):
            return redirect(self.get_success_url())
        return super().form_valid(form)


@login_required
def profile(request):
    """Her own details; beside them her studio's, which its owners change (studio_details)."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details are saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", profile_context(request, form=form))


def profile_context(request, *, form=None, studio_form=None, logo_form=None):
    studio = request.user.studio
    owner = request.user.is_owner
    return {"form": form or ProfileForm(instance=request.user), "studio": studio, "nav": "profile",
            "studio_form": (studio_form or StudioForm(instance=studio)) if owner else None,
            "logo_form": (logo_form or LogoForm()) if owner else None,
            "logo": StudioLogo.objects.filter(studio=studio).first()}


def owner_only(request):
    """The studio's details, logo and members are its owners' to change."""
    if not request.user.is_owner:
        raise PermissionDenied("Only the studio's owner can change this.")


@login_required
@require_POST
def studio_details(request):
    owner_only(request)
    studio = Studio.objects.get(pk=request.user.studio_id)
    studio_form = StudioForm(request.POST, instance=studio)
    if studio_form.is_valid():
        with transaction.atomic():
            studio_form.save()
            if "quiet_after_days" in studio_form.changed_data:
                quiet_after_changed.send(sender=Studio, studio=studio)
        messages.success(request, "Your studio's details are saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", profile_context(request, studio_form=studio_form))


@login_required
@require_POST
def studio_logo(request):
    owner_only(request)
    studio = request.user.studio
    if request.POST.get("action") == "remove":
        StudioLogo.objects.filter(studio=studio).delete()
        studio.save(update_fields=["updated_at"])  # reports carrying the old logo are stale now
        messages.success(request, "Logo removed.")
        return redirect("profile")
    logo_form = LogoForm(request.POST, request.FILES)
    if logo_form.is_valid():
        StudioLogo.objects.update_or_create(studio=studio, defaults={"data": logo_form.png_bytes(), "content_type": "image/png"})
        studio.save(update_fields=["updated_at"])  # reports carrying the old logo are stale now
        messages.success(request, "Logo saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", profile_context(request, logo_form=logo_form))


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(signup_enabled=settings.SIGNUP_ENABLED, **kwargs)


@login_required
def signed_in_again(request):
    """Where signing in again from a page that lost its session (the studio's "sign in again in a
    new tab") lands: that page saves by itself, so this tab has nothing more to do."""
    return render(request, "accounts/signed_in_again.html")
