"""lib/pages.py counted_page: Paginator's answer, its count read in the page's own query."""

import pytest
from django.core.paginator import Paginator

from accounts.models import Trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven():
    for index in range(7):
        Trainer.objects.create_user(email=f"t{index}@example.com", password="x", full_name=f"Trainer {index}")
    return Trainer.objects.order_by("email")


@pytest.mark.parametrize("number", [None, "1", "2", "3", "4", "99", "0", "-1", "two", ""])
def test_a_counted_page_is_paginators_page_in_one_query(seven, number, django_assert_num_queries):
    from lib.pages import counted_page

    expected = Paginator(seven, 3).get_page(number)
    # In range: one query. Past the end: that query finds nothing, then Paginator counts and slices.
    with django_assert_num_queries(1 if number in (None, "1", "2", "3") else 3 if number in ("4", "99") else 2):
        page = counted_page(seven, 3, number)
        rows = [trainer.email for trainer in page.object_list]
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (expected.number, 7, 3)
    assert rows == [trainer.email for trainer in expected.object_list]
    assert page.has_next() == expected.has_next() and page.has_previous() == expected.has_previous()


def test_an_empty_queryset_has_one_empty_page(django_assert_num_queries):
    from lib.pages import counted_page

    page = counted_page(Trainer.objects.none(), 3, "1")
    assert (page.number, page.paginator.count, list(page.object_list)) == (1, 0, [])
