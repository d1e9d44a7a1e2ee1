"""SQLite with writers queued by the kernel instead of polling for the database's lock.

SQLite lets one connection write at a time. Its own wait for the lock (the busy timeout) polls:
a waiter sleeps 1, 2, 5, 10 … 100 ms between tries and a newcomer can take the lock in between,
so under load some writers wait hundreds of milliseconds while the lock is free most of the time.

Here every write transaction (Django's atomic(), which BEGINs IMMEDIATE: see settings) first
takes an exclusive flock(2) on a file beside the database, `<name>.writer`, and lets it go as
soon as it commits or rolls back. A waiter sleeps in the kernel and wakes the moment the lock is
free; threads and processes (gunicorn workers, the job worker, the `gongke` command) queue alike.
Reads are untouched (WAL lets them go on during a write). A statement that writes outside a
transaction still relies on the busy timeout, as before. An in-memory database needs no lock.
"""

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writing = False

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        name = str(self.settings_dict["NAME"])
        if not self.is_in_memory_db() and not name.startswith("file:"):
            self._writer_fd = os.open(f"{name}.writer", os.O_RDWR | os.O_CREAT, 0o600)
        return conn

    def _start_transaction_under_autocommit(self):
        if self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_EX)  # sleeps without the GIL
            self._writing = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self):
        if self._writing:
            self._writing = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
