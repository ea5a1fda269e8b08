"""Issue 10: the trusted client address, secrets in logs, malformed input, outages, account safety."""

import importlib
import io
import json
import logging
import time
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client as HttpClient
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches, reverse
from django.utils.log import configure_logging
from PIL import Image, ImageFile

from accounts.forms import LogoForm
from accounts.limits import PER_ADDRESS, PER_RECIPIENT
from assessments.forms import MAX_IMPORT_BYTES
from assessments.models import Assessment
from clients.models import ShareLink
from lib.http import client_address
from reports.views import BAD_TOKEN_LIMIT
from tests.conftest import PASSWORD
from tests.factories import make_assessment

pytestmark = pytest.mark.django_db


# 1. One trusted client address

def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the visitor's own words
        (1, None, "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.1.1.1, 2.2.2.2, 203.0.113.9", "203.0.113.9"),  # only the right-most hop is the proxy's
        (2, "1.1.1.1, 203.0.113.9, 198.51.100.1", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),  # fewer hops than proxies: the one a proxy wrote
        (1, "not-an-address", "10.0.0.1"),  # never a value the lockout table cannot store
        (1, "1.1.1.1, ::1", "::1"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from("10.0.0.1", forwarded)) == expected


def sign_in(http, email, password, real_address, spoofed):
    return http.post(
        reverse("login"), {"username": email, "password": password},
        headers={"X-Forwarded-For": f"{spoofed}, {real_address}"},
    )


def test_rotating_x_forwarded_for_neither_locks_out_another_address_nor_dodges_lockout(anon_http, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker, trainer = "203.0.113.66", "198.51.100.7"
    for attempt in range(settings.AXES_FAILURE_LIMIT + 3):
        # Each guess claims a different address, including the trainer's own.
        sign_in(anon_http, owner.email, "wrong", attacker, spoofed=f"192.0.2.{attempt}, {trainer}")
    assert sign_in(anon_http, owner.email, PASSWORD, attacker, spoofed=trainer).status_code == 429
    response = sign_in(HttpClient(), owner.email, PASSWORD, trainer, spoofed="192.0.2.200")
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_rotating_x_forwarded_for_does_not_dodge_the_link_throttle(anon_http, settings, client_record):
    settings.TRUSTED_PROXY_COUNT = 1
    link, token = ShareLink.issue(client_record, client_record.trainer)
    for attempt in range(BAD_TOKEN_LIMIT):
        headers = {"X-Forwarded-For": f"192.0.2.{attempt}, 203.0.113.9"}
        assert anon_http.get(f"/p/guess-{attempt}/", headers=headers).status_code == 404
    headers = {"X-Forwarded-For": "192.0.2.250, 203.0.113.9"}
    assert anon_http.get("/p/guess-again/", headers=headers).status_code == 429
    # Her real link still opens from the throttled address (she may share it, behind a proxy).
    assert anon_http.get(f"/p/{token}/", headers=headers).status_code == 200
    # Another visitor is not affected.
    assert anon_http.get("/p/guess-other/", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404


# 2. No secret in any log

@pytest.fixture
def captured_logs():
    """Every handler, re-created on a buffer exactly as Django sets logging up at start."""
    buffer = io.StringIO()

    def configure():
        with mock.patch("sys.stderr", buffer):
            configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)

    yield SimpleNamespace(configure=configure, text=buffer.getvalue, buffer=buffer)
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)


@pytest.mark.parametrize("debug", [False, True])
def test_a_404_under_a_valid_token_path_logs_no_token(client_record, captured_logs, debug):
    link, token = ShareLink.issue(client_record, client_record.trainer)
    with override_settings(DEBUG=debug):
        captured_logs.configure()
        response = HttpClient().get(f"/p/{token}/report/999999.pdf")
        assert response.status_code == 404
        # runserver's own request line goes through django.server.
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /p/{token}/report/999999.pdf HTTP/1.1", "404", "0")
        logging.getLogger("django.request").warning(f"Not Found: /p/{token}/ in the message itself")
    logs = captured_logs.text()
    assert "Not Found: /p/[redacted]/report/999999.pdf" in logs
    assert '"GET /p/[redacted]/report/999999.pdf HTTP/1.1" 404' in logs
    assert token not in logs


