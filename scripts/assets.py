"""Copy the front-end packages npm installed into gongke/static/vendor, where the app serves them."""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
    "echarts.min.js": "node_modules/echarts/dist/echarts.min.js",
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
