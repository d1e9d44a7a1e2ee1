"""Background jobs: after each association's deadline, remind whoever has not reported."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def remind_missing_reports() -> int:
    # Runs every five minutes; each association is reminded once a day (ReminderRun), just after
    # its own deadline.
    return services.remind_due()
