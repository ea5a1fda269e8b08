"""The client page reads her row in one written-out statement (practice/views.py client_for_page):
what the ORM's query for it reads, value for value and type for type, with her joined rows and her
page's facts; another studio's client is a 404, as everywhere."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from audit.models import AccessEvent
from clients.models import Client, ShareLink
from practice.views import PAGE_FACTS, client_for_page
from programmes.models import Programme
from tests.conftest import make_client, same_row, walk_run_30
from tests.factories import make_assessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

JOINED = ("consent_recorded_by", "latest_assessment", "trainer", "studio")


def test_her_row_written_out_is_what_the_orm_reads(owner, colleague, stranger, django_assert_num_queries):
    bare = make_client(owner, name="Bea Bare", consent=False)  # no consent's recorder, no assessment, no facts
    full = make_client(owner, name="Fay Full")
    make_assessment(full)
    ShareLink.issue(full, owner)
    full.hand_over(colleague, owner, "Her mornings suit Cara")
    ended = Programme.objects.create(client=full, plan=walk_run_30().copy(trainer=owner, is_template=False),
                                     start_date=timezone.localdate() - timedelta(days=14), assigned_by=owner)
    Programme.objects.filter(pk=ended.pk).update(ended_at=timezone.now())
    AccessEvent.objects.create(studio=owner.studio, trainer=colleague, client=full, via_link=True, kind="link_viewed_progress")
    query = Client.objects.for_trainer(colleague).select_related(*JOINED).annotate(**PAGE_FACTS)
    for client in (bare, full):
        expected = query.get(pk=client.pk)
        with django_assert_num_queries(1):
            found = client_for_page(colleague, client.pk)
        with django_assert_num_queries(0):
            same_row(found, expected)
            for name in JOINED:
                related, wanted = getattr(found, name), getattr(expected, name)
                assert (related is None) == (wanted is None), name
                if wanted is not None:
                    same_row(related, wanted)
            for name in PAGE_FACTS:
                value, wanted = getattr(found, name), getattr(expected, name)
                assert (value, type(value)) == (wanted, type(wanted)), name
    assert found.has_link and found.has_handovers and found.has_ended_programme and found.last_link_visit_at is not None
    assert found.latest_assessment is not None and found.consent_recorded_by == owner and found.trainer == colleague
    with pytest.raises(Http404):
        client_for_page(stranger, full.pk)
    for pk in (full.pk + bare.pk + 1000, 2**63, -(2**63) - 1, 10**25):  # none, and beyond the column's range
        with pytest.raises(Http404):
            client_for_page(owner, pk)


def test_her_latest_assessments_written_out_are_what_the_orm_reads(owner, colleague, django_assert_num_queries):
    """Her page lists her latest assessments, newest first, with who recorded each and how many she
    has in all, in one written-out statement (assessments/models.py latest_summaries): the rows, the
    deferred columns and the count the ORM's query gives; a recorder gone is None."""
    from django.db.models import Count, Window

    from assessments.models import Assessment, latest_summaries

    client = make_client(owner)
    with django_assert_num_queries(1):
        assert latest_summaries(client, 3) == ([], 0)
    for days, by in [(100, owner), (110, colleague), (110, owner), (120, owner), (90, colleague)]:
        make_assessment(client, days_after_birth=days, by=by)
    Assessment.objects.filter(client=client, assessed_on=client.baby_date_of_birth + timedelta(days=120)).update(recorded_by=None)
    expected = list(client.assessments.summaries().select_related("recorded_by").order_by("-assessed_on", "-pk")
                    .annotate(history_count=Window(Count("pk")))[:3])
    with django_assert_num_queries(1):
        found, total = latest_summaries(client, 3)
    assert total == expected[0].history_count == 5
    assert [assessment.pk for assessment in found] == [assessment.pk for assessment in expected]
    with django_assert_num_queries(0):
        for row, wanted in zip(found, expected, strict=True):
            assert row.get_deferred_fields() == wanted.get_deferred_fields() != set()
            for name in ("id", "client_id", "assessed_on", "verdict", "recorded_by_id", "updated_at"):
                value, expect = getattr(row, name), getattr(wanted, name)
                assert (value, type(value)) == (expect, type(expect)), name
            assert (row.recorded_by is None) == (wanted.recorded_by is None)
            if wanted.recorded_by is not None:
                same_row(row.recorded_by, wanted.recorded_by)
            assert row.client is client and row.weeks_postpartum == wanted.weeks_postpartum


def test_her_usable_link_written_out_is_what_the_orm_reads(owner, django_assert_num_queries):
    """Her page shows her link that works (clients/models.py usable_link_of): the row
    only_row(client.share_links.usable()) reads, from her row as read; none, without a query, once
    her consent is withdrawn or she is archived; a revoked or expired one is not usable."""
    from clients.models import usable_link_of
    from lib.queries import only_row

    client = make_client(owner)
    today = timezone.localdate()

    def both():
        her = Client.objects.get(pk=client.pk)
        with django_assert_num_queries(1 if her.has_consent and not her.is_archived else 0):
            found = usable_link_of(her)
        return found, only_row(ShareLink.objects.filter(client=her).usable())

    assert both() == (None, None)
    link, _ = ShareLink.issue(client, owner)
    for expires_on in (None, today, today + timedelta(days=3), today - timedelta(days=1)):
        ShareLink.objects.filter(pk=link.pk).update(expires_on=expires_on)
        found, expected = both()
        assert (found is None) == (expected is None) == (expires_on is not None and expires_on < today)
        if expected is not None:
            same_row(found, expected)
            assert found.client.pk == client.pk
    ShareLink.objects.filter(pk=link.pk).update(expires_on=None, revoked_at=timezone.now())
    assert both() == (None, None)
    ShareLink.objects.filter(pk=link.pk).update(revoked_at=None)
    Client.objects.filter(pk=client.pk).update(archived_at=timezone.now())
    assert both() == (None, None)
    Client.objects.filter(pk=client.pk).update(archived_at=None, consent_withdrawn_at=timezone.now())
    assert both() == (None, None)
