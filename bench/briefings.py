"""A county briefing written from 60 days of data (issue 16: ≤ 2 s on each database).

    .venv/bin/python bench/briefings.py [--db postgres|sqlite|both] [--passages-per-day 250000]
                                        [--donation-copies 10] [--reuse]

Builds the demo county (gongke.ops.demo: a federation, 30 chambers, ~2,000 member enterprises,
compounds and villages with their posts, two weeks of daily reports, census, donations, field
operations), then brings it to 60 days at the county's scale inside the database itself:
`passages-per-day` post passages a day over every post for the 28 days a passage is kept (the
retention period: older ones are purged; PostgreSQL: INSERT … SELECT from generate_series;
SQLite: a recursive CTE), the demo's donation ledger copied
`donation-copies` times at earlier dates (tens of thousands of lines), and five notices sent to
every person of the register. Then times, warm, the federation's briefing as the page writes it
(briefings.services.generate_briefing: the facts of every section for the period and the one
before it, the zh-Hans text, the row) over the last 7 days and over all 60 days, and the three
renderings of the 7-day one (zh-Hant, English, PDF). Prints median and worst of 5 runs.

PostgreSQL: database gk_briefings_bench on 127.0.0.1 (dropped and recreated). SQLite: a file in a
temporary GONGKE_DATA_DIR.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/gk_briefings_bench"
DAYS = 60


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _last_data_dir(db: str) -> str:
    dirs = sorted(
        Path(tempfile.gettempdir()).glob(f"gk_briefings_bench_{db}_*"), key=os.path.getmtime
    )
    if not dirs:
        raise SystemExit("--reuse: no county built before")
    return str(dirs[-1])


def environment(db: str, reuse: bool = False) -> dict[str, str]:
    env = {
        **os.environ,
        "GONGKE_DATA_DIR": _last_data_dir(db)
        if reuse
        else tempfile.mkdtemp(prefix=f"gk_briefings_bench_{db}_"),
        "DJANGO_SETTINGS_MODULE": "gongke.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "JOBS_IMMEDIATE": "0",
    }
    env.pop("DATABASE_URL", None)
    if db == "postgres" and reuse:
        env["DATABASE_URL"] = PG_URL
    elif db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS gk_briefings_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE gk_briefings_bench")
        env["DATABASE_URL"] = PG_URL
    return env


BUILD = r'''
import json, time
from django.db import connection
from django.utils import timezone
from gongke.ops.demo import load_demo
from gongke.accounts.models import User
from gongke.donations.models import Entry
from gongke.notices import services as notices
from gongke.registry.models import Organization, OrgKind, Place
PER_DAY, COPIES, DAYS = %(per_day)d, %(copies)d, %(days)d
t0 = time.perf_counter()
county = load_demo()
demo_s = time.perf_counter() - t0
posts = list(Place.objects.posts().values_list("pk", flat=True))
KEPT = 28  # passages are purged after 28 days (community.services.purge_passages)
rows = PER_DAY * KEPT
t = time.perf_counter()
with connection.cursor() as c:
    if connection.vendor == "postgresql":
        c.execute("""
            INSERT INTO community_passage (client_id, post_id, direction, subject, name, phone, id_number_hash,
                id_number_masked, plate, driver, passengers, temperature, decision, reason, subject_key, source,
                occurred_at, recorded_at)
            SELECT gen_random_uuid(), (%%s::bigint[])[1 + (x %%%% %%s)],
                   CASE WHEN x %%%% 2 = 0 THEN 'in' ELSE 'out' END,
                   CASE WHEN x %%%% 10 = 0 THEN 'vehicle' WHEN x %%%% 10 = 1 THEN 'outsider' ELSE 'resident' END,
                   '居民' || (x %%%% 5000), '', '', '', '', '', 0, 36.0 + (x %%%% 13) / 10.0,
                   CASE WHEN x %%%% 50 = 1 THEN 'refused' WHEN x %%%% 50 = 11 THEN 'turned_back' ELSE 'pass' END,
                   '', 'n' || (x %%%% 5000), 'console', ts, ts
            FROM (SELECT x, now() - ((x::bigint * 7919) %%%% (%%s * 86400)) * interval '1 second' AS ts
                  FROM generate_series(1, %%s) AS x) s
        """, [posts, len(posts), KEPT, rows])
    else:
        c.execute("PRAGMA cache_size = -1000000")
        c.execute("CREATE TEMP TABLE bench_posts (i INTEGER PRIMARY KEY, pk INTEGER)")
        c.executemany("INSERT INTO bench_posts VALUES (%%s, %%s)", list(enumerate(posts)))
        c.execute("""
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %%s)
            INSERT INTO community_passage (client_id, post_id, direction, subject, name, phone, id_number_hash,
                id_number_masked, plate, driver, passengers, temperature, decision, reason, subject_key, source,
                occurred_at, recorded_at)
            SELECT printf('b%%%%031x', x), (SELECT pk FROM bench_posts WHERE i = x %%%% %%s),
                   CASE WHEN x %%%% 2 = 0 THEN 'in' ELSE 'out' END,
                   CASE WHEN x %%%% 10 = 0 THEN 'vehicle' WHEN x %%%% 10 = 1 THEN 'outsider' ELSE 'resident' END,
                   '居民' || (x %%%% 5000), '', '', '', '', '', 0, 36.0 + (x %%%% 13) / 10.0,
                   CASE WHEN x %%%% 50 = 1 THEN 'refused' WHEN x %%%% 50 = 11 THEN 'turned_back' ELSE 'pass' END,
                   '', 'n' || (x %%%% 5000), 'console',
                   strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || ((x * 7919) %%%% (%%s * 86400)) || ' seconds'),
                   strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || ((x * 7919) %%%% (%%s * 86400)) || ' seconds')
            FROM n
        """, [rows, len(posts), KEPT, KEPT])
passages_s = time.perf_counter() - t
# The demo's ledger (dated from 25 January 2020) brought to the last 60 days, then copied again
# at earlier dates: every copy a few days further back.
cols = [f.column for f in Entry._meta.concrete_fields if f.column not in ("id", "occurred_on")]
names = ", ".join(cols)
last = Entry.objects.order_by("-occurred_on").values_list("occurred_on", flat=True).first()
lag = (timezone.localdate() - last).days
with connection.cursor() as c:
    if connection.vendor == "postgresql":
        c.execute("UPDATE donations_entry SET occurred_on = occurred_on + %%s", [lag])
    else:
        c.execute(f"UPDATE donations_entry SET occurred_on = date(occurred_on, '+{lag} days')")
    top = Entry.objects.order_by("-pk").values_list("pk", flat=True).first()
    for k in range(1, COPIES + 1):
        shift = (k * 5) %% 10 + 1
        when = f"occurred_on - {shift}" if connection.vendor == "postgresql" else f"date(occurred_on, '-{shift} days')"
        c.execute(f"INSERT INTO donations_entry ({names}, occurred_on) SELECT {names}, {when} "
                  "FROM donations_entry WHERE reverses_id IS NULL AND id <= %%s",
                  [top])
    c.execute("ANALYZE")
federation = Organization.objects.get(kind=OrgKind.FEDERATION)
admin = User.objects.get(username="admin")
for i in range(5):
    n = notices.save_notice(user=admin, organization=federation,
                            data={"title": f"通知{i}", "body": "请各会员企业按时报送。", "audience": {"all": True}})
    notices.send_notice(notice=n, user=admin)
from gongke.community.models import Passage
from gongke.notices.models import Recipient
print(json.dumps({"demo_s": demo_s, "passages_s": passages_s, "passages": Passage.objects.count(),
                  "entries": Entry.objects.count(), "recipients": Recipient.objects.count(),
                  "enterprises": Organization.objects.filter(kind=OrgKind.ENTERPRISE).count(),
                  "posts": len(posts)}))
'''

COUNT = r"""
import json
from gongke.community.models import Passage
from gongke.donations.models import Entry
from gongke.notices.models import Recipient
print(json.dumps({"passages": Passage.objects.count(), "entries": Entry.objects.count(),
                  "recipients": Recipient.objects.count()}))
