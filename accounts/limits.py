"""Cache-based rate limits for the pages that send email to any address typed in."""

import hashlib

from django.core.cache import cache

from config.http import client_address

WINDOW = 60 * 60  # seconds
PER_ADDRESS = 10  # sign-ups or reset requests from one visitor's address per WINDOW
PER_RECIPIENT = 3  # emails to one mailbox per WINDOW: nobody can flood someone's inbox


def _count(key, window):
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)
        return 1


def address_over_limit(request, scope, limit=PER_ADDRESS, window=WINDOW):
    """Counts this request; True once the visitor's trusted address has made more than `limit`."""
    return _count(f"rate:{scope}:{client_address(request)}", window) > limit


def recipient_over_limit(scope, email, limit=PER_RECIPIENT, window=WINDOW):
    """Counts an email to `email`; True once it has had `limit` in the window. The caller skips
    sending but answers as usual, so the limit reveals nothing about the address either."""
    mailbox = hashlib.sha256(email.lower().encode()).hexdigest()  # no address in cache keys
    return _count(f"rate:{scope}:mail:{mailbox}", window) > limit
