import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def csp(response):
    return response.headers["Content-Security-Policy"]


def test_pages_send_a_strict_nonce_csp(owner_http):
    response = owner_http.get(reverse("clients:list"))
    policy = csp(response)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    page = response.content.decode()
    for script in re.findall(r"<script[^>]*>", page):
        assert f'nonce="{nonce}"' in script or "src=" in script
    assert "style=" not in page


def test_htmx_is_served_from_our_own_static_files(owner_http):
    page = owner_http.get(reverse("clients:list")).content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"', page)
    assert not re.search(r'(src|href)="(https?:)?//', page), "no third-party scripts, styles or images"


def test_htmx_requests_carry_the_csrf_token(owner_http):
    page = owner_http.get(reverse("clients:list")).content.decode()
    assert re.search(r'hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'', page)


def test_pages_cannot_be_framed(owner_http):
    response = owner_http.get(reverse("clients:list"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in csp(response)


def test_csrf_is_enforced_on_posts(owner, client_record):
    from django.test import Client as HttpClient

    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(owner)
    assert http.post(reverse("clients:archive", args=[client_record.pk])).status_code == 403


def test_signed_in_pages_are_never_stored_by_caches(owner_http, client_record):
    response = owner_http.get(client_record.get_absolute_url())
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
