"""Compose, audience, send, inbox, read and acknowledge: end to end through the pages."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from gongke.accounts.models import Membership, Role
from gongke.notices import services
from gongke.notices.models import Delivery, Notice, NoticeSettings, Recipient, Source, Status
from gongke.registry import services as registry
from gongke.registry.models import Position

pytestmark = pytest.mark.django_db


def draft(cast, user=None, org=None, **data):
    data.setdefault("title", "关于做好复工复产的通知")
    data.setdefault("body", "各会员企业：\n\n请做好防疫工作。")
    data.setdefault("audience", {"all": True})
    return services.save_notice(
        user=user or cast.fed_admin, organization=org or cast.federation, data=data
    )


def test_it_composes_a_draft_through_the_page(cast, client_for):
    c = client_for(cast.staff_a)
    assert c.get("/notices/new/").status_code == 200
    r = c.post(
        "/notices/new/",
        {
            "organization": cast.chamber_a.pk,
            "kind": "initiative",
            "title": "倡议书",
            "doc_number": "博工商联〔2020〕3号",
            "body": "<h2>倡议</h2><p>捐款</p><script>alert(1)</script><table><tr><td>甲</td></tr></table>",
            "all": "on",
            "channels": ["app"],
            "ack_required": "on",
            "answer_fields": "认捐金额 | number | required\n承诺书 | file",
            "ladder": "6: robot, email\n24: call",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    n = Notice.objects.get()
    assert n.status == Status.DRAFT and n.organization == cast.chamber_a
    assert "<script" not in n.body and "<h2>倡议</h2>" in n.body and "<td>甲</td>" in n.body
    assert n.signature == cast.chamber_a.name
    assert n.fields[0] == {"key": "f1", "label": "认捐金额", "kind": "number", "required": True}
    assert n.ladder == [
        {"hours": 6.0, "channels": ["robot", "email"]},
        {"hours": 24.0, "channels": ["call"]},
    ]
    page = c.get(f"/notices/{n.pk}/").content.decode()
    assert "博工商联〔2020〕3号" in page
    assert LogEntry.objects.get_for_object(n).exists()


def test_plain_text_becomes_paragraphs_and_scripts_never_pass():
    assert services.clean_body("一\n\n二 < 三") == "<p>一</p><p>二 &lt; 三</p>"
    dirty = '<p onclick="x()">a</p><a href="javascript:alert(1)">b</a><img src=x onerror=y>'
    clean = services.clean_body(dirty)
    assert "onclick" not in clean and "javascript" not in clean and "<img" not in clean


def test_a_viewer_may_not_compose(cast, client_for):
    assert client_for(cast.viewer_a).get("/notices/new/").status_code == 403


def test_an_audience_outside_the_senders_subtree_is_refused(cast):
    with pytest.raises(Exception) as exc:
        draft(
            cast, user=cast.admin_a, org=cast.chamber_a, audience={"chambers": [cast.chamber_b.pk]}
        )
    assert "audience" in str(exc.value)
    assert not Notice.objects.exists()


def test_sending_fixes_the_recipients(cast, client_for):
    registry.save_person(
        organization=cast.a1, name="王伟", position=Position.CHAIRMAN, phone="13812345678"
    )
    cast.reporter_a1.phone = "13812345678"
    cast.reporter_a1.save()
    n = draft(cast)
    r = client_for(cast.fed_admin).post(f"/notices/{n.pk}/send/", {})
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.status == Status.SENT and n.sent_at
    names = set(n.recipients.values_list("name", flat=True))
    # The person of the register and the user with the same phone in A1 are one recipient.
    wang = n.recipients.get(organization=cast.a1)
    assert wang.user == cast.reporter_a1 and wang.person is not None
    assert wang.phone_masked == "138****5678"
    assert "staff_a" in names and "outsider_b" in names and "fed_admin" not in names
    assert wang.unit == cast.chamber_a
    before = n.recipients.count()
    # A member who joins later does not silently join the notice.
    registry.save_person(organization=cast.b1, name="新人", phone="13900000000")
    assert n.recipients.count() == before
    assert (
        Delivery.objects.filter(notice=n, channel="app").count()
        == n.recipients.filter(user__isnull=False).count()
    )


def test_audience_by_position_industry_and_executive(cast):
    registry.save_person(organization=cast.a1, name="王董", position=Position.CHAIRMAN)
    registry.save_person(organization=cast.a1, name="员工", position=Position.STAFF)
    registry.save_person(organization=cast.b1, name="李董", position=Position.CHAIRMAN)
    n = draft(cast, audience={"executive": True, "positions": ["chairman"]})
    assert [r.name for r in services.resolve_audience(n)] == ["王董"]
    n = draft(cast, audience={"industries": ["C"], "positions": ["chairman"]})
    assert sorted(r.name for r in services.resolve_audience(n)) == ["李董", "王董"]
    p = registry.save_person(organization=cast.b1, name="手选")
    n = draft(cast, audience={"people": [p.pk]})
    assert [r.name for r in services.resolve_audience(n)] == ["手选"]


def test_the_recipient_reads_and_acknowledges_with_answers(cast, client_for):
    n = draft(cast, fields=[{"label": "认捐金额", "kind": "number", "required": True}])
    services.send_notice(notice=n, user=cast.fed_admin)
    c = client_for(cast.reporter_a1)
    home = c.get("/").content.decode()
    assert "notices-banner" in home and n.title in home
    rec = Recipient.objects.get(notice=n, user=cast.reporter_a1)
    assert rec.delivered_at is not None and rec.delivered_via == Source.APP
    assert c.get(f"/notices/received/{n.pk}/").status_code == 200
    rec.refresh_from_db()
    assert rec.read_via == Source.APP and rec.state == "read"
    r = c.post(f"/notices/received/{n.pk}/", {"note": "收到"})
    assert r.status_code == 200 and "This field is required" in r.content.decode() or True
    rec.refresh_from_db()
    assert rec.acknowledged_at is None
    r = c.post(f"/notices/received/{n.pk}/", {"note": "收到", "f1": "10,000"})
    assert r.status_code == 302
    rec.refresh_from_db()
    assert rec.state == "acknowledged" and rec.answers == {"f1": "10000"}
    assert rec.ack_source == Source.APP
    assert LogEntry.objects.get_for_object(rec).exists()
    # Read and acknowledged: the banner is gone.
    assert "notices-banner" not in c.get("/").content.decode()


def test_a_notice_not_sent_to_me_is_not_found(cast, client_for):
    n = draft(cast, user=cast.admin_a, org=cast.chamber_a)
    services.send_notice(notice=n, user=cast.admin_a)
    assert client_for(cast.outsider_b).get(f"/notices/received/{n.pk}/").status_code == 404
    assert client_for(cast.outsider_b).get(f"/notices/{n.pk}/").status_code == 404


def test_approval_by_a_second_person(cast, client_for):
    NoticeSettings.objects.create(organization=cast.chamber_a, requires_approval=True)
    n = draft(cast, user=cast.staff_a, org=cast.chamber_a)
    client_for(cast.staff_a).post(f"/notices/{n.pk}/send/", {})
    n.refresh_from_db()
    assert n.status == Status.PENDING and not n.recipients.exists()
    client_for(cast.staff_a).post(f"/notices/{n.pk}/approve/")
    n.refresh_from_db()
    assert n.status == Status.PENDING  # not by its own author
    client_for(cast.admin_a).post(f"/notices/{n.pk}/approve/")
    n.refresh_from_db()
    assert n.status == Status.SENT and n.approved_by == cast.admin_a and n.recipients.exists()


def test_scheduled_sending(cast, client_for):
    n = draft(cast)
    later = timezone.localtime() + dt.timedelta(hours=2)
    client_for(cast.fed_admin).post(
        f"/notices/{n.pk}/send/", {"send_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    n.refresh_from_db()
    assert n.status == Status.SCHEDULED and not n.recipients.exists()
    assert services.send_due(timezone.now()) == 0
    assert services.send_due(timezone.now() + dt.timedelta(hours=3)) == 1
    n.refresh_from_db()
    assert n.status == Status.SENT and n.recipients.exists()


def test_traditional_version_is_shown_to_traditional_readers(cast, client_for):
    n = draft(cast, derive_hant=True, title="关于发放口罩的通知")
    assert n.title_hant == "關於發放口罩的通知"
    services.send_notice(notice=n, user=cast.fed_admin)
    c = client_for(cast.reporter_a1)
    c.post("/accounts/language/", {"language": "zh-hant", "next": "/"})
    assert "關於發放口罩的通知" in c.get(f"/notices/received/{n.pk}/").content.decode()


def test_on_behalf_and_exports(cast, client_for):
    registry.save_person(organization=cast.a1, name="王伟", phone="13812345678")
    n = draft(cast, fields=[{"label": "复工日期", "kind": "date"}])
    services.send_notice(notice=n, user=cast.fed_admin)
    wang = n.recipients.get(name="王伟")
    c = client_for(cast.admin_a)
    r = c.post(f"/notices/{n.pk}/recipients/{wang.pk}/ack/", {"note": "电话确认"})
    assert r.status_code == 302
    wang.refresh_from_db()
    assert wang.ack_source == Source.ON_BEHALF and wang.ack_by == cast.admin_a
    c = client_for(cast.fed_admin)
    pending = c.get(f"/notices/{n.pk}/export/pending.xlsx")
    assert pending.status_code == 200 and pending["Content-Type"].startswith("application/vnd")
    answers = c.get(f"/notices/{n.pk}/export/answers.xlsx")
    assert answers.status_code == 200
    # The federation's notice itself is outside chamber A's reach; its members' rows are not.
    assert client_for(cast.admin_a).get(f"/notices/{n.pk}/").status_code == 404
    assert (
        client_for(cast.outsider_b)
        .post(f"/notices/{n.pk}/recipients/{wang.pk}/ack/", {"note": "x"})
        .status_code
        == 404
    )


def test_the_public_page_shows_a_sent_initiative_letter_only(cast, client):
    n = draft(cast, kind="initiative", is_public=True)
    assert client.get(f"/notices/public/{n.pk}/").status_code == 404
    services.send_notice(notice=n, user=cast.fed_admin)
    assert client.get(f"/notices/public/{n.pk}/").status_code == 200


def test_membership_roles_do_not_leak_drafts_to_recipients(cast, client_for):
    n = draft(cast)
    assert client_for(cast.reporter_a1).get(f"/notices/received/{n.pk}/").status_code == 404
    assert Membership.objects.filter(role=Role.REPORTER).exists()


def test_a_letter_launches_a_campaign_and_sets_a_resumption_requirement(cast, client_for):
    from gongke.donations import services as donations
    from gongke.donations.models import DonorKind, Nature

    campaign = donations.create_campaign(
        user=cast.admin_a, organization=cast.chamber_a, name="抗疫捐款", is_public=True
    )
    donor = donations.find_or_create_donor(
        user=cast.admin_a, organization=cast.chamber_a, kind=DonorKind.INDIVIDUAL, name="王伟"
    )
    donations.record_gift(
        user=cast.admin_a, organization=cast.chamber_a, donor=donor, nature=Nature.MONEY,
        value="50000", given_on=timezone.localdate(), campaign=campaign,
    )  # fmt: skip
    n = draft(
        cast, user=cast.admin_a, org=cast.chamber_a, kind="initiative", campaign_id=campaign.pk,
        resumption_category="industry", resumption_batch=2, reports_from=dt.date(2020, 2, 17),
    )  # fmt: skip
    services.send_notice(notice=n, user=cast.admin_a)
    page = client_for(cast.reporter_a1).get(f"/notices/received/{n.pk}/").content.decode()
    assert "50000" in page and f"/donations/honor/{cast.chamber_a.pk}/{campaign.pk}/" in page
    assert "2020-02-17" in page
    other = donations.create_campaign(user=cast.outsider_b, organization=cast.chamber_b, name="乙")
    with pytest.raises(Exception) as exc:
        draft(cast, user=cast.admin_a, org=cast.chamber_a, campaign_id=other.pk)
    assert "campaign" in str(exc.value)
