"""Secrets that travel in URLs never reach a log: private links, password-reset and sign-up links."""

import logging
import re
from collections.abc import Mapping

# /p/<token>/… is her private link; /reset/<uidb64>/<token>/ a password reset (its
# set-password step holds no secret); /signup/<token>/ confirms a sign-up; /invitation/<token>/
# is an owner's invitation to her studio.
SECRET_PATHS = [
    (re.compile(r"/p/[^/\s?#\"']+"), "/p/[redacted]"),
    (re.compile(r"/reset/[^/\s?#\"']+/(?!set-password/)[^/\s?#\"']+"), "/reset/[redacted]/[redacted]"),
    (re.compile(r"/signup/(?!done/)[^/\s?#\"']+"), "/signup/[redacted]"),
    (re.compile(r"/invitation/[^/\s?#\"']+"), "/invitation/[redacted]"),
]


def redact(value):
    """The text with every secret path segment replaced; anything that is not text unchanged."""
    if not isinstance(value, str):
        return value
    for pattern, replacement in SECRET_PATHS:
        value = pattern.sub(replacement, value)
    return value


def redact_args(args):
    if isinstance(args, Mapping):
        return type(args)({key: redact(value) for key, value in args.items()})
    if isinstance(args, tuple):
        return tuple(redact(arg) for arg in args)
    return redact(args)


class RedactPrivateLinks(logging.Filter):
    """Only a hash of each private link is stored; the logs must not keep the link either.
    Attached to every handler (a logger's own filters miss records propagated from below)."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            record.args = redact_args(record.args)
        return True
