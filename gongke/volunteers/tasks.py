"""Jobs: close check-ins left open past their shift's end (hours estimated) and flag no-shows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def close_finished_shifts() -> int:
    from .services import close_finished_shifts as close

    return close()


@db_periodic_task(crontab(minute="*/5"))
def flag_no_shows() -> int:
    from .services import flag_no_shows as flag

    return flag()
