from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Trainer


@admin.register(Trainer)
class TrainerAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "business_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name", "business_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Trainer", {"fields": ["full_name", "business_name", "business_email", "business_phone", "website"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
