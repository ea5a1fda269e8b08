"""Two-factor sign-in: enrolment, the code step, recovery codes, lockout, turning it off, the admin."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import new_recovery_codes
from tests.conftest import PASSWORD, make_trainer


def code(device, steps=0):
    """The app's code `steps` time-steps from now. A code is accepted once: tests that verify
    more than once in a test use successive steps (the device accepts one step either side)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps):06d}"


def enrolled(trainer):
    device = TOTPDevice.objects.create(user=trainer, name="Authenticator app", confirmed=True)
    trainer.two_factor_enabled_at = timezone.now()
    trainer.save(update_fields=["two_factor_enabled_at"])
    return device, new_recovery_codes(trainer)


def password_sign_in(trainer, password=PASSWORD):
    http = HttpClient()
    response = http.post(reverse("login"), {"username": trainer.email, "password": password})
    assert response.status_code == 302, "the password step should succeed"
    return http


@pytest.fixture
def require_2fa(settings):
    settings.REQUIRE_2FA = True


# --- enrolment -----------------------------------------------------------------------------

def test_with_require_2fa_a_trainer_without_an_app_must_enrol_before_anything_else(db, require_2fa):
    trainer = make_trainer("new@example.com")
    http = password_sign_in(trainer)
    for url in (reverse("home"), reverse("clients:list"), reverse("profile")):
        response = http.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_setup"))
    assert http.get(reverse("two_factor_setup")).status_code == 200


def test_without_require_2fa_a_trainer_without_an_app_signs_in_with_her_password(db, settings):
    settings.REQUIRE_2FA = False
    http = password_sign_in(make_trainer("new@example.com"))
    assert http.get(reverse("home")).status_code == 200


def test_require_2fa_is_on_by_default_in_production_and_off_in_development():
    import os
    import subprocess
    import sys

    def setting(debug):
        env = {**os.environ, "DEBUG": debug, "SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "config.settings"}
        env.pop("REQUIRE_2FA", None)
        script = "import django; django.setup(); from django.conf import settings; print(settings.REQUIRE_2FA)"
        return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True).stdout.strip()

    assert setting("false") == "True"
    assert setting("true") == "False"


