from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="clients:list"), name="home"),
    path("accounts/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("", include("assessments.urls")),
    path("", include("programmes.urls")),
    path("plans/", include("programmes.plan_urls")),
    path("admin/", admin.site.urls),
]
