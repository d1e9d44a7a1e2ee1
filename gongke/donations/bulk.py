"""The donations app's only hand-written SQL: inserting an import's checked rows in bulk.

Why not bulk_create: on 100,000 gifts and 217,000 ledger entries, building model instances and
preparing their values field by field took most of an import (bench/README.md, "Donations
import": ~0.4 ms a row; 40 s of CPU against 11 s here). The rows come already checked from the
one definition of a gift and its entries (services.gift_row, services.opening_entry_rows); this
module only writes them: executemany on Django's cursor (SQLite), binary COPY inside Django's
statement log (PostgreSQL), so query counting and the SQL log see every statement.

    ids = insert(Gift, rows, count=n)   # rows: n {attname: value}; answers their new ids
    insert(Entry, entries)              # the database numbers them
"""

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from functools import cache
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

# Rows per statement (a batch of rows is converted at a time).
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
def _columns(model: type[models.Model], vendor: str) -> list[tuple[models.Field, Any]]:
    """(field, converter) of every concrete field but the id."""
    return [(f, _converter(f)) for f in model._meta.concrete_fields if not f.primary_key]


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
    model: type[models.Model], rows: Iterable[dict[str, Any]], *, count: int | None = None
) -> list[int]:
    """Insert `rows` (attname -> value, every row with the same keys; a missing field takes its
    default, created_at now), a batch at a time so no second copy of them all is ever held.
    Given how many rows come (`count`), their ids are taken first and answered in order;
    otherwise the database numbers them. Runs inside the caller's transaction."""
    assert connection.in_atomic_block, "bulk.insert runs inside the caller's transaction"
    ids = count is not None
    taken = take_ids(model, count) if count is not None else []
    now = timezone.now()
    columns = _columns(model, connection.vendor)
    names = (["id"] if ids else []) + [f.column for f, _c in columns]
    write = _copier(model, names) if connection.vendor == "postgresql" else _inserter(model, names)
    rows = iter(rows)
    done = 0
    while batch := list(islice(rows, BATCH)):
        given = [f.attname for f, _c in columns if f.attname in batch[0]]
        # Column by column, read in C: the rows' values for `given`, in that order.
        read = dict(zip(given, zip(*map(itemgetter(*given), batch), strict=True), strict=True))
        values: list[Sequence[Any]] = [taken[done : done + len(batch)]] if ids else []
        for field, convert in columns:
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
                values.append([now if convert is None else convert(now)] * len(batch))
                continue
            column: Sequence[Any] | None = read.get(field.attname)
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
        write(values)
        done += len(batch)
    return taken


def _inserter(model: type[models.Model], names: list[str]) -> Callable[[list[Sequence[Any]]], None]:
    quote = connection.ops.quote_name
    listed = ", ".join(quote(n) for n in names)
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({listed}) VALUES ({marks})"  # noqa: S608 - our own tables

    def write(values: list[Sequence[Any]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(zip(*values, strict=True)))

    return write


def _copier(model: type[models.Model], names: list[str]) -> Callable[[list[Sequence[Any]]], None]:
    """PostgreSQL: binary COPY (no number or date written out as text and parsed back: an
    INSERT of one array per column cost 3x the CPU on both sides, bench/README.md). Django's
    cursor has no COPY, so it goes through the driver's inside Django's own statement log:
    query counting (assertNumQueries, CaptureQueriesContext) and the SQL log see it like any
    other statement."""
    quote = connection.ops.quote_name
    listed = ", ".join(quote(n) for n in names)
    sql = f"COPY {quote(model._meta.db_table)} ({listed}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0",
            [model._meta.db_table],
        )
        kinds = dict(cursor.fetchall())

    def write(values: list[Sequence[Any]]) -> None:
        with connection.cursor() as cursor:
            logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else nullcontext()
            with logged, cursor.cursor.copy(sql) as copy:
                copy.set_types([kinds[n] for n in names])
                for row in zip(*values, strict=True):
                    copy.write_row(row)

    return write
