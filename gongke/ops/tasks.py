"""Housekeeping jobs run by `gongke worker`."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongke.accounts.models import ClientRequest

HEARTBEAT = "worker-heartbeat"
CLIENT_KEY_DAYS = 7


def heartbeat_path():
    return settings.DATA_DIR / HEARTBEAT


@db_task()
def heartbeat() -> str:
    """Writes the time the worker last ran a job; /healthz reports its age."""
    now = timezone.now().isoformat()
    heartbeat_path().write_text(now)
    return now


@db_periodic_task(crontab(minute="*"))
def heartbeat_every_minute() -> None:
    heartbeat.call_local()


def forget_old_client_keys(*, days: int = CLIENT_KEY_DAYS) -> int:
    """A retry comes within minutes or hours; after a week the stored answers only take space."""
    deleted, _ = ClientRequest.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted


@db_periodic_task(crontab(hour="3", minute="17"))
def forget_old_client_keys_nightly() -> None:
    forget_old_client_keys()
