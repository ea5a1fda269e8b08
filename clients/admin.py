from django.contrib import admin

from .models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["full_name", "trainer", "baby_date_of_birth", "archived_at", "last_activity_at"]
    list_filter = ["trainer"]
    search_fields = ["full_name", "email"]
    list_select_related = ["trainer"]
    raw_id_fields = ["trainer", "consent_recorded_by"]
