"""Issue 20, writes: an autosave and a session log work out again only what their writes can have
moved of her derived state (clients/versions.py Derive), in a few statements, and what they leave
as her row keeps it is what working it all out afresh gives."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import COLUMNS, RED_FLAG_NAMES, AssessmentChange
from audit.models import AccessEvent
from clients.models import Client
from programmes.models import Programme
from tests.assessments.test_assessments import form_data
from tests.conftest import next_log_day, walk_run_30
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def running(owner):
    """A client with an earlier assessment that raised a red flag and a later clear one (so her
    record has a closed red flag), running a programme with a session logged."""
    from tests.conftest import make_client

    client = make_client(owner, weeks=20)
    make_assessment(client, days_after_birth=7 * 12, symptoms_urgency=True)
    make_assessment(client, days_after_birth=7 * 14)
    programme = Programme.assign(client=client, template=walk_run_30(), start_date=timezone.localdate() - timedelta(days=10),
                                 by=owner)
    programme = Programme.objects.with_progress().get(pk=programme.pk)
    programme.log_session(by=owner, sequence=1, done_on=next_log_day(programme), outcome="completed", effort=4)
    return client


def afresh(client):
    """Her derived state worked out from all her records (what every write did before issue 20),
    without keeping it."""
    with transaction.atomic():
        derived = Client.derived_fields(client.pk)
        transaction.set_rollback(True)
    return derived


def assert_as_afresh(client, why):
    row = Client.objects.get(pk=client.pk)
    for name, value in afresh(client).items():
        assert getattr(row, name) == value, (why, name)
    for programme in Programme.objects.filter(client=client).with_progress(blocks=False):
        stored = {name: getattr(programme, name) for name in programme.replayed_state()}
        assert stored == programme.replayed_state(), why


def other_value(column, value):
    if column.is_flag:
        return {None: True, True: False, False: None}[value]
    return None if value is not None else (column.item.target if column.item.target is not None else 1)


def test_an_edit_of_any_field_leaves_her_derived_state_as_working_it_all_out_gives(running, owner):
    """Every protocol field, of her latest assessment and of an earlier one, changed and changed
    back: her red flags read from her row when no symptom was edited, her latest assessment when no
    date was, her programmes' hold without a replay, all as a full recompute has them."""
    earlier, latest = running.assessments.order_by("assessed_on", "pk")
    for assessment in (latest, earlier):
        for column in COLUMNS:
            for _ in range(2):
                assessment = type(assessment).objects.select_related("client").get(pk=assessment.pk)
                value = other_value(column, getattr(assessment, column.name))
                assessment.save_changes({column.name: value}, owner, assessment.version,
                                        reasons={column.name: "Entered in error"})
                assert_as_afresh(running, (assessment.pk, column.name, value))


def test_a_redated_assessment_moves_her_latest(running, owner):
    earlier = running.assessments.order_by("assessed_on", "pk").first()
    earlier = type(earlier).objects.select_related("client").get(pk=earlier.pk)
    earlier.save_changes({"assessed_on": earlier.assessed_on + timedelta(weeks=3)}, owner, earlier.version)
    assert Client.objects.get(pk=running.pk).latest_assessment_id == earlier.pk
    assert_as_afresh(running, "redated")


@pytest.mark.parametrize("symptoms", [[], ["pain"], ["urgency"]])
def test_a_log_leaves_her_derived_state_as_working_it_all_out_gives(running, owner, symptoms):
    """A log without a red-flag symptom reads her red flags from her row; one with opens one."""
    programme = Programme.objects.with_progress().get(client=running)
    programme.log_session(by=owner, sequence=programme.next_sequence, done_on=next_log_day(programme),
                          outcome="completed", effort=4, symptoms=symptoms)
    assert bool(Client.objects.get(pk=running.pk).open_red_flags) == ("urgency" in symptoms)
    assert_as_afresh(running, symptoms)


def writes(captured):
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


# The session and her trainer; the assessment with her row; the transaction (two: a savepoint in
# the tests); its update and its history row; her row's red flags and latest assessment; her
# programmes' hold and its update; her worklist's programme; her row; the access log. (A red flag
# recorded: her red flags worked out from her records instead, two queries.)
AUTOSAVE_QUERIES = 13


