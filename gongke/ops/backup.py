"""Consistent database copies: SQLite's online backup API, PostgreSQL's pg_dump.

A raw copy of a live SQLite file (or its WAL) can be torn; the backup API copies a consistent
snapshot while the site keeps running. pg_dump takes one snapshot for the whole dump.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


def _pg_env(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    args = [
        "--host",
        settings_dict.get("HOST") or "127.0.0.1",
        "--port",
        str(settings_dict.get("PORT") or 5432),
        "--username",
        settings_dict.get("USER") or "postgres",
        "--dbname",
        settings_dict["NAME"],
    ]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _major(binary: str) -> int:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def _tool(name: str, server_major: int = 0) -> str:
    """The client tool for the server's major version: the oldest one at least as new as the
    server (an older pg_dump refuses a newer server; a much newer one writes settings an
    older server does not know)."""
    candidates = [str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))]
    found = shutil.which(name)
    if found:
        candidates.append(found)
    if not candidates:
        raise FileNotFoundError(f"{name} was not found; install the PostgreSQL client tools.")
    versions = sorted((_major(c), c) for c in candidates)
    fitting = [c for major, c in versions if major >= server_major]
    return fitting[0] if fitting else versions[-1][1]


def _server_major(conn) -> int:
    conn.ensure_connection()
    return int(conn.connection.info.server_version) // 10000


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
        subprocess.run(
            [
                _tool("pg_dump", _server_major(conn)),
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                *args,
            ],
            check=True,
            env=env,
        )
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
        tool = _tool("pg_restore", _server_major(conn))
        conn.close()
        args, env = _pg_env(conn.settings_dict)
        subprocess.run(
            [
                tool,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(source),
            ],
            check=True,
            env=env,
        )
    else:
        raise NotImplementedError(conn.vendor)
