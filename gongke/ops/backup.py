"""Consistent database copies: SQLite's online backup API, PostgreSQL's pg_dump.

A raw copy of a live SQLite file (or its WAL) can be torn; the backup API copies a consistent
snapshot while the site keeps running. pg_dump takes one snapshot for the whole dump.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, connections


def _pg_env(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--host", settings_dict.get("HOST") or "127.0.0.1", "--port", str(settings_dict.get("PORT") or 5432),
            "--username", settings_dict.get("USER") or "postgres", "--dbname", settings_dict["NAME"]]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    # Debian keeps the client tools per major version.
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise FileNotFoundError(f"{name} was not found; install the PostgreSQL client tools.")


def backup(target: Path, alias: str = "default") -> Path:
    conn = connections[alias]
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        dest = sqlite3.connect(str(target))
        with dest:
            conn.connection.backup(dest)
        dest.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_env(conn.settings_dict)
        subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
                       check=True, env=env)
    else:
        raise NotImplementedError(conn.vendor)
    return target


def restore(source: Path, alias: str = "default") -> None:
    conn = connections[alias]
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(str(source))
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        src = sqlite3.connect(str(source))
        with src:
            src.backup(conn.connection)
        src.close()
    elif conn.vendor == "postgresql":
        connection.close()
        args, env = _pg_env(conn.settings_dict)
        subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        *args, str(source)], check=True, env=env)
    else:
        raise NotImplementedError(conn.vendor)
