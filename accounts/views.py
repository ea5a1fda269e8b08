from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from django.views.decorators.http import require_POST

from .forms import LogoForm, ProfileForm, SignInForm, SignUpForm
from .models import TrainerLogo


def signup(request):
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is closed.")
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        trainer = form.save()
        login(request, trainer, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Restride. Add your first client to get started.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/signup.html", {"form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details are saved.")
        return redirect("profile")
    logo = TrainerLogo.objects.filter(trainer=request.user).first()
    context = {"form": form, "logo_form": LogoForm(), "logo": logo, "nav": "profile"}
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def profile_logo(request):
    if request.POST.get("action") == "remove":
        TrainerLogo.objects.filter(trainer=request.user).delete()
        messages.success(request, "Logo removed.")
        return redirect("profile")
    logo_form = LogoForm(request.POST, request.FILES)
    if logo_form.is_valid():
        TrainerLogo.objects.update_or_create(
            trainer=request.user, defaults={"data": logo_form.png_bytes(), "content_type": "image/png"}
        )
        request.user.save(update_fields=["updated_at"])  # reports carrying the old logo are stale now
        messages.success(request, "Logo saved.")
        return redirect("profile")
    context = {"form": ProfileForm(instance=request.user), "logo_form": logo_form,
               "logo": TrainerLogo.objects.filter(trainer=request.user).first(), "nav": "profile"}
    return render(request, "accounts/profile.html", context)


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(signup_enabled=settings.SIGNUP_ENABLED, **kwargs)
