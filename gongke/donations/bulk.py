"""The donations app's only hand-written SQL: inserting an import's checked rows in bulk.

Why not bulk_create: on 100,000 gifts and 217,000 ledger entries, building model instances and
preparing their values field by field took most of an import (bench/README.md, "Donations
import": ~0.4 ms a row; 40 s of CPU against 11 s here). The rows come already checked from the
one definition of a gift and its entries (services.gift_row, services.opening_entry_rows); this
module only writes them. Everything goes through Django's cursor, so query counting and the
SQL log see every statement.

    ids = insert(Gift, rows, ids=True)   # rows: [{attname: value}]; answers their new ids
    insert(Entry, entries)               # any iterable; the database numbers them
"""

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

# Rows per statement: SQLite executemany has no limit; PostgreSQL gets one array per column.
BATCH = 10_000


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a value of the field is handed to the driver, when it is not as it is (dates and
    times as the backend stores them; Django registers Decimal with SQLite itself)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField) and connection.vendor != "sqlite":
        digits, places = field.max_digits, field.decimal_places
        return lambda v: None if v is None else ops.adapt_decimalfield_value(v, digits, places)
    return None


@cache
def _columns(model: type[models.Model], vendor: str) -> list[tuple[models.Field, str, Any]]:
    """(field, database type, converter) of every concrete field but the id."""
    return [
        (f, f.db_type(connection) or "", _converter(f))
        for f in model._meta.concrete_fields
        if not f.primary_key
    ]


def take_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` new rows, taken before inserting so other rows can point at
    them. PostgreSQL hands them out from the sequence; SQLite transactions begin IMMEDIATE
    (settings), so inside one the ids after the current maximum are ours."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608 - our own table
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def insert(
    model: type[models.Model], rows: Iterable[dict[str, Any]], *, ids: bool = False
) -> list[int]:
    """Insert `rows` (attname -> value, every row with the same keys; a missing field takes its
    default, created_at now), a batch at a time so no second copy of them all is ever held.
    With ids=True `rows` must be a list: their ids are taken first and answered in order (the
    database numbers the others). Runs inside the caller's transaction."""
    assert connection.in_atomic_block, "bulk.insert runs inside the caller's transaction"
    taken = take_ids(model, len(rows)) if ids and isinstance(rows, list) else []
    now = timezone.now()
    columns = _columns(model, connection.vendor)
    names = (["id"] if ids else []) + [f.column for f, _t, _c in columns]
    types = (["bigint"] if ids else []) + [t for _f, t, _c in columns]
    rows = iter(rows)
    done = 0
    while batch := list(islice(rows, BATCH)):
        given = [f.attname for f, _t, _c in columns if f.attname in batch[0]]
        # Column by column, read in C: the rows' values for `given`, in that order.
        read = dict(zip(given, zip(*map(itemgetter(*given), batch), strict=True), strict=True))
        values: list[Sequence[Any]] = [taken[done : done + len(batch)]] if ids else []
        for field, _type, convert in columns:
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
                values.append([now if convert is None else convert(now)] * len(batch))
                continue
            column = read.get(field.attname)
            if column is None:
                if field.has_default() and callable(field.default):
                    column = [field.get_default() for _row in batch]
                else:
                    column = [field.get_default()] * len(batch)
            if convert is not None:
                # A few distinct dates among thousands of rows: each converted once.
                seen = {v: None if v is None else convert(v) for v in set(column)}
                column = [seen[v] for v in column]
            values.append(column)
        _write(model, names, types, values)
        done += len(batch)
    return taken


def _write(
    model: type[models.Model], names: list[str], types: list[str], values: list[Sequence[Any]]
) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    listed = ", ".join(quote(n) for n in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column: one statement per batch, parsed once by the server.
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"INSERT INTO {table} ({listed}) SELECT * FROM unnest({arrays})",  # noqa: S608 - our own tables
                [list(column) for column in values],
            )
            return
        marks = ", ".join(["%s"] * len(names))
        cursor.executemany(
            f"INSERT INTO {table} ({listed}) VALUES ({marks})",  # noqa: S608 - our own tables
            list(zip(*values, strict=True)),
        )
