"""Open data over HTTP: p95 latency of the /open endpoints on a county, target ≤ 100 ms.

    .venv/bin/python bench/opendata.py [--db sqlite|postgres|both] [--duration 30]
        [--connections 4] [--passages-per-day 20000]

For each database: a fresh one (PostgreSQL: gk_opendata_bench on 127.0.0.1, dropped and
recreated; SQLite: a file in a temporary GONGKE_DATA_DIR), the demo county (`gongke demo`: one
federation, 36 chambers, ~2,400 enterprises, ~300 compounds and villages with their posts, the
donation campaign), topped up to 60 days: every enterprise's daily report for each day, stock
received and handed out in each chamber's warehouse each day, and `--passages-per-day` passages
a day over the posts for the days passages are kept (PASSAGE_RETENTION_DAYS). The federation
publishes. Served as docs/deploy.md says (gunicorn gongke.wsgi, 2 × cores workers, 1 thread),
driven directly on loopback by `--connections` keep-alive clients in this process (Python
threads with http.client: wrk is not on every machine), each picking at random among the index,
the federation's index, its public page and each dataset as JSON and as CSV. The rate limit
stays on (its counter is part of every request) with a ceiling the bench does not reach.

Prints, per database: the first (cold) computation of each dataset, then requests/s and
p50/p95/p99 latency of the mix, the largest body, and the load average before and after (the
machine is shared).
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/gk_opendata_bench"
DATASETS = ["donations", "supplies", "resumption", "duty"]

SETUP = r"""
import datetime as dt, json, random, sys, time, uuid
from django.db import connection
from django.utils import timezone
from gongke.ops.demo import load_demo
from gongke.opendata.models import Publication
from gongke.registry import services as registry
from gongke.registry.models import PlaceKind
from gongke.resumption.models import DailyReport
from gongke.community.models import Passage
from gongke.supplies import services as supplies
from gongke.supplies.models import Kind, Lot, Movement
from gongke.donations.models import Entry

PER_DAY = int(sys.argv[1])
DAYS = 60
t0 = time.time()
county = load_demo()
rng = random.Random(16)
Publication.objects.create(organization=county.federation, is_open=True, county_code="360803")
today = timezone.localdate()
now = timezone.now()

# Work resumption: each enterprise's report for each of the last 60 days (the demo has 14).
have = set(DailyReport.objects.values_list("enterprise_id", "day"))
reports = [
    DailyReport(enterprise=e, day=d, staff_on_site=rng.randint(0, 80), vehicles=rng.randint(0, 6),
                submitted_at=now)
    for e in county.enterprises
    for d in (today - dt.timedelta(days=b) for b in range(1, DAYS + 1))
    if (e.pk, d) not in have
]
DailyReport.objects.bulk_create(reports, batch_size=5000)

# Supplies: a warehouse per chamber; each day some masks come in and some go out.
admin = county.users["admin"]
item = supplies.save_item(user=admin, organization=county.federation, name="医用外科口罩",
                          category="surgical_mask", base_unit="只")
moves = []
for chamber in county.chambers:
    wh = registry.save_place(kind=PlaceKind.WAREHOUSE, name=f"{chamber.name}仓库",
                             organization=chamber, township=chamber.township or county.townships[0])
    lot = supplies.receive(user=admin, warehouse=wh, item=item, quantity=10_000_000)
    for b in range(1, DAYS + 1):
        at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=b), dt.time(10)))
        moves.append(Movement(lot=lot, warehouse=wh, item=item, kind=Kind.RECEIVE,
                              quantity=rng.randint(100, 5000), occurred_at=at))
        moves.append(Movement(lot=lot, warehouse=wh, item=item, kind=Kind.ISSUE,
                              quantity=-rng.randint(100, 5000), occurred_at=at))
Movement.objects.bulk_create(moves, batch_size=5000)

# Passages over the days they are kept.
from django.conf import settings
posts = [p.pk for p in county.posts]
n = 0
for b in range(1, settings.PASSAGE_RETENTION_DAYS):
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=b), dt.time(0)))
    batch = [
        Passage(client_id=uuid.uuid4(), post_id=rng.choice(posts), direction=rng.choice(["in", "out"]),
                subject="resident", decision="pass" if rng.random() > 0.02 else "turned_back",
                occurred_at=start + dt.timedelta(seconds=rng.randint(0, 86399)))
        for _ in range(PER_DAY)
    ]
    Passage.objects.bulk_create(batch, batch_size=5000)
    n += len(batch)
