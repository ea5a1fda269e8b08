"""Production settings plus one bare view to compare pages against."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The benchmark talks plain HTTP on loopback, so cookies cannot be Secure-only here.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The benchmark signs in with a password alone; with two-factor sign-in it would only measure
# redirects to the code page. (A verified session costs one query more per request: its device.)
REQUIRE_2FA = False
