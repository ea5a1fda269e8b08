"""Rate limits: the one helper every limit uses, `hit` (sign-up and password-reset emails here, the
private link's bad tokens and posts in reports/views.py), counting in the database (RateCount) so a
cache outage or eviction can never lift a limit, and so every app server counts together."""

import hashlib
import math
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from lib.http import client_address

from .models import RateCount

WINDOW = 60 * 60  # seconds
PER_ADDRESS = 10  # sign-ups or reset requests from one visitor's address per WINDOW
PER_RECIPIENT = 3  # emails to one mailbox per WINDOW: nobody can flood someone's inbox


def hit(name: str, limit: int, window: int) -> int | None:
    """Counts one hit of `name`, in a window of `window` seconds from its first hit. None while the
    window has had at most `limit` hits; past that, the whole seconds until the window ends (the
    answer's Retry-After). Every hit counts, a refused one too, and none moves the window's end."""
    if _count(name, window) <= limit:
        return None
    resets_at = RateCount.objects.filter(name=name[:200]).values_list("resets_at", flat=True).first()
    return max(1, math.ceil((resets_at - timezone.now()).total_seconds())) if resets_at else 1


def _count(name: str, window: int) -> int:
    """Count one hit of `name`; returns the hits so far in its window. One statement (an upsert),
    so concurrent hits all count and none can slip between a read and a write."""
    now = timezone.now()
    table, column = RateCount._meta.db_table, connection.ops.quote_name
    fresh, current = (connection.ops.adapt_datetimefield_value(value) for value in (now + timedelta(seconds=window), now))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({column('name')}, hits, resets_at) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({column('name')}) DO UPDATE SET "
            f"hits = CASE WHEN {table}.resets_at <= %s THEN 1 ELSE {table}.hits + 1 END, "
            f"resets_at = CASE WHEN {table}.resets_at <= %s THEN excluded.resets_at ELSE {table}.resets_at END "
            f"RETURNING hits",
            [name[:200], fresh, current, current],
        )
        return cursor.fetchone()[0]


def forget(names):
    """Drop these counters (her erasure: a counter named after her link)."""
    RateCount.objects.filter(name__in=[name[:200] for name in names]).delete()


def expired():
    return RateCount.objects.filter(resets_at__lte=timezone.now())


def address_over_limit(request, scope, limit=PER_ADDRESS, window=WINDOW):
    """Counts this request; True once the visitor's trusted address has made more than `limit`."""
    return hit(f"rate:{scope}:{client_address(request)}", limit, window) is not None


def recipient_over_limit(scope, email, limit=PER_RECIPIENT, window=WINDOW):
    """Counts an email to `email`; True once it has had `limit` in the window. The caller skips
    sending but answers as usual, so the limit reveals nothing about the address either."""
    mailbox = hashlib.sha256(email.lower().encode()).hexdigest()  # no address in the counter's name
    return hit(f"rate:{scope}:mail:{mailbox}", limit, window) is not None
