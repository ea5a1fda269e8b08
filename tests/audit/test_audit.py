"""The access log: what is recorded, that it cannot be edited, and who can read it."""

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, AppendOnly
from clients.models import Client, ShareLink
from tests.conftest import PASSWORD, make_client
from tests.factories import make_assessment


def kinds(client=None, **filters):
    events = AccessEvent.objects.filter(**filters)
    if client is not None:
        events = events.filter(client=client)
    return list(events.order_by("at", "pk").values_list("kind", flat=True))


@pytest.fixture
def assessment(client_record):
    return make_assessment(client_record)


# --- what is recorded ----------------------------------------------------------------------

def test_every_view_of_her_data_by_the_trainer_is_recorded_with_who_and_from_where(owner, owner_http, client_record, assessment):
    owner_http.get(reverse("clients:detail", args=[client_record.pk]), REMOTE_ADDR="203.0.113.9")
    owner_http.get(reverse("assessments:studio", args=[assessment.pk]))
    owner_http.get(reverse("assessments:referral", args=[assessment.pk]))
    owner_http.get(reverse("assessments:export", args=[assessment.pk]))
    owner_http.get(reverse("assessments:compare", args=[client_record.pk]))
    owner_http.get(reverse("reports:trainer_pdf", args=[assessment.pk]))
    assert kinds(client_record) == ["viewed_client", "viewed_assessment", "viewed_referral", "exported_assessment",
                                    "viewed_comparison", "viewed_report"]
    first = AccessEvent.objects.filter(client=client_record).order_by("at", "pk").first()
    assert (first.trainer, first.actor, first.via_link, first.address) == (owner, owner, False, "203.0.113.9")
    assert AccessEvent.objects.get(kind="viewed_assessment").target == f"Assessment of {assessment.assessed_on:%-d %b %Y}"


def test_her_private_link_views_are_recorded_as_hers_and_shown_to_the_trainer(owner_http, anon_http, client_record, assessment):
    _, token = ShareLink.issue(client_record, client_record.trainer)
    page = owner_http.get(reverse("clients:detail", args=[client_record.pk])).content.decode()
    assert "She has not opened her private page yet." in page
    anon_http.get(reverse("reports:progress", args=[token]), REMOTE_ADDR="198.51.100.4")
    anon_http.get(reverse("reports:progress_pdf", args=[token, assessment.pk]))
    events = AccessEvent.objects.filter(client=client_record, via_link=True).order_by("at", "pk")
    assert [e.kind for e in events] == ["link_viewed_progress", "link_viewed_report"]
    assert events[0].who == "Her private link" and events[0].actor is None and events[0].address == "198.51.100.4"
    page = owner_http.get(reverse("clients:detail", args=[client_record.pk])).content.decode()
    assert f"She last opened it on {timezone.localtime(events[1].at):%-d %b %Y, %H:%M}." in page


def test_a_refused_private_link_records_nothing(anon_http, client_record):
    assert anon_http.get(reverse("reports:progress", args=["not-a-real-token"])).status_code == 404
    assert not AccessEvent.objects.exists()


def test_changes_deletions_and_link_events_are_recorded(owner_http, client_record, assessment):
    pk = client_record.pk
    owner_http.post(reverse("clients:consent", args=[pk]), {"action": "withdraw"})
    owner_http.post(reverse("clients:consent", args=[pk]))
    owner_http.post(reverse("clients:link_create", args=[pk]))
    owner_http.post(reverse("clients:link_revoke", args=[pk]))
    data = {"full_name": "Amira H", "baby_date_of_birth": client_record.baby_date_of_birth.isoformat()}
    owner_http.post(reverse("clients:edit", args=[pk]), data)
    owner_http.post(reverse("assessments:create", args=[pk]))
    owner_http.post(reverse("assessments:delete", args=[assessment.pk]), {"reason": "Entered twice"})
    owner_http.post(reverse("clients:archive", args=[pk]))
    owner_http.post(reverse("clients:restore", args=[pk]))
    assert kinds(client_record) == [
        "consent_withdrawn", "consent_recorded", "link_created", "link_revoked", "changed_client",
        "created_assessment", "deleted_assessment", "archived_client", "restored_client",
    ]
    assert "full_name" in AccessEvent.objects.get(kind="changed_client").target


