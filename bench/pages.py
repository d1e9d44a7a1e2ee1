"""Page weight, first paint and scripts-ready on a throttled phone; accessibility counts.

Serves the demo county exactly as `make run` does (`gongke serve --demo`: gunicorn, hashed and
compressed static files through WhiteNoise) on 127.0.0.1 from a scratch data directory, then
drives Debian's chromium through Playwright with a phone profile: 390×844 viewport, network
throttled over CDP to Lighthouse's "slow 4G" (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s
up) and the CPU slowed 4×. For each page, signed in as the federation's admin:

- bytes: everything the page loaded, as transferred (compressed, headers included), cold cache;
- first paint: first-contentful-paint, cold cache and again with a warm cache;
- scripts ready: the deferred scripts have run (DOMContentLoaded ended), and on a page with
  charts, every chart is drawn (ECharts fetched and initialised);
- axe: axe-core's violations by impact (all impacts, not just serious/critical).

    GONGKE_DATA_DIR=$(mktemp -d) .venv/bin/python bench/pages.py [--port 8765] [--no-throttle]
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PAGES = [
    "/accounts/login/",
    "/",
    "/donations/",
    "/briefings/resumption/",
    "/community/",
    "/registry/",
    "/registry/people/",
    "/donations/gifts/",
    "/donations/gifts/new/",
    "/resumption/missing/",
    "/resumption/applications/",
    "/community/roster/",
    "/census/",
    "/accounts/users/",
    "/accounts/audit/",
]
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
MEASURE = """async () => {
  const charts = document.querySelectorAll('[data-chart]');
  const deadline = performance.now() + 60000;
  while ([...charts].some(c => !c.dataset.chartReady) && performance.now() < deadline) {
    await new Promise(r => setTimeout(r, 20));
  }
  const chartsAt = charts.length ? performance.now() : null;
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const all = [nav, ...performance.getEntriesByType('resource')];
  return {
    bytes: all.reduce((s, e) => s + e.transferSize, 0),
    requests: all.length,
    fcp: fcp ? fcp.startTime : null,
    ready: Math.max(nav.domContentLoadedEventEnd, chartsAt || 0),
    charts: charts.length,
    echarts: all.some(e => e.name.includes('echarts')),
  };
}"""
AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  const counts = {};
  for (const v of result.violations) counts[v.impact] = (counts[v.impact] || 0) + v.nodes.length;
  return counts;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="gongke.settings", AXES_ENABLED="0")
    env.setdefault("GONGKE_DATA_DIR", str(Path("/tmp") / f"gk-bench-pages-{os.getpid()}"))
    cmd = [sys.executable, "-m", "gongke.cli", "serve", "--demo", "--no-worker"]
    server = subprocess.Popen([*cmd, "--port", str(port)], env=env, cwd=ROOT)
    for _ in range(1200):  # migrating, collecting and loading the demo take a few minutes
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gongke serve stopped")
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gongke serve did not answer")


def throttle(page, on: bool) -> None:
    if not on:
        return
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})


def run(base: str, throttled: bool) -> list[dict]:
    import django
    from playwright.sync_api import sync_playwright

    django.setup()
    from gongke.ops.demo import DEMO_PASSWORD

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        phone = {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
            "locale": "zh-CN",
            "base_url": base,
        }
        login = browser.new_context(**phone)
        page = login.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "federation")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        state = login.storage_state()
        login.close()

        for url in PAGES:
            context = browser.new_context(
                **phone, storage_state=None if url == "/accounts/login/" else state
            )
            page = context.new_page()
            throttle(page, throttled)
            page.goto(url, wait_until="load", timeout=120_000)
            cold = page.evaluate(MEASURE)
            page.add_script_tag(url="/static/vendor/axe.min.js")
            axe = page.evaluate(AXE)
            page.goto(url, wait_until="load", timeout=120_000)  # same tab: warm cache
            warm = page.evaluate(MEASURE)
            rows.append({"url": url, "cold": cold, "warm": warm, "axe": axe})
            context.close()
        browser.close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--no-throttle", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
    port = args.port or free_port()
    server = start_server(port)
    try:
        rows = run(f"http://127.0.0.1:{port}", throttled=not args.no_throttle)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        "| page | KB over the wire | requests | ECharts | first paint (cold / warm) "
        "| scripts ready (cold / warm) | axe violations |"
    )
    print("|---|---:|---:|---|---:|---:|---|")
    for r in rows:
        c, w = r["cold"], r["warm"]
        axe = ", ".join(f"{k} {v}" for k, v in sorted(r["axe"].items())) or "none"
        print(
            f"| `{r['url']}` | {c['bytes'] / 1024:.0f} | {c['requests']} "
            f"| {'yes' if c['echarts'] else 'no'} "
            f"| {c['fcp'] / 1000:.2f} s / {w['fcp'] / 1000:.2f} s "
            f"| {c['ready'] / 1000:.2f} s / {w['ready'] / 1000:.2f} s | {axe} |"
        )
    print(json.dumps(rows), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
