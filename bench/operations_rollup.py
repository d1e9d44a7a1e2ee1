"""Benchmark of the field-operations roll-up: "X 亩 in Y cities and Z counties by N pilots with
M drones" over 10,000 operations (issue 15: ≤ 200 ms).

    GONGKE_DATA_DIR=$(mktemp -d) .venv/bin/python bench/operations_rollup.py [--operations 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_ops_bench GONGKE_DATA_DIR=$(mktemp -d) \
        .venv/bin/python bench/operations_rollup.py

Builds its own test database (SQLite in GONGKE_DATA_DIR, or the PostgreSQL database named, which
it creates and drops): a federation with 30 chambers, 60 member enterprises lending 60 drones and
100 pilots, 7 cities with 31 counties and 10 townships each; operations spread over them with 1-3
drones and 1-3 pilots each. Times the roll-up for the federation (all operations), for one
chamber, and the federation's roll-up with its per-county table (the map page); best of 5.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")


def timed(label, fn, repeat=5):
    best = float("inf")
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<60} {best * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--operations", type=int, default=10000)
    args = parser.parse_args()

    import django
    from django.test.utils import get_runner, setup_test_environment

    django.setup()
    setup_test_environment()
    from django.conf import settings

    runner = get_runner(settings)(verbosity=0)
    old = runner.setup_databases()
    try:
        run(args)
    finally:
        runner.teardown_databases(old)


def run(args) -> None:
    from auditlog.context import disable_auditlog
    from django.db import connection

    from gongke.registry import services as registry
    from gongke.registry.models import OrgKind
    from gongke.volunteers.models import Division, Operation, Resource
    from gongke.volunteers.rollups import rollup

    rng = random.Random(15)
    t0 = time.perf_counter()
    with disable_auditlog():
        office = registry.create_organization(parent=None, kind=OrgKind.OFFICE, name="办公室")
        fed = registry.create_organization(parent=office, kind=OrgKind.FEDERATION, name="工商联")
        chambers = [
            registry.create_organization(
                parent=fed, kind=OrgKind.CHAMBER, chamber_kind="industry", name=f"商会{i}"
            )
            for i in range(30)
        ]
        members = [
            registry.create_organization(
                parent=chambers[i % 30], kind=OrgKind.ENTERPRISE, name=f"会员{i}"
            )
            for i in range(60)
        ]
        drones = Resource.objects.bulk_create(
            Resource(organization=members[i], kind="drone", name=f"无人机{i}") for i in range(60)
        )
        pilots = Resource.objects.bulk_create(
            Resource(organization=members[i % 60], kind="pilot", name=f"飞手{i}")
            for i in range(100)
        )
        divisions = [Division(code="37", name="山东省", level=1)]
        places = []
        for c in range(7):
            city = f"37{c + 1:02d}"
            divisions.append(Division(code=city, name=f"市{c}", level=2, parent_id="37"))
            for k in range(31 // 7 + (1 if c < 31 % 7 else 0)):
                county = f"{city}{k + 1:02d}"
                divisions.append(Division(code=county, name=f"县{c}{k}", level=3, parent_id=city))
                places.append(divisions[-1])
                for t in range(10):
                    town = f"{county}{t + 100:03d}"
                    divisions.append(
                        Division(code=town, name=f"镇{c}{k}{t}", level=4, parent_id=county)
                    )
                    places.append(divisions[-1])
        Division.objects.bulk_create(divisions)
        start = date(2020, 2, 1)
        ops = []
        for _i in range(args.operations):
            d = rng.choice(places)
            ops.append(
                Operation(
                    organization=rng.choice(chambers),
                    kind="spraying",
                    division=d,
                    city_code=d.code[:4],
                    county_code=d.code[:6],
                    day=start + timedelta(days=rng.randrange(30)),
                    area_mu=Decimal(rng.randrange(100, 200000)) / 100,
                )
            )
        ops = Operation.objects.bulk_create(ops, batch_size=2000)
        drone_links, pilot_links = [], []
        for op in ops:
            for r in rng.sample(drones, rng.randint(1, 3)):
                drone_links.append(Operation.drones.through(operation=op, resource=r))
            for r in rng.sample(pilots, rng.randint(1, 3)):
                pilot_links.append(Operation.pilots.through(operation=op, resource=r))
        Operation.drones.through.objects.bulk_create(drone_links, batch_size=5000)
        Operation.pilots.through.objects.bulk_create(pilot_links, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{connection.vendor}: {len(ops)} operations, {len(drone_links)} drone and "
        f"{len(pilot_links)} pilot links built in {time.perf_counter() - t0:.1f} s"
    )
    r = timed("roll-up, federation, all operations", lambda: rollup(fed))
    print(
        f"  {r.area_mu} 亩 in {r.cities} cities and {r.counties} counties by {r.pilots} pilots "
        f"with {r.drones} drones ({r.operations} operations)"
    )
    timed("roll-up, one chamber", lambda: rollup(chambers[0]))
    timed(
        "roll-up, federation, one week",
        lambda: rollup(fed, date(2020, 2, 8), date(2020, 2, 14)),
    )
    timed("roll-up with the per-county table (map page)", lambda: rollup(fed, counties=True))


if __name__ == "__main__":
    main()
