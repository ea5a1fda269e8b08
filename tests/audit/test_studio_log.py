"""The access log of a studio (issue 26, accountability): every row names its studio and the
person; an owner reads the studio's whole log, a trainer her own; rows stay attributed after
their trainer leaves or is deleted."""

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from audit.models import AccessEvent, erasing
from clients.models import ShareLink
from tests.conftest import PASSWORD, make_client, make_trainer, signed_in, visible_text


@pytest.fixture
def dana(owner):
    """Another trainer in the owner's studio."""
    return make_trainer("dana@example.com", "Dana Dunn", studio=owner.studio)


def shown(http, **params):
    response = http.get(reverse("audit:log"), params)
    assert response.status_code == 200
    return [(event.who, event.kind, event.client.full_name if event.client else None)
            for event in response.context["page"].object_list]


def test_every_row_written_names_its_studio_and_its_person(owner, colleague, client_record):
    http = HttpClient()
    http.post(reverse("login"), {"username": colleague.email, "password": PASSWORD})
    http.get(reverse("clients:detail", args=[client_record.pk]))
    HttpClient().post(reverse("login"), {"username": colleague.email, "password": "wrong-password-here"})
    HttpClient().post(reverse("login"), {"username": "nobody@example.com", "password": "wrong-password-here"})
    _, token = ShareLink.issue(client_record, owner)
    HttpClient().get(reverse("reports:progress", args=[token]))
    rows = {event.kind: event for event in AccessEvent.objects.all()}
    assert {kind: (e.studio_id, e.who) for kind, e in rows.items() if kind != "sign_in_failed"} == {
        "signed_in": (owner.studio_id, "Cara Colleague"),
        "viewed_client": (owner.studio_id, "Cara Colleague"),
        "link_viewed_progress": (owner.studio_id, "Her private link"),
    }
    failed = {e.target: (e.studio_id, e.who) for e in AccessEvent.objects.filter(kind="sign_in_failed")}
    assert failed == {"": (owner.studio_id, "Someone not signed in"), "nobody@example.com": (None, "Someone not signed in")}


def test_the_owner_reads_the_studios_whole_log_and_a_trainer_her_own(owner, colleague, dana, client_record):
    """A colleague's reads of a shared client are in the owner's log, not in another trainer's;
    a trainer's log holds her own reads and changes, her sign-ins, and the private-link visits of
    the clients she leads."""
    caras = make_client(colleague, "Beth Okafor")  # Cara leads Beth
    for trainer, client in ((colleague, client_record), (dana, client_record), (dana, caras), (owner, caras)):
        signed_in(trainer).get(reverse("clients:detail", args=[client.pk]))
    _, token = ShareLink.issue(caras, colleague)
    HttpClient().get(reverse("reports:progress", args=[token]))
    HttpClient().post(reverse("login"), {"username": colleague.email, "password": "wrong-password-here"})

    everyone = shown(signed_in(owner), kind="viewed_client")
    assert sorted(everyone) == sorted([
        ("Cara Colleague", "viewed_client", "Amira Haddad"), ("Dana Dunn", "viewed_client", "Amira Haddad"),
        ("Dana Dunn", "viewed_client", "Beth Okafor"), ("Olivia Owner", "viewed_client", "Beth Okafor")])
    assert ("Her private link", "link_viewed_progress", "Beth Okafor") in shown(signed_in(owner))
    assert ("Someone not signed in", "sign_in_failed", None) in shown(signed_in(owner)), "members' sign-ins too"

    caras_log = [row for row in shown(signed_in(colleague)) if row[1] != "signed_in"]
    assert sorted(caras_log) == sorted([
        ("Cara Colleague", "viewed_client", "Amira Haddad"),
        ("Her private link", "link_viewed_progress", "Beth Okafor"),  # she leads Beth
        ("Someone not signed in", "sign_in_failed", None),  # on her account
    ])
    assert ("Cara Colleague", "signed_in", None) in shown(signed_in(colleague))
    danas_log = set(shown(signed_in(dana)))
    assert danas_log == {("Dana Dunn", "signed_in", None), ("Dana Dunn", "viewed_client", "Amira Haddad"),
                         ("Dana Dunn", "viewed_client", "Beth Okafor")}, "not Cara's reads, not Beth's link"
    assert ("Olivia Owner", "signed_in", None) not in set(shown(signed_in(colleague))), "not the owner's sign-ins"


def test_a_trainers_log_page_says_whose_it_is(owner, colleague):
    assert "The studio's owner sees everyone's." in visible_text(signed_in(colleague).get(reverse("audit:log")))
    assert "whoever it was" in visible_text(signed_in(owner).get(reverse("audit:log")))