def test_an_assessment_edit_is_recorded_only_when_something_changed(owner_http, assessment):
    from tests.assessments.test_assessments import form_data  # the studio form as a browser sends it

    url = reverse("assessments:studio", args=[assessment.pk])
    unchanged = owner_http.post(url, form_data(assessment))
    assert unchanged.status_code == 302, "saved (nothing to save), not refused"
    assert unchanged["Location"] == reverse("programmes:assessment_summary", args=[assessment.pk])
    assert "changed_assessment" not in kinds()
    owner_http.post(url, form_data(assessment, notes="Felt strong today"))
    assert kinds().count("changed_assessment") == 1


def test_deleting_a_client_erases_her_log_and_records_the_deletion_without_her_name(owner, owner_http, client_record, assessment):
    owner_http.get(reverse("clients:detail", args=[client_record.pk]))
    pk = client_record.pk
    owner_http.post(reverse("clients:delete", args=[pk]), {"confirm_name": client_record.full_name})
    assert not Client.objects.filter(pk=pk).exists()
    assert not AccessEvent.objects.filter(kind="viewed_client").exists()
    event = AccessEvent.objects.exclude(kind="signed_in").get()
    assert (event.kind, event.client, event.trainer) == ("deleted_client", None, owner)
    assert event.target.startswith(f"Client #{pk}: 1 access-log line, 1 assessment"), "with what was erased"
    assert "Amira" not in str(AccessEvent.objects.values_list())


def test_sign_ins_and_failed_sign_ins_are_recorded_against_her_account(owner):
    http = HttpClient()
    http.post(reverse("login"), {"username": owner.email, "password": "wrong-password-here"}, REMOTE_ADDR="192.0.2.7")
    http.post(reverse("login"), {"username": "nobody@example.com", "password": "wrong-password-here"})
    http.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert kinds(trainer=owner) == ["sign_in_failed", "signed_in"]
    failed = AccessEvent.objects.get(kind="sign_in_failed", trainer=owner)
    assert failed.address == "192.0.2.7" and failed.who == "Someone not signed in"
    unknown = AccessEvent.objects.get(trainer__isnull=True)
    assert (unknown.kind, unknown.target) == ("sign_in_failed", "nobody@example.com")


# --- append-only ---------------------------------------------------------------------------

def test_the_log_cannot_be_edited_or_deleted_through_the_orm(owner, client_record):
    event = AccessEvent.objects.create(trainer=owner, actor=owner, client=client_record, kind="viewed_client")
    event.kind = "signed_in"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AccessEvent.objects.filter(pk=event.pk).update(kind="signed_in")
    with pytest.raises(AppendOnly):
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.get(pk=event.pk).kind == "viewed_client"


def test_the_admin_shows_the_log_read_only():
    from django.contrib import admin

    model_admin = admin.site._registry[AccessEvent]
    assert not model_admin.has_change_permission(None) and not model_admin.has_delete_permission(None)
    assert not model_admin.has_add_permission(None)


# --- the pages -----------------------------------------------------------------------------

def test_activity_page_owner_other_and_anonymous(owner_http, stranger_http, anon_http, client_record):
    url = reverse("audit:client_activity", args=[client_record.pk])
    owner_http.get(reverse("clients:detail", args=[client_record.pk]))
    response = owner_http.get(url)
    assert response.status_code == 200
    assert "Opened her record" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert stranger_http.get(url).status_code == 404
    assert anon_http.get(url)["Location"].startswith(reverse("login"))
    assert owner_http.post(url).status_code == 405


def test_the_trainer_log_is_hers_alone(owner, stranger, owner_http, stranger_http, anon_http, client_record):
    theirs = make_client(stranger, "Zara Other")
    stranger_http.get(reverse("clients:detail", args=[theirs.pk]))
    owner_http.get(reverse("clients:detail", args=[client_record.pk]))
    page = owner_http.get(reverse("audit:log")).content.decode()
    assert "Amira Haddad" in page and "Zara Other" not in page
    # Another trainer's client is not a choice: the filter says so instead of showing her.
    response = owner_http.get(reverse("audit:log"), {"client": theirs.pk})
    assert response.status_code == 200 and "Zara Other" not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()
    assert anon_http.get(reverse("audit:log"))["Location"].startswith(reverse("login"))


