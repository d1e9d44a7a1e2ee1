"""What the guard console makes a phone download before it works (issue 11, point 5).

    .venv/bin/python bench/console_weight.py [--residents 2000] [--kbps 400]

Builds the test cast in a fresh SQLite data dir with N residents in compound A, renders the
console (GET /community/post/<post_a>/) as its duty officer through Django's test client, and
adds up the bytes of the page and of every script and stylesheet it links (read from the static
files, uncompressed; a server's gzip makes them smaller). The time is bytes ÷ the given link
speed (400 kbit/s ≈ a weak 3G signal at a compound's gate), with no latency: a floor, not a
prediction.
"""

import argparse
import importlib.util
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--kbps", type=int, default=400)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongke.settings"
    os.environ["GONGKE_DATA_DIR"] = tempfile.mkdtemp(prefix="gk-console-weight-")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    spec = importlib.util.spec_from_file_location("gk_cast", ROOT / "conftest.py")
    assert spec and spec.loader
    cast_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cast_module)
    cast = cast_module.build_cast()

    from gongke.census.models import Household, Resident
    from gongke.lib.chinese import search_key

    homes = Household.objects.bulk_create(
        Household(place=cast.compound_a, building=str(i // 100), unit="1", room=str(i % 100))
        for i in range(args.residents)
    )
    Resident.objects.bulk_create(
        Resident(household=h, name=f"居民{i}", search_text=search_key(f"居民{i}"))
        for i, h in enumerate(homes)
    )
    client = Client()
    client.force_login(cast.guard_a)
    html = client.get(f"/community/post/{cast.post_a.pk}/").content
    rows = [("page (HTML with the resident list)", len(html))]
    for url in re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html):
        path = finders.find(url.decode().removeprefix("/static/"))
        rows.append((url.decode(), Path(path).stat().st_size if path else 0))
    total = sum(n for _name, n in rows)
    for name, n in rows:
        print(f"{name:50} {n / 1024:8.1f} KiB")
    seconds = total * 8 / (args.kbps * 1000)
    print(f"{'total':50} {total / 1024:8.1f} KiB  ≈ {seconds:.1f} s at {args.kbps} kbit/s")
    print("chart library:", "yes" if b"echarts" in html else "no")


if __name__ == "__main__":
    main()
