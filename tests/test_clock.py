"""The `midday` fixture (tests/conftest.py) that date-dependent test modules use: their own
fixtures already see today at noon, and the clock still runs, so writes keep their order."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.usefixtures("midday")


@pytest.fixture
def seen_by_a_fixture():
    return timezone.localtime()


def test_a_modules_fixtures_already_see_midday(seen_by_a_fixture):
    assert (seen_by_a_fixture.hour, seen_by_a_fixture.minute) == (12, 0)
    assert seen_by_a_fixture.date() == timezone.localdate()


def test_the_clock_runs_on_from_midday(midday):
    first = timezone.now()
    time.sleep(0.01)
    assert midday <= first < timezone.now() < midday + timedelta(minutes=5)
