from django.utils.cache import patch_cache_control


def private_when_signed_in(get_response):
    """Every page a trainer sees holds health data: keep it out of browser and proxy caches."""

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