def test_enrolment_shows_an_inline_svg_qr_and_the_secret_then_confirms_with_a_code(db, require_2fa):
    trainer = make_trainer("new@example.com")
    http = password_sign_in(trainer)
    page = http.get(reverse("two_factor_setup")).content.decode()
    assert '<svg role="img"' in page and "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    device = TOTPDevice.objects.get(user=trainer, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    from base64 import b32decode

    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # Reloading keeps the same secret: she may already have scanned it.
    assert http.get(reverse("two_factor_setup")).content.decode().count(secret[:4]) >= 1
    assert TOTPDevice.objects.filter(user=trainer).count() == 1

    wrong = http.post(reverse("two_factor_setup"), {"code": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "That code does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    response = http.post(reverse("two_factor_setup"), {"code": code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert StaticToken.objects.filter(device__user=trainer).count() == 10
    # Enrolling verified this session: she goes straight on.
    assert http.get(reverse("home")).status_code == 200


def test_an_enrolled_trainer_cannot_enrol_a_second_app_over_the_first(db):
    trainer = make_trainer("t@example.com")
    device, _ = enrolled(trainer)
    http = password_sign_in(trainer)
    http.post(reverse("two_factor_verify"), {"code": code(device)})
    assert http.get(reverse("two_factor_setup"))["Location"] == reverse("two_factor")
    assert TOTPDevice.objects.filter(user=trainer).count() == 1


# --- the code step -------------------------------------------------------------------------

def test_an_enrolled_trainer_must_enter_a_code_after_her_password(db):
    trainer = make_trainer("t@example.com")
    device, _ = enrolled(trainer)
    http = password_sign_in(trainer)
    response = http.get(reverse("clients:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor_verify')}?next=/clients/"
    # htmx requests are sent to the code page as a whole-page redirect.
    assert http.get(reverse("clients:list"), headers={"HX-Request": "true"})["HX-Redirect"].startswith(
        reverse("two_factor_verify")
    )
    response = http.post(reverse("two_factor_verify"), {"code": code(device), "next": "/clients/"})
    assert response["Location"] == "/clients/"
    assert http.get(reverse("clients:list")).status_code == 200


def test_a_code_is_accepted_once_and_never_for_another_trainer(db):
    owner = make_trainer("o@example.com")
    stranger = make_trainer("s@example.com")
    owner_device, _ = enrolled(owner)
    enrolled(stranger)
    stranger_http = password_sign_in(stranger)
    refused = stranger_http.post(reverse("two_factor_verify"), {"code": code(owner_device)})
    assert refused.status_code == 200 and "That code is not right" in refused.content.decode()

    # The replay sends the very code that was used: reading a fresh one could cross a 30-second step.
    used = code(owner_device)
    first = password_sign_in(owner)
    assert first.post(reverse("two_factor_verify"), {"code": used}).status_code == 302
    again = password_sign_in(owner)
    replay = again.post(reverse("two_factor_verify"), {"code": used})
    assert replay.status_code == 200 and "That code is not right" in replay.content.decode()


def test_a_recovery_code_works_once(db):
    trainer = make_trainer("t@example.com")
    _, codes = enrolled(trainer)
    http = password_sign_in(trainer)
    response = http.post(reverse("two_factor_verify"), {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200 and "9 left" in response.content.decode()
    assert StaticToken.objects.filter(device__user=trainer).count() == 9
    http = password_sign_in(trainer)
    again = http.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert again.status_code == 200 and "That code is not right" in again.content.decode()
    assert http.get(reverse("home")).status_code == 302


def test_wrong_codes_lock_the_second_step_like_wrong_passwords(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    trainer = make_trainer("t@example.com")
    device, codes = enrolled(trainer)
    http = password_sign_in(trainer)
    for _ in range(2):
        assert http.post(reverse("two_factor_verify"), {"code": "not-a-code"}).status_code == 200
    locked = http.post(reverse("two_factor_verify"), {"code": "not-a-code"})
    assert locked.status_code == 429 and "Too many sign-in attempts" in locked.content.decode()
    assert http.get(reverse("home"))["Location"].startswith(reverse("login")), "locking out signs her out"
    # A correct password does not buy more guesses: the code step stays locked, even for a right code.
    http = password_sign_in(trainer)
    assert http.post(reverse("two_factor_verify"), {"code": code(device)}).status_code == 429
    http = password_sign_in(trainer)
    assert http.post(reverse("two_factor_verify"), {"code": codes[1]}).status_code == 429
    assert StaticToken.objects.filter(device__user=trainer).count() == 10


def test_a_right_code_clears_earlier_wrong_ones(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    trainer = make_trainer("t@example.com")
    device, _ = enrolled(trainer)
    http = password_sign_in(trainer)
    for _ in range(2):
        http.post(reverse("two_factor_verify"), {"code": "000000x"})
    assert http.post(reverse("two_factor_verify"), {"code": code(device, -1)}).status_code == 302
    http = password_sign_in(trainer)
    for _ in range(2):
        assert http.post(reverse("two_factor_verify"), {"code": "000000x"}).status_code == 200
    assert http.post(reverse("two_factor_verify"), {"code": code(device)}).status_code == 302


# --- managing it ---------------------------------------------------------------------------

def verified_http(trainer, device, steps=0):
    http = password_sign_in(trainer)
    assert http.post(reverse("two_factor_verify"), {"code": code(device, steps)}).status_code == 302
    return http


def test_turning_it_off_needs_the_password_and_a_current_code(db):
    trainer = make_trainer("t@example.com")
    device, codes = enrolled(trainer)
    http = verified_http(trainer, device, -1)
    url = reverse("two_factor_disable")
    no_password = http.post(url, {"password": "wrong-password", "code": code(device)})
    assert "That password is not right" in no_password.content.decode()
    no_code = http.post(url, {"password": PASSWORD, "code": "123"})
    assert "That code is not right" in no_code.content.decode()
    assert http.post(url, {"password": PASSWORD, "code": ""}).status_code == 200
    assert TOTPDevice.objects.filter(user=trainer).exists()
    response = http.post(url, {"password": PASSWORD, "code": code(device)})
    assert response["Location"] == reverse("two_factor")
    assert not TOTPDevice.objects.filter(user=trainer).exists()
    assert not StaticToken.objects.filter(device__user=trainer).exists()
    assert http.get(reverse("home")).status_code == 200


def test_turning_it_off_when_required_leads_straight_to_enrolling_again(db, require_2fa):
    trainer = make_trainer("t@example.com")
    device, _ = enrolled(trainer)
    http = verified_http(trainer, device, -1)
    response = http.post(reverse("two_factor_disable"), {"password": PASSWORD, "code": code(device)})
    assert response["Location"] == reverse("two_factor_setup")
    assert http.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


@pytest.mark.parametrize("proof", ["password", "code"])
def test_new_recovery_codes_replace_the_old_ones_given_the_password_or_a_current_code(db, proof):
    trainer = make_trainer("t@example.com")
    device, old = enrolled(trainer)
    http = verified_http(trainer, device)
    assert "your password or a current code" in http.get(reverse("two_factor_codes")).content.decode()
    response = http.post(reverse("two_factor_codes"), {"password": PASSWORD} if proof == "password" else {"code": code(device, 1)})
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=trainer).values_list("token", flat=True)) == set(new)


def test_new_recovery_codes_need_the_password_or_a_current_code(db, settings):
    trainer = make_trainer("t@example.com")
    device, old = enrolled(trainer)
    http = verified_http(trainer, device)
    for data in [{}, {"password": "not-her-password"}, {"code": "000000"}]:
        response = http.post(reverse("two_factor_codes"), data)
        assert response.status_code == 200 and "<code>" not in response.content.decode()
    assert set(StaticToken.objects.filter(device__user=trainer).values_list("token", flat=True)) == set(old)
    answers = [http.post(reverse("two_factor_codes"), {"password": "not-her-password"}).status_code
               for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert 429 in answers, "wrong answers count towards the lockout, which signs her out"
    assert http.post(reverse("two_factor_codes"), {"password": PASSWORD})["Location"].startswith(reverse("login"))
    assert set(StaticToken.objects.filter(device__user=trainer).values_list("token", flat=True)) == set(old)


def test_the_two_factor_page_says_whether_it_is_on(db):
    trainer = make_trainer("t@example.com")
    http = password_sign_in(trainer)
    assert "Off:" in http.get(reverse("two_factor")).content.decode()
    device, _ = enrolled(trainer)
    http = verified_http(trainer, device)
    page = http.get(reverse("two_factor")).content.decode()
    assert "On:" in page and "10 recovery codes left" in page


@pytest.mark.parametrize("name,method", [
    ("two_factor", "get"), ("two_factor_verify", "get"), ("two_factor_setup", "get"),
    ("two_factor_codes", "get"), ("two_factor_codes", "post"), ("two_factor_disable", "get"),
])
def test_anonymous_visitors_are_sent_to_sign_in(anon_http, name, method):
    response = getattr(anon_http, method)(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_regenerating_codes_needs_csrf(db):
    trainer = make_trainer("t@example.com")
    device, old = enrolled(trainer)
    http = verified_http(trainer, device)
    strict = HttpClient(enforce_csrf_checks=True)
    strict.cookies = http.cookies
    assert strict.post(reverse("two_factor_codes"), {"password": PASSWORD}).status_code == 403


# --- the admin -----------------------------------------------------------------------------

@pytest.fixture
def admin_on(settings):
    """The admin is off unless ADMIN_ENABLED: serve it at ADMIN_URL for these tests."""
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    settings.ADMIN_ENABLED, settings.ADMIN_URL = True, "staff-door"
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.ADMIN_ENABLED = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_admin_needs_a_verified_second_factor(db, admin_on):
    staff = make_trainer("staff@example.com", is_staff=True, is_superuser=True)
    http = password_sign_in(staff)
    response = http.get(reverse("admin:index"))
    assert response.status_code == 302
    follow = http.get(response["Location"])
    assert follow["Location"].startswith(reverse("two_factor_setup"))
    device, _ = enrolled(staff)
    http = password_sign_in(staff)
    assert http.get(reverse("admin:index")).status_code == 302
    http.post(reverse("two_factor_verify"), {"code": code(device)})
    assert http.get(reverse("admin:index")).status_code == 200


def test_the_admin_sends_anonymous_visitors_to_the_ordinary_sign_in(anon_http, admin_on):
    response = anon_http.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))



def test_the_code_and_set_up_pages_show_no_menu_before_signing_in_is_finished(db, settings):
    """Issue 22 (7): until signing in is finished there is nothing to go to but "Sign out"."""
    trainer = make_trainer("t@example.com")
    enrolled(trainer)
    page = password_sign_in(trainer).get(reverse("two_factor_verify")).content.decode()
    assert 'aria-label="Main"' not in page and ">Sign out</button>" in page
    settings.REQUIRE_2FA = True
    newcomer = make_trainer("new@example.com")
    setup = password_sign_in(newcomer).get(reverse("two_factor_setup")).content.decode()
    assert 'aria-label="Main"' not in setup and ">Sign out</button>" in setup
    settings.REQUIRE_2FA = False
    assert 'aria-label="Main"' in password_sign_in(make_trainer("opt@example.com")).get(reverse("two_factor_setup")).content.decode()
