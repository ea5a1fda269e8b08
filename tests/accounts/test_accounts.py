import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Trainer
from tests.conftest import PASSWORD, make_trainer, visible_text

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password(anon_http, owner):
    response = anon_http.post(reverse("login"), {"username": "OWNER@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused(anon_http, owner):
    response = anon_http.post(reverse("login"), {"username": owner.email, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in anon_http.session


def test_repeated_failures_lock_the_account_out(anon_http, owner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        anon_http.post(reverse("login"), {"username": owner.email, "password": "wrong"})
    response = anon_http.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in anon_http.session


def test_sign_out_needs_post(owner_http):
    assert owner_http.get(reverse("logout")).status_code == 405
    response = owner_http.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in owner_http.session


def test_change_password(owner_http, owner):
    response = owner_http.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("another-long-passphrase")


def test_passwords_are_hashed_with_argon2(db, settings):
    from config import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    assert make_trainer("hashed@example.com").password.startswith("argon2")


def test_reset_password_by_email(anon_http, owner):
    anon_http.post(reverse("password_reset"), {"email": owner.email})
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_sign_up_emails_a_link_that_creates_and_signs_in_a_trainer(anon_http):
    response = anon_http.post(reverse("signup"), {"full_name": "New Trainer", "email": "New@Example.com", "business_name": ""})
    assert response.status_code == 302 and response["Location"] == reverse("signup_done")
    assert not Trainer.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.com"]
    link = re.search(r"https?://\S+/accounts/signup/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert "Choose your password" in anon_http.get(f"/{path}").content.decode()
    response = anon_http.post(f"/{path}", {"password1": "a-good-long-passphrase", "password2": "a-good-long-passphrase"})
    assert response.status_code == 302
    trainer = Trainer.objects.get()
    assert trainer.email == "new@example.com" and trainer.full_name == "New Trainer"
    assert trainer.check_password("a-good-long-passphrase")
    assert "_auth_user_id" in anon_http.session
    # The link has done its job: a second use goes to sign-in and creates nothing.
    assert HttpClient().get(f"/{path}")["Location"] == reverse("login")
    assert Trainer.objects.count() == 1


def test_sign_up_with_an_existing_email_answers_the_same_and_tells_the_owner(anon_http, owner):
    new = anon_http.post(reverse("signup"), {"full_name": "Someone", "email": "someone@example.com"})
    taken = anon_http.post(reverse("signup"), {"full_name": "Dup", "email": "Owner@Example.com"})
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    answer = anon_http.get(taken["Location"])
    assert answer.status_code == 200 and "We have sent a message to the address you gave." in visible_text(answer)
    assert "already" not in answer.content.decode()
    assert Trainer.objects.count() == 1
    to_owner = mail.outbox[1]
    assert to_owner.to == ["owner@example.com"] and "already has one" in to_owner.body
    assert "/accounts/signup/" not in to_owner.body


def test_a_forged_or_tampered_sign_up_link_does_nothing(anon_http):
    assert anon_http.get("/accounts/signup/not-a-real-token/").status_code == 404
    passwords = {"password1": "a-good-long-passphrase", "password2": "a-good-long-passphrase"}
    response = anon_http.post("/accounts/signup/not-a-real-token/", passwords)
    assert response.status_code == 404
    assert not Trainer.objects.exists()


def test_sign_up_can_be_turned_off(anon_http, settings):
    settings.SIGNUP_ENABLED = False
    assert anon_http.get(reverse("signup")).status_code == 404
    sign_in = anon_http.get(reverse("login"))
    assert sign_in.status_code == 200 and "Sign in" in visible_text(sign_in)
    assert "Create an account" not in sign_in.content.decode()


def test_profile_needs_sign_in_and_saves(anon_http, owner_http, owner):
    assert anon_http.get(reverse("profile")).status_code == 302
    response = owner_http.post(reverse("profile"), {"full_name": "Olivia Owner-Stone"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.full_name == "Olivia Owner-Stone"
    response = owner_http.post(reverse("studio_details"), {"name": "Bounce Back Fitness", "phone": "01632 960000",
                                                            "email": "hello@bounce.example", "quiet_after_days": 7})
    assert response.status_code == 302
    owner.studio.refresh_from_db()
    assert (owner.studio.name, owner.studio.phone, owner.studio.email) == ("Bounce Back Fitness", "01632 960000",
                                                                          "hello@bounce.example")
    assert 'value="Bounce Back Fitness"' in owner_http.get(reverse("profile")).content.decode()


def test_createtrainer_command(db, capsys):
    call_command("createtrainer", "Coach@Example.com", name="Coach Carter", password="a-good-long-passphrase")
    trainer = Trainer.objects.get()
    assert trainer.email == "coach@example.com" and trainer.check_password("a-good-long-passphrase")


def test_createtrainer_refuses_weak_passwords_and_duplicates(db):
    with pytest.raises(CommandError):
        call_command("createtrainer", "coach@example.com", name="Coach", password="123")
    make_trainer("coach@example.com")
    with pytest.raises(CommandError):
        call_command("createtrainer", "coach@example.com", name="Coach", password="a-good-long-passphrase")


def test_admin_is_off_in_production(owner_http):
    assert owner_http.get("/admin/").status_code == 404



def test_a_wrong_password_says_what_is_case_sensitive_and_what_is_not(db, client):
    """Issue 22 (7): the email address is not case-sensitive here (it is lowercased); the password is."""
    make_trainer("t@example.com")
    page = client.post(reverse("login"), {"username": "T@Example.com", "password": "wrong-password-here"}).content.decode()
    assert "capital letters matter there, not in the email address" in page and "may be case-sensitive" not in page
    assert client.post(reverse("login"), {"username": "T@Example.com", "password": PASSWORD}).status_code == 302
