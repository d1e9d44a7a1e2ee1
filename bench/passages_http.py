"""Sustained passage registration through the HTTP API, against this machine's floor.

    .venv/bin/python bench/passages_http.py [--db sqlite|postgres|both] [--duration 20] [--connections 16]

Serves the app the way docs/deploy.md says: gunicorn gongke.wsgi (2 × cores workers, 1 thread) behind
nginx (Debian package `nginx`; the deploy.md server block without TLS and without an access log,
one nginx worker; `--direct` drives gunicorn itself), with the bench settings, which add a floor
view: a minimal Django view that inserts one row. As in deploy.md, nginx keeps the client's
connections and opens one to gunicorn per request, so every request goes to a free gunicorn
worker; driven directly, each keep-alive connection stays with the worker that accepted it and
a round's figures depend on how wrk's connections happened to fall across the workers. wrk (Debian package `wrk`) drives both with the
same connections and the same JSON body (a fresh UUID client id per request): first the floor,
then POST /api/v1/community/passages as a duty officer with a device token. Prints a Markdown
table row per database: requests/s, ratio to the floor, p50/p99 latency, errors, rows stored.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.community_common import ROOT, django, log, prepare  # noqa: E402

LUA = r"""
-- Each wrk thread has its own Lua state: seed each one differently (setup numbers them), or two
-- threads started in the same instant would send the same "fresh" client ids.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
function init(args)
  math.randomseed(os.time() * 1000 + thread_number * 7919 + math.floor(os.clock() * 1000000))