@pytest.mark.usefixtures("midday")  # "today" and ten days ago, in the filter's local days
def test_the_trainer_log_filters_by_client_kind_and_dates(owner, owner_http, client_record):
    other = make_client(owner, "Beth Okafor")
    old = AccessEvent.objects.create(trainer=owner, actor=owner, client=other, kind="viewed_client",
                                     at=timezone.now() - timedelta(days=10))
    AccessEvent.objects.create(trainer=owner, actor=owner, client=client_record, kind="viewed_client")
    AccessEvent.objects.create(trainer=owner, actor=owner, client=client_record, kind="consent_recorded")

    def shown(**params):
        response = owner_http.get(reverse("audit:log"), params)
        return [(e.client.full_name if e.client else None, e.kind) for e in response.context["page"].object_list]

    assert len(shown()) == 4  # with owner_http's own sign-in
    assert shown(client=other.pk) == [("Beth Okafor", "viewed_client")]
    assert shown(kind="consent_recorded") == [("Amira Haddad", "consent_recorded")]
    day = timezone.localdate(old.at)
    assert shown(date_from=day.isoformat(), date_to=day.isoformat()) == [("Beth Okafor", "viewed_client")]
    assert len(shown(date_from=(day + timedelta(days=1)).isoformat())) == 3
    bad = owner_http.get(reverse("audit:log"), {"date_from": "2026-02-10", "date_to": "2026-02-01"})
    assert bad.status_code == 200 and "The end date is before the start date." in bad.content.decode()
    assert owner_http.get(reverse("audit:log"), {"date_from": "not a date"}).status_code == 200


def test_the_log_pages_are_paginated(owner, owner_http, client_record):
    AccessEvent.objects.bulk_create(
        AccessEvent(trainer=owner, studio=owner.studio, actor=owner, client=client_record, kind="viewed_client")
        for _ in range(120)
    )
    first = owner_http.get(reverse("audit:log"), {"kind": "viewed_client"})
    assert len(first.context["page"].object_list) == 50 and "Page 1 of 3" in first.content.decode()
    assert 'href="?kind=viewed_client&amp;page=2"' in first.content.decode()
    last = owner_http.get(reverse("audit:client_activity", args=[client_record.pk]), {"page": 3})
    assert len(last.context["page"].object_list) == 21, "120 lines and this visit of her Activity page"


def test_a_flood_of_sign_ins_on_a_locked_account_writes_one_locked_line(owner, settings):
    http = HttpClient()
    for _ in range(30):
        http.post(reverse("login"), {"username": owner.email, "password": "wrong-password-here"})
    http.post(reverse("login"), {"username": owner.email, "password": PASSWORD})  # the right one, refused while locked
    assert kinds(trainer=owner).count("sign_in_failed") == settings.AXES_FAILURE_LIMIT - 1
    assert kinds(trainer=owner).count("sign_in_locked") == 1
    assert len(kinds(trainer=owner)) == settings.AXES_FAILURE_LIMIT



