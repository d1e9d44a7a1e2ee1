"""The SQLite backend queues writers on a file lock (gongke/db/sqlite3): a second writer waits
in the kernel until the first commits or rolls back, and never fails with "database is locked"."""

import threading
import time

import pytest
from django.db import connections, transaction

ALIAS = "gk_writer_test"


@pytest.fixture
def file_db(tmp_path, django_db_blocker):
    configured = connections.configure_settings(
        {
            "default": connections.settings["default"],
            ALIAS: {
                "ENGINE": "gongke.db.sqlite3",
                "NAME": str(tmp_path / "w.sqlite3"),
                # A short busy timeout: only the file lock may make the second writer wait.
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.05},
            },
        }
    )
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as c:
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("CREATE TABLE t (n integer)")
        yield tmp_path
        for conn in connections.all(initialized_only=True):
            if conn.alias == ALIAS:
                conn.close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def _writer(n: int, hold: float, log: list, fail: bool = False) -> None:
    try:
        with transaction.atomic(using=ALIAS):
            log.append(("begin", n, time.monotonic()))
            with connections[ALIAS].cursor() as c:
                c.execute("INSERT INTO t VALUES (%s)", [n])
            time.sleep(hold)
            log.append(("end", n, time.monotonic()))
            if fail:
                raise RuntimeError("roll back")
    except RuntimeError:
        pass
    except Exception as e:  # a "database is locked" would land here
        log.append(("error", n, repr(e)))
    finally:
        connections[ALIAS].close()


@pytest.mark.parametrize("first_fails", [False, True], ids=["commit", "rollback"])
def test_a_second_writer_waits_for_the_first_and_then_writes(file_db, first_fails):
    log: list = []
    first = threading.Thread(target=_writer, args=(1, 0.3, log, first_fails))
    first.start()
    while not log:
        time.sleep(0.005)
    second = threading.Thread(target=_writer, args=(2, 0, log))
    second.start()
    first.join()
    second.join()
    assert not [e for e in log if e[0] == "error"], log
    end_1 = next(t for kind, n, t in log if kind == "end" and n == 1)
    begin_2 = next(t for kind, n, t in log if kind == "begin" and n == 2)
    assert begin_2 >= end_1  # it waited (far longer than the 50 ms busy timeout) and went on
    with connections[ALIAS].cursor() as c:
        c.execute("SELECT n FROM t ORDER BY n")
        assert [r[0] for r in c.fetchall()] == ([2] if first_fails else [1, 2])
    assert (file_db / "w.sqlite3.writer").exists()


def test_reads_do_not_wait_for_a_writer(file_db):
    log: list = []
    writer = threading.Thread(target=_writer, args=(1, 2.0, log))
    writer.start()
    while not log:
        time.sleep(0.005)
    with connections[ALIAS].cursor() as c:
        c.execute("SELECT count(*) FROM t")
        assert c.fetchone()[0] == 0  # read while the writer holds the lock: nothing committed yet
    assert [kind for kind, _n, _t in log] == ["begin"]  # … and the writer is still at it
    writer.join()
