"""Django's cache in a SQLite file: what every gunicorn worker shares when there is no Redis.

Cached sums, device-token grants and rate-limit counters must be the same for every worker
(with a per-process cache a back-filled report showed in some requests and not others). This
backend keeps them in one file beside the data (its own file: the cache never waits on the
database's write lock, nor the database on the cache's), in WAL mode so readers never wait.

Each thread of each process opens its own connection. Every operation is one statement, so each
is atomic between workers; incr and decr add in the database (integers are stored as SQLite
integers, everything else pickled), so two workers counting at once lose no count.
"""

import os
import pickle
import random
import sqlite3
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cache "
    "(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL) WITHOUT ROWID"
)
_LIVE = "(expires IS NULL OR expires > ?)"


def _dump(value: Any) -> Any:
    if type(value) is int:
        return value
    return sqlite3.Binary(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def _load(value: Any) -> Any:
    return value if isinstance(value, int) else pickle.loads(value)


class SQLiteCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.path = location
        self.local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self.local, "db", None)
        if db is None or self.local.pid != os.getpid():
            db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
            db.execute("PRAGMA busy_timeout=20000")
            db.execute("PRAGMA journal_mode=WAL")
            # A cache may lose its last writes in a power cut; it must not lose its file.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            self.local.db, self.local.pid = db, os.getpid()
        return db

    def _expiry(self, timeout: Any) -> float | None:
        return self.get_backend_timeout(timeout)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute(f"SELECT value FROM cache WHERE key = ? AND {_LIVE}", (key, time.time()))
            .fetchone()
        )
        return default if row is None else _load(row[0])

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        names = {self.make_and_validate_key(k, version=version): k for k in keys}
        if not names:
            return {}
        marks = ", ".join("?" * len(names))
        rows = self._db().execute(
            f"SELECT key, value FROM cache WHERE key IN ({marks}) AND {_LIVE}",
            [*names, time.time()],
        )
        return {names[k]: _load(v) for k, v in rows}

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        db = self._db()
        if expires is not None and expires <= time.time():
            db.execute("DELETE FROM cache WHERE key = ?", (key,))
            return
        db.execute(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (key, _dump(value), expires),
        )
        if random.random() < 0.01:  # noqa: S311 — when to tidy up, not a secret
            db.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        now = time.time()
        if expires is not None and expires <= now:
            return False
        # Inserts, or replaces an expired entry; a live one stays and nothing changes.
        cursor = self._db().execute(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET value = excluded.value, expires = excluded.expires "
            "WHERE cache.expires IS NOT NULL AND cache.expires <= ?",
            (key, _dump(value), expires, now),
        )
        return cursor.rowcount == 1

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        now = time.time()
        cursor = self._db().execute(
            f"UPDATE cache SET expires = ? WHERE key = ? AND {_LIVE}",
            (self._expiry(timeout), key, now),
        )
        return cursor.rowcount == 1

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute(
                f"UPDATE cache SET value = value + ? WHERE key = ? AND {_LIVE} "
                "AND typeof(value) = 'integer' RETURNING value",
                (delta, key, time.time()),
            )
            .fetchone()
        )
        if row is None:
            raise ValueError(f"Key '{key}' not found (or not an integer).")
        return row[0]

    def delete(self, key: str, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def has_key(self, key: str, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute(f"SELECT 1 FROM cache WHERE key = ? AND {_LIVE}", (key, time.time()))
            .fetchone()
        )
        return row is not None

    def clear(self) -> None:
        self._db().execute("DELETE FROM cache")

    def close(self, **kwargs: Any) -> None:
        """Kept open: Django closes caches after every request, and a connection is cheap to
        keep and costs a few PRAGMAs to open."""
