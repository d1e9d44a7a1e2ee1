"""/api/v1/notices: the same services and access path as the pages; idempotent, scoped, audited."""

import pytest
from auditlog.models import LogEntry

from gongke.notices.models import Notice, NoticeSettings, Recipient, Source, Status

pytestmark = pytest.mark.django_db

BODY = {
    "title": "关于报送复工人数的通知",
    "body": "<p>请每日报送。</p><script>x()</script>",
    "audience": {"all": True},
    "fields": [{"label": "复工人数", "kind": "number", "required": True}],
}


def create(cast, api, **extra):
    return api.post(
        "/api/v1/notices",
        {**BODY, "organization_id": cast.chamber_a.pk, **extra},
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )


def test_create_is_idempotent_and_sanitized(cast, api_for):
    api = api_for(cast.staff_a)
    first = create(cast, api)
    assert first.status_code == 201, first.content
    again = create(cast, api)
    assert again.json() == first.json() and Notice.objects.count() == 1
    assert "<script" not in first.json()["body"]
    other = create(cast, api, title="另一份")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["errors"]


def test_send_inbox_read_and_acknowledge(cast, api_for):
    sender = api_for(cast.admin_a)
    pk = create(cast, sender).json()["id"]
    r = sender.post(f"/api/v1/notices/{pk}/send", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == Status.SENT
    again = sender.post(f"/api/v1/notices/{pk}/send", {}, content_type="application/json")
    assert again.status_code == 422
    me = api_for(cast.reporter_a1)
    inbox = me.get("/api/v1/notices/inbox").json()
    assert [i["notice_id"] for i in inbox["items"]] == [pk]
    got = me.get(f"/api/v1/notices/inbox/{pk}").json()
    assert got["state"] == "read" and got["fields"][0]["label"] == "复工人数"
    bad = me.post(
        f"/api/v1/notices/inbox/{pk}/ack",
        {"answers": {"f1": "很多"}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "f1" in bad.json()["errors"]
    ok = me.post(
        f"/api/v1/notices/inbox/{pk}/ack", {"answers": {"f1": 60}}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json()["state"] == "acknowledged"
    twice = me.post(
        f"/api/v1/notices/inbox/{pk}/ack", {"answers": {"f1": 70}}, content_type="application/json"
    )
    assert twice.status_code == 200 and twice.json()["answers"] == {"f1": "60"}
    r = Recipient.objects.get(notice_id=pk)
    assert r.ack_source == Source.API and r.read_via == Source.API
    assert LogEntry.objects.get_for_object(r).exists()
    rollup = sender.get(f"/api/v1/notices/{pk}/rollup").json()
    assert rollup["total"] == {
        "total": 1, "delivered": 1, "read": 1, "acknowledged": 1, "late": 0,
        "read_pct": 100.0, "ack_pct": 100.0,
    }  # fmt: skip
    assert rollup["rows"][0]["name"] == cast.a1.name  # one level under chamber A
    people = sender.get(f"/api/v1/notices/{pk}/recipients?state=acknowledged").json()
    assert people["count"] == 1


def test_others_get_404_and_readers_403(cast, api_for):
    pk = create(cast, api_for(cast.staff_a)).json()["id"]
    assert api_for(cast.outsider_b).get(f"/api/v1/notices/{pk}").status_code == 404
    assert api_for(cast.reporter_a1).get(f"/api/v1/notices/inbox/{pk}").status_code == 404
    r = api_for(cast.viewer_a).post(
        f"/api/v1/notices/{pk}/send", {}, content_type="application/json"
    )
    assert r.status_code == 403 and r.json()["detail"]
    bad = api_for(cast.staff_a).post(
        "/api/v1/notices",
        {
            **BODY,
            "organization_id": cast.chamber_a.pk,
            "audience": {"chambers": [cast.chamber_b.pk]},
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and "audience" in bad.json()["errors"]


def test_approval_needs_a_second_person(cast, api_for):
    NoticeSettings.objects.create(organization=cast.chamber_a, requires_approval=True)
    author = api_for(cast.staff_a)
    pk = create(cast, author).json()["id"]
    assert (
        author.post(f"/api/v1/notices/{pk}/send", {}, content_type="application/json").json()[
            "status"
        ]
        == Status.PENDING
    )
    assert author.post(f"/api/v1/notices/{pk}/approve").status_code == 403
    r = api_for(cast.admin_a).post(f"/api/v1/notices/{pk}/approve")
    assert r.status_code == 200 and r.json()["status"] == Status.SENT


def test_the_robot_address_is_shown_only_to_writers(cast, api_for):
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key"
    r = api_for(cast.admin_a).put(
        f"/api/v1/notices/settings/{cast.chamber_a.pk}",
        {"requires_approval": True, "webhook_url": url},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert (
        "secret-key"
        not in api_for(cast.viewer_a)
        .get(f"/api/v1/notices/settings/{cast.chamber_a.pk}")
        .content.decode()
    )
    bad = api_for(cast.admin_a).put(
        f"/api/v1/notices/settings/{cast.chamber_a.pk}",
        {"webhook_url": "http://127.0.0.1:8000/"},
        content_type="application/json",
    )
    assert bad.status_code == 422
