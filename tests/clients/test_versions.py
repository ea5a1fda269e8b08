"""Her data version (clients/versions.py): every change to her data moves it on. The models are
walked by introspection, so a new table that refers to her cannot be forgotten."""

from django.db import transaction
from django.db.models import ForeignKey, ProtectedError

from audit.models import AccessEvent
from clients import versions
from clients.models import Client
from programmes.models import Plan, PlanBlock, PlanSession
from reports.models import DrawnReport
from tests.conftest import make_client
from tests.privacy.test_everything import builtin_templates_db, full_client, related_models  # noqa: F401 (fixtures)


def version_of(client):
    return Client.objects.values_list("data_version", flat=True).get(pk=client.pk)


def her_rows(model, client):
    return model._base_manager.filter(**{versions.client_path(model): client.pk}).order_by("pk")


def test_the_walk_finds_every_model_that_refers_to_her_and_her_own_copy_of_the_plan():
    walked = related_models(Client) | {Client, Plan, PlanSession, PlanBlock}
    found = set(versions.versioned_models())
    assert found == walked - {AccessEvent, DrawnReport}
    assert set(versions.NOT_VERSIONED) == {"audit.AccessEvent", "reports.DrawnReport"}


def test_every_versioned_model_bumps_on_bulk_writes_too():
    for model in versions.versioned_models():
        queryset = model._default_manager.get_queryset()
        assert isinstance(queryset, versions.VersionedQuerySet), f"{model.__name__}: objects must be a VersionedQuerySet"


def a_plain_field(model):
    return next(f for f in model._meta.concrete_fields
                if not f.primary_key and not isinstance(f, ForeignKey) and not getattr(f, "auto_now", False)
                and not getattr(f, "auto_now_add", False))


def test_saving_updating_and_deleting_any_row_of_hers_moves_her_version_on(full_client):  # noqa: F811
    client, _ = full_client
    other = make_client(client.trainer, name="Someone Else")
    for model in versions.versioned_models():
        rows = list(her_rows(model, client))
        assert rows, f"the fixture should hold a {model.__name__}"
        row = rows[-1]
        before, others = version_of(client), version_of(other)
        row.save()
        assert version_of(client) > before, f"saving a {model.__name__} left her version"
        before = version_of(client)
        field = a_plain_field(model)
        model._default_manager.filter(pk=row.pk).update(**{field.attname: getattr(row, field.attname)})
        assert version_of(client) > before, f"updating {model.__name__} rows left her version"
        assert version_of(other) == others, f"a {model.__name__} of hers moved another client's version"
    # Deepest first, so each model still has rows of hers when its turn comes.
    for model in sorted(versions.versioned_models(), key=lambda m: -versions.client_path(m).count("__")):
        if model is Client:  # deleting her leaves no version to read: everything cached of hers is keyed by her pk
            continue
        row = her_rows(model, client).last()
        before = version_of(client)
        try:
            with transaction.atomic():
                model._default_manager.filter(pk=row.pk).delete()
        except ProtectedError:  # her plan, while her programme holds it: nothing was deleted
            continue
        assert version_of(client) > before, f"deleting a {model.__name__} left her version"


def test_a_new_row_moves_it_on_and_a_stale_copy_of_her_cannot_set_it_back(full_client):  # noqa: F811
    client, assessments = full_client
    stale = Client.objects.get(pk=client.pk)
    before = version_of(client)
    from tests.factories import make_assessment

    make_assessment(client, days_after_birth=7 * 14)
    assert version_of(client) > before
    bumped = version_of(client)
    stale.goal = "A 10k"
    stale.save()  # a copy read before the bump: its old data_version is not written back
    assert version_of(client) > bumped


def test_bulk_create_moves_it_on(full_client):  # noqa: F811
    client, assessments = full_client
    from assessments.models import AssessmentChange

    before = version_of(client)
    AssessmentChange.objects.bulk_create([AssessmentChange(assessment=assessments[0], field="notes", new_value="x")])
    assert version_of(client) > before


def test_reading_her_pages_does_not_move_it(owner_http, owner):
    her = make_client(owner)
    before = version_of(her)
    assert owner_http.get(f"/clients/{her.pk}/").status_code == 200
    assert version_of(her) == before


def test_her_report_stamps_follow_any_change_of_hers_and_her_trainers_details(full_client):  # noqa: F811
    """The stamps only spare rendering a report to know it is current (reports/pdf.py
    report_stamps): they must move with anything a report could show."""
    from datetime import timedelta

    from django.utils import timezone

    from programmes.models import PlanBlock
    from reports.pdf import report_stamps

    client, assessments = full_client
    today = timezone.localdate()
    seen = set(report_stamps(client, today))

    def changed():
        stamps = set(report_stamps(client, today))
        assert not stamps & seen
        seen.update(stamps)

    block = PlanBlock.objects.filter(session__plan__programme__client=client).first()
    block.repeats += 1
    block.save()  # her own copy of the plan, three steps away
    changed()
    client.trainer.business_name = "Renamed Studio"
    client.trainer.save()
    changed()
    tomorrow = today + timedelta(days=1)  # the live report is drawn for the day; a record is not
    live, record = report_stamps(client, today)
    assert report_stamps(client, tomorrow) == (report_stamps(client, tomorrow)[0], record)
    assert report_stamps(client, tomorrow)[0] != live


def test_a_report_alone_and_among_all_of_hers_is_the_same_report(full_client):  # noqa: F811
    from django.utils import timezone

    from reports.pdf import report_of, reports_of

    client, assessments = full_client
    today = timezone.localdate()
    together = {report.assessment.pk: report.key for report in reports_of(client, today)}
    assert together == {a.pk: report_of(a, today).key for a in client.assessments.select_related("client__trainer")}
    assert len(set(together.values())) == len(assessments)
