"""Small helpers for reading rows (issue 20: pages drawn fast without a cache)."""

import weakref

from django.db import DEFAULT_DB_ALIAS, connections


def only_row(queryset):
    """The row a unique condition selects (a link by its token's hash, her one current programme
    or strength plan, her one live link), or None. first() without its ORDER BY: for such a query
    it orders nothing, and compiling it cost more than running the query."""
    return next(iter(queryset.order_by()[:1]), None)


class Written:
    """A model's columns in a statement written out (where compiling the ORM's query was shown to
    cost more CPU than running it), and its rows built from them as the ORM builds them: each value
    through the converters Django's compiler applies to that column (JSON, SQLite's dates and times)."""

    def __init__(self, model, alias=None, only=None):
        """`alias`: the table's name in the statement; None: its own (as Django names the query's own
        table). `only`: these fields' columns alone (and its id), the rest deferred, as QuerySet.only()."""
        self.model, self.alias = model, alias or f'"{model._meta.db_table}"'
        self.fields = [field for field in model._meta.concrete_fields
                       if only is None or field.primary_key or field.name in only or field.attname in only]
        self.names = [field.attname for field in self.fields]
        self.pk_position = self.names.index(model._meta.pk.attname)
        self.columns = ", ".join(f'{self.alias}."{field.column}"' for field in self.fields)
        self.table = f'"{model._meta.db_table}" {alias}' if alias else self.alias
        self._converters = weakref.WeakKeyDictionary()  # a connection's, while it is open

    def __len__(self):
        return len(self.fields)

    def converters(self, connection):
        """[(position, converters, column)] as SQLCompiler.get_converters() finds them, once a connection."""
        found = self._converters.get(connection)
        if found is None:
            found = []
            for position, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if converters:
                    found.append((position, converters, column))
            self._converters[connection] = found
        return found

    def build(self, values, connection):
        """The model instance of one row's values (this model's columns, in order), as from_db() makes it."""
        values = list(values)
        for position, converters, column in self.converters(connection):
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        return self.model.from_db(connection.alias, self.names, values)


def split(row, *parts, connection):
    """One row of a written-out statement as its `parts` (Written, in the order their columns stand
    in it) read it, each built, and the values after theirs: [instance, …, (value, …)]. A part whose
    id is NULL (a LEFT OUTER JOIN that found no row) is None, as select_related() leaves it."""
    built, start = [], 0
    for part in parts:
        end = start + len(part)
        built.append(None if row[start + part.pk_position] is None else part.build(row[start:end], connection))
        start = end
    built.append(row[start:])
    return built


def read(sql, params, *parts, using=None):
    """Every row of a written-out statement, each split() across `parts`: one query."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [split(row, *parts, connection=connection) for row in cursor.fetchall()]


def read_one(sql, params, *parts, using=None):
    """read()'s row of a statement that selects one at the most (a unique condition, or LIMIT 1), or None."""
    return next(iter(read(sql, params, *parts, using=using)), None)


def converted(expression, value, connection):
    """A written-out statement's value of an annotation `expression` (RawSQL with its output_field) as
    the ORM reads it: through the converters Django's compiler applies to it (SQLite's booleans, dates)."""
    for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
        value = converter(value, expression, connection)
    return value


def prefetched(instance, name, rows):
    """What prefetch_related(name) leaves on `instance` (Django's prefetch_one_level): its related
    manager `name` answers .all() from `rows` without a query. For rows read by a written-out
    statement, or none (prefetching from an empty QuerySet still runs the prefetch machinery).
    The QuerySet kept is the manager's own (its model's QuerySet class, filtered to `instance`), as
    Django's prefetch keeps it: anything asked of it beyond .all() (.filter(), .count(),
    .delete() …) is asked of her rows alone, never of the whole table."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache_name = getattr(type(instance), name).rel.cache_name
    cache.pop(cache_name, None)  # the manager's queryset, not an earlier prefetch's
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    cache[cache_name] = queryset
    return instance


def is_prefetched(instance, name):
    """Whether `instance`'s related manager `name` answers from a prefetch (prefetch_related(name), prefetched())."""
    return getattr(type(instance), name).rel.cache_name in getattr(instance, "_prefetched_objects_cache", ())


def fits(field, value, connection):
    """Whether the integer `value` fits `field`'s column, as the ORM's lookups check (IntegerFieldOverflow):
    an id from an address beyond its range names no row. The ORM answers such a lookup with no
    rows and no query; a written-out statement given it fails (SQLite cannot bind it)."""
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)