end
local residents = {%(residents)s}
local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%%x", v)
  end))
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
request = function()
  local r = math.random(1, 10)
  local body
  if r <= 8 then
    body = string.format('{"post_id": %(post)d, "client_id": "%%s", "direction": "%%s", "subject": "resident", "resident_id": %%d, "temperature": "36.%%d"}',
      uuid(), (math.random(0, 1) == 0) and "in" or "out", residents[math.random(1, #residents)], math.random(0, 9))
  elseif r == 9 then
    body = string.format('{"post_id": %(post)d, "client_id": "%%s", "direction": "in", "subject": "outsider", "name": "外来人员", "phone": "13912345678", "temperature": "36.6", "decision": "turned_back", "reason": "非本小区居民"}', uuid())
  else
    body = string.format('{"post_id": %(post)d, "client_id": "%%s", "direction": "in", "subject": "vehicle", "plate": "赣A%%05d", "driver": "王伟", "passengers": 1, "temperature": "36.4"}', uuid(), math.random(0, 99999))
  end
  return wrk.format(nil, nil, nil, body)
end
"""


def wrk(url: str, script: Path, duration: int, connections: int, threads: int) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m[1]) * {"us": 0.001, "ms": 1, "s": 1000}[m[2]]

    requests = int(re.search(r"(\d+) requests in", out)[1])
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx[1]) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "requests": requests,
        "errors": errors,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "raw": out,
    }


def merge(runs: list[dict]) -> dict:
    return {
        "rps": sum(r["rps"] for r in runs) / len(runs),
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "p50": sorted(r["p50"] for r in runs)[len(runs) // 2],
        "p99": max(r["p99"] for r in runs),
        "raw": "\n".join(r["raw"] for r in runs),
    }


NGINX = """
worker_processes 1;
daemon off;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(tmp)s/body;
    proxy_temp_path %(tmp)s/proxy;
    fastcgi_temp_path %(tmp)s/fastcgi;
    uwsgi_temp_path %(tmp)s/uwsgi;
    scgi_temp_path %(tmp)s/scgi;
    server {
        listen 127.0.0.1:%(port)d;
        client_max_body_size 20m;
        location / {
            proxy_pass http://127.0.0.1:%(upstream)d;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
        }
    }
}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def run(
    db: str,
    duration: int,
    connections: int,
    workers: int,
    threads: int,
    rounds: int,
    direct: bool,
) -> dict:
    env, info = prepare(db)
    upstream = 18000 + (1 if db == "postgres" else 0)
    port = upstream if direct else upstream + 100
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "gongke.wsgi:application",
        "--bind",
        f"127.0.0.1:{upstream}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT)
    tmp = Path(tempfile.mkdtemp(prefix="gk_community_wrk_"))
    proxy = None
    if not direct:
        tmp.chmod(0o755)  # nginx's workers (user nobody when started as root) buffer bodies here
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
        base = {"residents": ",".join(map(str, info["residents"])), "post": info["post_id"]}
        floor_lua, app_lua = tmp / "floor.lua", tmp / "app.lua"
        floor_lua.write_text(LUA % {**base, "auth": ""})
        app_lua.write_text(
            LUA % {**base, "auth": f'wrk.headers["Authorization"] = "Bearer {info["token"]}"'}
        )
        wt = min(2, connections)
        log(f"[{db}] warm-up")
        wrk(f"http://127.0.0.1:{port}/bench/floor", floor_lua, 3, connections, wt)
        wrk(f"http://127.0.0.1:{port}/api/v1/community/passages", app_lua, 3, connections, wt)
        # Floor and app alternate in short rounds so a noisy neighbour on the shared machine
        # weighs on both alike; p99 is the worst round's.
        floors, apps = [], []
        for i in range(rounds):
            log(f"[{db}] round {i + 1}/{rounds}: floor then passages, {duration // rounds}s each")
            floors.append(
                wrk(
                    f"http://127.0.0.1:{port}/bench/floor",
                    floor_lua,
                    duration // rounds,
                    connections,
                    wt,
                )
            )
            apps.append(
                wrk(
                    f"http://127.0.0.1:{port}/api/v1/community/passages",
                    app_lua,
                    duration // rounds,
                    connections,
                    wt,
                )
            )
            f, a = floors[-1], apps[-1]
            log(
                f"[{db}]   floor {f['rps']:.0f} req/s p99 {f['p99']:.1f} ms · passages "
                f"{a['rps']:.0f} req/s p99 {a['p99']:.1f} ms · errors {f['errors']}/{a['errors']}"
            )
        floor, app = merge(floors), merge(apps)
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(30)
        server.terminate()
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    count = django(
        env,
        "shell",
        "-c",
        "from gongke.community.models import Passage; print(Passage.objects.count())",
    )
    return {
        "db": db,
        "workers": workers,
        "threads": threads,
        "connections": connections,
        "floor": floor,
        "app": app,
        "rows": int(count.strip().splitlines()[-1]),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    ap.add_argument("--duration", type=int, default=40, help="seconds per side, split into rounds")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="default: 2 × cores, on both databases (docs/deploy.md)",
    )
    ap.add_argument("--threads", type=int, default=1, help="default: 1 (docs/deploy.md)")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--raw", action="store_true", help="print wrk's own output too")
    ap.add_argument("--direct", action="store_true", help="drive gunicorn without nginx")
    args = ap.parse_args()
    if not args.direct and not nginx_binary():
        sys.exit("nginx not found: sudo apt-get install nginx, or run with --direct")
    served = "gunicorn" if args.direct else "nginx → gunicorn"
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        "| database | served by | gunicorn | connections | floor req/s | passages req/s | ratio | p50 ms | p99 ms "
        "| errors | rows | load avg start → end |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for db in dbs:
        workers = args.workers or 2 * (os.cpu_count() or 1)
        # The machine is shared: the 1-minute load average before and after says how quiet it was.
        load_start = os.getloadavg()[0]
        r = run(
            db, args.duration, args.connections, workers, args.threads, args.rounds, args.direct
        )
        load_end = os.getloadavg()[0]
        f, a = r["floor"], r["app"]
        if args.raw:
            log(f["raw"], a["raw"])
        print(
            f"| {db} | {served} | {workers}×{args.threads} | {args.connections} | {f['rps']:.0f} | {a['rps']:.0f} | "
            f"{a['rps'] / f['rps']:.2f} | {a['p50']:.1f} | {a['p99']:.1f} | {a['errors']} | {r['rows']} | "
            f"{load_start:.1f} → {load_end:.1f} |",
            flush=True,
        )
        print(
            json.dumps({"db": db, "floor_p99": f["p99"], "floor_errors": f["errors"]}),
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
