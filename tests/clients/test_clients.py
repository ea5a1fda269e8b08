from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from tests.conftest import make_client, make_trainer

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

CLIENT_VIEWS = [
    ("clients:detail", "get"),
    ("clients:edit", "get"),
    ("clients:edit", "post"),
    ("clients:archive", "post"),
    ("clients:restore", "post"),
    ("clients:consent", "post"),
    ("clients:delete", "get"),
    ("clients:delete", "post"),
]


def valid_form(**overrides):
    today = timezone.localdate()
    data = {
        "full_name": "Beth Okafor",
        "email": "beth@example.com",
        "phone": "07700 900123",
        "date_of_birth": "1992-03-04",
        "baby_date_of_birth": (today - timedelta(weeks=15)).isoformat(),
        "delivery": "vaginal",
        "perineal_trauma": "none",
        "breastfeeding": "true",
        "prior_incontinence": "",
        "bmi_30_or_more": "false",
        "goal": "parkrun",
        "target_event": "",
        "target_date": "",
        "gp_check_date": "",
        "physio_seen_date": "",
        "notes": "Prefers mornings.",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("name,method", CLIENT_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(anon_http, client_record, name, method):
    response = getattr(anon_http, method)(reverse(name, args=[client_record.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name,method", CLIENT_VIEWS)
def test_another_trainer_gets_404_and_changes_nothing(stranger_http, client_record, name, method):
    before = Client.objects.values().get(pk=client_record.pk)
    data = valid_form(confirm_name=client_record.full_name, action="withdraw") if method == "post" else None
    response = getattr(stranger_http, method)(reverse(name, args=[client_record.pk]), data)
    assert response.status_code == 404
    assert client_record.full_name.encode() not in response.content
    assert Client.objects.values().get(pk=client_record.pk) == before


@pytest.mark.parametrize("name", ["clients:detail", "clients:edit", "clients:delete"])
def test_the_owner_sees_her_client(owner_http, client_record, name):
    response = owner_http.get(reverse(name, args=[client_record.pk]))
    assert response.status_code == 200
    assert client_record.full_name in response.content.decode()


def test_list_shows_only_my_clients(owner_http, owner, stranger):
    make_client(owner, "Mine Person")
    make_client(stranger, "Theirs Person")
    page = owner_http.get(reverse("clients:list")).content.decode()
    assert "Mine Person" in page
    assert "Theirs Person" not in page


def test_list_needs_sign_in(anon_http):
    assert anon_http.get(reverse("clients:list")).status_code == 302


def test_list_orders_by_most_recent_activity(owner_http, owner):
    now = timezone.now()
    make_client(owner, "Older Activity", last_activity_at=now - timedelta(days=3))
    make_client(owner, "Newer Activity", last_activity_at=now)
    page = owner_http.get(reverse("clients:list")).content.decode()
    assert page.index("Newer Activity") < page.index("Older Activity")


def test_live_search_returns_only_the_results_fragment(owner_http, owner):
    make_client(owner, "Chloe Brennan")
    make_client(owner, "Dani Kowalska")
    response = owner_http.get(reverse("clients:list"), {"q": "chlo"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "Chloe Brennan" in page and "Dani Kowalska" not in page
    assert "<html" not in page
    assert 'id="client-results"' in page


def test_search_without_javascript_renders_the_whole_page(owner_http, owner):
    make_client(owner, "Chloe Brennan")
    page = owner_http.get(reverse("clients:list"), {"q": "brennan"}).content.decode()
    assert "<html" in page and "Chloe Brennan" in page


def test_list_paginates(owner_http, owner):
    for index in range(30):
        make_client(owner, f"Client {index:02}")
    first = owner_http.get(reverse("clients:list")).content.decode()
    second = owner_http.get(reverse("clients:list"), {"page": 2}).content.decode()
    assert first.count('class="client-row"') == 25
    assert second.count('class="client-row"') == 5
    assert "Page 2 of 2" in second


def test_the_list_counts_her_clients_without_the_joins_of_their_rows(owner_http, owner, colleague):
    """Her latest assessment and her current programme ride on each row; the page count reads her
    studio's clients alone (on PostgreSQL its join to the current programmes scanned every studio's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.browser.conftest import assign_programme
    from tests.factories import make_assessment

    clients = [make_client(owner, f"Client {index:02}") for index in range(27)]
    for client in clients[:3]:
        make_assessment(client)
    assign_programme(clients[0])
    make_client(colleague, "Colleague's Client")  # her studio's: listed under "Everyone's"
    Client.objects.filter(pk=clients[-1].pk).update(archived_at=timezone.now())  # not listed
    with CaptureQueriesContext(connection) as captured:
        first = owner_http.get(reverse("clients:list")).content.decode()
    [count] = [query["sql"] for query in captured if "COUNT(" in query["sql"]]
    assert "JOIN" not in count and "Page 1 of 2" in first and first.count('class="client-row"') == 25
    mine = owner_http.get(reverse("clients:list"), {"page": 2}).content.decode()
    everyone = owner_http.get(reverse("clients:list"), {"page": 2, "clients": "all"}).content.decode()
    assert mine.count('class="client-row"') == 1 and everyone.count('class="client-row"') == 2
    found = owner_http.get(reverse("clients:list"), {"q": "Client 0"}).content.decode()
    assert found.count('class="client-row"') == 10 and "Page 1 of" not in found


@pytest.mark.parametrize("count", [1, 200])
def test_list_query_count_does_not_grow_with_clients(owner_http, owner, count, django_assert_max_num_queries):
    Client.objects.bulk_create(
        Client(trainer=owner, studio=owner.studio, full_name=f"Client {index}", baby_date_of_birth=timezone.localdate())
        for index in range(count)
    )
    with django_assert_max_num_queries(5):  # the session, her, her studio's trainers, the count and the page with each row's status
        assert owner_http.get(reverse("clients:list")).status_code == 200


def test_creating_a_client_saves_every_field(owner_http, owner):
    response = owner_http.post(reverse("clients:create"), valid_form())
    client = Client.objects.get()
    assert response.status_code == 302 and response["Location"] == client.get_absolute_url()
    assert client.trainer == owner
    assert client.breastfeeding is True
    assert client.prior_incontinence is None, "not asked is not no"
    assert client.bmi_30_or_more is False
    assert client.weeks_postpartum_today == 15


def test_detail_shows_weeks_postpartum(owner_http, owner):
    client = make_client(owner, weeks=9)
    assert "9 weeks after birth" in owner_http.get(client.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("baby_date_of_birth", lambda: (timezone.localdate() + timedelta(days=1)).isoformat(), "cannot be in the future"),
        ("date_of_birth", lambda: (timezone.localdate() - timedelta(days=365 * 15)).isoformat(), "aged 16 or over"),
        ("email", "beth@", "valid email"),
        ("phone", "call me maybe", "phone number"),
        ("phone", "123", "phone number"),
        ("full_name", "x" * 151, "at most 150 characters"),
        ("notes", "x" * 5001, "at most 5000 characters"),
        ("full_name", "   ", "required"),
        ("date_of_birth", lambda: (timezone.localdate() - timedelta(weeks=1)).isoformat(), "16 or over"),
        ("gp_check_date", lambda: (timezone.localdate() + timedelta(days=3)).isoformat(), "in the future"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_the_rest_is_kept(owner_http, field, value, message):
    value = value() if callable(value) else value  # dates relative to today, worked out when the test runs
    response = owner_http.post(reverse("clients:create"), valid_form(**{field: value}))
    page = response.content.decode()
    assert response.status_code == 200
    assert not Client.objects.exists()
    assert f'id="id_{field}_error"' in page
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "beth@example.com" in page or field == "email", "what she typed elsewhere is kept"
    assert "parkrun</textarea>" in page


def test_mother_must_be_born_before_her_baby(owner_http):
    today = timezone.localdate()
    data = valid_form(date_of_birth=(today - timedelta(days=365 * 20)).isoformat(),
                      baby_date_of_birth=(today - timedelta(days=365 * 21)).isoformat())
    page = owner_http.post(reverse("clients:create"), data).content.decode()
    assert "before her baby" in page
    assert not Client.objects.exists()


def test_database_refuses_a_mother_born_after_her_baby(owner):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_client(owner, date_of_birth=timezone.localdate(), baby_date_of_birth=timezone.localdate() - timedelta(days=1))


def test_database_refuses_an_unknown_delivery_type(owner):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_client(owner, delivery="teleported")


def test_editing_keeps_input_on_error_and_saves_when_valid(owner_http, client_record):
    url = reverse("clients:edit", args=[client_record.pk])
    bad = owner_http.post(url, valid_form(full_name="Amira Haddad-Smith", email="nope"))
    assert "Amira Haddad-Smith" in bad.content.decode()
    client_record.refresh_from_db()
    assert client_record.full_name == "Amira Haddad"
    owner_http.post(url, valid_form(full_name="Amira Haddad-Smith"))
    client_record.refresh_from_db()
    assert client_record.full_name == "Amira Haddad-Smith"


def test_archive_and_restore(owner_http, client_record):
    owner_http.post(reverse("clients:archive", args=[client_record.pk]))
    client_record.refresh_from_db()
    assert client_record.is_archived
    current = owner_http.get(reverse("clients:list")).content.decode()
    archived = owner_http.get(reverse("clients:list"), {"show": "archived"}).content.decode()
    row = 'client-row__name">Amira Haddad<'
    assert row not in current and row in archived
    owner_http.post(reverse("clients:restore", args=[client_record.pk]))
    client_record.refresh_from_db()
    assert not client_record.is_archived


def test_archive_refuses_get(owner_http, client_record):
    assert owner_http.get(reverse("clients:archive", args=[client_record.pk])).status_code == 405


def test_consent_is_recorded_with_who_and_when_and_can_be_withdrawn(owner_http, owner):
    client = make_client(owner, consent=False)
    assert not client.has_consent
    owner_http.post(reverse("clients:consent", args=[client.pk]))
    client.refresh_from_db()
    assert client.has_consent and client.consent_recorded_by == owner
    owner_http.post(reverse("clients:consent", args=[client.pk]), {"action": "withdraw"})
    client.refresh_from_db()
    assert not client.has_consent and client.consent_withdrawn_at is not None


def test_delete_needs_her_name_typed(owner_http, client_record):
    url = reverse("clients:delete", args=[client_record.pk])
    response = owner_http.post(url, {"confirm_name": "Someone Else"})
    assert "does not match" in response.content.decode()
    assert Client.objects.filter(pk=client_record.pk).exists()
    owner_http.post(url, {"confirm_name": "  amira   haddad "})
    assert not Client.objects.filter(pk=client_record.pk).exists()


def test_trainer_notes_are_escaped(owner_http, owner):
    client = make_client(owner, notes='<script>alert("x")</script>')
    page = owner_http.get(client.get_absolute_url()).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_a_trainer_who_leads_clients_cannot_be_deleted_and_nobody_elses_are_touched(owner, stranger):
    from django.db.models import ProtectedError

    mine = make_client(owner)
    other = make_client(stranger, "Other Client")
    with pytest.raises(ProtectedError):  # her clients are her studio's: handed over first, never deleted with her
        owner.delete()
    assert set(Client.objects.all()) == {mine, other}
    Client.objects.filter(pk=mine.pk).delete()
    owner.delete()
    assert list(Client.objects.all()) == [other]


def test_make_trainer_helper_lowercases_email(db):
    trainer = make_trainer("MiXed@Example.com")
    assert trainer.email == "mixed@example.com"


def test_changing_the_babys_birth_date_updates_her_verdicts(owner_http, client_record):
    from tests.factories import make_assessment

    assessment = make_assessment(client_record, days_after_birth=7 * 13)
    assert assessment.verdict == "ready"
    later_birth = client_record.baby_date_of_birth + timedelta(weeks=2)
    owner_http.post(reverse("clients:edit", args=[client_record.pk]),
                    valid_form(full_name=client_record.full_name, baby_date_of_birth=later_birth.isoformat()))
    assessment.refresh_from_db()
    assert assessment.weeks_postpartum == 11 and assessment.verdict == "not_yet"


def test_the_babys_birth_cannot_move_after_an_assessment(owner_http, client_record):
    from tests.factories import make_assessment

    assessment = make_assessment(client_record, days_after_birth=7 * 13)
    too_late = assessment.assessed_on + timedelta(days=1)
    page = owner_http.post(reverse("clients:edit", args=[client_record.pk]),
                           valid_form(full_name=client_record.full_name, baby_date_of_birth=too_late.isoformat())).content.decode()
    assert "She has an assessment dated" in page
    client_record.refresh_from_db()
    assert client_record.baby_date_of_birth < assessment.assessed_on


# Issue 22 (6): a possible duplicate is asked about first -----------------------------------------

def test_adding_a_client_with_the_same_name_and_baby_asks_first(owner, owner_http):
    existing = make_client(owner, "Amira Haddad")
    data = {"full_name": "  amira  HADDAD ", "baby_date_of_birth": existing.baby_date_of_birth.isoformat()}
    page = owner_http.post(reverse("clients:create"), data).content.decode()
    assert "Is she already in your book?" in page and existing.get_absolute_url() in page
    assert Client.objects.count() == 1
    response = owner_http.post(reverse("clients:create"), {**data, "not_a_duplicate": "on"})
    assert response.status_code == 302 and Client.objects.count() == 2
    other_baby = {"full_name": "Amira Haddad", "baby_date_of_birth": "2026-01-02"}
    assert owner_http.post(reverse("clients:create"), other_baby).status_code == 302


def test_another_trainers_client_is_never_named_as_a_duplicate(owner, stranger, stranger_http):
    existing = make_client(owner, "Amira Haddad")
    data = {"full_name": "Amira Haddad", "baby_date_of_birth": existing.baby_date_of_birth.isoformat()}
    response = stranger_http.post(reverse("clients:create"), data)
    assert response.status_code == 302