def test_password_reset_and_sign_up_tokens_are_redacted(captured_logs):
    captured_logs.configure()
    logger = logging.getLogger("django.request")
    logger.warning("Not Found: %s", "/accounts/reset/MQ/cxyz-0123456789abcdef/")
    logger.warning("Not Found: %s", "/accounts/reset/MQ/set-password/")
    logger.warning("Not Found: %s", "/accounts/signup/eyJlbWFpbCI6ImEifQ:1vXyz:abcdef/")
    logs = captured_logs.text()
    assert "/accounts/reset/[redacted]/[redacted]/" in logs and "cxyz-0123456789abcdef" not in logs
    assert "/accounts/reset/MQ/set-password/" in logs  # no secret there
    assert "/accounts/signup/[redacted]/" in logs and "eyJlbWFpbCI6ImEifQ" not in logs


def test_gunicorn_access_and_error_logs_redact_tokens(tmp_path):
    from datetime import timedelta

    from gunicorn.config import Config

    from config.gunicorn_logging import RedactingLogger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s')
    gunicorn_log = RedactingLogger(config)
    token = "kH3v9yL2-secret-token_0123456789"
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/p/{token}/", "PATH_INFO": f"/p/{token}/", "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": f"https://x.example/accounts/reset/MQ/{token}/",
    }
    response = SimpleNamespace(status="404 Not Found", sent=0, headers=[])
    gunicorn_log.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    gunicorn_log.error("Error handling request %s", f"/p/{token}/")
    for handler in [*gunicorn_log.access_log.handlers, *gunicorn_log.error_log.handlers]:
        handler.flush()
    access, error = (tmp_path / "access.log").read_text(), (tmp_path / "error.log").read_text()
    assert '"GET /p/[redacted]/ HTTP/1.1" 404' in access and "/accounts/reset/[redacted]/[redacted]/" in access
    assert "/p/[redacted]/" in error
    assert token not in access + error


def test_gunicorn_started_in_the_project_folder_uses_the_redacting_logger(monkeypatch):
    from gunicorn.app.wsgiapp import WSGIApplication

    # As the Dockerfile and the README start it: no -c, so it reads ./gunicorn.conf.py.
    monkeypatch.chdir(django_settings.BASE_DIR)
    monkeypatch.setattr("sys.argv", ["gunicorn", "config.wsgi", "--access-logfile", "-"])
    app = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")
    assert app.cfg.logger_class.__name__ == "RedactingLogger"


# 3. No 5xx from input: the cases the review found

@pytest.fixture
def assessment(client_record):
    return make_assessment(client_record)


def studio_post(http, assessment, **overrides):
    data = {"assessed_on": assessment.assessed_on.isoformat(), "notes": "", "version": assessment.version, **overrides}
    return http.post(reverse("assessments:studio", args=[assessment.pk]), data)


@pytest.mark.parametrize(
    "overrides",
    [
        {"overwrite": "²"},
        {"overwrite": "١٢"},
        {"overwrite": "9" * 5000},
        {"overwrite": "9" * 30},
        {"version": "9" * 5000},
        {"version": "9" * 30},
        {"version": "²"},
        {"version": "-1"},
    ],
    ids=["superscript", "arabic-digits", "5000-digit-overwrite", "huge-overwrite", "5000-digit-version",
         "huge-version", "superscript-version", "negative-version"],
)
def test_forged_version_numbers_on_the_studio_are_a_conflict_not_a_500(owner_http, assessment, overrides):
    response = studio_post(owner_http, assessment, notes="changed", **overrides)
    assert response.status_code in (200, 302, 409)
    assessment.refresh_from_db()
    if response.status_code != 302:
        assert assessment.notes == ""


