"""Jobs: publish the day's version of every open dataset before anyone asks."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="2"))
def publish_open_data() -> int:
    """Hourly (huey's clock is UTC; a version starts at midnight Beijing time, 16:00 UTC): what is
    already in the cache is left alone, so only the first run after midnight computes."""
    from .publish import publish_all

    return publish_all()
