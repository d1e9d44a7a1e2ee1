"""Jobs: tell the organization about a fever at once; purge old passages every night."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger("gongke.community")


@db_task(priority=10)
def notify_fever(alert_id: int) -> None:
    """Marks the alert notified; the organization's pages show unhandled alerts at the top.

    Delivery beyond the pages (SMS, WeCom) plugs in here.
    """
    from .models import Alert

    alert = (
        Alert.objects.select_related("post", "organization")
        .filter(pk=alert_id, notified_at__isnull=True)
        .first()
    )
    if alert is None:
        return
    log.warning("fever %s °C at %s (%s)", alert.temperature, alert.post, alert.organization)
    Alert.objects.filter(pk=alert.pk).update(notified_at=timezone.now())


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_old_passages() -> int:
    from .services import purge_passages

    return purge_passages()
