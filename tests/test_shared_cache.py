"""What one gunicorn worker caches every worker sees (no Redis: a SQLite file beside the data):
grants, rate-limit counts, the generation that retires cached sums when a past day changes."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from gongke.resumption import services
from gongke.resumption.models import local_today

ROOT = Path(__file__).resolve().parent.parent


def worker(code: str) -> list[str]:
    """The command and environment of another process with the same settings and data
    directory: a second gunicorn worker."""
    return [sys.executable, "-c", "import django; django.setup()\n" + code]


def worker_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongke.settings",
        "GONGKE_DATA_DIR": str(settings.DATA_DIR),
        "CACHE_SQLITE_NAME": Path(settings.CACHES["default"]["LOCATION"]).name,
        "PYTHONPATH": str(ROOT),
    }


def other_worker(code: str) -> str:
    """Runs `code` in another worker; answers what it printed."""
    done = subprocess.run(
        worker(code),
        env=worker_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_two_workers_see_the_same_cache():
    cache.set("gk:test:here", "from this worker", 60)
    seen = other_worker(
        "from django.core.cache import cache\n"
        "cache.set('gk:test:there', 'from the other worker', 60)\n"
        "print(cache.get('gk:test:here'))"
    )
    assert seen == "from this worker"
    assert cache.get("gk:test:there") == "from the other worker"


def test_workers_counting_at_once_lose_no_count():
    """Rate limits count with incr: two workers adding at once must both be counted."""
    cache.set("gk:test:count", 0, 60)
    code = (
        "from django.core.cache import cache\n"
        "for _ in range(200): cache.incr('gk:test:count')\n"
        "print('done')"
    )
    first = subprocess.Popen(worker(code), env=worker_env(), cwd=ROOT, stdout=subprocess.PIPE)
    assert other_worker(code) == "done"
    first.communicate(timeout=60)
    assert first.returncode == 0
    assert cache.get("gk:test:count") == 400


def test_a_backfilled_report_retires_the_cached_sums_in_every_worker(
    cast, django_capture_on_commit_callbacks
):
    read = "from gongke.resumption.services import history_generation\nprint(history_generation())"
    before = other_worker(read)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_report(
            enterprise=cast.a1,
            user=cast.reporter_a1,
            data={"staff_on_site": 3},
            day=local_today() - dt.timedelta(days=1),
        )
    after = other_worker(read)
    assert after != before and str(services.history_generation()) == after