def import_post(http, client, payload):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return http.post(reverse("assessments:import", args=[client.pk]), {"text": text})


@pytest.mark.parametrize("value", [20261126, ["2026-11-26"], True, {"date": "2026-11-26"}, 1.5])
def test_an_imported_date_of_the_wrong_type_is_a_problem(owner_http, client_record, value):
    response = import_post(owner_http, client_record, {"assessed_on": value})
    assert response.status_code == 200
    assert "“assessed_on” must be a date like “2026-11-26”" in response.content.decode()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("value", [123, ["a"], False])
def test_imported_notes_of_the_wrong_type_are_a_problem(owner_http, client_record, value):
    response = import_post(owner_http, client_record, {"assessed_on": "2026-01-01", "notes": value})
    assert "“notes” must be text" in response.content.decode()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"assessed_on": "2026-01-01", "strength": {"calf_raise": {"left": ' + "9" * 5000 + "}}}", "That is not valid JSON"),
        ('{"notes": "\\ud800"}', "characters that are not valid text"),
        ('{"\\udfff": 1}', "characters that are not valid text"),
        ('["\\ud800"]', "characters that are not valid text"),
    ],
    ids=["5000-digit-int", "lone-surrogate-in-notes", "lone-surrogate-key", "lone-surrogate-in-list"],
)
def test_unreadable_json_is_a_form_error(owner_http, client_record, text, message):
    response = import_post(owner_http, client_record, text)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


