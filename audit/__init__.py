"""The access log: who looked at or changed what about a client, when, and from where.

Views call `audit.record(request, client, kind, obj)` (a trainer) or
`audit.record_link(request, client, kind, obj)` (her private link): one line each."""


def record(request, client, kind, obj=None):
    from .log import record as _record

    return _record(request, client, kind, obj)


def record_link(request, client, kind, obj=None):
    from .log import record_link as _record_link

    return _record_link(request, client, kind, obj)
