"""Her rights in a studio (issue 26, item 6): who may download everything about her, who may
erase her, and the studio's retention setting."""

import io
import zipfile

import pytest
from django.urls import reverse

from accounts.models import Studio
from audit.models import AccessEvent
from clients.models import Client
from tests.conftest import make_client, make_trainer, signed_in, visible_text


@pytest.fixture
def people(owner, stranger):
    """The owner, her client's lead trainer (a trainer of the studio), another member, another studio's trainer."""
    lead = make_trainer("lead@example.com", "Lena Lead", studio=owner.studio)
    member = make_trainer("member@example.com", "Mia Member", studio=owner.studio)
    client = make_client(lead, "Amira Haddad")
    return {"owner": owner, "lead": lead, "member": member, "stranger": stranger, "client": client}


# --- her export: any member of her studio ---------------------------------------------------

@pytest.mark.parametrize("who", ["owner", "lead", "member"])
def test_any_member_of_her_studio_can_download_everything_about_her(people, who):
    client = people["client"]
    response = signed_in(people[who]).get(reverse("audit:export_everything", args=[client.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    event = AccessEvent.objects.get(kind="exported_everything")
    assert (event.studio_id, event.actor, event.actor_name) == (client.studio_id, people[who], str(people[who]))


def test_another_studio_and_anonymous_cannot_download_her_data(people, anon_http):
    url = reverse("audit:export_everything", args=[people["client"].pk])
    assert signed_in(people["stranger"]).get(url).status_code == 404
    assert signed_in(people["stranger"]).get(reverse("audit:everything", args=[people["client"].pk])).status_code == 404
    assert anon_http.get(url)["Location"].startswith(reverse("login"))
    assert not AccessEvent.objects.filter(kind="exported_everything").exists()


def test_the_export_names_her_studio_and_her_lead_trainer_as_the_contact(people):
    Studio.objects.filter(pk=people["owner"].studio_id).update(email="hello@owner.example")
    response = signed_in(people["member"]).get(reverse("audit:export_everything", args=[people["client"].pk]))
    readme = zipfile.ZipFile(io.BytesIO(response.content)).read("README.txt").decode()
    assert "Her trainers' studio, Owner Fitness, decides what is recorded" in " ".join(readme.split())
    assert "Her lead trainer is Lena Lead; contact them about this data: hello@owner.example." in " ".join(readme.split())


# --- erasure: her lead trainer or an owner ----------------------------------------------------

@pytest.mark.parametrize("who", ["owner", "lead"])
def test_her_lead_trainer_or_an_owner_can_erase_her(people, who):
    client, http = people["client"], signed_in(people[who])
    url = reverse("clients:delete", args=[client.pk])
    assert http.get(url).status_code == 200
    assert "Delete permanently" in visible_text(http.get(reverse("clients:detail", args=[client.pk])))
    assert http.post(url, {"confirm_name": client.full_name}).status_code == 302
    assert not Client.objects.filter(pk=client.pk).exists()
    event = AccessEvent.objects.get(kind="deleted_client")
    assert (event.studio_id, event.who) == (people["owner"].studio_id, str(people[who])), "in her studio's log, named"


def test_another_member_of_her_studio_cannot_erase_her(people):
    client, http = people["client"], signed_in(people["member"])
    url = reverse("clients:delete", args=[client.pk])
    assert "Delete permanently" not in visible_text(http.get(reverse("clients:detail", args=[client.pk])))
    assert http.get(url).status_code == 403
    assert http.post(url, {"confirm_name": client.full_name}).status_code == 403
    assert Client.objects.filter(pk=client.pk).exists()
    assert not AccessEvent.objects.filter(kind="deleted_client").exists()


def test_another_studio_and_anonymous_cannot_erase_her(people, anon_http):
    client = people["client"]
    url = reverse("clients:delete", args=[client.pk])
    assert signed_in(people["stranger"]).post(url, {"confirm_name": client.full_name}).status_code == 404
    assert anon_http.post(url, {"confirm_name": client.full_name})["Location"].startswith(reverse("login"))
    assert Client.objects.filter(pk=client.pk).exists()


# --- retention: the studio's owner sets it --------------------------------------------------

def studio_form(**changes):
    return {"name": "Owner Fitness", "quiet_after_days": 7, **changes}


def test_the_owner_sets_how_long_archived_clients_are_kept(owner, owner_http):
    assert 'name="retention_days"' in owner_http.get(reverse("profile")).content.decode()
    assert owner_http.post(reverse("studio_details"), studio_form(retention_days="1095")).status_code == 302
    assert Studio.objects.get(pk=owner.studio_id).retention_days == 1095


@pytest.mark.parametrize("bad", ["364", "3651", "0", "-5", "seven"])
def test_a_retention_period_out_of_range_is_refused_next_to_the_field(owner, owner_http, bad):
    before = Studio.objects.get(pk=owner.studio_id).retention_days
    response = owner_http.post(reverse("studio_details"), studio_form(retention_days=bad))
    assert response.status_code == 200
    form = response.context["studio_form"]
    assert list(form.errors) == ["retention_days"], form.errors
    page = response.content.decode()
    assert f'value="{bad}"' in page, "what she typed is kept"
    assert Studio.objects.get(pk=owner.studio_id).retention_days == before


def test_the_retention_field_says_what_happens_and_its_bounds(owner_http):
    page = visible_text(owner_http.get(reverse("profile")))
    assert "erased for good" in page and "from 365 (1 year) to 3650 (10 years)" in page
    response = owner_http.post(reverse("studio_details"), studio_form(retention_days="20"))
    assert "Choose from 365 days (1 year) to 3650 days (10 years)." in visible_text(response)


def test_left_empty_or_unchanged_the_period_stays(owner, owner_http):
    Studio.objects.filter(pk=owner.studio_id).update(retention_days=30)  # an installation's own short default
    assert owner_http.post(reverse("studio_details"), studio_form(retention_days="30")).status_code == 302
    assert owner_http.post(reverse("studio_details"), studio_form()).status_code == 302
    assert Studio.objects.get(pk=owner.studio_id).retention_days == 30


def test_a_trainer_cannot_change_the_retention_period(people):
    http = signed_in(people["member"])
    assert 'name="retention_days"' not in http.get(reverse("profile")).content.decode()
    assert http.post(reverse("studio_details"), studio_form(retention_days="400")).status_code == 403
    assert Studio.objects.get(pk=people["owner"].studio_id).retention_days != 400
