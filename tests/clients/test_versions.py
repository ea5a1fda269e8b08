"""Her data version (clients/versions.py): every change to her data moves it on. The models are
walked by introspection, so a new table that refers to her cannot be forgotten."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import ForeignKey, ProtectedError

from audit.models import AccessEvent
from clients import versions
from clients.models import Client
from programmes.models import Plan, PlanBlock, PlanSession
from reports.models import DrawnReport, Reminder
from tests.conftest import make_client
from tests.privacy.test_everything import builtin_templates_db, full_client, related_models  # noqa: F401 (fixtures)

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = pytest.mark.usefixtures("midday")


def version_of(client):
    return Client.objects.values_list("data_version", flat=True).get(pk=client.pk)


def her_rows(model, client):
    return model._base_manager.filter(**{versions.client_path(model): client.pk}).order_by("pk")


def test_the_walk_finds_every_model_that_refers_to_her_and_her_own_copy_of_the_plan():
    walked = related_models(Client) | {Client, Plan, PlanSession, PlanBlock}
    found = set(versions.versioned_models())
    assert found == walked - {AccessEvent, DrawnReport, Reminder}
    assert set(versions.NOT_VERSIONED) == {"audit.AccessEvent", "reports.DrawnReport", "reports.Reminder"}


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
        if model is Client:  # deleting her leaves no version to read: her stored reports go with her (the cascade)
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


def test_her_report_stamps_follow_what_each_report_shows(full_client, owner):  # noqa: F811
    """The stamps only spare rendering a report to know it is current (reports/pdf.py
    report_stamps): her latest's moves with anything of hers and the day, an earlier one's (a
    record of its day) with what it shows alone: her row, the assessments up to it, her trainer's
    details. So a logged session or a passing day costs one report, her latest."""
    from datetime import timedelta

    from django.utils import timezone

    from programmes.models import PlanBlock
    from reports.pdf import report_stamps
    from tests.factories import make_assessment

    client, (first, second) = full_client
    third = make_assessment(client, days_after_birth=7 * 13)
    today = timezone.localdate()

    def stamps(day=today):
        history = list(client.assessments.order_by("assessed_on", "pk"))
        return report_stamps(Client.objects.get(pk=client.pk), day, history, history[-1].pk)

    before = stamps()
    block = PlanBlock.objects.filter(session__plan__programme__client=client).first()
    block.repeats += 1
    block.save()  # her own copy of the plan, three steps away: her latest report only
    after = stamps()
    assert after[third.pk] != before[third.pk] and after[first.pk] == before[first.pk] and after[second.pk] == before[second.pk]
    assert stamps(today + timedelta(days=1))[third.pk] != after[third.pk], "her latest is drawn for the day"
    assert stamps(today + timedelta(days=1))[second.pk] == after[second.pk], "a record is not"
    second.save_changes({"strength_calf_raise_left": 11}, owner, second.version)  # the middle one
    edited = stamps()
    assert edited[first.pk] == after[first.pk] and edited[second.pk] != after[second.pk], "from it on"
    client.full_name = "Amira Haddad-Stone"
    client.save()
    renamed = stamps()
    assert not set(renamed.values()) & set(edited.values())
    client.trainer.full_name = "Renamed Trainer"
    client.trainer.save()
    retrained = stamps()
    assert not set(retrained.values()) & set(renamed.values()), "her report names her lead trainer"
    client.studio.name = "Renamed Studio"
    client.studio.save()
    assert not set(stamps().values()) & set(retrained.values()), "and carries her studio's letterhead"


def test_a_report_alone_and_among_all_of_hers_is_the_same_report(full_client):  # noqa: F811
    from django.utils import timezone

    from reports.pdf import report_of, reports_of

    client, assessments = full_client
    today = timezone.localdate()
    together = {report.assessment.pk: report.key for report in reports_of(client, today)}
    assert together == {a.pk: report_of(a, today).key for a in client.assessments.select_related("client__trainer")}
    assert len(set(together.values())) == len(assessments)


# One operation, one write of her row ---------------------------------------------------------


def client_row_updates(captured):
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith('UPDATE "CLIENTS_CLIENT"')]


def inserts_into(captured, table):
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(f'INSERT INTO "{table.upper()}"')]


def test_each_operation_moves_her_version_on_once_in_one_write_of_her_row(full_client, owner):  # noqa: F811
    """A session log writes the log, its history, the programme's state and her activity, an
    autosave the assessment, its change and her latest assessment: her row once each, her
    version on by one (it was eight UPDATEs of her row for one log)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from programmes.models import Programme

    client, (first, second) = full_client
    programme = Programme.objects.with_progress().get(client=client)
    today = timezone.localdate()
    operations = {
        "log a session": lambda: programme.log_session(by=owner, sequence=programme.next_sequence, done_on=today,
                                                       outcome="completed", effort=3, symptoms=[]),
        "autosave a measurement": lambda: second.save_changes({"strength_calf_raise_left": None}, owner, second.version),
        "change a measurement back": lambda: second.save_changes({"strength_calf_raise_left": 20}, owner, second.version),
        "correct a log": lambda: programme.correct_log(programme.logs.order_by("pk").first(), by=owner, reason="typo",
                                                       effort=7),
        "a new assessment": lambda: make_assessment_now(client),
        "her details": lambda: save_goal(client),
        "consent": lambda: client.record_consent(owner),
        "end her programme": lambda: Programme.objects.with_progress().get(pk=programme.pk).end(owner),
    }
    for name, operation in operations.items():
        programme = Programme.objects.with_progress().get(pk=programme.pk)
        before = version_of(client)
        with CaptureQueriesContext(connection) as captured:
            operation()
        assert version_of(client) == before + 1, name
        updates = client_row_updates(captured)
        assert len([sql for sql in updates if '"data_version" = ' in sql]) == 1, (name, updates)
        # Her details and her consent are her row itself: that write, then the one of the operation.
        assert len(updates) == (2 if name in ("her details", "consent") else 1), (name, updates)
    # One history row: a session log's event and the autosave's one changed field.
    programme = Programme.objects.with_progress().get(pk=programme.pk)
    programme.reopen(owner)
    programme = Programme.objects.with_progress().get(pk=programme.pk)
    with CaptureQueriesContext(connection) as captured:
        # Five days ago: today has its session already (DOMAIN.md "Pacing": one a day).
        programme.log_session(by=owner, sequence=programme.next_sequence, done_on=today - timedelta(days=5),
                              outcome="completed", effort=3, symptoms=[])
    assert len(inserts_into(captured, "programmes_programmeevent")) == 1
    assert not [q for q in captured if 'UPDATE "programmes_plan"' in q["sql"]], "nothing reads her plan's updated_at"


def make_assessment_now(client):
    from tests.factories import make_assessment

    make_assessment(client, days_after_birth=7 * 20)


def save_goal(client):
    client = Client.objects.get(pk=client.pk)
    client.goal = "A 10k in spring"
    client.save()


def test_outside_an_operation_each_write_still_moves_her_version_on(full_client):  # noqa: F811
    client, assessments = full_client
    before = version_of(client)
    AssessmentChangeModel = assessments[0].changes.model
    AssessmentChangeModel.objects.create(assessment=assessments[0], field="notes", new_value="x")
    AssessmentChangeModel.objects.filter(assessment=assessments[0]).update(field="notes")
    assert version_of(client) == before + 2


def test_an_operation_that_fails_moves_nothing(full_client, owner):  # noqa: F811
    from assessments.models import StaleAssessment

    client, (first, second) = full_client
    before = version_of(client)
    try:
        second.save_changes({"notes": "From a stale tab"}, owner, second.version - 1)
    except StaleAssessment:
        pass
    else:
        raise AssertionError("a stale version must be refused")
    assert version_of(client) == before
    assert Client.objects.get(pk=client.pk).data_version == before
