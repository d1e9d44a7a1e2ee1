"""A morning's peak at one compound: 5,000 package orders through the public ordering page.

    python bench/orders_http.py [--db sqlite|postgres|both] [--capacity 5000] [--connections 32]

Serves the app as docs/deploy.md says (gunicorn gongke.wsgi, 2 × cores workers, 1 thread, behind
nginx), with the real settings and the ordering page's rate limit on. Residents come from many
addresses: wrk sends each order with an X-Forwarded-For address of its own and the app trusts two
proxies (PROXY_COUNT=2: a CDN or the compound's gateway, then nginx), so each address gets its own
allowance, as on a real morning. Each request is what the phone's form sends: the CSRF cookie and
token fetched once, the window, a fresh client id, building, room, name, phone.

wrk runs past the capacity on purpose: the last orders meet a sold-out window (422), which is the
point of the test. Printed per database: orders stored, the window's counter, packages ordered
(the three must equal the capacity: zero oversold), the time from the first order to the last
and orders per second over it, wrk's request rate and latency, and refusals.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.passages_http import NGINX, nginx_binary  # noqa: E402

BIN = Path(sys.executable).parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/gk_orders_bench"


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def environment(db: str) -> dict[str, str]:
    env = {
        **os.environ,
        "GONGKE_DATA_DIR": tempfile.mkdtemp(prefix=f"gk_orders_bench_{db}_"),
        "DJANGO_SETTINGS_MODULE": "gongke.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "PROXY_COUNT": "2",
        "JOBS_IMMEDIATE": "0",
    }
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS gk_orders_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE gk_orders_bench")
        env["DATABASE_URL"] = PG_URL
    return env


def django(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


SETUP = r"""
import datetime as dt, json
from django.utils import timezone
from gongke.assistance import services
from gongke.assistance.models import ShopKey
from gongke.registry import services as registry
from gongke.registry.models import OrgKind, PlaceKind

fed = registry.create_organization(parent=None, kind=OrgKind.FEDERATION, name="青原县工商业联合会")
chamber = registry.create_organization(parent=fed, kind=OrgKind.CHAMBER, chamber_kind="industry", name="青原县钣金商会")
shop = registry.create_organization(parent=chamber, kind=OrgKind.ENTERPRISE, name="鲜果超市")
area = registry.save_place(kind=PlaceKind.COMPOUND, name="东城花园小区", organization=chamber)
services.set_price_cap(organization=fed, amount="100", user=None)
package = services.save_package(supplier=shop, user=None, name="蔬菜套餐", contents="白菜、土豆、鸡蛋", price="68")
window = services.open_window(compound=area, package=package, day=timezone.localdate() + dt.timedelta(days=1),
    closes_at=timezone.now() + dt.timedelta(hours=6), capacity=%(capacity)d, max_per_order=1, user=None)
print(json.dumps({"token": ShopKey.for_place(area).token, "window": window.pk}))
"""

COUNT = r"""
import json
from django.db.models import Min, Max, Sum
from gongke.assistance.models import Order, Window
w = Window.objects.get(pk=%(window)d)
agg = Order.objects.filter(window=w).aggregate(n=Sum("quantity"), first=Min("created_at"), last=Max("created_at"))
print(json.dumps({"orders": Order.objects.filter(window=w).count(), "ordered": w.ordered,
    "capacity": w.capacity, "packages": agg["n"] or 0,
    "numbers": Order.objects.filter(window=w).values("number").distinct().count(),
    "seconds": (agg["last"] - agg["first"]).total_seconds() if agg["first"] else 0}))
"""

LUA = r"""
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + thread_number * 7919 + math.floor(os.clock() * 1000000))
end
local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%%x", v)
  end))
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=%(cookie)s"
wrk.headers["Referer"] = "http://127.0.0.1:%(port)d/"
request = function()
  wrk.headers["X-Forwarded-For"] = string.format("10.%%d.%%d.%%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local body = string.format("csrfmiddlewaretoken=%(token)s&window=%(window)d&client_id=%%s&quantity=1&building=%%d&unit=1&room=%%d0%%d&name=%%s&phone=139%%08d",
    uuid(), math.random(1, 30), math.random(1, 18), math.random(1, 4), "%%E5%%B1%%85%%E6%%B0%%91", math.random(0, 99999999))
  return wrk.format(nil, nil, nil, body)
