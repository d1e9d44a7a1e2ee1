"""Delivery: email (with its unverified open), the group robot (errcode read, not only HTTP 200),
SMS / work notices through a pluggable backend against a local gateway, each outcome logged per
recipient; the chasing ladder stops for whoever acknowledged; "remind the rest"."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongke.notices import services
from gongke.notices.channels import open_token
from gongke.notices.models import Delivery, DeliveryStatus, NoticeSettings, Recipient, Source
from gongke.registry import services as registry

pytestmark = pytest.mark.django_db


def serve(reply):
    """A loopback HTTP server answering reply(body) -> (status, dict); records what it got."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(body)
            status, data = reply(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(data).encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", received


@pytest.fixture
def gateway(settings):
    """A local SMS / work-notice gateway: numbers ending in 0 fail."""

    def reply(body):
        results = {
            str(m["id"]): {"ok": not m["phone"].endswith("0"), "detail": "id-" + str(m["id"])}
            for m in body["messages"]
        }
        return 200, {"results": results}

    server, url, received = serve(reply)
    settings.NOTICES_SMS_BACKEND = "gongke.notices.channels.HttpBackend"
    settings.NOTICES_SMS_URL = url + "/send"
    yield received
    server.shutdown()
    server.server_close()


def robot(settings, errcode):
    server, url, received = serve(lambda body: (200, {"errcode": errcode, "errmsg": "x"}))
    settings.ROBOT_ALLOWED_HOSTS = [*settings.ROBOT_ALLOWED_HOSTS, url]
    return server, url + "/cgi-bin/webhook/send?key=k", received


def sent(cast, channels, **data):
    n = services.save_notice(
        user=cast.admin_a,
        organization=cast.chamber_a,
        data={
            "title": "通知",
            "body": "正文",
            "audience": {"all": True},
            "channels": channels,
            **data,
        },
    )
    return services.send_notice(notice=n, user=cast.admin_a)


def people(cast):
    registry.save_person(organization=cast.a1, name="王伟", phone="13812345678")
    registry.save_person(organization=cast.a1, name="张三", phone="13900000000")
    cast.reporter_a1.email = "r@example.org"
    cast.reporter_a1.save()


def test_email_and_sms_are_logged_per_recipient(cast, gateway):
    people(cast)
    n = sent(cast, ["app", "email", "sms"])
    assert services.deliver(n.pk) == 3  # one email, two SMS
    by = {(d.recipient.name, d.channel): d for d in Delivery.objects.filter(notice=n)}
    assert by[("王伟", "sms")].status == DeliveryStatus.SENT
    assert by[("张三", "sms")].status == DeliveryStatus.FAILED
    assert by[("reporter_a1", "email")].status == DeliveryStatus.SENT
    assert by[("reporter_a1", "app")].status == DeliveryStatus.SENT
    # The gateway got the real number; the page and the log show it masked.
    assert {m["phone"] for m in gateway[0]["messages"]} == {"13812345678", "13900000000"}
    wang = Recipient.objects.get(notice=n, name="王伟")
    assert wang.delivered_via == Source.SMS and wang.phone_masked == "138****5678"
    assert len(mail.outbox) == 1 and n.title in mail.outbox[0].subject
    assert services.deliver(n.pk) == 0  # claimed once: never sent twice


def test_an_email_open_marks_read_unverified(cast, client):
    people(cast)
    n = sent(cast, ["email"])
    services.deliver(n.pk)
    r = Recipient.objects.get(notice=n, user=cast.reporter_a1)
    html = str(mail.outbox[0].alternatives[0][0])
    token = html.split("/notices/o/")[1].split(".gif")[0]
    assert token and token != open_token(r.pk + 1)
    got = client.get(f"/notices/o/{token}.gif")
    assert got.status_code == 200 and got["Content-Type"] == "image/gif"
    r.refresh_from_db()
    assert r.read_via == Source.EMAIL_OPEN
    assert client.get("/notices/o/forged.gif").status_code == 200


def test_the_robot_reply_errcode_is_checked(cast, settings):
    server, url, received = robot(settings, errcode=310000)
    NoticeSettings.objects.create(organization=cast.chamber_a, webhook_url=url)
    n = sent(cast, ["robot"])
    services.deliver(n.pk)
    d = Delivery.objects.get(notice=n, channel="robot")
    assert d.recipient is None and d.status == DeliveryStatus.FAILED and "310000" in d.detail
    assert "通知" in received[0]["text"]["content"]
    server.shutdown()
    server.server_close()
    server, url, _ = robot(settings, errcode=0)
    NoticeSettings.objects.filter(organization=cast.chamber_a).update(webhook_url=url)
    n = sent(cast, ["robot"])
    services.deliver(n.pk)
    assert Delivery.objects.get(notice=n, channel="robot").status == DeliveryStatus.SENT
    server.shutdown()
    server.server_close()


def test_without_a_backend_sms_fails_and_says_so(cast):
    people(cast)
    n = sent(cast, ["sms"])
    services.deliver(n.pk)
    assert set(Delivery.objects.filter(notice=n).values_list("status", flat=True)) == {"failed"}


def test_the_ladder_stops_for_whoever_acknowledged(cast):
    people(cast)
    n = sent(
        cast,
        ["app"],
        ladder=[{"hours": 6, "channels": ["email"]}, {"hours": 24, "channels": ["call"]}],
    )
    wang = Recipient.objects.get(notice=n, name="王伟")
    services.acknowledge(recipient=wang, user=cast.admin_a, source=Source.ON_BEHALF, note="电话")
    assert services.run_ladder(timezone.now() + dt.timedelta(hours=1)) == 0
    assert services.run_ladder(timezone.now() + dt.timedelta(hours=7)) == 1
    emails = Delivery.objects.filter(notice=n, channel="email", step=1)
    assert [d.recipient.name for d in emails] == ["reporter_a1"]  # no email for people without one
    assert services.run_ladder(timezone.now() + dt.timedelta(hours=25)) == 1
    calls = set(
        Delivery.objects.filter(notice=n, channel="call").values_list("recipient__name", flat=True)
    )
    assert calls == {"张三", "reporter_a1"}  # not 王伟, who acknowledged
    assert services.run_ladder(timezone.now() + dt.timedelta(hours=48)) == 0


def test_calls_to_make_reach_the_chambers_secretary(cast, client_for):
    people(cast)
    n = services.save_notice(
        user=cast.fed_admin, organization=cast.federation,
        data={"title": "县工商联通知", "body": "正文", "audience": {"all": True},
              "ladder": [{"hours": 1, "channels": ["call"]}]},
    )  # fmt: skip
    services.send_notice(notice=n, user=cast.fed_admin)
    services.run_ladder(timezone.now() + dt.timedelta(hours=2))
    page = client_for(cast.staff_a).get("/notices/calls/").content.decode()
    assert "张三" in page and "县工商联通知" in page
    assert "张三" not in client_for(cast.outsider_b).get("/notices/calls/").content.decode()


def test_remind_the_rest(cast, client_for):
    people(cast)
    n = sent(cast, ["app"])
    wang = Recipient.objects.get(notice=n, name="王伟")
    services.acknowledge(recipient=wang, user=cast.admin_a, source=Source.ON_BEHALF, note="电话")
    r = client_for(cast.staff_a).post(f"/notices/{n.pk}/remind/")
    assert r.status_code == 302
    reminded = Delivery.objects.filter(notice=n, step__gte=100)
    assert set(reminded.values_list("recipient__name", flat=True)) == {"reporter_a1"}


def test_the_rollup_page_costs_the_same_queries_for_more_recipients(cast, client_for):
    people(cast)
    n = sent(cast, ["app"])
    c = client_for(cast.admin_a)
    c.get(f"/notices/{n.pk}/")
    with CaptureQueriesContext(connection) as few:
        c.get(f"/notices/{n.pk}/")
    for i in range(10):
        org = registry.create_organization(
            parent=cast.chamber_a, kind="enterprise", name=f"企业{i}"
        )
        registry.save_person(organization=org, name=f"人{i}", phone=f"1370000000{i}")
    n2 = sent(cast, ["app"])
    c.get(f"/notices/{n2.pk}/")
    with CaptureQueriesContext(connection) as many:
        c.get(f"/notices/{n2.pk}/")
    assert len(many) == len(few)


def test_the_inbox_costs_the_same_queries_for_more_notices(cast, client_for):
    c = client_for(cast.reporter_a1)
    sent(cast, ["app"])
    c.get("/notices/")
    with CaptureQueriesContext(connection) as few:
        c.get("/notices/")
    for _ in range(5):
        sent(cast, ["app"])
    with CaptureQueriesContext(connection) as many:
        c.get("/notices/")
    assert len(many) == len(few)
