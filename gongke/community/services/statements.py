"""The one hand-written statement of 包保小区: storing passages exactly once by client id.

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

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.utils import CursorWrapper

from ..models import Passage

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


def insert_new(rows: list[Passage]) -> dict[uuid.UUID, int]:
    """Inserts the rows whose client id is not stored yet; answers {client id: id} for those it
    inserted (a client id missing from the answer was stored before). Sets each inserted row's
    pk. recorded_at must be set (auto_now_add is the ORM's, not the statement's)."""
    if not rows:
        return {}
    conn = connections[DEFAULT_DB_ALIAS]
    q = conn.ops.quote_name
    table = q(Passage._meta.db_table)
    columns = ", ".join(q(f.column) for f in _COLUMNS)
    tail = f"ON CONFLICT ({q('client_id')}) DO NOTHING RETURNING {q('client_id')}, {q('id')}"
    inserted: dict[uuid.UUID, int] = {}
    with _cursor(conn) as cursor:
        if conn.vendor == "postgresql":
            # One text whatever the number of rows (one array per column): prepared once.
            arrays = ", ".join(f"%s::{f.db_type(conn)}[]" for f in _COLUMNS)
            values = _values(rows, conn)
            params = [[row[i] for row in values] for i in range(len(_COLUMNS))]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {tail}", params
            )
            inserted.update((_client_id(c), pk) for c, pk in cursor.fetchall())
        else:
            marks = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
            for start in range(0, len(rows), _SQLITE_CHUNK):
                chunk = _values(rows[start : start + _SQLITE_CHUNK], conn)
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * len(chunk))} "
                    + tail,
                    [v for row in chunk for v in row],
                )
                inserted.update((_client_id(c), pk) for c, pk in cursor.fetchall())
    for p in rows:
        if p.client_id in inserted:
            p.pk = inserted[p.client_id]
            p._state.adding, p._state.db = False, conn.alias
    return inserted
