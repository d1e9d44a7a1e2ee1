"""A fever alert is never lost: when its notification cannot be queued the passage and the alert
are kept, the guard is told so, and the sweep delivers it once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from gongke.community import tasks
from gongke.community.models import Alert, Passage
from gongke.community.services.alerts import sweep_fever_alerts

from .helpers import item

# Real commits: the notification is queued when the passage's transaction commits, and the
# answer reports what happened then.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue_gone(monkeypatch, tmp_path):
    """The queue's storage is unusable (its directory is gone): every enqueue fails."""
    gone = SqliteStorage(
        name="gongke", filename=str(tmp_path / "gone" / "jobs.sqlite3"), create_tables=False
    )
    monkeypatch.setattr(HUEY, "storage", gone)


@pytest.fixture
def admin_mail(cast):
    cast.admin_a.email = "admin_a@example.com"
    cast.admin_a.save()


def fever(api, post, **fields):
    return api.post(
        "/api/v1/community/passages",
        item(post_id=post.pk, temperature="38.6", **fields),
        content_type="application/json",
    )


def test_a_fever_is_kept_and_the_guard_told_when_its_notification_cannot_be_queued(
    cast, api_for, queue_gone, caplog
):
    r = fever(api_for(cast.guard_a), cast.post_a)
    assert r.status_code == 201, r.content
    alert = Alert.objects.get()
    assert Passage.objects.filter(pk=r.json()["id"]).exists() and alert.passage_id == r.json()["id"]
    assert alert.notified_at is None
    answer = r.json()["alert"]
    assert answer["id"] == alert.pk and answer["queued"] is False
    assert cast.chamber_a.name in answer["message"]
    assert "could not queue" in caplog.text


def test_a_queued_notification_is_reported_as_queued(cast, api_for):
    r = api_for(cast.guard_a).post(
        "/api/v1/community/passages/batch",
        {"post_id": cast.post_a.pk, "items": [item(temperature="38.6"), item()]},
        content_type="application/json",
    )
    fever, normal = r.json()["results"]
    assert fever["alert"]["queued"] is True and normal["alert"] is None


def test_the_sweep_delivers_an_alert_that_was_never_queued_exactly_once(
    cast, api_for, queue_gone, admin_mail
):
    fever(api_for(cast.guard_a), cast.post_a)
    assert sweep_fever_alerts() == 0  # under a minute old: its job may still come
    later = timezone.now() + timedelta(minutes=2)
    assert sweep_fever_alerts(now=later) == 1
    alert = Alert.objects.get()
    assert alert.notified_at is not None and alert.emails_sent == 1
    [email] = mail.outbox
    assert email.to == ["admin_a@example.com"]
    assert sweep_fever_alerts(now=later) == 0
    tasks.notify_fever.call_local(alert.pk)  # the job after all, late: nothing more is sent
    assert len(mail.outbox) == 1


def test_the_sweep_runs_every_minute_in_the_worker(cast, api_for, queue_gone, admin_mail):
    fever(api_for(cast.guard_a), cast.post_a)
    Alert.objects.update(raised_at=timezone.now() - timedelta(minutes=5))
    assert tasks.sweep_fever_alerts.call_local() == 1
    assert tasks.sweep_fever_alerts.task_class().validate_datetime(timezone.now().replace(second=0))
    assert len(mail.outbox) == 1


def test_the_console_page_tells_the_guard_the_alert_waits_when_it_cannot_be_queued(
    cast, client_for, queue_gone
):
    r = client_for(cast.guard_a).post(
        reverse("community:console", args=[cast.post_a.pk]),
        {
            "subject": "outsider",
            "name": "李四",
            "direction": "in",
            "temperature": "38.6",
            "reason": "复测正常，放行",
        },
        follow=True,
    )
    text = r.content.decode()
    assert Alert.objects.count() == 1 and "暂未发出" in text and cast.chamber_a.name in text
