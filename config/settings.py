"""Restride settings. Every deploy-time value comes from the environment."""

import base64
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.cache import caches_for
from lib.env import envbool, envint, envlist, read_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
# A development checkout's .env (bin/demo writes it). RESTRIDE_ENV_FILE names another file; empty: none.
if env_file := os.environ.get("RESTRIDE_ENV_FILE", str(BASE_DIR / ".env")):
    read_env_file(Path(env_file))


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's machine: DEBUG must be on to get here.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

# Keys SECRET_KEY was before a rotation: sessions and signed links made with them still work.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")
# The key her private link is kept encrypted under (clients.models.link_cipher), a Fernet key
# (`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`);
# unset: derived from SECRET_KEY.
PRIVATE_LINK_KEY = os.environ.get("PRIVATE_LINK_KEY", "")
if PRIVATE_LINK_KEY:
    try:
        if len(base64.urlsafe_b64decode(PRIVATE_LINK_KEY.encode())) != 32:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured("PRIVATE_LINK_KEY must be a Fernet key (32 bytes, URL-safe base64).") from None

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# The public address for links to her progress page; unset: the address the request came to.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# How many proxies of ours stand in front of the app, each appending to X-Forwarded-For.
# lib.http.client_address trusts exactly that many hops (0: the connection's own
# address), for sign-in lockout, link throttling and the sign-up and reset rate limits.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "accounts",
    "clients",
    "assessments",
    "programmes",
    "reports",
    "audit",
    "privacy",
    "practice",
]

MIDDLEWARE = [
    # First: answers /healthz before host checks, HTTPS redirects and sessions.
    "lib.outage.health",
    "django.middleware.security.SecurityMiddleware",
    "lib.outage.database_outage",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.sessions.renew_idle_session",
    "django_otp.middleware.OTPMiddleware",
    "accounts.twofactor.RequireSecondFactor",
    "config.middleware.private_when_signed_in",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.signed_out_htmx",
    # Last, so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "lib.forms.FormRenderer"
WSGI_APPLICATION = "config.wsgi.application"

# Django's own nested settings shape; production adds the cached loaders below.
TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["django_htmx.templatetags.django_htmx"],
        },
    }
]
if not DEBUG:
    # Parse each template once per process, not once per request.
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
        )
    ]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A speed-up only, shared by every worker and server through REDIS_URL (without it, bin/demo, each
# process keeps its own): no page or data of hers is cached, lockouts and rate limits are in the
# database, and a Redis that is down or hung answers as a miss within a fraction of a second (config/cache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = caches_for(REDIS_URL, os.environ.get("CACHE_KEY_PREFIX", "restride"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Background work (reports drawn before anyone asks: reports/drawing.py) is queued in the
# database and run by `manage.py worker` (django-tasks-db's db_worker with a lease: reports/worker.py).
# Finish's drawings have a queue of their own, "finished" (reports/drawing.py FINISHED_QUEUE).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "finished"]}}

AUTH_USER_MODEL = "accounts.Trainer"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SIGNUP_ENABLED = envbool("SIGNUP_ENABLED", DEBUG)

# Django's admin: off in production unless turned on, and then at a path of your choosing
# rather than the /admin/ every scanner tries.
ADMIN_ENABLED = envbool("ADMIN_ENABLED", DEBUG)
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/" if DEBUG else "").strip("/")
if ADMIN_ENABLED and not ADMIN_URL:
    raise ImproperlyConfigured("Set ADMIN_URL (e.g. staff-7f3a9c/) to turn the admin on with DEBUG off.")

# A signed-in session ends after this many seconds without a request (accounts.sessions
# renews it as she works), and optionally when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_TIMEOUT", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)

# Five failed sign-ins for one email from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
# Lockouts live in the database, where every server sees them and no cache outage or eviction
# can erase them: a lockout still locks while Redis is down.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The sign-in form posts the email address in the "username" field.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The one trusted client address, never an address the visitor wrote.
AXES_CLIENT_IP_CALLABLE = "lib.http.client_address"

# Archived clients are erased, with everything about them, this many days after archiving
# (manage.py purge_expired, run daily). 2555 days is seven years: the six-year limitation
# period for a claim in contract (Limitation Act 1980), plus a year's margin.
RETENTION_DAYS_AFTER_ARCHIVE = envint("RETENTION_DAYS_AFTER_ARCHIVE", 2555)

# Where `manage.py backup` writes pg_dump files (the compose file's backup service has its own).
BACKUP_DIR = os.environ.get("BACKUP_DIR") or str(BASE_DIR / "backups")

# Two-factor sign-in (accounts/twofactor.py). On by default in production: every trainer enrols
# an authenticator app at her next sign-in. Wrong codes count towards the axes lockout above;
# django-otp's own per-device back-off is off so that lockout is the one, predictable, rule.
REQUIRE_2FA = envbool("REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Restride"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"  # None in the suite (config/test_settings.py)
STORAGES = {
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Console by default in development, so a developer sees reset and link emails in the
# terminal; SMTP by default in production, where the console would lose them.
EMAIL_BACKEND_PATH = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST") or "localhost",
            "port": envint("EMAIL_PORT", 587),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS", True),
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "Restride <noreply@restride.invalid>"

# A strict policy: scripts and styles only from our own origin or with this request's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_private_links": {"()": "config.logging.RedactPrivateLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_private_links"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Replaces Django's own "django" handlers (a console one with DEBUG on, admin mails with
        # it off), which would log "Not Found: /p/<token>/…" before any redaction: every record
        # now goes through the redacting handler. runserver's request log (django.server) too.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
