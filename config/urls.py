from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from practice.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("clients/", include("practice.urls")),
    path("", include("assessments.urls")),
    path("", include("programmes.urls")),
    path("plans/", include("programmes.plan_urls")),
    path("", include("reports.urls")),
    path("", include("privacy.urls")),
]
if settings.ADMIN_ENABLED:
    urlpatterns.append(path(f"{settings.ADMIN_URL}/", admin.site.urls))

# Standalone pages: they must render with the database down and nothing in the context.
handler500 = "lib.outage.server_error"
