"""Benchmark (issue 13, supplies): a stock ledger of 1,000,000 movements over 50 items × 100
warehouses; balances, the stock page, concurrent issuers, matching.

    GONGKE_DATA_DIR=$(mktemp -d) .venv/bin/python bench/supplies.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_supplies_bench .venv/bin/python bench/supplies.py
    options: --movements 1000000 --issuers 8 --issues 10000 --skip-build

Builds (not timed beyond its own line) a federation with 100 warehouses, 50 items, one lot per
item and warehouse and 200 movements per lot (receipts and issues, never below zero), written in
bulk with Stock rows that match; then times:
- a balance of one item in one warehouse, now (Stock) and at the end of a past day (movements),
  200 random pairs each, p50/p95;
- the stock page (/supplies/, totals per item and warehouse) and the lots page (/supplies/stock/)
  through Django's test client as the federation's admin, 30 requests each, p50/p95;
- 8 threads × N issues through services.issue (first expiry first out, all or nothing) racing
  for the same 3 lots: afterwards no Stock row is negative, every lot's movements sum to its
  Stock row, and received − issued = what is left;
- services.match over 2,000 need lines and 5,000 offers.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("GONGKE_DATA_DIR", tempfile.mkdtemp(prefix="gk-bench-"))
    os.environ.setdefault("SQLITE_NAME", "bench.sqlite3")

ITEMS, WAREHOUSES = 50, 100


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn, n: int) -> tuple[float, float]:
    """Wall-clock p50 and p95 in ms (the machine is shared: see also cpu_ms)."""
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), pct(runs, 95)


def build(movements: int, rng: random.Random):
    from django.db import transaction
    from django.utils import timezone

    from gongke.accounts.models import Membership, Role, User
    from gongke.registry import services as registry
    from gongke.registry.models import OrgKind, Place, PlaceKind
    from gongke.supplies.models import Item, Kind, Lot, Movement, Stock

    federation = registry.create_organization(
        parent=None, kind=OrgKind.FEDERATION, name="青原县工商业联合会"
    )
    admin = User.objects.create_user(username="bench_admin", password="x" * 20)
    Membership.objects.create(user=admin, organization=federation, role=Role.ORG_ADMIN)
    hospital = registry.save_place(
        kind=PlaceKind.RECIPIENT, recipient_kind="hospital", name="县医院", organization=federation
    )
    with transaction.atomic():
        houses = Place.objects.bulk_create(
            Place(kind=PlaceKind.WAREHOUSE, name=f"仓库{i:03d}", organization=federation)
            for i in range(WAREHOUSES)
        )
        items = Item.objects.bulk_create(
            Item(organization=federation, name=f"物资{i:02d}", category="other", base_unit="只")
            for i in range(ITEMS)
        )
        today = timezone.localdate()
        lots = Lot.objects.bulk_create(
            Lot(
                item=item,
                owner=federation,
                source="purchase",
                received_on=today - datetime.timedelta(days=60),
                expires_on=today + datetime.timedelta(days=rng.randint(30, 700)),
                code=f"B{i:011d}",
            )
            for i, (item, _house) in enumerate((i, h) for i in items for h in houses)
        )
    pairs = [
        (lot, house) for lot, house in zip(lots, (h for _i in items for h in houses), strict=True)
    ]
    per_pair = movements // len(pairs)
    start = timezone.now() - datetime.timedelta(days=60)
    step = datetime.timedelta(days=60) / per_pair
    t = time.perf_counter()
    batch: list[Movement] = []
    stocks = []
    for lot, house in pairs:
        balance = 0
        for k in range(per_pair):
            if balance < 100 or k % 10 == 0:
                kind, q = Kind.RECEIVE, rng.randint(500, 2000)
            else:
                kind, q = Kind.ISSUE, -rng.randint(1, min(balance, 300))
            balance += q
            batch.append(
                Movement(
                    lot=lot,
                    warehouse=house,
                    item_id=lot.item_id,
                    kind=kind,
                    quantity=q,
                    occurred_at=start + step * k,
                    recipient=hospital if kind == Kind.ISSUE else None,
                )
            )
        stocks.append(Stock(lot=lot, warehouse=house, item_id=lot.item_id, quantity=balance))
        if len(batch) >= 20000:
            with transaction.atomic():
                Movement.objects.bulk_create(batch)
            batch = []
    with transaction.atomic():
        Movement.objects.bulk_create(batch)
        Stock.objects.bulk_create(stocks)
    print(f"built {Movement.objects.count():,} movements in {time.perf_counter() - t:.0f} s")
    return admin, hospital


def race(issuers: int, issues: int, hospital, rng: random.Random) -> None:
    from django.core.exceptions import ValidationError
    from django.db import connection
    from django.db.models import Sum

    from gongke.accounts.models import User
    from gongke.registry.models import Place
    from gongke.supplies import services
    from gongke.supplies.models import Item, Movement, Stock

    user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench_root", password="x" * 20
    )
    house = Place.objects.filter(kind="warehouse").first()
    item = Item.objects.create(
        organization=house.organization, name="竞争口罩", category="n95", base_unit="只"
    )
    total = issuers * issues  # enough for about half the issues (each takes 1–3)
    lots = [
        services.receive(
            user=user,
            warehouse=house,
            item=item,
            quantity=total // 3,
            expires_on=datetime.date(2030, 1, 1) + datetime.timedelta(days=i),
        )
        for i in range(3)
    ]
    received = sum(Stock.objects.filter(lot__in=lots).values_list("quantity", flat=True))
    done, refused, taken = [0] * issuers, [0] * issuers, [0] * issuers

    def issuer(k: int) -> None:
        local = random.Random(k)
        try:
            for _ in range(issues):
                n = local.randint(1, 3)
                try:
                    services.issue(
                        user=user, warehouse=house, item=item, quantity=n, recipient=hospital
                    )
                    done[k] += 1
                    taken[k] += n
                except ValidationError:
                    refused[k] += 1
        finally:
            connection.close()

    t = time.perf_counter()
    threads = [threading.Thread(target=issuer, args=(k,)) for k in range(issuers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t
    left = sum(Stock.objects.filter(lot__in=lots).values_list("quantity", flat=True))
    negative = Stock.objects.filter(quantity__lt=0).count()
    mismatched = [
        s.lot_id
        for s in Stock.objects.filter(lot__in=lots)
        if s.quantity
        != (
            Movement.objects.filter(lot=s.lot, warehouse=s.warehouse).aggregate(n=Sum("quantity"))[
                "n"
            ]
        )
    ]
    print(
        f"race: {issuers} issuers × {issues} issues in {wall:.1f} s "
        f"({sum(done) + sum(refused)} attempts, {sum(done)} issued, {sum(refused)} refused for "
        f"lack of stock); received {received}, issued {sum(taken)}, left {left}; "
        f"negative rows {negative}; lots whose movements don't sum to their stock {mismatched}; "
        f"reconciles: {received - sum(taken) == left}"
    )


def matching(rng: random.Random) -> None:
    from gongke.supplies.services import match

    today = datetime.date(2020, 2, 18)
    needs = [
        (
            i,
            rng.randrange(ITEMS),
            rng.randrange(20),
            rng.randint(100, 5000),
            float(rng.randint(1, 3)),
        )
        for i in range(2000)
    ]
    offers = [
        (
            i,
            rng.randrange(ITEMS),
            rng.randrange(20),
            rng.randint(50, 5000),
            today + datetime.timedelta(days=rng.randint(-10, 700)),
        )
        for i in range(5000)
    ]
    t, c = time.perf_counter(), cpu()
    found = match(needs, offers, today=today)
    print(
        f"matching 2,000 needs × 5,000 offers: {(time.perf_counter() - t) * 1000:.0f} ms wall, "
        f"{(cpu() - c) * 1000:.0f} ms CPU "
        f"({sum(len(v) for v in found.values())} suggestions)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--issuers", type=int, default=8)
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument(
        "--skip-build", action="store_true", help="reuse the ledger an earlier run built"
    )
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from gongke.registry.models import Place
    from gongke.supplies import services
    from gongke.supplies.models import Item

    call_command("migrate", verbosity=0)
    rng = random.Random(13)
    print(f"database: {connection.vendor}")
    matching(rng)
    if args.skip_build:
        from gongke.accounts.models import User

        admin = User.objects.get(username="bench_admin")
        hospital = Place.objects.get(kind="recipient", name="县医院")
    else:
        admin, hospital = build(args.movements, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    items, houses = list(Item.objects.all()), list(Place.objects.filter(kind="warehouse"))
    pairs = [(rng.choice(items), rng.choice(houses)) for _ in range(200)]
    past = timezone.localdate() - datetime.timedelta(days=20)

    def one(on=None):
        item, house = rng.choice(pairs)
        services.balance(item=item, warehouse=house, on=on)

    p50, p95 = timed(one, 200)
    print(f"balance now, one item in one warehouse: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    p50, p95 = timed(lambda: one(past), 200)
    print(f"balance at the end of a past day: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    c = Client()
    c.force_login(admin)
    for url in ["/supplies/", "/supplies/stock/", f"/supplies/?on={past.isoformat()}"]:
        assert c.get(url).status_code == 200
        before = cpu()
        p50, p95 = timed(lambda url=url: c.get(url), 30)
        print(
            f"GET {url}: p50 {p50:.0f} ms, p95 {p95:.0f} ms wall; "
            f"{(cpu() - before) / 30 * 1000:.0f} ms CPU of this process per request"
        )
    race(args.issuers, args.issues, hospital, rng)


if __name__ == "__main__":
    main()
