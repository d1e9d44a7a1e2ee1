"""Group robot addresses may only name the robots' public hosts (or what an operator adds):
no loopback, no private network, no redirect, and an errcode in a 200 reply is an error."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from gongke.community.models import DutySettings
from gongke.lib.robots import post_webhook, robot_url_allowed
from gongke.resumption.models import ReportingSettings

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=abc"
REFUSED = [
    "http://127.0.0.1:6379/",
    "https://127.0.0.1/cgi-bin/webhook/send",
    "https://localhost:8000/healthz",
    "https://10.0.0.8/robot",
    "https://192.168.1.1/robot",
    "https://[::1]/robot",
    "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",  # not https
    "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send",  # another port
    "https://qyapi.weixin.qq.com@127.0.0.1/cgi-bin/webhook/send",  # the host is 127.0.0.1
    "https://qyapi.weixin.qq.com.evil.example/send",
    "https://evil.example/?qyapi.weixin.qq.com",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", [WECOM, DINGTALK, "https://QYAPI.weixin.qq.com./x"])
def test_it_allows_the_robots_public_hosts(url):
    assert robot_url_allowed(url)


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_any_other_address(url):
    assert not robot_url_allowed(url)


@pytest.mark.parametrize("url", REFUSED[:3])
def test_posting_to_a_refused_address_reaches_nothing(url):
    assert post_webhook(url, "hello") == "error: address not allowed"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/", "https://10.0.0.8/robot"])
def test_the_settings_pages_refuse_a_private_address(cast, client_for, url):
    admin = client_for(cast.admin_a)
    page = admin.post(
        f"/community/org/{cast.chamber_a.pk}/settings/",
        {"fever_webhook_url": url, "fever_email": "on"},
    )
    assert page.status_code == 200 and page.context["form"].errors["fever_webhook_url"]
    assert not DutySettings.objects.filter(organization=cast.chamber_a).exists()


@pytest.mark.django_db
def test_the_apis_refuse_a_private_address(cast, api_for):
    api = api_for(cast.admin_a)
    community = api.put(
        f"/api/v1/community/organizations/{cast.chamber_a.pk}/settings",
        {"fever_webhook_url": "http://127.0.0.1:6379/"},
        content_type="application/json",
    )
    assert community.status_code == 422 and community.json()["errors"]["fever_webhook_url"]
    resumption = api.put(
        f"/api/v1/resumption/settings/{cast.chamber_a.pk}",
        {"webhook_url": "http://192.168.0.1/robot"},
        content_type="application/json",
    )
    assert resumption.status_code == 422 and resumption.json()["errors"]["webhook_url"]
    assert not ReportingSettings.objects.exclude(webhook_url="").exists()


class Robot:
    """A loopback robot answering `status` and `body`, optionally redirecting."""

    def __init__(self, status=200, body=b'{"errcode":0,"errmsg":"ok"}', location=""):
        self.hits = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                robot.hits.append(self.path)
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robots(settings):
    """Loopback robots an operator allowed in ROBOT_ALLOWED_HOSTS (tests never leave loopback)."""
    started = []

    def start(**kwargs):
        robot = Robot(**kwargs)
        started.append(robot)
        settings.ROBOT_ALLOWED_HOSTS = [*settings.ROBOT_ALLOWED_HOSTS, robot.origin]
        return robot

    yield start
    for robot in started:
        robot.close()


def test_an_operator_widened_host_is_posted_to(robots):
    robot = robots()
    assert post_webhook(f"{robot.origin}/send?key=x", "hello") == "200"
    assert robot.hits == ["/send?key=x"]


def test_an_errcode_in_a_200_reply_is_an_error(robots):
    reply = json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}).encode()
    robot = robots(body=reply)
    status = post_webhook(f"{robot.origin}/send", "hello")
    assert status.startswith("error") and "93000" in status


def test_a_reply_without_errcode_is_an_error(robots):
    robot = robots(body=b"<html>proxy login</html>")
    assert post_webhook(f"{robot.origin}/send", "hello").startswith("error")


def test_a_redirect_is_never_followed(robots, settings):
    target = Robot()  # not allowed: a redirect must not reach it
    try:
        robot = robots(status=302, location=f"{target.origin}/internal")
        status = post_webhook(f"{robot.origin}/send", "hello")
        assert status.startswith("error") and "302" in status
        assert target.hits == []
    finally:
        target.close()