end
"""


def wrk(url: str, script: Path, duration: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency"]
        + ["--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m[1]) * {"us": 0.001, "ms": 1, "s": 1000}[m[2]] if m else float("nan")

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out)[1]),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "refused": int(non2xx[1]) if non2xx else 0,
        "socket_errors": sum(int(x) for x in sock.groups()) if sock else 0,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "raw": out,
    }


def csrf(port: int, token: str) -> tuple[str, str]:
    """The CSRF cookie and the form's token, as a phone gets them opening the page."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"http://127.0.0.1:{port}/assistance/o/{token}/", timeout=10).read().decode()
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return cookie, form_token


def run(db: str, capacity: int, connections: int, duration: int, workers: int) -> dict:
    env = environment(db)
    django(env, "-m", "django", "migrate", "-v0")
    setup = "import django; django.setup(); exec(open(0).read())"
    info = json.loads(
        django(env, "-c", setup, stdin=SETUP % {"capacity": capacity}).strip().splitlines()[-1]
    )
    upstream = 18200 + (1 if db == "postgres" else 0)
    port = upstream + 100
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "gongke.wsgi:application", "--bind", f"127.0.0.1:{upstream}"]
        + ["--workers", str(workers), "--threads", "1", "--timeout", "60"]
        + ["--log-level", "warning"],
        env=env,
        cwd=ROOT,
    )
    tmp = Path(tempfile.mkdtemp(prefix="gk_orders_wrk_"))
    tmp.chmod(0o755)
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX % {"tmp": tmp, "port": port, "upstream": upstream})
    proxy = subprocess.Popen([nginx_binary(), "-c", str(conf), "-e", str(tmp / "e.log")])
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        cookie, form_token = csrf(port, info["token"])
        lua = tmp / "order.lua"
        lua.write_text(
            LUA
            % {
                "cookie": cookie,
                "token": form_token,
                "window": info["window"],
                "port": port,
            }
        )
        log(f"[{db}] ordering: {capacity} packages on sale, {connections} connections")
        load_start = os.getloadavg()[0]
        result = wrk(
            f"http://127.0.0.1:{port}/assistance/o/{info['token']}/", lua, duration, connections
        )
        load_end = os.getloadavg()[0]
    finally:
        proxy.terminate()
        proxy.wait(30)
        server.terminate()
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    counts = json.loads(
        django(env, "-c", setup, stdin=COUNT % {"window": info["window"]}).strip().splitlines()[-1]
    )
    return {"db": db, "wrk": result, "counts": counts, "load": (load_start, load_end)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    ap.add_argument("--capacity", type=int, default=5000)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--duration", type=int, default=40, help="seconds of wrk (past the sell-out)")
    ap.add_argument("--workers", type=int, default=0, help="default: 2 × cores (docs/deploy.md)")
    ap.add_argument("--raw", action="store_true")
    args = ap.parse_args()
    if not nginx_binary() or not shutil.which("wrk"):
        sys.exit("needs nginx and wrk (Debian packages nginx, wrk)")
    workers = args.workers or 2 * (os.cpu_count() or 1)
    print(
        "| database | gunicorn | connections | orders stored | window counter | packages "
        "| oversold | first → last order s | orders/s | requests/s | p50 ms | p99 ms "
        "| refused (sold out) | socket errors | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        r = run(db, args.capacity, args.connections, args.duration, workers)
        w, c = r["wrk"], r["counts"]
        if args.raw:
            log(w["raw"])
        oversold = max(0, max(c["orders"], c["ordered"], c["packages"]) - c["capacity"])
        rate = c["orders"] / c["seconds"] if c["seconds"] else float("nan")
        print(
            f"| {db} | {workers}×1 | {args.connections} | {c['orders']} | {c['ordered']} | "
            f"{c['packages']} | {oversold} | {c['seconds']:.1f} | {rate:.0f} | {w['rps']:.0f} | "
            f"{w['p50']:.1f} | {w['p99']:.1f} | {w['refused']} | {w['socket_errors']} | "
            f"{r['load'][0]:.1f} → {r['load'][1]:.1f} |",
            flush=True,
        )
        if c["numbers"] != c["orders"]:
            log(f"[{db}] order numbers not unique: {c['numbers']} for {c['orders']} orders")


if __name__ == "__main__":
    main()
