"""Benchmark (issues 3, 9, 10): import 100,000 gift lines from .xlsx into a county tree through
the duplicate review, then compute every roll-up; then 100,000 more lines into the county now
holding the first 100,000 (the review's cost against a full county), then the first file again
(a no-op). Prints rows/s, wall time, CPU and peak memory (RSS).

    GONGKE_DATA_DIR=$(mktemp -d) .venv/bin/python bench/donations_import.py [--rows 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_donations_bench .venv/bin/python bench/donations_import.py

The county is the demo registry (federation, 30 chambers, ~2,000 enterprises, recipients). The
file is written first (not timed); the import runs through the same service as the page
(gongke.donations.importer.import_gifts: read, check every row, save in bulk, one audit entry),
then the roll-ups for every organization of the tree are computed from the ledger.
"""

import argparse
import gc
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("GONGKE_DATA_DIR", tempfile.mkdtemp(prefix="gk-bench-"))
    os.environ.setdefault("SQLITE_NAME", "bench.sqlite3")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(connection) -> float | None:
    """CPU time of this connection's PostgreSQL backend, when the server runs on this machine
    (a shared machine's wall time says little; client + server CPU is the work itself)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mb() -> float:
    """Peak resident memory since the last reset_peak() (Linux), else since the start."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Start the peak over (Linux: writing 5 to clear_refs resets VmHWM), so that each import's
    peak is its own and not the file writing's or the previous import's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def write_file(path: Path, rows: int, county, rng: random.Random) -> None:
    import xlsxwriter

    from gongke.donations.importer import COLUMNS

    keys = [k for k, _l, _r in COLUMNS]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet()
    for col, (_k, label, _r) in enumerate(COLUMNS):
        ws.write(0, col, str(label))
    enterprises = [e.name for e in county["enterprises"]]
    chambers = [c.name for c in county["chambers"]]
    recipients = [r.name for r in county["recipients"]]
    people = [
        f"{s}{g}"
        for s in "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
        for g in [
            "伟",
            "芳",
            "娜",
            "秀英",
            "敏",
            "静",
            "丽",
            "强",
            "磊",
            "军",
            "洋",
            "勇",
            "艳",
            "杰",
            "娟",
            "涛",
        ]
    ]
    goods = [
        ("N95口罩", "只"),
        ("医用外科口罩", "箱"),
        ("防护服", "套"),
        ("消毒液", "公斤"),
        ("测温枪", "台"),
        ("护目镜", "副"),
        ("方便面", "箱"),
    ]
    for r in range(1, rows + 1):
        kind = rng.random()
        row: dict[str, object] = {}
        if kind < 0.55:
            row["donor"] = rng.choice(enterprises)
        elif kind < 0.9:
            row["donor"] = rng.choice(people) + str(rng.randint(1, 40))
            row["anonymous"] = "是" if rng.random() < 0.1 else "否"
        elif kind < 0.97:
            row["donor"] = f"青原县爱心团体{rng.randint(1, 300)}协会"
        else:
            row["donor_kind"] = "匿名"
        n = rng.random()
        if n < 0.8:
            row["nature"] = "资金"
            value = rng.choice([200, 500, 1000, 1200.5, 5000, 10000, 20000, 50000, 100000, 648000])
            written = rng.random()
            if written < 0.4:
                row["amount"] = value
            elif written < 0.6:
                row["amount"] = f"{value:,}"
            elif written < 0.75:
                row["amount"] = f"{value / 10000:g}万"
            elif written < 0.85:
                row["amount"] = f"近{value / 10000:g}万"
            elif written < 0.9:
                row["amount"] = f"{max(1, value // 10000)}余万元"
            else:
                from gongke.lib.chinese import capital_amount

                row["amount"] = capital_amount(value)
        else:
            item, unit = rng.choice(goods)
            qty = rng.choice([50, 100, 200, 500, 1000, 2000])
            row.update(
                nature="物资",
                item=item,
                unit=unit,
                quantity=qty,
                amount=qty * rng.choice([2, 5, 10, 30]),
            )
        row["date"] = f"2020-{rng.choice(['01', '02', '03'])}-{rng.randint(1, 28):02d}"
        row["status"] = "认捐" if rng.random() < 0.1 else "已到账"
        if row["status"] == "已到账" and rng.random() < 0.3:
            row["recipient"] = rng.choice(recipients)
        row["collector"] = rng.choice(chambers)
        row["note"] = f"第{r}行"
        for col, key in enumerate(keys):
            value = row.get(key, "")
            if value != "":
                ws.write(r, col, value)
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from auditlog.context import disable_auditlog

    from gongke.accounts.models import User
    from gongke.donations.importer import commit_review, import_gifts
    from gongke.donations.models import (
        Donor,
        DuplicateDecision,
        Entry,
        Gift,
        ImportBatch,
        ImportReview,
        Receipt,
        ReceiptCounter,
    )
    from gongke.donations.rollups import rollup
    from gongke.ops.demo import SEED, build_registry
    from gongke.registry.models import Organization, OrgKind, Place

    rng = random.Random(SEED)
    if not Organization.objects.filter(kind=OrgKind.FEDERATION).exists():
        with disable_auditlog():
            build_registry(rng)
    # A clean ledger each run, so the figures are comparable.
    with connection.cursor() as cursor:
        for model in (
            Receipt,
            ReceiptCounter,
            DuplicateDecision,
            Entry,
            Gift,
            Donor,
            ImportReview,
            ImportBatch,
        ):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - our own tables
    federation = Organization.objects.get(kind=OrgKind.FEDERATION)
    county = {
        "enterprises": list(Organization.objects.filter(kind=OrgKind.ENTERPRISE)),
        "chambers": list(Organization.objects.filter(kind=OrgKind.CHAMBER)),
        "recipients": list(Place.objects.recipients()),
    }
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench", password="bench-password-123"
    )

    folder = Path(tempfile.mkdtemp(prefix="gk-bench-"))
    started = time.perf_counter()
    write_file(folder / "gifts.xlsx", args.rows, county, random.Random(7))
    write_file(folder / "more.xlsx", args.rows, county, random.Random(8))
    written = time.perf_counter() - started
    data = (folder / "gifts.xlsx").read_bytes()
    more = (folder / "more.xlsx").read_bytes()
    del county
    gc.collect()
    reset_peak()
    before = peak_mb()

    def through_review(payload: bytes, name: str) -> tuple[object, float, float, int]:
        """The import as a clerk makes it: upload (read, check, find the lines that look like
        known gifts, hold the file), then every such line judged different and the file saved."""
        started = time.perf_counter()
        held = import_gifts(user=admin, organization=federation, data=payload, filename=name)
        uploaded = time.perf_counter() - started
        assert held.ok, held.errors[:5]
        lines = len(held.duplicates)
        result = held
        started = time.perf_counter()
        if held.review is not None:
            decisions = {c["row"]: False for c in held.duplicates}
            result = commit_review(user=admin, review=held.review, decisions=decisions)
            assert result.ok and result.review is None, result.errors[:5]
        return result, uploaded, time.perf_counter() - started, lines

    cpu = cpu_seconds()
    server_cpu = server_cpu_seconds(connection)
    result, uploaded, committed, lines = through_review(data, "gifts.xlsx")
    imported = uploaded + committed
    started = time.perf_counter()
    figures = rollup(None)
    rolled = time.perf_counter() - started
    total = imported + rolled
    cpu = cpu_seconds() - cpu
    server_after = server_cpu_seconds(connection)
    peak1 = peak_mb()

    # The same again into a county that now holds the first file's gifts.
    reset_peak()
    cpu2 = cpu_seconds()
    server2 = server_cpu_seconds(connection)
    result2, uploaded2, committed2, lines2 = through_review(more, "more.xlsx")
    cpu2 = cpu_seconds() - cpu2
    server2_after = server_cpu_seconds(connection)
    peak2 = peak_mb()

    started = time.perf_counter()
    again = import_gifts(user=admin, organization=federation, data=data, filename="gifts.xlsx")
    reimported = time.perf_counter() - started
    assert again.ok and again.created == 0 and again.review is None

    root = Organization.objects.filter(depth=0).first()
    assert root is not None
    print(f"database            {connection.vendor}")
    print(
        f"rows                {args.rows:,} ({result.created:,} gifts, {Entry.objects.count():,} ledger entries after both files)"
    )
    print(
        f"files               {len(data) / 1e6:.1f} MB each, written in {written:.1f} s (not counted)"
    )
    print(
        f"import, empty county  {imported:.2f} s  ({args.rows / imported:,.0f} rows/s): upload and "
        f"review {uploaded:.2f} s ({lines:,} lines like another), decisions and save {committed:.2f} s"
    )
    print(f"roll-ups            {rolled:.2f} s  ({len(figures):,} organizations)")
    print(f"end to end          {total:.2f} s  ({args.rows / total:,.0f} rows/s)")
    print(
        f"  of which CPU      {cpu:.2f} s in this process (load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)"
    )
    if server_cpu is not None and server_after is not None:
        print(f"  and CPU           {server_after - server_cpu:.2f} s in the PostgreSQL backend")
    print(
        f"import, county of {result.created:,}  {uploaded2 + committed2:.2f} s: upload and review "
        f"{uploaded2:.2f} s ({lines2:,} lines like a known gift), decisions and save "
        f"{committed2:.2f} s; CPU {cpu2:.2f} s in this process"
        + (
            f", {server2_after - server2:.2f} s in the PostgreSQL backend"
            if server2 is not None and server2_after is not None
            else ""
        )
        + f"; peak RSS {peak2:.0f} MB"
    )
    print(
        f"re-import (no-op)   {reimported:.2f} s  (created {again.created}, skipped {again.skipped:,})"
    )
    print(f"peak RSS            {peak1:.0f} MB during the first import (before it {before:.0f} MB)")
    print(f"county received     {figures[root.pk].received:,} yuan")
    assert result2.ok


if __name__ == "__main__":
    main()
