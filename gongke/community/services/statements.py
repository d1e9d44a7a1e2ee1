"""The hand-written statements of 包保小区: storing passages exactly once by client id, and
the few reads and writes a single passage makes beside it.

Why not the ORM (bench/README.md, "Community duty", second pass): exactly once in one statement
needs `INSERT … ON CONFLICT (client_id) DO NOTHING RETURNING`, which bulk_create cannot say
(ignore_conflicts hands back no ids; update_conflicts hands back the ids of rows it did not
insert, so a repeat could not be told from a new passage without a SELECT first); and on
PostgreSQL a passage's statement is bound on the server and prepared once per connection
(Django binds on the client: each passage arrived as new literal text, parsed and planned every
time; preparing it alone took the single-passage ratio from 0.40 to 0.66 of the floor).

Everything runs through a Django cursor wrapper, so CaptureQueriesContext and
django-debug-toolbar see these statements like any other query.
"""

import functools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.utils import CursorWrapper

from gongke.census.models import Household, Resident
from gongke.registry.models import Place, PlaceKind

from ..models import Outing, Passage

_COLUMNS = [f for f in Passage._meta.concrete_fields if not f.primary_key]
# SQLite's limit on bound variables is 32,766; a chunk of rows stays well under it.
_SQLITE_CHUNK = 500


@contextmanager
def _cursor(conn: Any) -> Iterator[CursorWrapper]:
    """Django's cursor; on PostgreSQL one that binds on the server, so that psycopg prepares a
    statement run often (prepare_threshold in settings.DATABASES)."""
    if conn.vendor != "postgresql":
        with conn.cursor() as cursor:
            yield cursor
        return
    # django-stubs lacks ServerBindingCursor (Django 5.0+, present at runtime).
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    conn.ensure_connection()
    raw = ServerBindingCursor(conn.connection)
    cursor = conn.make_debug_cursor(raw) if conn.queries_logged else conn.make_cursor(raw)
    with cursor:
        yield cursor


# Values build_passage made that every driver takes as they are (str, int, None: what
# get_db_prep_save would hand over too); psycopg also adapts UUIDs, decimals and aware datetimes
# itself, sqlite3 needs Django's conversion for those. A batch of 2,000 passages has 38,000 values.
_AS_IS = (models.CharField, models.IntegerField, models.ForeignKey)


def _values(rows: list[Passage], conn: Any) -> list[list[Any]]:
    """Each row's column values as the database takes them (what bulk_create would send)."""
    if conn.vendor == "postgresql":
        return [[getattr(p, f.attname) for f in _COLUMNS] for p in rows]
    prep = [None if isinstance(f, _AS_IS) else f for f in _COLUMNS]
    return [
        [
            value if f is None or value is None else f.get_db_prep_save(value, conn)
            for f, value in zip(prep, (getattr(p, c.attname) for c in _COLUMNS), strict=True)
        ]
        for p in rows
    ]


