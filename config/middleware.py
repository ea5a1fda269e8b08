from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control


def private_when_signed_in(get_response):
    """Every page a trainer sees holds health data: keep it out of browser and proxy caches."""

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def signed_out_htmx(get_response):
    """A signed-out htmx request (her session lapsed mid-assessment) answers 401, not the sign-in
    page: the browser follows a redirect silently, so htmx would read the sign-in page as the
    answer and the page would claim it was saved. The page keeps what she typed and asks her
    to sign in again (static/js/app.js); the sign-in address, with her way back, is in the header."""

    def middleware(request):
        response = get_response(request)
        if getattr(request, "htmx", False) and response.status_code == 302 and not request.user.is_authenticated:
            login = resolve_url(settings.LOGIN_URL)
            if response["Location"].split("?", 1)[0] == login:
                signed_out = HttpResponse("Signed out: sign in again to carry on.", status=401, content_type="text/plain")
                signed_out["X-Sign-In"] = response["Location"]
                signed_out["Cache-Control"] = "no-store"
                return signed_out
        return response

    return middleware
