"""Her data version: one number on her Client row that every change to her data moves on, so
her report, her progress page and the trainer's pages of her can be cached by it and nothing
new can be forgotten.

The models that hold her data are found by introspection, not listed: every model with a
path of foreign keys (or a one-to-one back from her programme to her own copy of the plan) to
Client. Their saves and deletions bump her version through signals, and their QuerySets'
update(), bulk_create() and bulk_update() bump it too (VersionedQuerySet), so no write of her
data escapes. tests/clients/test_versions.py walks the same models and fails if one does not bump.

The bump is an UPDATE … SET data_version = data_version + 1 issued after the write, in the
same transaction when there is one: a reader who sees the new version also sees the new data.
"""

from functools import cache

from django.apps import apps
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_delete

# Models that refer to her but whose rows are not her data as any page shows it, with why.
NOT_VERSIONED = {
    # Every read of her record writes one; nothing cached from her version shows the log
    # (her page's "last opened her link" is read fresh each time).
    "audit.AccessEvent": "the access log records reads of her data; bumping on it would bump on every read",
    # A drawn PDF of what her data shows, keyed by that (reports/pdf.py report_key): storing one
    # changes nothing any page shows, and bumping on it would make the pages of her redraw.
    "reports.DrawnReport": "a stored drawing of her report, keyed by what it shows; storing one changes no page",
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


def bump(client_ids, using=None):
    from .models import Client

    client_ids = {pk for pk in client_ids if pk is not None}
    if client_ids:
        Client._base_manager.using(using).filter(pk__in=client_ids).update(data_version=F("data_version") + 1)


def client_ids_of(model, objs, using=None):
    path = client_path(model)
    if path == "pk":
        return {obj.pk for obj in objs}
    field = model._meta.get_field(path) if "__" not in path else None
    if field is not None:  # a direct foreign key: no query
        return {getattr(obj, field.attname) for obj in objs}
    pks = [obj.pk for obj in objs if obj.pk is not None]
    return set(model._base_manager.using(using).filter(pk__in=pks).values_list(path, flat=True)) if pks else set()


class VersionedQuerySet(models.QuerySet):
    """Bulk writes bump the version of every client whose rows they touch."""

    def update(self, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            # Before the update: it may change which rows the filter matches.
            client_ids = set(self.values_list(client_path(self.model), flat=True).order_by())
            rows = super().update(**kwargs)
            bump(client_ids, self.db)
        return rows

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            bump(client_ids_of(self.model, created, self.db), self.db)
        return created

    def bulk_update(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            rows = super().bulk_update(objs, *args, **kwargs)
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
