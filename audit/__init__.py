"""The access log: who looked at or changed what about a client, when, and from where.

Views call `audit.record(request, client, kind, obj)` (a trainer) or
`audit.record_link(request, client, kind, obj)` (her private link): one line each."""


def record(request, client, kind, obj=None, *, studio_id=None):
    from .log import record as _record

    return _record(request, client, kind, obj, studio_id=studio_id)


def record_view(request, client, kind, obj=None):
    """A page of her data was read: one line for a GET (or HEAD); a POST records what it changed,
    or, refused, nothing."""
    if request.method in ("GET", "HEAD"):
        return record(request, client, kind, obj)
    return None


def record_link(request, client, kind, obj=None):
    from .log import record_link as _record_link

    return _record_link(request, client, kind, obj)
