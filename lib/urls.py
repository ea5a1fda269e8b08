"""Addresses for many rows of a page, each reversed once (issue 20: a page that reverses an
address per row spends a large part of its time in reverse())."""

from django.urls import reverse

ANY_PK = 9876543210  # stands for a row's id in an address reversed once


def addresses(name, *args):
    """reverse(name, args=[*args, pk]) for any pk, reversed once: call it for each row. For a page,
    not kept between requests (an address depends on the request's script prefix)."""
    head, tail = reverse(name, args=[*args, ANY_PK]).rsplit(str(ANY_PK), 1)
    return lambda pk: f"{head}{pk}{tail}"