@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata"])
def test_the_logs_rows_write_each_time_and_address_as_the_template_did(owner, client_record, zone):
    """Issue 20: the access log's rows come with their time written and their client's address made
    once for the page ({% event_rows %}), as {{ event.at|date:"j M Y, H:i" }} and {% url %} wrote
    them, in the site's time zone."""
    from django.template import engines

    from privacy.templatetags.audit_tags import event_rows

    AccessEvent.objects.create(trainer_id=owner.pk, actor=owner, client=client_record, kind="viewed_client",
                               at=timezone.now().replace(hour=23, minute=30))
    AccessEvent.objects.create(trainer_id=owner.pk, actor=owner, client=None, kind="signed_in", at=timezone.now())
    events = list(AccessEvent.objects.filter(trainer_id=owner.pk))
    from audit.models import KINDS

    # Every kind's words, and a kind no longer listed, as get_kind_display() writes it: itself.
    events += [AccessEvent(kind=kind, at=timezone.now()) for kind in (*dict(KINDS), "no_longer_a_kind")]
    # Each day is written once for the page and each time after it: across clock changes and midnights.
    start = timezone.now().replace(month=3, day=28, hour=0, minute=7)
    events += [AccessEvent(kind="signed_in", at=start + timedelta(hours=5 * step, minutes=step)) for step in range(120)]
    loop = engines["django"].from_string(
        '{% for event in events %}{{ event.at|date:"j M Y, H:i" }} {% if event.client_id %}'
        '{% url "audit:client_activity" event.client_id %}{% endif %} {{ event.get_kind_display }};{% endfor %}')
    with timezone.override(zone):
        written = engines["django"].from_string('{% for row in rows %}{{ row.at }} {{ row.client_url }} {{ row.what }};{% endfor %}')
        assert written.render({"rows": event_rows(events)}) == loop.render({"events": events})


@pytest.mark.parametrize("chosen", [None, "first", "stranger's"])
def test_the_logs_client_filter_draws_her_studios_clients_as_a_model_choice_did(owner, stranger, chosen):
    """Issue 20: the filter's options come from her clients' ids and names alone (privacy/forms.py
    NameChoices), not a Client loaded for each; they draw what Django's ModelChoiceField drew, and
    another studio's client is still no choice."""
    from django import forms

    from privacy.forms import LogFilterForm

    first = make_client(owner, "Zoë <O'Brien>")
    Client.objects.filter(pk=make_client(owner, "Ann Archived").pk).update(archived_at=timezone.now())  # hers too
    theirs = make_client(stranger, "Not Hers")
    data = None if chosen is None else {"client": str(first.pk if chosen == "first" else theirs.pk)}
    form = LogFilterForm(data, trainer=owner)

    class Before(forms.Form):
        client = forms.ModelChoiceField(queryset=form.fields["client"].queryset, required=False, empty_label="All clients")

    assert str(form["client"]) == str(Before(data)["client"])
    drawn = str(form["client"])
    assert "Not Hers" not in drawn and "Zoë &lt;O&#x27;Brien&gt;" in drawn and "Ann Archived" in drawn
    assert form.is_valid() == (chosen == "first")  # unbound: nothing to filter by
    if chosen == "first":
        assert form.cleaned_data["client"] == first and 'selected>Zoë' in str(form["client"])


@pytest.mark.parametrize("show_client", [False, True])
def test_the_logs_rows_are_written_out_as_the_templates_loop_drew_them(owner, client_record, show_client):
    """Issue 20: {% event_table_rows %} writes the rows the template's loop drew (kept beside this file)."""
    from pathlib import Path

    from django.template import engines
    from django.template.loader import get_template

    hostile = "O'Brien <b>&amp; \"co\""
    Client.objects.filter(pk=client_record.pk).update(full_name=hostile)
    AccessEvent.objects.create(trainer_id=owner.pk, actor=owner, client=client_record, kind="viewed_client", target=hostile,
                               address="203.0.113.9")
    AccessEvent.objects.create(trainer_id=owner.pk, actor=None, actor_name=hostile, client=None, kind="signed_in")
    AccessEvent.objects.create(trainer_id=owner.pk, via_link=True, client=client_record, kind="viewed_client", target="")
    AccessEvent.objects.create(trainer_id=owner.pk, client=None, kind="no_longer_a_kind")
    events = list(AccessEvent.objects.filter(trainer_id=owner.pk).select_related("client").order_by("-at", "-pk"))
    context = {"page": type("Page", (), {"object_list": events}), "show_client": show_client}
    loop = (Path(__file__).parent / "event_rows_template.html").read_text()
    before = engines["django"].from_string(loop).render(context)
    after = engines["django"].from_string("{% load audit_tags %}{% event_table_rows page.object_list %}\n").render(context)
    assert after == before and after.count("<tr>") == 4
    page = get_template("audit/_events.html").render(context)
    assert ("O&#x27;Brien &lt;b&gt;&amp;amp; &quot;co&quot;</a>" in page) == show_client
