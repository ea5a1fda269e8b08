from django.contrib import admin
from django.urls import include, path

from clients.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("", include("assessments.urls")),
    path("", include("programmes.urls")),
    path("plans/", include("programmes.plan_urls")),
    path("", include("reports.urls")),
    path("", include("audit.urls")),
    path("admin/", admin.site.urls),
]
