"""Settings for the test suite: production settings with a throwaway key and plain HTTP."""

import os

# The suite behaves the same in a checkout where bin/demo wrote a .env.
os.environ.setdefault("RESTRIDE_ENV_FILE", "")
os.environ.setdefault("SECRET_KEY", "insecure-key-for-the-test-suite-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from config.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SIGNUP_ENABLED = True
# Serve static files straight from the app folders: the suite never runs collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Fixtures make many trainers; argon2 is deliberately slow. test_accounts checks production uses argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
# Existing tests sign in with force_login and no second factor; tests/accounts/test_two_factor.py turns it on.
REQUIRE_2FA = False
# Queued tasks do not run in the suite (a report drawn on every assessment save would slow it
# down): tests/reports/test_drawing.py runs the task and checks the queueing directly.
TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "finished"]}}
