"""Her page and her report read her latest assessments in one written-out statement (reports/progress.py
recent_history): the rows the ORM's query reads, value for value and type for type, newest twelve in
(date, id) order, up to an assessment for a report of an older one, with how many came before them and
since when; one query however long her history."""

from datetime import timedelta

import pytest
from django.db.models import Count, Min, Window

from reports.progress import HISTORY_SHOWN, recent_history, up_to
from tests.conftest import make_client, same_row
from tests.factories import make_assessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def orm_history(client, assessment=None):
    """What the ORM reads for it: her latest HISTORY_SHOWN (up to `assessment`), with the window totals."""
    assessments = client.assessments.all()
    if assessment is not None:
        assessments = assessments.filter(up_to(assessment))
    return list(assessments.order_by("-assessed_on", "-pk").annotate(
        history_count=Window(Count("pk")), history_first=Window(Min("assessed_on")))[:HISTORY_SHOWN])[::-1]


def assert_same_history(client, assessment, django_assert_num_queries):
    expected = orm_history(client, assessment)
    with django_assert_num_queries(1):
        found, earlier = recent_history(client, assessment)
    assert [row.pk for row in found] == [row.pk for row in expected]
    with django_assert_num_queries(0):
        for row, wanted in zip(found, expected, strict=True):
            same_row(row, wanted)
            assert row.client is client and not row.get_deferred_fields()
    if expected and expected[0].history_count > len(expected):
        first = expected[0].history_first
        assert earlier == {"count": expected[0].history_count - len(expected), "first": first}
        assert type(earlier["first"]) is type(client.baby_date_of_birth)
    else:
        assert earlier is None
    return found, earlier


def test_her_history_written_out_is_what_the_orm_reads(owner, django_assert_num_queries):
    client = make_client(owner, weeks=60)
    assert_same_history(client, None, django_assert_num_queries)  # none yet
    made = [make_assessment(client, days_after_birth=70 + 7 * n, pelvic_floor_fast_reps=n % 11, holistic_sleep=n % 2 == 0)
            for n in range(HISTORY_SHOWN + 3)]
    # Two on one day, told apart by their ids, as the page orders them.
    made.append(make_assessment(client, days_after_birth=70 + 7 * 5, strength_single_leg_bridge_left=14))
    other = make_client(owner, name="Olive Other")
    make_assessment(other)  # another client's never counts
    found, earlier = assert_same_history(client, None, django_assert_num_queries)
    assert len(found) == HISTORY_SHOWN and earlier["count"] == len(made) - HISTORY_SHOWN
    assert earlier["first"] == client.baby_date_of_birth + timedelta(days=70)
    for assessment in (made[0], made[4], made[5], made[-1], made[HISTORY_SHOWN + 1]):  # a report of an older one
        assert_same_history(client, assessment, django_assert_num_queries)
    few, none_before = assert_same_history(client, made[3], django_assert_num_queries)
    assert [row.pk for row in few] == [row.pk for row in orm_history(client, made[3])] and none_before is None
