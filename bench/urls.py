from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def bare(request):
    """The floor: sessions, authentication and every middleware, but no page."""
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]
