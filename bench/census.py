"""Benchmark of the census: daily figures, the isolation list and an Excel import at county scale.

    GONGKE_DATA_DIR=$(mktemp -d) .venv/bin/python bench/census.py [--households 30000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_census_bench GONGKE_DATA_DIR=$(mktemp -d) \
        .venv/bin/python bench/census.py

Builds its own database (SQLite in GONGKE_DATA_DIR, or the PostgreSQL database named, which it
creates and drops): 300 compounds, ~3 residents per household, 1 in 12 back from elsewhere and
isolating, a visit for half the households today.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
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
    print(f"{label:<55} {best * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=30000)
    parser.add_argument("--import-rows", type=int, default=2000)
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
    from django.utils import timezone

    from gongke.accounts.models import Membership, Role, User
    from gongke.census import services
    from gongke.census.models import DailyCheck, Household, Isolation, Resident, ReturnRecord, Visit
    from gongke.census.stats import daily_counts
    from gongke.census.views import running_isolations
    from gongke.lib.chinese import search_key
    from gongke.lib.excel import build_xlsx
    from gongke.registry import services as registry
    from gongke.registry.models import OrgKind, Place, PlaceKind

    rng = random.Random(7)
    today = timezone.localdate()
    t0 = time.perf_counter()
    with disable_auditlog():
        office = registry.create_organization(parent=None, kind=OrgKind.OFFICE, name="办公室")
        fed = registry.create_organization(parent=office, kind=OrgKind.FEDERATION, name="工商联")
        chambers = [
            registry.create_organization(
                parent=fed, kind=OrgKind.CHAMBER, chamber_kind="township", name=f"商会{i}"
            )
            for i in range(10)
        ]
        areas = Place.objects.bulk_create(
            [
                Place(kind=PlaceKind.COMPOUND, name=f"小区{i}", organization=chambers[i % 10])
                for i in range(300)
            ]
        )
        per = max(1, args.households // len(areas))
        households = Household.objects.bulk_create(
            [
                Household(
                    place=a,
                    building=str(n // 24 + 1),
                    unit=str(n // 12 % 2 + 1),
                    room=str(n % 12 + 101),
                )
                for a in areas
                for n in range(per)
            ],
            batch_size=5000,
        )
        residents = Resident.objects.bulk_create(
            [
                Resident(household=h, name=f"居民{h.pk}-{i}", search_text=search_key(f"王{i}"))
                for h in households
                for i in range(rng.choice([1, 2, 3, 4, 5]))
            ],
            batch_size=5000,
        )
        back = rng.sample(residents, len(residents) // 12)
        ReturnRecord.objects.bulk_create(
            [ReturnRecord(resident=r, from_place="武汉", returned_on=today) for r in back],
            batch_size=5000,
        )
        isos = Isolation.objects.bulk_create(
            [
                Isolation(
                    resident=r,
                    start=today - timedelta(days=rng.randint(0, 13)),
                    end_day=today + timedelta(days=rng.randint(0, 13)),
                )
                for r in back
            ],
            batch_size=5000,
        )
        DailyCheck.objects.bulk_create(
            [
                DailyCheck(isolation=i, day=today, temperature=Decimal("36.6"))
                for i in isos
                if rng.random() < 0.7
            ],
            batch_size=5000,
        )
        Visit.objects.bulk_create(
            [Visit(household=h, visited_at=timezone.now()) for h in households[::2]],
            batch_size=5000,
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE"
            )  # what autovacuum does after a bulk load; fresh tables have no statistics
    user = User.objects.create_user(username="bench", password="x-bench-password-1")
    Membership.objects.create(user=user, organization=fed, role=Role.ORG_ADMIN)
    user = User.objects.get(pk=user.pk)
    print(
        f"built {len(households)} households, {len(residents)} residents, {len(isos)} isolations "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    all_areas = Place.objects.areas()
    timed("daily_counts, all 300 compounds", lambda: daily_counts(places=all_areas, day=today))
    timed(
        "daily_counts, one compound",
        lambda: daily_counts(places=Place.objects.filter(pk=areas[5].pk), day=today),
    )
    timed(
        "isolation list, first page of 50 (user's scope)",
        lambda: list(running_isolations(user, today)[:50]),
    )
    timed(
        "isolations not checked today, count",
        lambda: running_isolations(user, today).filter(checked=False).count(),
    )
    timed(
        "resident search 'w1' (pinyin), first 50", lambda: list(Resident.objects.search("w1")[:50])
    )

    rows = [
        [str(n // 24 + 1), str(n // 12 % 2 + 1), str(900 + n), f"新居民{n}", "", "", "户主", ""]
        for n in range(args.import_rows)
    ]
    data = build_xlsx(services.import_template_headers(), rows)
    target = areas[7]
    t = time.perf_counter()
    result = services.import_households(user=user, place=target, data=data, filename="bench.xlsx")
    print(
        f"{'import of ' + str(args.import_rows) + ' rows (first time)':<55} {(time.perf_counter() - t) * 1000:8.1f} ms "
        f"({result.residents_created} created)"
    )
    t = time.perf_counter()
    result = services.import_households(user=user, place=target, data=data, filename="bench.xlsx")
    print(
        f"{'the same file again (all merge)':<55} {(time.perf_counter() - t) * 1000:8.1f} ms "
        f"({result.residents_merged} merged)"
    )


if __name__ == "__main__":
    main()
