"""Links and set-up work wherever the app runs: her link's origin, and a development checkout's .env."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from lib.env import envbool, parse_env_file, read_env_file

REPO_ROOT = Path(__file__).resolve().parents[2]


# Her private link

def made_link(http, client_record, **extra):
    response = http.post(reverse("clients:link_create", args=[client_record.pk]), **extra)
    assert response.status_code == 200
    return re.search(r'id="private-link-url" type="url" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
def test_without_site_url_her_link_is_on_the_address_the_request_came_to(owner_http, client_record, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["tablet.local"]
    link = made_link(owner_http, client_record, HTTP_HOST="tablet.local:8123")
    assert re.fullmatch(r"http://tablet\.local:8123/p/[\w-]{43}/", link)


@pytest.mark.django_db
def test_without_site_url_a_secure_request_gives_an_https_link(owner_http, client_record, settings):
    settings.SITE_URL = ""
    link = made_link(owner_http, client_record, secure=True)
    assert link.startswith("https://testserver/p/")


@pytest.mark.django_db
def test_site_url_wins_over_the_request(owner_http, client_record, settings):
    settings.SITE_URL = "https://restride.example.com"
    link = made_link(owner_http, client_record, HTTP_HOST="localhost")
    assert link.startswith("https://restride.example.com/p/")


@pytest.mark.django_db
def test_an_unknown_host_gets_no_link(owner_http, client_record, settings):
    settings.SITE_URL = ""
    response = owner_http.post(reverse("clients:link_create", args=[client_record.pk]), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert not client_record.share_links.exists()


# The .env reader

def test_the_env_file_format():
    text = """
# a comment
DEBUG=1
SECRET_KEY = 'quoted value = with equals'
export SITE_URL="http://127.0.0.1:8000"
EMPTY=
not a setting
"""
    assert parse_env_file(text) == {
        "DEBUG": "1", "SECRET_KEY": "quoted value = with equals", "SITE_URL": "http://127.0.0.1:8000", "EMPTY": "",
    }


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("RESTRIDE_TEST_A=from-file\nRESTRIDE_TEST_B=from-file\n")
    monkeypatch.setenv("RESTRIDE_TEST_A", "from-environment")
    monkeypatch.delenv("RESTRIDE_TEST_B", raising=False)
    read_env_file(env_file)
    assert os.environ["RESTRIDE_TEST_A"] == "from-environment"
    assert os.environ["RESTRIDE_TEST_B"] == "from-file"
    monkeypatch.delenv("RESTRIDE_TEST_B")


def test_a_missing_file_is_fine(tmp_path):
    read_env_file(tmp_path / "absent")


# Settings, imported in a fresh interpreter as manage.py would

def settings_in_a_fresh_process(env_file, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "SITE_URL", "ALLOWED_HOSTS")}
    clean.update(RESTRIDE_ENV_FILE=str(env_file), DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"],
        cwd=REPO_ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_a_development_env_file_lets_manage_py_run_without_variables(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=generated-by-bin-demo\n")
    result = settings_in_a_fresh_process(env_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "generated-by-bin-demo"]


def test_production_still_refuses_to_start_without_a_secret_key(tmp_path):
    result = settings_in_a_fresh_process(tmp_path / "no-such-file")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_a_deployment_setting_beats_the_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=from-file\n")
    result = settings_in_a_fresh_process(env_file, DEBUG="false", SECRET_KEY="from-deployment")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "from-deployment"]


def test_the_env_file_is_never_committed_or_built_into_the_image():
    assert ".env" in (REPO_ROOT / ".gitignore").read_text().split()
    assert ".env" in (REPO_ROOT / ".dockerignore").read_text().split()


# Settings' typed readers


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("true", True), ("True", True), ("YES", True), (" on ", True),
    ("0", False), ("false", False), ("FALSE", False), ("no", False), ("Off", False),
])
def test_envbool_reads_a_clear_true_or_false(monkeypatch, value, expected):
    monkeypatch.setenv("RESTRIDE_TEST_FLAG", value)
    assert envbool("RESTRIDE_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_envbool_unset_or_empty_is_the_default(monkeypatch, default):
    monkeypatch.delenv("RESTRIDE_TEST_FLAG", raising=False)
    assert envbool("RESTRIDE_TEST_FLAG", default) is default
    monkeypatch.setenv("RESTRIDE_TEST_FLAG", " ")
    assert envbool("RESTRIDE_TEST_FLAG", default) is default


@pytest.mark.parametrize("typo", ["ture", "flase", "2", "y", "enabled"])
def test_envbool_refuses_anything_else(monkeypatch, typo):
    """EMAIL_USE_TLS=ture once meant False: TLS quietly off."""
    monkeypatch.setenv("EMAIL_USE_TLS", typo)
    with pytest.raises(ImproperlyConfigured, match=f"EMAIL_USE_TLS='{typo}' is neither true nor false"):
        envbool("EMAIL_USE_TLS", True)


def test_a_typo_stops_start_up(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("")
    result = settings_in_a_fresh_process(env_file, DEBUG="ture", SECRET_KEY="x")
    assert result.returncode != 0
    assert "DEBUG='ture' is neither true nor false" in result.stderr
