"""Offline batch sync throughput: POST /api/v1/community/passages/batch through gunicorn.

    .venv/bin/python bench/passages_batch.py [--db postgres|sqlite|both] [--batches 80] [--size 500] [--clients 4]

Same serving as passages_http.py: gunicorn gongke.wsgi (2 × cores workers, 1 thread) behind
nginx, as docs/deploy.md says (`--direct` drives gunicorn itself). Each client thread sends whole batches over keep-alive (as phones do
after a dead spot: hundreds of queued passages at once), 80 % residents going in or out, the
rest outsiders and vehicles. Then every batch is sent again: all must come back "duplicate" and
the row count must not move (exactly once). Prints passages/s for the first pass and the replay.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.community_common import ROOT, django, log, prepare  # noqa: E402
from bench.passages_http import NGINX, nginx_binary  # noqa: E402


def make_batches(info: dict, batches: int, size: int) -> list[bytes]:
    rng = random.Random(4)
    start = datetime.now(UTC) - timedelta(seconds=batches * size + 60)
    out = []
    for b in range(batches):
        items = []
        for i in range(size):
            when = (start + timedelta(seconds=b * size + i)).isoformat()
            r = rng.random()
            cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if r < 0.8:
                items.append(
                    {
                        "client_id": cid,
                        "direction": rng.choice(["in", "out"]),
                        "subject": "resident",
                        "resident_id": rng.choice(info["residents"]),
                        "temperature": f"36.{rng.randint(0, 9)}",
                        "occurred_at": when,
                    }
                )
            elif r < 0.9:
                items.append(
                    {
                        "client_id": cid,
                        "direction": "in",
                        "subject": "outsider",
                        "name": "外来人员",
                        "phone": "13912345678",
                        "temperature": "36.6",
                        "decision": "turned_back",
                        "reason": "非本小区居民",
                        "occurred_at": when,
                    }
                )
            else:
                items.append(
                    {
                        "client_id": cid,
                        "direction": rng.choice(["in", "out"]),
                        "subject": "vehicle",
                        "plate": f"赣A{rng.randint(0, 99999):05d}",
                        "driver": "王伟",
                        "passengers": 1,
                        "temperature": "36.4",
                        "occurred_at": when,
                    }
                )
        out.append(json.dumps({"post_id": info["post_id"], "items": items}).encode())
    return out


def send_all(
    port: int, token: str, bodies: list[bytes], clients: int
) -> tuple[float, dict, list[float]]:
    queue = list(enumerate(bodies))
    lock = threading.Lock()
    counts = {"created": 0, "duplicate": 0, "error": 0, "http_errors": 0}
    latencies: list[float] = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                _i, body = queue.pop()
            t = time.perf_counter()
            conn.request(
                "POST",
                "/api/v1/community/passages/batch",
                body=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            resp = conn.getresponse()
            data = resp.read()
            with lock:
                latencies.append(time.perf_counter() - t)
                if resp.status != 200:
                    counts["http_errors"] += 1
                    log(resp.status, data[:300])
                    continue
                answer = json.loads(data)
                for k in ("created", "duplicate", "error"):
                    counts[k] += answer[k]
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t0, counts, latencies


def run(db: str, batches: int, size: int, clients: int, workers: int, direct: bool) -> dict:
    env, info = prepare(db)
    upstream = 18100 + (1 if db == "postgres" else 0)
    port = upstream if direct else upstream + 100
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "gongke.wsgi:application",
            "--bind",
            f"127.0.0.1:{upstream}",
            "--workers",
            str(workers),
            "--threads",
            "1",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    tmp = Path(tempfile.mkdtemp(prefix="gk_batch_nginx_"))
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
        bodies = make_batches(info, batches, size)
        log(f"[{db}] {batches} batches of {size} with {clients} clients")
        first = send_all(port, info["token"], bodies, clients)
        log(f"[{db}] replay")
        again = send_all(port, info["token"], bodies, clients)
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(30)
        server.terminate()
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    rows = int(
        django(
            env,
            "shell",
            "-c",
            "from gongke.community.models import Passage; print(Passage.objects.count())",
        )
        .strip()
        .splitlines()[-1]
    )
    return {"db": db, "first": first, "again": again, "rows": rows, "n": batches * size}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    ap.add_argument("--batches", type=int, default=80)
    ap.add_argument("--size", type=int, default=500)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--direct", action="store_true", help="drive gunicorn without nginx")
    args = ap.parse_args()
    if not args.direct and not nginx_binary():
        sys.exit("nginx not found: sudo apt-get install nginx, or run with --direct")
    print(
        "| database | batches × size | clients | passages/s (first sync) | p99 batch s | replay passages/s | "
        "created | duplicates on replay | errors | rows |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for db in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        r = run(db, args.batches, args.size, args.clients, 2 * (os.cpu_count() or 1), args.direct)
        (t1, c1, l1), (t2, c2, _l2) = r["first"], r["again"]
        p99 = sorted(l1)[int(len(l1) * 0.99) - 1] if l1 else float("nan")
        errors = c1["error"] + c1["http_errors"] + c2["error"] + c2["http_errors"]
        print(
            f"| {db} | {args.batches} × {args.size} | {args.clients} | {r['n'] / t1:,.0f} | {p99:.2f} | "
            f"{r['n'] / t2:,.0f} | {c1['created']} | {c2['duplicate']} | {errors} | {r['rows']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