print(json.dumps({
    "federation": county.federation.pk,
    "enterprises": len(county.enterprises),
    "chambers": len(county.chambers),
    "posts": len(posts),
    "reports": DailyReport.objects.count(),
    "donation_entries": Entry.objects.count(),
    "movements": Movement.objects.count(),
    "passages": n,
    "setup_s": round(time.time() - t0, 1),
}))
"""


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def environment(db: str) -> dict[str, str]:
    data_dir = tempfile.mkdtemp(prefix=f"gk_opendata_bench_{db}_")
    env = {
        **os.environ,
        "GONGKE_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "gongke.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "JOBS_IMMEDIATE": "0",
        # The limit stays on, counting every request, with a ceiling the bench does not reach.
        "OPENDATA_PER_MINUTE": "100000000",
    }
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS gk_opendata_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE gk_opendata_bench")
        env["DATABASE_URL"] = PG_URL
    return env


def prepare(db: str, per_day: int) -> tuple[dict[str, str], dict]:
    env = environment(db)
    subprocess.run(
        [PY, "-m", "django", "migrate", "-v0"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    script = Path(env["GONGKE_DATA_DIR"]) / "setup.py"
    script.write_text(SETUP)
    out = subprocess.run(
        [
            PY,
            "-c",
            f"import django; django.setup(); exec(open({str(script)!r}).read())",
            str(per_day),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return env, json.loads(out.stdout.strip().splitlines()[-1])


def drive(port: int, urls: list[str], duration: float, connections: int, encoding: str) -> dict:
    latencies: list[float] = []
    errors = [0]
    sizes: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            url = rng.choice(urls)
            t = time.perf_counter()
            try:
                conn.request("GET", url, headers={"Accept-Encoding": encoding})
                r = conn.getresponse()
                body = r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok, body = False, b""
            mine.append(time.perf_counter() - t)
            with lock:
                if not ok:
                    errors[0] += 1
                sizes[url] = len(body)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(len(ms) * p))]

    return {
        "requests": len(ms),
        "rps": len(ms) / elapsed,
        "p50": statistics.median(ms),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": errors[0],
        "largest": max(sizes.items(), key=lambda kv: kv[1]),
    }


def run(db: str, duration: int, connections: int, per_day: int, encoding: str) -> dict:
    log(f"[{db}] building the county …")
    env, info = prepare(db, per_day)
    log(f"[{db}] {info}")
    port = 18600 + (1 if db == "postgres" else 0)
    workers = 2 * (os.cpu_count() or 1)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "gongke.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "1",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    fed = info["federation"]
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        cold = {}
        for d in DATASETS:  # the first request of a version computes it
            t = time.perf_counter()
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/open/v1/{fed}/{d}.json", timeout=300
            ).read()
            cold[d] = (time.perf_counter() - t) * 1000
        log(f"[{db}] cold: " + ", ".join(f"{d} {v:.0f} ms" for d, v in cold.items()))
        urls = ["/open/v1/", f"/open/v1/{fed}/", f"/open/{fed}/"] + [
            f"/open/v1/{fed}/{d}.{fmt}" for d in DATASETS for fmt in ("json", "csv")
        ]
        drive(
            port, urls, 3, connections, encoding
        )  # warm-up: each worker's connections and imports
        load_start = os.getloadavg()[0]
        r = drive(port, urls, duration, connections, encoding)
        r["load"] = (load_start, os.getloadavg()[0])
    finally:
        server.terminate()
        server.wait(30)
    return {"db": db, "workers": workers, "info": info, "cold": cold, **r}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--passages-per-day", type=int, default=20000)
    ap.add_argument(
        "--encoding",
        default="gzip",
        help="Accept-Encoding the clients send: gzip (browsers, curl --compressed) or identity",
    )
    args = ap.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [
        run(db, args.duration, args.connections, args.passages_per_day, args.encoding) for db in dbs
    ]
    print(
        "| database | gunicorn | clients | cold: donations / supplies / resumption / duty ms "
        "| req/s | p50 ms | p95 ms | p99 ms | errors | largest body | load avg start → end |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        c = r["cold"]
        print(
            f"| {r['db']} | {r['workers']}×1 | {args.connections} | "
            f"{c['donations']:.0f} / {c['supplies']:.0f} / {c['resumption']:.0f} / {c['duty']:.0f} | "
            f"{r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | "
            f"{r['largest'][1] // 1024} KiB ({r['largest'][0].rsplit('/', 1)[-1]}) | "
            f"{r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    for r in results:
        log(f"{r['db']}: {r['info']}")


if __name__ == "__main__":
    main()
