"""Work resumption (issue 5) benchmark: a morning of daily reports, then the dashboards.

1. 2,000 member enterprises (30 chambers under one federation), each with its own reporter and
   API token, send today's report through the HTTP API served by gunicorn on 127.0.0.1 — the
   two-hour reporting window compressed into as fast as a bounded pool of clients can go
   (--concurrency). One in ten reports is retried with the same Idempotency-Key; the run checks
   that exactly one report per enterprise exists afterwards.
2. 60 days of history are written for every enterprise (120,000 reports), then the association
   dashboard page (federation: 2,000 members; one chamber: ~67) and the API dashboard are timed
   over --requests sequential requests each (p50/p95/max).

    .venv/bin/python bench/resumption_reports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_resumption_bench .venv/bin/python bench/resumption_reports.py

The PostgreSQL database named in DATABASE_URL is dropped and created afresh. SQLite runs in a
temporary GONGKE_DATA_DIR.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--enterprises", type=int, default=2000)
    p.add_argument("--chambers", type=int, default=30)
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--port", type=int, default=0, help="0: any free port")
    return p.parse_args()


def fresh_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        os.environ.setdefault("GONGKE_DATA_DIR", tempfile.mkdtemp(prefix="gk_resumption_bench_"))
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(label: str, ms: list[float]) -> str:
    return f"| {label} | {len(ms)} | {statistics.median(ms):.0f} | {pct(ms, 0.95):.0f} | {max(ms):.0f} |"


def build(n_enterprises: int, n_chambers: int):
    """Registry, reporters and tokens, written in bulk. Returns (federation, chamber, [(org id, token)])."""
    from django.core.management import call_command

    from gongke.accounts.models import ApiToken, Membership, Role, User
    from gongke.registry import services
    from gongke.registry.models import ChamberKind, Industry, Organization, OrgKind

    call_command("migrate", verbosity=0)
    townships = [services.get_or_create_township(f"第{i}镇") for i in range(12)]
    office = services.create_organization(
        parent=None, kind=OrgKind.OFFICE, name="市社会组织服务中心"
    )
    federation = services.create_organization(
        parent=office, kind=OrgKind.FEDERATION, name="县工商联"
    )
    chambers = [
        services.create_organization(
            parent=federation,
            kind=OrgKind.CHAMBER,
            chamber_kind=ChamberKind.INDUSTRY,
            name=f"第{i}商会",
        )
        for i in range(n_chambers)
    ]
    industries = Industry.values
    pending = []
    for i in range(n_enterprises):
        chamber = chambers[i % n_chambers]
        n = i // n_chambers + 1
        pending.append(
            Organization(
                kind=OrgKind.ENTERPRISE,
                name=f"企业{i:04d}",
                parent=chamber,
                path=f"{chamber.path}{services._encode(n)}.",
                depth=chamber.depth + 1,
                industry=industries[i % len(industries)],
                township=townships[i % 12],
                staff_count=50,
            )
        )
    enterprises = Organization.objects.bulk_create(pending, batch_size=1000)
    users = User.objects.bulk_create(
        [User(username=f"r{e.pk}", password="!") for e in enterprises], batch_size=1000
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, organization=e, role=Role.REPORTER)
            for u, e in zip(users, enterprises, strict=True)
        ],
        batch_size=1000,
    )
    raws = ["gk_" + secrets.token_urlsafe(32) for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user=u, name="bench", prefix=r[:8], key_hash=hashlib.sha256(r.encode()).hexdigest()
            )
            for u, r in zip(users, raws, strict=True)
        ],
        batch_size=1000,
    )
    fed_admin = User.objects.create(username="fed_admin", password="!")
    Membership.objects.create(user=fed_admin, organization=federation, role=Role.ORG_ADMIN)
    _token, fed_raw = ApiToken.issue(user=fed_admin, name="bench")
    return (
        federation,
        chambers[0],
        fed_admin,
        fed_raw,
        [(e.pk, r) for e, r in zip(enterprises, raws, strict=True)],
    )


def history(days: int) -> int:
    """`days` days of reports before today for every enterprise, in bulk."""
    import random

    from gongke.registry.models import Organization, OrgKind
    from gongke.resumption.models import LOCAL, DailyReport, local_today

    rng = random.Random(5)
    today = local_today()
    ids = list(Organization.objects.filter(kind=OrgKind.ENTERPRISE).values_list("pk", flat=True))
    rows = []
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        at = dt.datetime.combine(day, dt.time(9, 0), tzinfo=LOCAL)
        for pk in ids:
            staff = rng.randint(5, 50)
            rows.append(
                DailyReport(
                    enterprise_id=pk,
                    day=day,
                    staff_on_site=staff,
                    staff_returned=staff // 5,
                    staff_isolated=rng.choice([0, 0, 1]),
                    vehicles=rng.randint(0, 5),
                    fevers=0,
                    masks=staff * 2 * rng.randint(5, 40),
                    submitted_at=at,
                    late=rng.random() < 0.1,
                )
            )
        if len(rows) >= 20000:
            DailyReport.objects.bulk_create(rows, batch_size=5000)
            rows = []
    DailyReport.objects.bulk_create(rows, batch_size=5000)
    return DailyReport.objects.count()


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"


def request(
    url: str, *, data: dict | None = None, headers: dict | None = None
) -> tuple[int, float]:
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(
        url,
        data=body,
        method="POST" if body else "GET",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    return status, (time.perf_counter() - start) * 1000


def main() -> None:
    args = parse()
    fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
    os.environ["AXES_ENABLED"] = "0"
    import django

    django.setup()
    from django.db import connection

    from gongke.resumption.models import DailyReport, local_today

    t0 = time.perf_counter()
    federation, chamber, fed_admin, fed_token, reporters = build(args.enterprises, args.chambers)
    print(
        f"setup: {len(reporters)} enterprises with tokens in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    connection.close()

    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gongke.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        for _ in range(100):
            if server.poll() is not None:
                raise SystemExit("gunicorn exited")
            try:
                if request(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")

        def report(item: tuple[int, str]) -> list[tuple[int, float]]:
            pk, raw = item
            figures = {
                "enterprise_id": pk,
                "staff_on_site": 30 + pk % 20,
                "staff_returned": 5,
                "vehicles": 2,
                "masks": 2000,
                "disinfectant_litres": "12.5",
            }
            headers = {
                "Authorization": f"Bearer {raw}",
                "Idempotency-Key": f"bench-{pk}-{local_today()}",
            }
            out = [request(f"{base}/api/v1/resumption/reports", data=figures, headers=headers)]
            if pk % 10 == 0:  # a client that did not see the answer and retries
                out.append(
                    request(f"{base}/api/v1/resumption/reports", data=figures, headers=headers)
                )
            return out

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = [r for rs in pool.map(report, reporters) for r in rs]
        window = time.perf_counter() - t0
        statuses: dict[int, int] = {}
        for status, _ms in results:
            statuses[status] = statuses.get(status, 0) + 1
        today_count = DailyReport.objects.filter(day=local_today()).count()
        connection.close()
        post_ms = [ms for _s, ms in results]
        print(
            f"\nreports: {len(results)} requests ({len(reporters)} enterprises + retries) in {window:.1f} s "
            f"= {len(results) / window:.0f} req/s at concurrency {args.concurrency}; statuses {statuses}; "
            f"reports stored for today: {today_count}",
            flush=True,
        )
        assert today_count == len(reporters), "a retry made a second report or a report was lost"

        t0 = time.perf_counter()
        total = history(args.days)
        # What autovacuum/ANALYZE would have done by the next morning: fresh planner statistics
        # (and, on PostgreSQL, the visibility map that lets the covering index answer alone).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(
            f"history: {total} reports in the database ({time.perf_counter() - t0:.1f} s to write)",
            flush=True,
        )
        cookie = session_cookie(fed_admin)
        connection.close()

        timings = {}
        for label, url, headers in [
            (
                f"dashboard page, federation ({len(reporters):,} members)",
                f"{base}/resumption/dashboard/?org={federation.pk}",
                {"Cookie": cookie},
            ),
            (
                "dashboard page, one chamber",
                f"{base}/resumption/dashboard/?org={chamber.pk}",
                {"Cookie": cookie},
            ),
            (
                "API dashboard, federation",
                f"{base}/api/v1/resumption/dashboard?organization_id={federation.pk}",
                {"Authorization": f"Bearer {fed_token}"},
            ),
            (
                "missing list, federation",
                f"{base}/resumption/missing/?org={federation.pk}",
                {"Cookie": cookie},
            ),
        ]:
            for _ in range(3):  # warm up both workers
                assert request(url, headers=headers)[0] == 200, url
            timings[label] = [request(url, headers=headers)[1] for _ in range(args.requests)]

        # The same pages in this process through Django's test client: the CPU time each one
        # costs (Python and, for SQLite, the queries), apart from waiting for a busy machine's cores.
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        client = Client()
        client.force_login(fed_admin)
        cpu: dict[str, tuple[list[float], list[float]]] = {}
        for label, url in [
            ("federation", f"/resumption/dashboard/?org={federation.pk}"),
            ("one chamber", f"/resumption/dashboard/?org={chamber.pk}"),
        ]:
            client.get(url)
            walls, cpus = [], []
            for _ in range(args.requests):
                w, c = time.perf_counter(), time.process_time()
                assert client.get(url).status_code == 200
                walls.append((time.perf_counter() - w) * 1000)
                cpus.append((time.process_time() - c) * 1000)
            cpu[label] = (walls, cpus)

        engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        load = os.getloadavg()[0]
        print(
            f"\n{engine}, {args.workers} gunicorn workers × 4 threads, load average {load:.1f} on {os.cpu_count()} cores\n"
        )
        print("| what | n | p50 ms | p95 ms | max ms |")
        print("|---|---|---|---|---|")
        print(summary(f"POST /api/v1/resumption/reports (concurrency {args.concurrency})", post_ms))
        for label, ms in timings.items():
            print(summary(label, ms))
        for label, (walls, cpus) in cpu.items():
            print(summary(f"in process: dashboard page, {label} — wall", walls))
            print(summary(f"in process: dashboard page, {label} — CPU", cpus))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
