import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from gongke.accounts.models import Membership, Role, User
from gongke.resumption import services
from gongke.resumption.models import LOCAL, Notification, ReminderRun

DAY = dt.date(2020, 2, 10)


def at(hour, minute=0):
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=LOCAL)


@pytest.fixture
def robot(settings):
    """A real group robot on 127.0.0.1 that records what it was sent."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode":0}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # An operator's ROBOT_ALLOWED_HOSTS naming this loopback robot (tests never leave it).
    settings.ROBOT_ALLOWED_HOSTS = [f"http://127.0.0.1:{server.server_port}"]
    yield f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test", received
    server.shutdown()
    server.server_close()


def test_after_the_deadline_missing_reporters_are_reminded_in_the_app_by_email_and_in_the_group(
    cast, robot
):
    url, received = robot
    cast.reporter_a1.email = "a1@example.com"
    cast.reporter_a1.save()
    services.save_reporting_settings(association=cast.chamber_a, data={"webhook_url": url})
    assert services.remind_due(now=at(9, 59)) == 0
    assert services.remind_due(now=at(10, 5)) == 2  # chamber A and chamber B
    notice = Notification.objects.get(user=cast.reporter_a1)
    assert "京博集团" in notice.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a1@example.com"]
    assert received[0]["msgtype"] == "text" and "京博集团" in received[0]["text"]["content"]
    assert ReminderRun.objects.get(association=cast.chamber_a).webhook_status == "200"


def test_reminders_go_out_once_a_day(cast):
    services.remind_due(now=at(10, 5))
    services.remind_due(now=at(10, 10))
    assert Notification.objects.filter(user=cast.reporter_a1).count() == 1
    assert ReminderRun.objects.count() == 2


def test_no_one_is_reminded_who_has_reported(cast):
    services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data={"staff_on_site": 5}, now=at(9)
    )
    services.remind_due(now=at(10, 5))
    assert not Notification.objects.filter(user=cast.reporter_a1).exists()


def test_a_broken_robot_is_logged_and_does_not_stop_the_reminders(cast, settings):
    other = User.objects.create_user(
        username="reporter_b1", password="x" * 20, email="b1@example.com"
    )
    Membership.objects.create(user=other, organization=cast.b1, role=Role.REPORTER)
    # Port 9 on 127.0.0.1: nothing listens, the connection is refused at once.
    settings.ROBOT_ALLOWED_HOSTS = ["http://127.0.0.1:9"]
    services.save_reporting_settings(
        association=cast.chamber_b, data={"webhook_url": "http://127.0.0.1:9/robot"}
    )
    run = services.send_reminders(association=cast.chamber_b, day=DAY)
    assert run is not None and run.webhook_status.startswith("error")
    assert Notification.objects.filter(user=other).exists() and len(mail.outbox) == 1


def test_the_robot_payload_is_the_text_message_both_wecom_and_dingtalk_take(robot):
    url, received = robot
    assert services.post_webhook(url, "测试") == "200"
    assert received == [{"msgtype": "text", "text": {"content": "测试"}}]


def test_the_periodic_task_runs_the_reminders(cast):
    from gongke.resumption.tasks import remind_missing_reports

    assert remind_missing_reports.call_local() in (0, 2)  # 0 before today's deadline, 2 after it
