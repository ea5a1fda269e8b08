from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from .models import Trainer


@admin.register(Trainer)
class TrainerAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "studio", "role", "is_staff", "is_active"]
    search_fields = ["email", "full_name", "studio__name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Trainer", {"fields": ["full_name", "studio", "role"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]


class VerifiedAdminSite(OTPAdminSite):
    """The admin needs a verified second factor as well as is_staff. Signing in goes through
    the ordinary two-step sign-in (password, then code), never a separate admin form."""

    def login(self, request, extra_context=None):
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")
        if not request.user.is_verified():
            messages.warning(request, "The admin needs two-factor sign-in: set it up first.")
            return redirect(f"{reverse('two_factor_setup')}?{urlencode({REDIRECT_FIELD_NAME: target})}")
        return redirect("home")  # verified but not staff


# Swap the class of the default site (as django-otp suggests) so every app's registrations stay.
admin.site.__class__ = VerifiedAdminSite
