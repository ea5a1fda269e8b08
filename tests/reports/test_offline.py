"""Issue 23 §3: her page installs to the home screen and works with no signal; the service
worker and the manifest live under her link's path only, behind the link's guards."""

import json

import pytest
from django.urls import reverse

from clients.models import ShareLink
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(owner):
    client = make_client(owner, "Amira Haddad", weeks=16)
    make_assessment(client, days_after_birth=7 * 16)
    return ShareLink.issue(client, owner)[1]


def test_the_service_worker_is_served_from_her_links_path(token, anon_http):
    response = anon_http.get(reverse("reports:service_worker", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response.request["PATH_INFO"] == f"/p/{token}/sw.js"  # its scope can be no wider than /p/<token>/
    assert "Service-Worker-Allowed" not in response and "no-store" in response["Cache-Control"]


def test_the_manifest_opens_at_her_page_and_stays_in_her_links_path(token, anon_http):
    data = json.loads(anon_http.get(reverse("reports:manifest", args=[token])).content)
    assert data["start_url"] == data["scope"] == f"/p/{token}/" and data["display"] == "standalone"


def test_her_pages_register_it_without_inline_script(token, anon_http):
    for url in (reverse("reports:progress", args=[token]), reverse("reports:log", args=[token])):
        page = anon_http.get(url).content.decode()
        assert f'rel="manifest" href="/p/{token}/manifest.webmanifest"' in page
        assert 'src="/static/js/her-offline.js"' in page and "<script>" not in page
        assert f'data-sw="/p/{token}/sw.js"' in page and "Offline — showing what you saw on" in page


def test_a_revoked_link_has_no_service_worker_or_manifest(token, anon_http):
    ShareLink.objects.revoke()
    assert anon_http.get(reverse("reports:service_worker", args=[token])).status_code == 404
    assert anon_http.get(reverse("reports:manifest", args=[token])).status_code == 404


def test_the_trainers_pages_have_no_service_worker(owner_http):
    response = owner_http.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 200 and 'src="/static/js/' in page, "a page with its scripts, not an error"
    assert "her-offline.js" not in page and "manifest" not in page