def test_another_studios_rows_are_never_shown(owner, stranger, client_record, stranger_http, owner_http):
    theirs = make_client(stranger, "Zara Other")
    stranger_http.get(reverse("clients:detail", args=[theirs.pk]))
    owner_http.get(reverse("clients:detail", args=[client_record.pk]))
    assert all(name != "Zara Other" and who != "Sam Stranger" for who, _, name in shown(owner_http))
    # Her client is not a choice: the filter says so next to the field and shows nothing of hers.
    response = owner_http.get(reverse("audit:log"), {"client": theirs.pk})
    assert "Select a valid choice" in response.content.decode() and "Zara Other" not in response.content.decode()
    assert owner_http.get(reverse("audit:client_activity", args=[theirs.pk])).status_code == 404


def test_the_filter_lists_the_studios_clients(owner, colleague, client_record):
    caras = make_client(colleague, "Beth Okafor")
    make_client(make_trainer("x@example.com", "X"), "Zara Other")
    for trainer in (owner, colleague):
        choices = list(signed_in(trainer).get(reverse("audit:log")).context["form"].fields["client"].queryset)
        assert choices == [client_record, caras]
    assert shown(signed_in(owner), client=caras.pk) == []  # a valid choice, nothing recorded yet


def test_her_activity_page_names_everyone_in_the_studio_who_opened_her_record(owner, colleague, dana, client_record):
    for trainer in (colleague, dana):
        signed_in(trainer).get(reverse("clients:detail", args=[client_record.pk]))
    page = visible_text(signed_in(colleague).get(reverse("audit:client_activity", args=[client_record.pk])))
    assert "Cara Colleague" in page and "Dana Dunn" in page, "any member reads her whole activity"


@pytest.mark.django_db(transaction=True)
def test_rows_stay_attributed_after_the_trainer_is_deleted(owner, colleague, client_record):
    signed_in(colleague).get(reverse("clients:detail", args=[client_record.pk]))
    assert AccessEvent.objects.get(kind="viewed_client").actor_name == "Cara Colleague"
    # On PostgreSQL the log's trigger lets the actor go to NULL (and her own sign-ins go) only here.
    with erasing():
        colleague.delete()
    event = AccessEvent.objects.get(kind="viewed_client")
    assert (event.actor, event.who, event.studio_id) == (None, "Cara Colleague", owner.studio_id)
    page = visible_text(signed_in(owner).get(reverse("audit:client_activity", args=[client_record.pk])))
    assert "Cara Colleague" in page


def test_the_log_page_names_people_without_reading_their_accounts(owner, colleague, dana, client_record,
                                                                   django_assert_num_queries):
    http = signed_in(owner)
    http.get(reverse("audit:log"))
    with django_assert_num_queries(5):  # session, her, the count, the page, the filter's clients
        http.get(reverse("audit:log"))
    for trainer in (colleague, dana):
        signed_in(trainer).get(reverse("clients:detail", args=[client_record.pk]))
    with django_assert_num_queries(5):  # the same: names are on the rows
        assert "Dana Dunn" in visible_text(http.get(reverse("audit:log")))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_both_logs_start_from_an_index(owner, colleague, client_record):
    owner_plan = AccessEvent.objects.for_trainer(owner).explain()
    trainer_plan = AccessEvent.objects.for_trainer(colleague).explain()
    assert "Index" in owner_plan and "Index" in trainer_plan


def test_the_migration_names_the_studio_and_the_actor_of_every_row_already_written(owner, colleague, client_record):
    """audit 0009 fills the new columns of the rows written before them, through the log's
    trigger on PostgreSQL (which refuses any other UPDATE)."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.db.migrations.loader import MigrationLoader

    apps = MigrationLoader(connection).project_state(("audit", "0009_accessevent_studio")).apps  # its models, as then
    fill = import_module("audit.migrations.0009_accessevent_studio").name_studios_and_actors
    AccessEvent.objects.bulk_create([  # as the rows were: no studio, no name
        AccessEvent(trainer=owner, actor=colleague, client=client_record, kind="viewed_client"),
        AccessEvent(trainer=colleague, actor=colleague, kind="signed_in"),
        AccessEvent(trainer=None, kind="sign_in_failed", target="nobody@example.com"),
        AccessEvent(trainer=owner, via_link=True, client=client_record, kind="link_viewed_progress"),
    ])
    fill(apps, SimpleNamespace(connection=connection))  # all it asks of the schema editor
    rows = AccessEvent.objects.order_by("pk").values_list("kind", "studio_id", "actor_name")
    assert list(rows) == [("viewed_client", owner.studio_id, "Cara Colleague"), ("signed_in", owner.studio_id, "Cara Colleague"),
                          ("sign_in_failed", None, ""), ("link_viewed_progress", owner.studio_id, "")]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('restride.erasing', true)")
            assert cursor.fetchone()[0] == "off", "the trigger guards the log again at once"