def test_imported_nul_in_notes_is_a_form_problem(owner_http, client_record):
    response = import_post(owner_http, client_record, {"assessed_on": client_record.baby_date_of_birth.isoformat(), "notes": "a\x00b"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert not Assessment.objects.exists()


def test_pasted_json_has_the_same_cap_as_a_file(owner_http, client_record):
    text = json.dumps({"notes": "x" * MAX_IMPORT_BYTES})
    response = import_post(owner_http, client_record, text)
    assert "too large" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_nul_in_the_client_search_is_ignored(owner_http, client_record):
    response = owner_http.get(reverse("clients:list"), {"q": "Am\x00ira"})
    assert response.status_code == 200
    assert client_record.full_name in response.content.decode()  # the NUL is dropped: "Amira" finds her
    assert owner_http.get(reverse("clients:list"), {"q": "\x00"}).status_code == 200


def test_line_breaks_in_her_name_are_refused(owner_http, owner):
    response = owner_http.post(reverse("profile"), {"full_name": "Bounce\r\nBcc: everyone@example.com"})
    assert response.status_code == 200
    assert "Use a single line" in response.content.decode()
    owner.refresh_from_db()
    assert "Bcc" not in owner.full_name


@pytest.mark.parametrize("field", ["name", "phone"])
def test_line_breaks_in_single_line_studio_fields_are_refused(owner_http, owner, field):
    data = {"name": "", "quiet_after_days": 7, field: "Bounce\r\nBcc: everyone@example.com"}
    response = owner_http.post(reverse("studio_details"), data)
    assert response.status_code == 200
    assert "Use a single line" in response.content.decode()
    owner.studio.refresh_from_db()
    assert "Bcc" not in getattr(owner.studio, field)


def test_a_line_break_saved_before_cannot_break_the_link_email(owner_http, owner, client_record):
    owner.studio.name = "Bounce\r\nBcc: everyone@example.com"
    owner.studio.save()
    client_record.email = "her@example.com"
    client_record.save()
    link, token = ShareLink.issue(client_record, owner)
    response = owner_http.post(reverse("clients:link_email", args=[client_record.pk]), {"token": token})
    assert response.status_code == 302
    assert "\n" not in mail.outbox[0].subject and "Bounce Bcc:" in mail.outbox[0].subject


# 4. Graceful outages

@pytest.fixture
def database_down():
    """Every connection refuses, as while PostgreSQL restarts: psycopg's error arrives as Django's
    OperationalError from the first cursor of a request."""
    with mock.patch.object(BaseDatabaseWrapper, "_cursor", side_effect=OperationalError("connection refused")):
        yield


def test_signed_in_pages_are_a_503_with_retry_after_while_the_database_is_down(owner_http, client_record, database_down):
    http = owner_http
    http.raise_request_exception = False
    for url in [reverse("home"), reverse("clients:list"), client_record.get_absolute_url()]:
        response = http.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"] == "30"
        page = response.content.decode()
        assert "Restride is briefly unavailable" in page and "Traceback" not in page


def test_anonymous_pages_and_posts_are_a_503_while_the_database_is_down(database_down):
    http = HttpClient(raise_request_exception=False)
    assert http.get("/p/some-token/").status_code == 503
    assert http.post(reverse("login"), {"username": "a@example.com", "password": "x"}).status_code == 503


def test_healthz_reports_the_database_and_cache(anon_http):
    response = anon_http.get("/healthz", headers={"Host": "internal-address"})  # no allowed Host needed
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_is_a_503_while_the_database_is_down(anon_http, database_down):
    response = anon_http.get("/healthz")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json() == {"status": "unavailable", "database": "unavailable", "cache": "ok"}


def test_the_database_coming_back_needs_no_restart(owner_http, client_record):
    owner_http.raise_request_exception = False
    with mock.patch.object(BaseDatabaseWrapper, "_cursor", side_effect=OperationalError("connection refused")):
        assert owner_http.get(reverse("clients:list")).status_code == 503
    assert owner_http.get(reverse("clients:list")).status_code == 200
    assert owner_http.get("/healthz").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="closing SQLite's in-memory test database would destroy it")
@pytest.mark.django_db(transaction=True)
def test_a_real_postgresql_outage_is_a_503_and_recovers_without_a_restart(owner):
    """The real thing, as CI runs it: the server refuses connections, as while PostgreSQL restarts."""
    http = HttpClient(raise_request_exception=False)
    http.force_login(owner)
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: every connection is refused
    try:
        response = http.get(reverse("clients:list"))
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert http.get("/healthz").json()["database"] == "unavailable"
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert http.get(reverse("clients:list")).status_code == 200
    assert http.get("/healthz").status_code == 200


def test_an_unexpected_error_is_the_friendly_500_page(owner_http):
    owner_http.raise_request_exception = False
    with mock.patch("practice.views.needs_attention", side_effect=RuntimeError("bug")):
        response = owner_http.get(reverse("home"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, something went wrong" in page and "bug" not in page


def test_the_500_and_503_pages_render_with_nothing_at_all():
    from django.template.loader import render_to_string

    for template, text in [("500.html", "Sorry, something went wrong"), ("503.html", "briefly unavailable")]:
        assert text in render_to_string(template)


def test_compose_checks_the_apps_health():
    compose = (django_settings.BASE_DIR / "docker-compose.yml").read_text()
    web = compose[compose.index("  web:"):]
    assert "healthcheck:" in web and "/healthz" in web


# 5. Account safety

def test_sign_up_is_rate_limited_by_address(anon_http, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    headers = {"X-Forwarded-For": "203.0.113.9"}
    for attempt in range(PER_ADDRESS):
        data = {"full_name": "New", "email": f"new{attempt}@example.com"}
        assert anon_http.post(reverse("signup"), data, headers=headers).status_code == 302
    rotated = {"X-Forwarded-For": "192.0.2.1, 203.0.113.9"}
    response = anon_http.post(reverse("signup"), {"full_name": "New", "email": "more@example.com"}, headers=rotated)
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert len(mail.outbox) == PER_ADDRESS
    other = {"X-Forwarded-For": "198.51.100.7"}
    assert anon_http.post(reverse("signup"), {"full_name": "New", "email": "x@example.com"}, headers=other).status_code == 302


def test_password_reset_is_rate_limited_and_answers_the_same_for_unknown_addresses(anon_http, owner, settings):
    known = anon_http.post(reverse("password_reset"), {"email": owner.email})
    unknown = anon_http.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    for _ in range(PER_ADDRESS - 2):
        anon_http.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert anon_http.post(reverse("password_reset"), {"email": owner.email}).status_code == 429


def test_one_mailbox_gets_only_a_few_emails_an_hour(owner, settings):
    for attempt in range(PER_RECIPIENT + 3):
        http = HttpClient(REMOTE_ADDR=f"192.0.2.{attempt}")
        response = http.post(reverse("password_reset"), {"email": owner.email})
        assert response.status_code == 302  # the same answer, sent or not
    assert len(mail.outbox) == PER_RECIPIENT


def test_the_admin_can_be_turned_on_at_its_own_url(owner, settings):
    import config.urls

    owner.is_staff = owner.is_superuser = True
    owner.save()
    http = HttpClient()
    http.force_login(owner)
    settings.ADMIN_ENABLED, settings.ADMIN_URL = True, "staff-door-7f3a"
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        # There it is (asking staff for their second factor first); nowhere else.
        response = http.get("/staff-door-7f3a/")
        assert response.status_code == 302 and response["Location"].startswith("/staff-door-7f3a/login/")
        assert http.get("/admin/").status_code == 404
    finally:
        settings.ADMIN_ENABLED = False
        importlib.reload(config.urls)
        clear_url_caches()
    assert http.get("/staff-door-7f3a/").status_code == 404


def session_row(http):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=http.cookies["sessionid"].value)


def test_sessions_expire_after_twelve_idle_hours_and_working_renews_them(owner_http):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.sessions import RENEW_EVERY

    assert django_settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    row = session_row(owner_http)
    row.expire_date = timezone.now() + timedelta(hours=1)  # as if she signed in 11 hours ago
    row.save()
    # A request soon after the last renewal writes nothing...
    assert "sessionid" not in owner_http.get(reverse("home")).cookies
    # ...one after RENEW_EVERY seconds pushes the end 12 hours ahead, in the database and the cookie.
    with mock.patch("accounts.sessions.time.time", return_value=time.time() + RENEW_EVERY + 1):
        cookie = owner_http.get(reverse("home")).cookies["sessionid"]
    assert cookie["max-age"] == 12 * 60 * 60
    assert session_row(owner_http).expire_date > timezone.now() + timedelta(hours=11, minutes=55)


def test_an_idle_session_is_signed_out(owner_http):
    from datetime import timedelta

    from django.utils import timezone

    row = session_row(owner_http)
    row.expire_date = timezone.now() - timedelta(seconds=1)  # 12 hours without a request
    row.save()
    response = owner_http.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sessions_can_end_when_the_browser_closes(anon_http, owner, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = anon_http.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert response.status_code == 302 and not cookie["max-age"] and not cookie["expires"]


def image_bytes(fmt, size=(300, 200)):
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_the_logo_check_refuses_truncated_images_even_after_weasyprint_has_run(fmt):
    import weasyprint  # noqa: F401  (importing it is what sets Pillow's process-wide flag)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = image_bytes(fmt)
    with mock.patch.object(ImageFile, "LOAD_TRUNCATED_IMAGES", True):
        whole = LogoForm(files={"logo": SimpleUploadedFile("logo", data)})
        assert whole.is_valid(), whole.errors
        truncated = LogoForm(files={"logo": SimpleUploadedFile("logo", data[: len(data) // 2])})
        assert not truncated.is_valid()
        assert "not a PNG or JPEG image we can read" in str(truncated.errors)


def test_the_logo_check_caps_pixels_before_decoding():
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.new("RGB", (3900, 3900), "white").save(out, format="PNG")  # within the width cap, over the area cap
    data = out.getvalue()
    with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")):
        form = LogoForm(files={"logo": SimpleUploadedFile("logo.png", data)})
        assert not form.is_valid()
    assert "pixels" in str(form.errors)
