"""A page of a QuerySet counted in the same query as its rows: Django's Paginator asks for a
COUNT and then the page, which evaluates an expensive QuerySet (home's worklist) twice."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window


def counted_page(queryset, per_page, number):
    """get_page(number) of Paginator(queryset, per_page), its count read from a window over every
    row in the page's own query. A number past the end, or not a number, falls back to
    Paginator's answer (the last page, or the first), which counts on its own."""
    paginator = Paginator(queryset, per_page)
    try:
        number = int(number) if number is not None else 1
    except (TypeError, ValueError):
        return paginator.get_page(number)
    if number < 1:
        return paginator.get_page(number)
    bottom = (number - 1) * per_page
    rows = list(queryset.annotate(rows_in_all=Window(Count("pk")))[bottom:bottom + per_page])
    if not rows:
        return paginator.get_page(number)
    paginator.count = rows[0].rows_in_all  # Paginator.count is a cached_property: this is its value
    return Page(rows, number, paginator)
