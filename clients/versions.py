"""Her data version: one number on her Client row that every change to her data moves on, and
the signal that goes with it (`data_changed`), so her latest report's stamp moves on
(reports/pdf.py report_stamps) and her reports are drawn again (reports/drawing.py) after any
change of hers, and nothing new can be forgotten. Pages read her data as it is, not this number.

The models that hold her data are found by introspection, not listed: every model with a
path of foreign keys (or a one-to-one back from her programme to her own copy of the plan) to
Client. Their saves and deletions bump her version through signals, and their QuerySets'
update(), bulk_create() and bulk_update() bump it too (VersionedQuerySet), so no write of her
data escapes. tests/clients/test_versions.py walks the same models and fails if one does not bump.

The bump is an UPDATE … SET data_version = data_version + 1 issued after the write, in the
same transaction: a reader who sees the new version also sees the new data. An operation that
writes several rows of hers (a session log writes the log, the programme, the history …) runs
inside `operation()`: its writes are one transaction, and her row is written once, at its end,
with the version moved on once and whatever else her row takes from the operation (the time of
her latest activity, her derived state: Client.refresh_derived()). Outside an operation each
write bumps at once, so a write in the shell or a data migration is never missed.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_delete
from django.dispatch import Signal

# Sent with `client_ids` whenever their versions move on (inside the transaction): whatever is
# drawn from her data (her reports, reports/drawing.py) is drawn again from here, once per
# operation, whichever of her rows it wrote, a bulk update included.
data_changed = Signal()
# Sent with `clients`, [(client id, her latest assessment or None)], and `red_flags`, {client id:
# her open red flags as JSON}, at the end of each operation that wrote their assessments, profile
# or programme, before their rows are written: each receiver returns {client id: {field: value}}
# of what their rows keep for an app above this one (home's worklist, practice/attention.py).
deriving = Signal()


def derived_for(clients, using=None, red_flags=None):
    """{client id: {field: value}} the apps above keep on these clients' rows (`deriving`)."""
    found = {pk: {} for pk, _ in clients}
    for _, derived in deriving.send(sender=None, clients=clients, using=using, red_flags=red_flags or {}):
        for pk, fields in derived.items():
            found[pk].update(fields)
    return found

# Models that refer to her but whose rows are not her data as any page shows it, with why.
NOT_VERSIONED = {
    # Every read of her record writes one; no report shows the log, and her page's "last opened
    # her link" is read from it each time the page is drawn.
    "audit.AccessEvent": "the access log records reads of her data; bumping on it would bump on every read",
    # A drawn PDF of what her data shows, keyed by that (reports/pdf.py report_key): storing one
    # changes nothing any page shows, and bumping on it would make the pages of her redraw.
    "reports.DrawnReport": "a stored drawing of her report, keyed by what it shows; storing one changes no page",
    # Written by the hourly scheduler as it claims each reminder email; no page shows them.
    "reports.Reminder": "a record that a reminder email was claimed and sent; it changes no page",
}


def _edges(model):
    """Relations from `model` that lead to one row: forward foreign keys and one-to-ones, and
    a one-to-one pointing at it (her programme's own copy of a plan)."""
    for field in model._meta.get_fields():
        if field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model is not None:
            yield field.name, field.related_model


@cache  # asked on every save, update and deletion of her rows; models do not change while running
def client_path(model):
    """The ORM lookup from `model` to its Client id ("pk" for Client itself), or None."""
    from .models import Client

    if model is Client:
        return "pk"
    paths = {model: ""}
    frontier = [model]
    for _ in range(4):  # PlanBlock → session → plan → programme → client is the deepest
        following = []
        for current in frontier:
            for name, related in _edges(current):
                if related is Client:
                    return f"{paths[current]}{name}"
                if related not in paths and related._meta.app_label in {"clients", "assessments", "programmes"}:
                    paths[related] = f"{paths[current]}{name}__"
                    following.append(related)
        frontier = following
    return None


def versioned_models():
    """Every model whose rows are her data: it has a path to Client and is not NOT_VERSIONED."""
    return [model for model in apps.get_models()
            if model._meta.label not in NOT_VERSIONED and client_path(model) is not None]


@dataclass
class Derive:
    """What of her derived state (Client.derived_fields) an operation's writes can have moved, so
    what is worked out again at its end: her programmes' stored state (`programmes`), from a replay
    of their logs (`replay`) or only their hold by the rule for who may run; her open red flags
    (`red_flags`), else her row's hold; which assessment is her latest (`latest`), else her row's
    names it; `assessment`: an assessment of hers as the operation left it (read instead of again).
    Several writes of one operation ask for the union."""

    programmes: bool = True
    replay: bool = True
    red_flags: bool = True
    latest: bool = True
    assessment: object = None

    def join(self, other):
        self.programmes, self.replay = self.programmes or other.programmes, self.replay or other.replay
        self.red_flags, self.latest = self.red_flags or other.red_flags, self.latest or other.latest
        if other.assessment is not None:
            self.assessment = other.assessment