def _client_id(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


@functools.cache
def _insert_sql(vendor: str, form: str) -> str:
    """The insert's text for one database and form ("one": a row of values; "arrays": one array
    per column; "values:N": N rows of values), built once per process: asking each field for
    its column type took 0.8 ms of a passage."""
    conn = connections[DEFAULT_DB_ALIAS]
    q = conn.ops.quote_name
    head = f"INSERT INTO {q(Passage._meta.db_table)} ({', '.join(q(f.column) for f in _COLUMNS)})"
    tail = f"ON CONFLICT ({q('client_id')}) DO NOTHING RETURNING {q('client_id')}, {q('id')}"
    marks = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    if form == "arrays":
        arrays = ", ".join(f"%s::{f.db_type(conn)}[]" for f in _COLUMNS)
        return f"{head} SELECT * FROM unnest({arrays}) {tail}"
    count = 1 if form == "one" else int(form.split(":")[1])
    return f"{head} VALUES {', '.join([marks] * count)} {tail}"


def insert_new(rows: list[Passage]) -> dict[uuid.UUID, int]:
    """Inserts the rows whose client id is not stored yet; answers {client id: id} for those it
    inserted (a client id missing from the answer was stored before). Sets each inserted row's
    pk. recorded_at must be set (auto_now_add is the ORM's, not the statement's)."""
    if not rows:
        return {}
    conn = connections[DEFAULT_DB_ALIAS]
    inserted: dict[uuid.UUID, int] = {}
    with _cursor(conn) as cursor:
        if conn.vendor == "postgresql" and len(rows) > 1:
            # One text whatever the number of rows (one array per column): prepared once.
            values = _values(rows, conn)
            params = [[row[i] for row in values] for i in range(len(_COLUMNS))]
            cursor.execute(_insert_sql(conn.vendor, "arrays"), params)
            inserted.update((_client_id(c), pk) for c, pk in cursor.fetchall())
        elif conn.vendor == "postgresql":
            # A single passage (the guard's): a plain row, without dumping twenty arrays.
            cursor.execute(_insert_sql(conn.vendor, "one"), _values(rows, conn)[0])
            inserted.update((_client_id(c), pk) for c, pk in cursor.fetchall())
        else:
            for start in range(0, len(rows), _SQLITE_CHUNK):
                chunk = _values(rows[start : start + _SQLITE_CHUNK], conn)
                cursor.execute(
                    _insert_sql(conn.vendor, f"values:{len(chunk)}"),
                    [v for row in chunk for v in row],
                )
                inserted.update((_client_id(c), pk) for c, pk in cursor.fetchall())
    for p in rows:
        if p.client_id in inserted:
            p.pk = inserted[p.client_id]
            p._state.adding, p._state.db = False, conn.alias
    return inserted


# --- One passage ------------------------------------------------------------------------------
# Why (bench/README.md, "Issue 9, after"): a guard's passage is one small request, and building
# the ORM's queries for it (the post, the resident's name, the outing) cost more CPU than running
# them: 1.9 ms of a 6 ms request for the post alone.

# What the passage path reads of a post (the other columns are deferred: read if ever asked for).
_POST_FIELDS = ["id", "kind", "name", "organization_id", "parent_id"]


def post_for_passage(pk: Any, resident_id: int | None) -> Place | None:
    """The post `pk` (None if no such post) and, as `resident_name`, the name of resident
    `resident_id` if they live in the post's compound (None otherwise): what
    access.get_post(resident_id=…) reads once access is known."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    conn = connections[DEFAULT_DB_ALIAS]
    q = conn.ops.quote_name
    columns = ", ".join(f"p.{q(c)}" for c in _POST_FIELDS)
    name = (
        f"(SELECT r.{q('name')} FROM {q(Resident._meta.db_table)} r "
        f"INNER JOIN {q(Household._meta.db_table)} h ON h.{q('id')} = r.{q('household_id')} "
        f"WHERE r.{q('id')} = %s AND h.{q('place_id')} = p.{q('parent_id')})"
    )
    with _cursor(conn) as cursor:
        cursor.execute(
            f"SELECT {columns}, {name} FROM {q(Place._meta.db_table)} p "
            f"WHERE p.{q('id')} = %s AND p.{q('kind')} = %s",
            [resident_id or 0, pk, PlaceKind.POST.value],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    post = Place.from_db(conn.alias, _POST_FIELDS, list(row[:-1]))
    if resident_id:
        post.resident_name = row[-1]  # type: ignore[attr-defined]
    return post


def pair_one(p: Passage, area_id: int) -> None:
    """A single passage's outing: an "out" opens one (unless one is open: the open-outing
    constraint refuses it, and nothing happens), an "in" closes the open one that began before."""
    conn = connections[DEFAULT_DB_ALIAS]
    q = conn.ops.quote_name
    table = q(Outing._meta.db_table)
    at = conn.ops.adapt_datetimefield_value(p.occurred_at)
    with _cursor(conn) as cursor:
        if p.direction == "out":
            cursor.execute(
                f"INSERT INTO {table} ({q('place_id')}, {q('subject_key')}, {q('subject')}, "
                f"{q('label')}, {q('resident_id')}, {q('left_at')}, {q('returned_at')}) "
                "VALUES (%s, %s, %s, %s, %s, %s, NULL) ON CONFLICT DO NOTHING",
                [area_id, p.subject_key, p.subject, p.label[:50], p.resident_id, at],
            )
        else:
            cursor.execute(
                f"UPDATE {table} SET {q('returned_at')} = %s WHERE {q('returned_at')} IS NULL "
                f"AND {q('place_id')} = %s AND {q('subject_key')} = %s AND {q('left_at')} <= %s",
                [at, area_id, p.subject_key, at],
            )
