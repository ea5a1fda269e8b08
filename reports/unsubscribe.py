"""One-click unsubscribe from reminder emails without signing in (RFC 8058): a signed token
names whose emails stop (hers, or a trainer's digest). Signed, not stored: it needs no table and
cannot be guessed; it does not expire, so an old email's link still works."""

from django.core import signing
from django.urls import reverse

SALT = "restride.reminders.unsubscribe"


def token_for(*, client=None, trainer=None):
    who = {"c": client.pk} if client is not None else {"t": trainer.pk}
    return signing.dumps(who, salt=SALT, compress=True)


def read(token):
    """{"c": client pk} or {"t": trainer pk}; None for a token that is not ours."""
    try:
        who = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return who if isinstance(who, dict) and set(who) in ({"c"}, {"t"}) and isinstance(next(iter(who.values())), int) else None


def path_for(**who):
    return reverse("reports:unsubscribe", args=[token_for(**who)])