class Pending:
    """What an operation has changed of hers so far: for each client, the fields her row takes
    at its end, and the clients whose derived state (Client.refresh_derived) is to be worked
    out then, with what of it can have moved (Derive)."""

    def __init__(self, using):
        self.using, self.rows, self.derive = using, {}, {}  # derive: client id → Derive


_pending = ContextVar("pending_client_writes", default=None)


@contextmanager
def operation(using=None):
    """One operation on her data: a transaction whose bumps of her version wait for its end,
    where each client it wrote has her derived state worked out and her row written once,
    with the version moved on once. Nested operations are part of the outermost: in its
    transaction, without a savepoint of their own (a write whose failure is answered otherwise
    takes its own atomic block, as a log's insert does)."""
    if _pending.get() is not None:
        yield
        return
    with transaction.atomic(using=using):
        pending = Pending(using)
        token = _pending.set(pending)
        try:
            yield
            flush(pending)
        finally:
            _pending.reset(token)


def flush(pending):
    from .models import Client

    for pk, how in sorted(pending.derive.items()):
        pending.rows.setdefault(pk, {}).update(Client.derived_fields(pk, pending.using, how))
    for pk in sorted(pending.rows):
        Client._base_manager.using(pending.using).filter(pk=pk).update(
            data_version=F("data_version") + 1, **pending.rows[pk])
    if pending.rows:
        data_changed.send(sender=Client, client_ids=sorted(pending.rows), using=pending.using)


def bump(client_ids, using=None, **fields):
    """Move these clients' version on (and set `fields` on their rows): at the end of the
    operation under way, or now."""
    from .models import Client

    client_ids = {pk for pk in client_ids if pk is not None}
    if not client_ids:
        return
    if (pending := _pending.get()) is not None:
        for pk in client_ids:
            pending.rows.setdefault(pk, {}).update(fields)
        return
    with transaction.atomic(using=using, savepoint=False):
        Client._base_manager.using(using).filter(pk__in=client_ids).update(data_version=F("data_version") + 1, **fields)
        data_changed.send(sender=Client, client_ids=sorted(client_ids), using=using)


def derive(client_id, using=None, programmes=True, **moved):
    """Her derived state (Client.derived_fields) is to be worked out, her programmes' stored state
    too unless only they changed (their operations refresh it themselves): at the end of the
    operation under way, once however many of its writes ask, or now. `moved`: what else of it a
    write can have moved (Derive: replay, red_flags, latest, assessment); everything unless it says."""
    how = Derive(programmes=programmes, **moved)
    if (pending := _pending.get()) is not None:
        if client_id in pending.derive:
            pending.derive[client_id].join(how)
        else:
            pending.derive[client_id] = how
        return
    with operation(using):
        derive(client_id, using, programmes, **moved)


def loaded_client_id(obj, path):
    """Her id read from the objects already loaded along `path` (a session log's programme, an
    assessment change's assessment), or None when one of them is not loaded."""
    *steps, last = path.split("__")
    for step in steps:
        field = obj._meta.get_field(step)
        if not field.is_cached(obj):
            return None
        obj = getattr(obj, step)
        if obj is None:
            return None
    return getattr(obj, obj._meta.get_field(last).attname)


def client_ids_of(model, objs, using=None):
    path = client_path(model)
    if path == "pk":
        return {obj.pk for obj in objs}
    found, unknown = set(), []
    for obj in objs:  # no query where the path is loaded already
        if (client_id := loaded_client_id(obj, path)) is not None:
            found.add(client_id)
        elif obj.pk is not None:
            unknown.append(obj.pk)
    if unknown:
        found |= set(model._base_manager.using(using).filter(pk__in=unknown).values_list(path, flat=True))
    return found


class VersionedQuerySet(models.QuerySet):
    """Bulk writes bump the version of every client whose rows they touch."""

    def update(self, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            # Before the update: it may change which rows the filter matches.
            client_ids = set(self.values_list(client_path(self.model), flat=True).order_by())
            rows = super().update(**kwargs)
            bump(client_ids, self.db)
        return rows

    update.alters_data = True  # type: ignore[attr-defined]  # Django's marker on a method; mypy has no function attributes

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            bump(client_ids_of(self.model, created, self.db), self.db)
        return created

    def bulk_update(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            # Through a plain QuerySet: its update() inside would look up the same clients again.
            rows = models.QuerySet(self.model, using=self.db).bulk_update(objs, *args, **kwargs)
            bump(client_ids_of(self.model, objs, self.db), self.db)
        return rows


def _saved(sender, instance, raw=False, using=None, **kwargs):
    if not raw:  # loaddata: fixtures carry their own version
        bump(client_ids_of(sender, [instance], using), using)


def _deleting(sender, instance, using=None, **kwargs):
    # Before the row goes, while the path to her still resolves; Django deletes in a transaction.
    bump(client_ids_of(sender, [instance], using), using)


def connect():
    for model in versioned_models():
        post_save.connect(_saved, sender=model, dispatch_uid=f"client-version-save-{model._meta.label}")
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"client-version-delete-{model._meta.label}")
