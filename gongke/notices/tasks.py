"""Background jobs: a notice's deliveries; every minute, the scheduled notices, the chasing
ladder's due steps, and any delivery whose job was lost."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task(priority=5)
def deliver_notice(notice_id: int) -> int:
    total = 0
    while n := services.deliver(notice_id):
        total += n
    return total


@db_periodic_task(crontab(minute="*"))
def notices_every_minute() -> tuple[int, int, int]:
    return services.send_due(), services.run_ladder(), services.sweep()
