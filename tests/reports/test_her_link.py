"""Her page reads her link in one written-out statement (reports/views.py link_for_page): what the
ORM's query for it reads, value for value and type for type, with her row, her lead trainer, her
studio and its logo and whether she has a current strength plan; and every link the ORM's find()
refuses (unknown, revoked, expired, consent withdrawn, archived, erased) it refuses too, her page
answering each with the same 404 as before."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StudioLogo
from clients.models import Client, ShareLink, hash_token
from privacy.erasure import erase_client
from programmes.models import Exercise, StrengthPlan
from reports.views import BAD_TOKEN_LIMIT, HAS_STRENGTH_PLAN, link_for_page
from tests.conftest import make_client, same_row
from tests.factories import make_assessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def orm_link(token):
    """The read her page made through the ORM before it was written out."""
    return (ShareLink.objects.select_related("client__studio__logo").annotate(has_strength_plan=HAS_STRENGTH_PLAN)
            .find(token))


def read_once(token, django_assert_num_queries):
    with django_assert_num_queries(1):
        return link_for_page(token)


def assert_same(found, expected, django_assert_num_queries):
    """The link, her row and its joined rows, as the ORM read them, with no query to reach any."""
    with django_assert_num_queries(0):
        same_row(found, expected)
        same_row(found.client, expected.client)
        same_row(found.client.trainer, expected.client.trainer)
        same_row(found.client.studio, expected.client.studio)
        logo, wanted = StudioLogo.url_of(found.client.studio), StudioLogo.url_of(expected.client.studio)
        assert logo == wanted
        if wanted:
            same_row(found.client.studio.logo, expected.client.studio.logo)
            assert found.client.studio.logo.studio is found.client.studio
        for row in (found, found.client):
            assert (row.has_strength_plan, type(row.has_strength_plan)) == (expected.has_strength_plan, bool)


def test_her_link_written_out_is_what_the_orm_reads(owner, stranger, today, django_assert_num_queries):
    bare = make_client(owner, name="Bea Bare")  # no assessment, no logo, no strength plan
    full = make_client(stranger, name="Fay Full", email="fay@example.com", goal="A 5k by summer")
    make_assessment(full)
    StudioLogo.objects.create(studio=stranger.studio, data=b"\x89PNG\r\n\x1a\n\x00\xff", content_type="image/png")
    items = [(e, e.dose, e.serves.startswith("pelvic_floor")) for e in Exercise.objects.filter(
        trainer=None, serves__in=["strength.calf_raise", "pelvic_floor.long_holds"])]
    StrengthPlan.assign(client=full, items=items, start_date=today - timedelta(days=10), by=stranger)
    _, bare_token = ShareLink.issue(bare, owner)
    _, full_token = ShareLink.issue(full, stranger, expires_on=today)  # expiring today: still usable
    for token, client in ((bare_token, bare), (full_token, full)):
        expected = orm_link(token)
        found = read_once(token, django_assert_num_queries)
        assert found.client.pk == expected.client.pk == client.pk  # each link, its own client only
        assert_same(found, expected, django_assert_num_queries)
    assert not link_for_page(bare_token).has_strength_plan and link_for_page(full_token).has_strength_plan
    assert StudioLogo.url_of(link_for_page(full_token).client.studio).startswith("data:image/png;base64,")


def refused_alike(token, django_assert_num_queries):
    """Neither read finds it."""
    assert orm_link(token) is None
    with django_assert_num_queries(1 if token and len(token) <= 100 else 0):
        assert link_for_page(token) is None


def test_every_link_the_orm_refuses_the_written_read_refuses(owner, today, django_assert_num_queries):
    client = make_client(owner)
    make_assessment(client)
    link, token = ShareLink.issue(client, owner)
    assert link_for_page(token).pk == link.pk
    for unknown in ("x" * 43, token[:-1], token + "x", token.upper(), hash_token(token)):
        refused_alike(unknown, django_assert_num_queries)
    for beyond in ("", None, "x" * 101, token * 3):  # no query for a token no link can have
        refused_alike(beyond, django_assert_num_queries)
    ShareLink.objects.filter(pk=link.pk).update(expires_on=today - timedelta(days=1))
    refused_alike(token, django_assert_num_queries)
    ShareLink.objects.filter(pk=link.pk).update(expires_on=today + timedelta(days=1))
    assert link_for_page(token) is not None
    ShareLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    refused_alike(token, django_assert_num_queries)
    old_token = token
    _, link_token = ShareLink.issue(client, owner)  # a new link: the old one stays revoked
    assert link_for_page(link_token) is not None
    refused_alike(old_token, django_assert_num_queries)
    Client.objects.filter(pk=client.pk).update(archived_at=timezone.now())
    refused_alike(link_token, django_assert_num_queries)
    Client.objects.filter(pk=client.pk).update(archived_at=None, consent_withdrawn_at=timezone.now())
    refused_alike(link_token, django_assert_num_queries)
    Client.objects.filter(pk=client.pk).update(consent_withdrawn_at=None, consent_recorded_at=None)
    refused_alike(link_token, django_assert_num_queries)
    Client.objects.filter(pk=client.pk).update(consent_recorded_at=timezone.now())
    assert link_for_page(link_token) is not None
    erase_client(Client.objects.get(pk=client.pk))
    refused_alike(link_token, django_assert_num_queries)


def test_her_page_refuses_each_unusable_link_with_the_one_404_and_throttles_guessing(owner, anon_http, today):
    """Through her page: a revoked, an expired, an archived client's, a withdrawn consent's, an erased
    client's and an unknown link all get the very same 404 (a link's existence cannot be probed), and
    an address that keeps guessing is told to wait while a real link still works from it."""
    def page(token):
        return anon_http.get(reverse("reports:progress", args=[token]))

    def issued(name, **fields):
        client = make_client(owner, name=name, **fields)
        make_assessment(client)
        return client, ShareLink.issue(client, owner)[1]

    strip = lambda response: re.sub(r"nonce-[^'\"]+|nonce=\"[^\"]+\"", "", response.content.decode())  # noqa: E731
    revoked, revoked_token = issued("Rita Revoked")
    revoked.share_links.revoke()
    _, expired_token = issued("Eve Expired")
    ShareLink.objects.filter(token_hash=hash_token(expired_token)).update(expires_on=today - timedelta(days=1))
    archived, archived_token = issued("Ada Archived")
    archived.archive()
    withdrawn, withdrawn_token = issued("Wendy Withdrawn")
    withdrawn.withdraw_consent()
    erased, erased_token = issued("Erin Erased")
    erase_client(Client.objects.get(pk=erased.pk))
    live, live_token = issued("Lena Live")
    refusals = [page(token) for token in ("x" * 43, revoked_token, expired_token, archived_token, withdrawn_token, erased_token)]
    assert {response.status_code for response in refusals} == {404}
    assert len({strip(response) for response in refusals}) == 1
    assert all("Lena" not in strip(response) for response in refusals)
    assert page(live_token).status_code == 200
    for _ in range(BAD_TOKEN_LIMIT - len(refusals)):
        assert page("wrong-token").status_code == 404
    throttled = page("wrong-again")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert page(revoked_token).status_code == 429  # a link that no longer works counts as a guess
    page_of_hers = page(live_token)
    assert page_of_hers.status_code == 200 and "Hello Lena" in page_of_hers.content.decode()


def test_her_page_reads_her_link_in_one_statement(owner, anon_http, today):
    """Her link, her row, her studio and its logo, her lead trainer and whether she has a strength plan:
    one statement, the first of her page's."""
    client = make_client(owner)
    make_assessment(client)
    _, token = ShareLink.issue(client, owner)
    with CaptureQueriesContext(connection) as captured:
        assert anon_http.get(reverse("reports:progress", args=[token])).status_code == 200
    first = captured.captured_queries[0]["sql"]
    assert hash_token(token) in first and "studiologo" in first and "strengthplan" in first
    assert not any(hash_token(token) in query["sql"] for query in captured.captured_queries[1:])


def test_the_written_conditions_name_every_column_usable_filters_on():
    """usable_sql() says usable()'s conditions again: a condition added to one and not the other
    (a new way for a link or her row to stop working) fails here, before any link shows too much."""
    from clients.models import usable_sql

    def columns(sql, link, client):
        """{(whose, column)} of each column a condition names."""
        whose = {link: "link", client: "her row"}
        return {(whose[table], column) for table, column in re.findall(r'"(\w+)"\."(\w+)"', sql)}

    compiled = str(ShareLink.objects.usable(timezone.localdate()).query)
    where = compiled[compiled.index(" WHERE "):compiled.index(" ORDER BY ")]
    assert columns(where, ShareLink._meta.db_table, Client._meta.db_table) == columns(usable_sql('"l"', '"c"'), "l", "c") == {
        ("link", "expires_on"), ("link", "revoked_at"), ("her row", "consent_recorded_at"),
        ("her row", "consent_withdrawn_at"), ("her row", "archived_at")}
