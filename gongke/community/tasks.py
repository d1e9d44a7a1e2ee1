"""Jobs: tell the organization about a fever at once (and sweep up any alert whose notification
was not queued); purge old passages every night."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(priority=10)
def notify_fever(alert_id: int) -> None:
    """The group robot and email for one alert (enqueued on commit of the passage); once only."""
    from .services import notify_fever as deliver

    deliver(alert_id=alert_id)


@db_periodic_task(crontab(minute="*"))
def sweep_fever_alerts() -> int:
    """Every minute: deliver the alerts whose notification was never queued or was lost."""
    from .services.alerts import sweep_fever_alerts as sweep

    return sweep()


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_old_passages() -> int:
    from .services import purge_passages

    return purge_passages()