"""

MEASURE = r"""
import datetime as dt, json, statistics, time
from django.utils import timezone
from gongke.accounts.models import User
from gongke.briefings import formats, render, services
from gongke.briefings.models import Briefing
from gongke.registry.models import Organization, OrgKind
federation = Organization.objects.get(kind=OrgKind.FEDERATION)
admin = User.objects.get(username="admin")
today = timezone.localdate()

def timed(f, n=5):
    f()
    out = []
    for _ in range(n):
        t = time.perf_counter(); f(); out.append((time.perf_counter() - t) * 1000)
    return {"median_ms": round(statistics.median(out)), "worst_ms": round(max(out))}

def brief(days):
    return lambda: services.generate_briefing(
        user=admin, organization=federation, start=today - dt.timedelta(days=days - 1), end=today)

res = {"week": timed(brief(7)), "sixty": timed(brief(%(days)d))}
b = Briefing.objects.filter(end=today, start=today - dt.timedelta(days=6)).first()
res["hant"] = timed(lambda: b.version_in(render.HANT))
res["en"] = timed(lambda: b.version_in(render.EN))
res["pdf"] = timed(lambda: formats.pdf(b))
res["sections"] = [s["key"] for s in b.facts["sections"]]
res["text"] = b.body
print(json.dumps(res, ensure_ascii=False))
"""


def shell(env, code: str) -> dict:
    proc = subprocess.run(
        [PY, "-c", "import django; django.setup(); exec(open(0).read())"],
        input=code,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    ap.add_argument("--passages-per-day", type=int, default=250_000)
    ap.add_argument("--donation-copies", type=int, default=10)
    ap.add_argument("--reuse", action="store_true", help="measure the county built last again")
    args = ap.parse_args()
    print(
        "| database | passages | ledger lines | notice recipients | build s | "
        "7-day briefing median / worst ms | 60-day briefing median / worst ms | "
        "zh-Hant / English / PDF median ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for db in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        env = environment(db, args.reuse)
        t = time.perf_counter()
        if args.reuse:
            built = shell(env, COUNT)
        else:
            subprocess.run([PY, "-m", "django", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
            log(f"[{db}] building the county and {args.passages_per_day * 28:,} passages")
            built = shell(
                env,
                BUILD
                % {"per_day": args.passages_per_day, "copies": args.donation_copies, "days": DAYS},
            )
        build_s = time.perf_counter() - t
        log(f"[{db}] built in {build_s:.0f}s ({json.dumps(built)}); measuring")
        m = shell(env, MEASURE % {"days": DAYS})
        log(m.pop("text"))

        def f(k, m=m):
            return f"{m[k]['median_ms']} / {m[k]['worst_ms']}"

        print(
            f"| {db} | {built['passages']:,} | {built['entries']:,} | {built['recipients']:,} | "
            f"{build_s:.0f} | {f('week')} | {f('sixty')} | {m['hant']['median_ms']} / "
            f"{m['en']['median_ms']} / {m['pdf']['median_ms']} |",
            flush=True,
        )
        log(f"[{db}] sections: {', '.join(m['sections'])}")


if __name__ == "__main__":
    main()
