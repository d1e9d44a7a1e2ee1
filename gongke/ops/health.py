"""/healthz: what a load balancer or a monitor asks. 200 with each check's details when all are
fine, 503 naming the failing checks otherwise. No login, no personal data."""

import logging
import shutil

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from .tasks import heartbeat_path

log = logging.getLogger(__name__)


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"vendor": connection.vendor}


def _queue() -> dict:
    from huey.contrib.djhuey import HUEY

    return {"backend": settings.JOBS_BACKEND, "pending": HUEY.storage.queue_size()}


def _disk() -> dict:
    free_mb = shutil.disk_usage(settings.DATA_DIR).free // (1024 * 1024)
    if free_mb < settings.HEALTH_MIN_FREE_MB:
        raise OSError(f"{free_mb} MB free, under {settings.HEALTH_MIN_FREE_MB} MB")
    return {"free_mb": free_mb}


CHECKS = {"database": _database, "queue": _queue, "disk": _disk}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict] = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = {"ok": True, **check()}
        except Exception as exc:  # any failure is the answer, not a 500
            log.warning("health check %s failed: %s", name, exc)
            checks[name] = {"ok": False, "error": str(exc)[:200]}
    try:
        worker = heartbeat_path().read_text().strip()
    except OSError:
        worker = "never"
    failing = [name for name, result in checks.items() if not result["ok"]]
    return JsonResponse(
        {
            "status": "failing" if failing else "ok",
            "failing": failing,
            "checks": checks,
            "worker_last_seen": worker,
        },
        status=503 if failing else 200,
    )
