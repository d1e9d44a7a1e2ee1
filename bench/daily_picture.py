"""The compound's daily picture over 10 million passages.

    .venv/bin/python bench/daily_picture.py [--db postgres|sqlite|both] [--rows 10000000] [--areas 300]

Builds a county of `areas` compounds with 2 posts each, then fills community_passage with `rows`
passages spread over the last 28 days (the retention period) inside the database itself
(PostgreSQL: INSERT … SELECT from generate_series; SQLite: a recursive CTE), with the indexes
in place, plus open outings and disinfection logs. Then times, warm, 30 times each:
the daily picture of one compound (the service), the same through GET
/api/v1/community/areas/<id>/picture, the compound page (figures + hourly chart + who is out),
and the organization's picture (all compounds). Prints median and worst.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.community_common import PY, ROOT, log, prepare  # noqa: E402

FILL = r'''
import json, time
from django.db import connection
from gongke.registry import services
from gongke.registry.models import Organization, Place, PlaceKind
ROWS, AREAS = %(rows)d, %(areas)d
chamber = Organization.objects.get(pk=%(chamber)d)
first_area = Place.objects.get(pk=%(area)d)
areas = [first_area] + [services.save_place(kind=PlaceKind.COMPOUND, name=f"小区{i}", organization=chamber)
                        for i in range(1, AREAS)]
posts = list(Place.objects.posts().values_list("pk", flat=True))
for a in areas[1:]:
    for g in ("东门", "西门"):
        posts.append(services.save_place(kind=PlaceKind.POST, name=a.name + g, organization=chamber, parent=a).pk)
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
            FROM (SELECT x, now() - (x %%%% (28 * 86400)) * interval '1 second' AS ts
                  FROM generate_series(1, %%s) AS x) s
        """, [posts, len(posts), ROWS])
        c.execute("ANALYZE community_passage")
    else:
        # Client ids in ascending order: the unique index is appended to instead of being
        # rewritten at random (10 M random UUIDs take SQLite over half an hour); a big page
        # cache for the same reason. The values do not matter to the daily picture.
        c.execute("PRAGMA cache_size = -1000000")
        c.execute("CREATE TEMP TABLE bench_posts (i INTEGER PRIMARY KEY, pk INTEGER)")
        c.executemany("INSERT INTO bench_posts VALUES (%%s, %%s)", list(enumerate(posts)))
        c.execute("""
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %%s)
            INSERT INTO community_passage (client_id, post_id, direction, subject, name, phone, id_number_hash,
                id_number_masked, plate, driver, passengers, temperature, decision, reason, subject_key, source,
                occurred_at, recorded_at)
            SELECT printf('%%%%032x', x), (SELECT pk FROM bench_posts WHERE i = x %%%% %%s),
                   CASE WHEN x %%%% 2 = 0 THEN 'in' ELSE 'out' END,
                   CASE WHEN x %%%% 10 = 0 THEN 'vehicle' WHEN x %%%% 10 = 1 THEN 'outsider' ELSE 'resident' END,
                   '居民' || (x %%%% 5000), '', '', '', '', '', 0, 36.0 + (x %%%% 13) / 10.0,
                   CASE WHEN x %%%% 50 = 1 THEN 'refused' WHEN x %%%% 50 = 11 THEN 'turned_back' ELSE 'pass' END,
                   '', 'n' || (x %%%% 5000), 'console',
                   strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || (x %%%% (28 * 86400)) || ' seconds'),
                   strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || (x %%%% (28 * 86400)) || ' seconds')
            FROM n
        """, [ROWS, len(posts)])
        c.execute("ANALYZE")
print(json.dumps({"fill_seconds": time.perf_counter() - t, "posts": len(posts)}))
'''

MEASURE = r"""
import json, statistics, time
from django.test import Client
from django.utils import timezone
from gongke.accounts.models import User
from gongke.community import picture
from gongke.community.models import Passage
from gongke.registry.models import Organization, Place
area = Place.objects.get(pk=%(area)d)
chamber = Organization.objects.get(pk=%(chamber)d)
admin = User.objects.create_user(username="bench_admin", password="x-long-bench-password-2", is_superuser=True)
c = Client(HTTP_HOST="127.0.0.1")
c.force_login(admin)
today = timezone.localdate()

def timed(f, n=30):
    f(); f()
    out = []
    for _ in range(n):
        t = time.perf_counter(); f(); out.append((time.perf_counter() - t) * 1000)
    return {"median_ms": round(statistics.median(out), 1), "worst_ms": round(max(out), 1)}

def ok(url):
    r = c.get(url)
    assert r.status_code == 200, (url, r.status_code)

res = {
    "rows": Passage.objects.count(),
    "day_rows_in_compound": Passage.objects.filter(post__parent=area).on_day(today).count(),
    "service": timed(lambda: picture.daily_picture(areas=Place.objects.filter(pk=area.pk), day=today)),
    "api": timed(lambda: ok(f"/api/v1/community/areas/{area.pk}/picture")),
    "page": timed(lambda: ok(f"/community/area/{area.pk}/")),
    "organization": timed(lambda: picture.daily_picture(
        areas=Place.objects.areas().filter(organization__path__startswith=chamber.path), day=today), n=5),
}
print(json.dumps(res))
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
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--areas", type=int, default=300)
    args = ap.parse_args()
    print(
        "| database | passages | fill s | rows that day in the compound | service median / worst ms | "
        "API median / worst ms | page median / worst ms | organization (all compounds) median / worst ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for db in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        env, info = prepare(db)
        log(f"[{db}] filling {args.rows:,} passages")
        fill = shell(
            env,
            FILL
            % {
                "rows": args.rows,
                "areas": args.areas,
                "chamber": info["chamber_id"],
                "area": info["area_id"],
            },
        )
        log(f"[{db}] filled in {fill['fill_seconds']:.0f}s; measuring")
        m = shell(env, MEASURE % {"area": info["area_id"], "chamber": info["chamber_id"]})

        def f(k, m=m):
            return f"{m[k]['median_ms']} / {m[k]['worst_ms']}"

        print(
            f"| {db} | {m['rows']:,} | {fill['fill_seconds']:.0f} | {m['day_rows_in_compound']} | {f('service')} | "
            f"{f('api')} | {f('page')} | {f('organization')} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
