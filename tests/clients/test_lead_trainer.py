"""Issue 26 item 3: shared clients, clear ownership. Every trainer of a studio works with its
clients; each client has a lead trainer, named on her page and report, handed over to another
trainer of the studio with a reason kept in her history."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AccessEvent
from clients.models import Client, Handover, ShareLink
from tests.conftest import make_client, make_trainer, visible_text


def hand_over(http, client, to, reason="Cara takes her Tuesday sessions from now on"):
    return http.post(reverse("clients:hand_over", args=[client.pk]), {"to": to.pk, "reason": reason})


def test_handing_her_over_makes_the_other_trainer_lead_with_the_reason_in_her_history(owner, owner_http, colleague, client_record):
    version = Client.objects.get(pk=client_record.pk).data_version
    response = hand_over(owner_http, client_record, colleague)
    assert response.status_code == 302 and response["Location"].endswith("#lead-trainer")
    client = Client.objects.get(pk=client_record.pk)
    assert client.trainer == colleague
    assert client.data_version == version + 1  # once: her page and report are drawn again with the new name
    handover = Handover.objects.get(client=client)
    assert (handover.from_trainer, handover.to_trainer, handover.by) == (owner, colleague, owner)
    assert handover.reason == "Cara takes her Tuesday sessions from now on"
    event = AccessEvent.objects.get(client=client, kind="handed_over")
    assert event.actor == owner and event.target == "From Olivia Owner to Cara Colleague"
    page = visible_text(owner_http.get(client.get_absolute_url()))
    assert "Lead trainer: Cara Colleague" in page
    assert (f"{handover.at:%-d %b %Y}: Olivia Owner → Cara Colleague, by Olivia Owner: "
            "“Cara takes her Tuesday sessions from now on”") in page


def test_any_trainer_of_the_studio_may_hand_a_client_over(owner, colleague, colleague_http, client_record):
    """Decided: they all work with her, and the history names who did it; not only her lead or the owners."""
    dee = make_trainer("dee@example.com", "Dee Third", studio=owner.studio)
    assert hand_over(colleague_http, client_record, dee, "Dee has mornings free").status_code == 302
    handover = Handover.objects.get(client=client_record)
    assert (handover.from_trainer, handover.to_trainer, handover.by) == (owner, dee, colleague)


def test_she_cannot_be_handed_to_another_studios_trainer(owner, owner_http, colleague, stranger, client_record):
    version = Client.objects.get(pk=client_record.pk).data_version
    response = hand_over(owner_http, client_record, stranger)
    assert response.status_code == 400
    assert "Choose a trainer of her studio." in visible_text(response)
    client = Client.objects.get(pk=client_record.pk)
    assert client.trainer == owner and client.data_version == version
    assert not Handover.objects.exists() and not AccessEvent.objects.filter(kind="handed_over").exists()
    with pytest.raises(ValueError, match="trainer of her studio"):
        client.hand_over(stranger, owner, "No")
    with pytest.raises(ValueError, match="already leads her"):
        client.hand_over(owner, owner, "No")
    assert not Handover.objects.exists() and Client.objects.get(pk=client.pk).data_version == version


def test_a_blank_reason_is_refused_next_to_the_field_keeping_her_choice(owner, owner_http, colleague, client_record):
    response = hand_over(owner_http, client_record, colleague, reason="   ")
    assert response.status_code == 400
    page = response.content.decode()
    error = page.index("Give a reason for the hand-over.")
    assert page.index('for="id_reason"') < error < page.index('name="reason"')
    assert re.search(rf'<option value="{colleague.pk}" selected>Cara Colleague</option>', page)
    assert Client.objects.get(pk=client_record.pk).trainer == owner and not Handover.objects.exists()


def test_a_reason_is_one_line_of_at_most_200_characters(owner, owner_http, colleague, client_record):
    response = hand_over(owner_http, client_record, colleague, reason="x" * 201)
    assert response.status_code == 400 and "at most 200 characters" in visible_text(response)
    assert hand_over(owner_http, client_record, colleague, reason="Covering\r\nher   leave").status_code == 302
    assert Handover.objects.get().reason == "Covering her leave"


def test_the_hand_over_url_is_the_studios_alone(owner, colleague, client_record, anon_http, stranger_http):
    url = reverse("clients:hand_over", args=[client_record.pk])
    response = hand_over(anon_http, client_record, colleague)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert hand_over(stranger_http, client_record, colleague).status_code == 404
    assert anon_http.get(url).status_code in (302, 405)
    assert Client.objects.get(pk=client_record.pk).trainer == owner and not Handover.objects.exists()


def test_a_trainer_on_her_own_sees_no_lead_trainer_or_hand_over(owner_http, client_record):
    page = owner_http.get(client_record.get_absolute_url()).content.decode()
    assert "Lead trainer" not in page and "hand-over" not in page
    assert "Lead trainer" not in owner_http.get(reverse("clients:create")).content.decode()


def test_the_hand_over_form_offers_the_studios_other_trainers(owner_http, colleague, stranger, client_record):
    page = owner_http.get(client_record.get_absolute_url()).content.decode()
    form = page[page.index('id="lead-trainer"'):]
    form = form[:form.index("</section>")]
    assert "Lead trainer: Olivia Owner" in form and "Cara Colleague" in form
    assert "Sam Stranger" not in form and f'<option value="{client_record.trainer_id}"' not in form


NEW_CLIENT = {"full_name": "Bea New", "baby_date_of_birth": "2026-09-01", "breastfeeding": "",
              "prior_incontinence": "", "bmi_30_or_more": "", "delivery": "", "perineal_trauma": ""}


def test_a_new_client_of_a_studio_of_two_is_led_by_the_trainer_chosen_by_default_her(owner, owner_http, colleague):
    page = owner_http.get(reverse("clients:create")).content.decode()
    assert re.search(rf'<option value="{owner.pk}" selected>Olivia Owner</option>', page)
    assert owner_http.post(reverse("clients:create"), NEW_CLIENT).status_code == 302
    assert Client.objects.get(full_name="Bea New").trainer == owner
    owner_http.post(reverse("clients:create"), {**NEW_CLIENT, "full_name": "Cat New", "lead_trainer": colleague.pk})
    assert Client.objects.get(full_name="Cat New").trainer == colleague


def test_a_new_client_cannot_be_led_by_another_studios_trainer(owner_http, colleague, stranger):
    response = owner_http.post(reverse("clients:create"), {**NEW_CLIENT, "lead_trainer": stranger.pk})
    assert response.status_code == 200 and not Client.objects.filter(full_name="Bea New").exists()


def test_her_link_email_is_signed_by_her_lead_trainer_whoever_sends_it(owner, colleague_http, client_record):
    Client.objects.filter(pk=client_record.pk).update(email="amira@example.com")
    ShareLink.issue(client_record, owner)
    colleague_http.post(reverse("clients:link_email", args=[client_record.pk]))
    assert len(mail.outbox) == 1
    assert "Olivia Owner\nOwner Fitness" in mail.outbox[0].body and "Cara" not in mail.outbox[0].body


@pytest.mark.parametrize("count", [1, 8])
def test_her_page_with_hand_overs_stays_constant_in_queries(owner, owner_http, colleague, count, django_assert_max_num_queries):
    client = make_client(owner)
    for index in range(count):
        client.hand_over(colleague if index % 2 == 0 else owner, owner, f"Hand-over {index}")
    with django_assert_max_num_queries(9):
        page = owner_http.get(client.get_absolute_url()).content.decode()
    assert page.count("Hand-over ") == count