@pytest.mark.parametrize("field,value", [("pelvic_floor_hold_seconds", ""), ("notes", "Knee fine today"),
                                         ("symptoms_urgency", "true")])
def test_an_autosave_takes_few_statements_and_writes_each_thing_once(owner_http, running, field, value,
                                                                     django_assert_max_num_queries):
    """One field autosaved (one that takes her off "ready", her notes, a red flag): one UPDATE of
    the assessment, one history row, one of her row (her version on by one), one access-log line,
    and her programme's hold when it moves."""
    latest = running.assessments.first()
    version = Client.objects.get(pk=running.pk).data_version
    changes, events = AssessmentChange.objects.count(), AccessEvent.objects.count()
    with django_assert_max_num_queries(AUTOSAVE_QUERIES + (field in RED_FLAG_NAMES) * 2) as captured:
        response = owner_http.post(latest.get_absolute_url(), form_data(latest, **{field: value}),
                                   headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"All changes saved" in response.content
    assert Client.objects.get(pk=running.pk).data_version == version + 1
    assert (AssessmentChange.objects.count(), AccessEvent.objects.count()) == (changes + 1, events + 1)
    sql = writes(captured)
    assert len([s for s in sql if s.startswith('UPDATE "clients_client"')]) == 1, sql
    assert len([s for s in sql if s.startswith('UPDATE "programmes_programme"')]) == (field != "notes"), sql
    assert_as_afresh(running, field)


# The session and her trainer; the view's transaction (a savepoint in the tests: two); her programme
# with her latest assessment, its plan's sessions, logs and resumes; the operation's savepoint (two);
# the log in its own savepoint (three) and its history row; the programme's state; her row's red flags and latest assessment; her
# worklist's programme; her row; the access log; the next session's blocks, for the card.
TRAINER_LOG_QUERIES = 20


def test_a_session_logged_by_her_trainer_takes_few_statements(owner_http, running, django_assert_max_num_queries):
    programme = Programme.objects.get(client=running)
    data = {"done_on": next_log_day(programme).isoformat(), "outcome": "completed", "effort": "5", "notes": "",
            "sequence": str(programme.next_sequence)}
    version = Client.objects.get(pk=running.pk).data_version
    with django_assert_max_num_queries(TRAINER_LOG_QUERIES) as captured:
        response = owner_http.post(reverse("programmes:log", args=[programme.pk]), data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"Session logged" in response.content
    assert Client.objects.get(pk=running.pk).data_version == version + 1
    assert len([s for s in writes(captured) if s.startswith('UPDATE "clients_client"')]) == 1
    assert_as_afresh(running, "logged")


# Her link; its post count; the view's transaction (a savepoint in the tests: two); her programme
# with her latest assessment, its plan's sessions, logs and resumes; the operation's savepoint (two);
# the log in its own savepoint (three) and its history row; the programme's state; her row's red flags and latest assessment; her worklist's
# programme; her row; the access log. Her page, after the redirect, is its own request.
HER_LOG_QUERIES = 19


def test_a_session_she_logs_takes_few_statements(running, owner, anon_http, django_assert_max_num_queries):
    from clients.models import ShareLink

    running.self_logging = True
    running.save()
    _, token = ShareLink.issue(running, owner)
    programme = Programme.objects.with_progress().get(client=running)
    data = {"sequence": programme.next_sequence, "week": programme.state.week, "session": programme.state.session,
            "done_on": next_log_day(programme).isoformat(), "outcome": "completed", "effort": "4", "any_symptoms": "no"}
    version = Client.objects.get(pk=running.pk).data_version
    with django_assert_max_num_queries(HER_LOG_QUERIES) as captured:
        response = anon_http.post(reverse("reports:log", args=[token]), data)
    assert response.status_code == 302
    assert Client.objects.get(pk=running.pk).data_version == version + 1
    assert len([s for s in writes(captured) if s.startswith('UPDATE "clients_client"')]) == 1
    assert_as_afresh(running, "she logged")
