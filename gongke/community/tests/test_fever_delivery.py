"""A fever reaches people who are not looking at the app: the group robot and email, once."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone

from gongke.community import services
from gongke.community.models import Alert, DutySettings
from gongke.community.tasks import notify_fever

from .helpers import passage

pytestmark = pytest.mark.django_db


def robot_server(status: int = 200):
    """A real group robot on 127.0.0.1 answering `status`; records what it was sent."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode":0}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test", received


def widen(settings, url):
    """An operator's ROBOT_ALLOWED_HOSTS naming this loopback robot (tests never leave it)."""
    origin = url.split("/cgi-bin")[0].split("/robot")[0]
    settings.ROBOT_ALLOWED_HOSTS = [*settings.ROBOT_ALLOWED_HOSTS, origin]


@pytest.fixture
def robot(settings):
    server, url, received = robot_server()
    widen(settings, url)
    yield url, received
    server.shutdown()
    server.server_close()


@pytest.fixture
def broken_robot(settings):
    server, url, received = robot_server(status=500)
    widen(settings, url)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def jobs_now():
    """Jobs run as they are enqueued, as `JOBS_IMMEDIATE=1` makes them."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/robot"  # nothing listens there any more


def with_email(user, address, language=""):
    user.email, user.language = address, language
    user.save()
    return user


def settings_for(org, **data):
    return DutySettings.objects.create(organization=org, **data)


def test_a_fever_passage_through_the_api_reaches_the_group_robot_and_the_admin(
    cast, api_for, robot, jobs_now, django_capture_on_commit_callbacks
):
    url, received = robot
    settings_for(cast.chamber_a, fever_webhook_url=url)
    with_email(cast.admin_a, "admin_a@example.com")
    with_email(cast.guard_a, "", language="en")  # the guard's language is not the group's
    # A test is one transaction that never commits: run the on-commit hook that enqueues the job.
    with django_capture_on_commit_callbacks(execute=True):
        r = api_for(cast.guard_a).post(
            "/api/v1/community/passages",
            {
                "post_id": cast.post_a.pk,
                "subject": "outsider",
                "phone": "13912345678",
                "temperature": "38.2",
                "reason": "复测正常，放行",
            },
            content_type="application/json",
        )
    assert r.status_code == 201
    alert = Alert.objects.get()
    [message] = received
    text = message["text"]["content"]
    when = timezone.localtime(alert.occurred_at).strftime("%Y-%m-%d %H:%M")
    assert message["msgtype"] == "text"
    assert "发热预警" in text and "139****5678" in text and "38.2" in text and when in text
    assert cast.post_a.name in text and cast.compound_a.name in text
    [email] = mail.outbox
    assert email.to == ["admin_a@example.com"] and "139****5678" in email.body
    assert "13912345678" not in text + email.body + email.subject
    assert alert.notified_at and alert.robot_status == "200" and alert.emails_sent == 1


def test_a_phone_number_typed_as_a_name_is_masked_in_the_message(cast, robot):
    url, received = robot
    settings_for(cast.chamber_a, fever_webhook_url=url)
    passage(cast.post_a, name="13912345678", temperature="38.0")
    notify_fever.call_local(Alert.objects.get().pk)
    text = received[0]["text"]["content"]
    assert "139****5678" in text and "13912345678" not in text


def test_without_any_settings_the_admins_and_staff_are_emailed_in_their_own_language(cast):
    with_email(cast.admin_a, "admin_a@example.com", language="en")
    with_email(cast.staff_a, "staff_a@example.com")
    with_email(cast.viewer_a, "viewer_a@example.com")
    with_email(cast.guard_a, "guard_a@example.com")
    with_email(cast.outsider_b, "b@example.com")
    passage(cast.post_a, temperature="37.8")
    alert = Alert.objects.get()
    notify_fever.call_local(alert.pk)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"admin_a@example.com", "staff_a@example.com"}
    assert by_address["admin_a@example.com"].subject.startswith("Fever alert")
    assert "发热预警" in by_address["staff_a@example.com"].subject
    alert.refresh_from_db()
    assert alert.emails_sent == 2 and alert.robot_status == ""


def test_an_ancestors_settings_apply_when_the_posts_organization_has_none(cast, robot):
    url, received = robot
    settings_for(cast.federation, fever_webhook_url=url)
    with_email(cast.admin_a, "admin_a@example.com")
    with_email(cast.fed_admin, "fed@example.com")
    passage(cast.post_a, temperature="38.5")
    notify_fever.call_local(Alert.objects.get().pk)
    assert len(received) == 1 and "38.5" in received[0]["text"]["content"]
    # The chamber on duty and the federation that asked to be told.
    assert sorted(m.to[0] for m in mail.outbox) == ["admin_a@example.com", "fed@example.com"]


def test_an_organizations_own_settings_come_before_its_ancestors(cast, robot):
    url, received = robot
    settings_for(cast.federation, fever_webhook_url=url)
    settings_for(cast.chamber_a, fever_email=False)
    with_email(cast.admin_a, "admin_a@example.com")
    passage(cast.post_a, temperature="38.5")
    notify_fever.call_local(Alert.objects.get().pk)
    assert received == [] and mail.outbox == []
    assert Alert.objects.get().notified_at is not None


@pytest.mark.parametrize("which", ["answers 500", "closed port"])
def test_a_failing_robot_still_marks_the_alert_notified_and_sends_the_email(
    cast, broken_robot, which, settings
):
    url = broken_robot if which == "answers 500" else closed_port_url()
    widen(settings, url)
    settings_for(cast.chamber_a, fever_webhook_url=url)
    with_email(cast.admin_a, "admin_a@example.com")
    passage(cast.post_a, temperature="39.0")
    notify_fever.call_local(Alert.objects.get().pk)
    alert = Alert.objects.get()
    assert alert.notified_at is not None and alert.robot_status.startswith("error")
    assert alert.emails_sent == 1 and len(mail.outbox) == 1


def test_running_the_job_twice_delivers_once(cast, robot):
    url, received = robot
    settings_for(cast.chamber_a, fever_webhook_url=url)
    with_email(cast.admin_a, "admin_a@example.com")
    passage(cast.post_a, temperature="38.0")
    alert = Alert.objects.get()
    notify_fever.call_local(alert.pk)
    notify_fever.call_local(alert.pk)
    assert len(received) == 1 and len(mail.outbox) == 1


def test_the_alerts_page_shows_what_was_delivered(cast, robot, client_for):
    url, _received = robot
    settings_for(cast.chamber_a, fever_webhook_url=url)
    with_email(cast.admin_a, "admin_a@example.com", language="en")
    passage(cast.post_a, temperature="38.0")
    notify_fever.call_local(Alert.objects.get().pk)
    page = client_for(cast.admin_a).get("/community/alerts/").content.decode()
    assert "robot: 200" in page and "1 email" in page
    api = client_for(cast.admin_a).get("/api/v1/community/alerts").json()["items"][0]
    assert api["robot_status"] == "200" and api["emails_sent"] == 1


# --- The settings page and API ---------------------------------------------------------------


def settings_url(org):
    return f"/community/org/{org.pk}/settings/"


def api_url(org):
    return f"/api/v1/community/organizations/{org.pk}/settings"


def test_an_admin_sets_the_robot_and_switches_email_off_on_the_page(cast, client_for):
    c = client_for(cast.admin_a)
    page = c.get(settings_url(cast.chamber_a)).content.decode()
    assert "WeCom" in page or "企业微信" in page  # the help text
    r = c.post(
        settings_url(cast.chamber_a),
        {"fever_webhook_url": "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"},
    )
    assert r.status_code == 302
    config = DutySettings.objects.get(organization=cast.chamber_a)
    assert config.fever_webhook_url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    assert config.fever_email is False  # the box was left unticked
    assert LogEntry.objects.get_for_object(config).exists()


def test_the_page_refuses_an_address_that_is_not_a_url(cast, client_for):
    r = client_for(cast.admin_a).post(
        settings_url(cast.chamber_a), {"fever_webhook_url": "not a url", "fever_email": "on"}
    )
    assert r.status_code == 200 and r.context["form"].errors["fever_webhook_url"]
    assert not DutySettings.objects.exists()


def test_the_page_says_whose_settings_apply_until_the_organization_has_its_own(cast, client_for):
    settings_for(cast.federation, fever_webhook_url="https://oapi.dingtalk.com/robot/send?x=1")
    page = client_for(cast.admin_a).get(settings_url(cast.chamber_a)).content.decode()
    assert 'data-testid="inherited"' in page and cast.federation.name in page


def test_the_settings_answer_404_to_another_organization_and_403_to_a_viewer(
    cast, client_for, api_for
):
    outsider, viewer = client_for(cast.outsider_b), client_for(cast.viewer_a)
    assert outsider.get(settings_url(cast.chamber_a)).status_code == 404
    assert outsider.post(settings_url(cast.chamber_a), {}).status_code == 404
    assert viewer.get(settings_url(cast.chamber_a)).status_code == 403
    assert viewer.post(settings_url(cast.chamber_a), {}).status_code == 403
    assert client_for(cast.guard_a).get(settings_url(cast.chamber_a)).status_code == 403
    assert api_for(cast.outsider_b).get(api_url(cast.chamber_a)).status_code == 404
    assert api_for(cast.viewer_a).get(api_url(cast.chamber_a)).status_code == 403
    r = api_for(cast.viewer_a).put(
        api_url(cast.chamber_a), {"fever_email": False}, content_type="application/json"
    )
    assert r.status_code == 403 and not DutySettings.objects.exists()


def test_the_api_reads_and_writes_the_settings(cast, api_for):
    api = api_for(cast.admin_a)
    settings_for(cast.federation, fever_email=True)
    assert api.get(api_url(cast.chamber_a)).json() == {
        "organization_id": cast.chamber_a.pk,
        "fever_webhook_url": "",
        "fever_email": True,
        "applies_from_id": cast.federation.pk,
    }
    bad = api.put(
        api_url(cast.chamber_a), {"fever_webhook_url": "not a url"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"]["fever_webhook_url"]
    good = api.put(
        api_url(cast.chamber_a),
        {"fever_webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=x"},
        content_type="application/json",
    )
    assert good.status_code == 200 and good.json()["applies_from_id"] == cast.chamber_a.pk
    assert DutySettings.for_organization(cast.chamber_a).fever_webhook_url.startswith(
        "https://oapi.dingtalk.com"
    )


def test_admins_find_the_settings_from_the_alerts_and_the_daily_picture(cast, client_for):
    link = settings_url(cast.chamber_a)
    admin = client_for(cast.admin_a)
    assert link in admin.get("/community/alerts/").content.decode()
    assert link in admin.get(f"/community/org/{cast.chamber_a.pk}/").content.decode()
    viewer = client_for(cast.viewer_a)
    assert link not in viewer.get("/community/alerts/").content.decode()
    assert link not in viewer.get(f"/community/org/{cast.chamber_a.pk}/").content.decode()


def test_saving_settings_through_the_service_checks_the_role(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_duty_settings(
            organization=cast.chamber_a, user=cast.viewer_a, data={"fever_email": False}
        )
