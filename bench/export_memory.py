"""Peak Python memory of an Excel export by row count: constant if the export streams.

    python bench/export_memory.py [rows ...]      (default 10000 100000)

Writes rows of the shape of a list export (text, a masked phone, money, a date, a time) through
gongke.lib.excel.write_xlsx to a temporary file, as `BoundListing.export` does, and reports the
peak of traced allocations (tracemalloc) and the time taken."""

import datetime as dt
import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
import django  # noqa: E402

django.setup()

from gongke.lib.excel import Col, Kind, write_xlsx  # noqa: E402

COLUMNS = [
    Col("企业"),
    Col("电话", Kind.PHONE),
    Col("金额", Kind.MONEY),
    Col("日期", Kind.DATE),
    Col("时间", Kind.DATETIME),
]


def rows(n: int):
    day = dt.date(2020, 2, 10)
    at = dt.datetime(2020, 2, 10, 8, 30, tzinfo=dt.UTC)
    for i in range(n):
        yield [f"会员企业{i:06d}", "13812345678", Decimal(i) / 7, day, at]


def measure(n: int) -> tuple[float, float]:
    with tempfile.TemporaryFile() as f:
        tracemalloc.start()
        t = time.perf_counter()
        write_xlsx(f, COLUMNS, rows(n), sheet="导出")
        took = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 1e6, took


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [10_000, 100_000]:
        peak, took = measure(n)
        print(f"{n:>8} rows: peak {peak:6.2f} MB traced, {took:6.1f} s")
