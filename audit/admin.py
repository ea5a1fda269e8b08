from django.contrib import admin

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only from the app, the admin included."""

    list_display = ["at", "kind", "studio", "trainer", "who", "client", "address"]
    list_select_related = ["studio", "trainer", "client"]
    list_filter = ["kind", "via_link"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
