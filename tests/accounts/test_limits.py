"""accounts.limits.hit: the one rate-limit helper (sign-up and reset emails, her link's bad tokens
and posts), counted in the database. The views' limits are tested with their views
(tests/config/test_hardening.py, tests/reports/test_reports.py, tests/reports/test_her_logging.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.limits import forget, hit
from accounts.models import RateCount

pytestmark = pytest.mark.django_db


def test_the_hits_up_to_the_limit_pass_and_the_next_is_told_how_long_to_wait():
    assert [hit("test:a", 3, 600) for _ in range(3)] == [None, None, None]
    assert 599 <= hit("test:a", 3, 600) <= 600
    assert RateCount.objects.get(name="test:a").hits == 4


def test_a_refused_hit_counts_but_never_moves_the_end_of_the_window():
    hit("test:a", 1, 600)
    ends = RateCount.objects.get(name="test:a").resets_at
    for _ in range(3):
        assert hit("test:a", 1, 600)
    assert RateCount.objects.get(name="test:a").resets_at == ends


def test_the_wait_is_what_is_left_of_the_window_and_never_less_than_a_second():
    hit("test:a", 0, 600)
    RateCount.objects.filter(name="test:a").update(resets_at=timezone.now() + timedelta(seconds=90.2))
    assert hit("test:a", 0, 600) == 91
    RateCount.objects.filter(name="test:a").update(resets_at=timezone.now() + timedelta(milliseconds=300))
    assert hit("test:a", 0, 600) == 1


def test_an_ended_window_starts_again_from_one_hit():
    for _ in range(5):
        hit("test:a", 2, 600)
    RateCount.objects.filter(name="test:a").update(resets_at=timezone.now() - timedelta(seconds=1))
    assert hit("test:a", 2, 600) is None
    counter = RateCount.objects.get(name="test:a")
    assert counter.hits == 1 and counter.resets_at > timezone.now() + timedelta(seconds=590)


def test_each_name_counts_on_its_own_and_can_be_forgotten():
    hit("test:a", 1, 600)
    assert hit("test:a", 1, 600) and hit("test:b", 1, 600) is None
    forget(["test:a"])
    assert hit("test:a", 1, 600) is None


def test_a_name_longer_than_the_column_counts_by_its_first_200_characters():
    assert hit("x" * 250, 1, 600) is None
    assert hit("x" * 200 + "y" * 50, 1, 600)
