"""The access matrix: every URL pattern and every API operation, for every member of the cast.

docs/access.md states the rule; this module holds each route to it. A route without a row fails
`test_it_has_a_row_for_every_route`, so a new route cannot land without saying who may use it.

How it runs: the cast and one record of every kind are built once per module (inside a
transaction rolled back at the end); each test is one row, and walks the cast, each user's request
in a savepoint of its own that is rolled back, so a write one user makes is never seen by the
next; a failure lists every user the row fails for. For each request:
- the status is one the row allows ("ok" = 200/201/204/302; 403; 404; "refused" = 403/404/422 or
  a form shown again having written nothing; anonymous: a redirect to the login page for pages,
  401 for the API, "ok" for public pages);
- a refused write changed nothing (every table of the project compared before and after); an
  allowed write changed something (so the row's body is a real write, not a form shown again);
- the answer names nothing the user may not reach: records outside some member's reach carry a
  sentinel name (SENTINELS), and no answer to a user outside its reach contains it, which
  catches lists, dashboards and pages that leak, not only detail routes.
Where docs/access.md leaves a choice, a row allows a set of answers and says why.
"""

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

USERS = [
    "admin",
    "fed_admin",
    "admin_a",
    "staff_a",
    "reporter_a1",
    "guard_a",
    "viewer_a",
    "outsider_b",
    "guard_ab",
    "staff_ab",
    "anon",
]

OK = "ok"
OK_STATUSES = {200, 201, 204, 302}

# --- What each member of the cast reaches (docs/access.md), as the scopes of sentinel records ---
# A: chamber A's own records (donations, registry, association work resumption)
# A1: enterprise A1's records (its reports, applications, temperatures, relief)
# POST_A: what is tied to post_a and compound_a (passages at post_a, residents of compound_a...)
# POST_A2: what is tied to a second post of compound_a, post_a2 (no duty officer is bound to it),
#   and to a second compound of chamber A without posts, compound_c2
# B, POST_B: the same in chamber B
# SECRET_A, SECRET_B: the chambers' robot addresses (only for those who may write the settings)
ALL_SCOPES = {"A", "A1", "POST_A", "POST_A2", "B", "POST_B", "SECRET_A", "SECRET_B"}
CHAMBER_A = {"A", "A1", "POST_A", "POST_A2"}
REACH = {
    "admin": ALL_SCOPES,
    "fed_admin": ALL_SCOPES,
    "admin_a": CHAMBER_A | {"SECRET_A"},
    "staff_a": CHAMBER_A | {"SECRET_A"},
    "viewer_a": CHAMBER_A,
    "reporter_a1": {"A1"},
    "guard_a": {"POST_A"},
    "guard_ab": {"POST_A", "B", "POST_B"},
    "staff_ab": CHAMBER_A | {"SECRET_A", "B", "POST_B"},
    "outsider_b": {"B", "POST_B", "SECRET_B"},
    "anon": set(),
}

# Sentinel texts, each unique to one record (names the pages and the API show).
SENTINELS = {
    "A": [
        "甲会捐赠人",
        "甲会名录人",
        "甲会二号企业",
        "甲会志愿队哨",
        "甲会无人机哨",
        "甲会仓库哨",
        "甲会需求哨",
        "甲会供应商哨",
        "甲会简报哨",
        "甲会已审签简报哨",
    ],
    "A1": ["甲企测温员", "甲企租户哨", "甲企减免哨"],
    "POST_A": ["甲院居民哨", "甲院订餐哨"],
    "POST_A2": ["甲院西门过客", "东城花园西门卡口", "东城二期小区", "甲二院居民哨"],
    "B": [
        "乙会捐赠人",
        "乙会名录人",
        "南湖食品有限公司",
        "乙会志愿队哨",
        "乙会仓库哨",
        "乙会需求哨",
        "乙企服务哨",
        "乙会供应商哨",
        "乙会简报哨",
    ],
    "POST_B": ["乙院居民哨", "乙院北门过客", "乙院订餐哨"],
    "SECRET_A": [
        "sentinel-duty-robot-key-a",
        "sentinel-report-robot-key-a",
        "sentinel-notice-robot-key-a",
    ],
    "SECRET_B": ["sentinel-duty-robot-key-b", "sentinel-report-robot-key-b"],
}

ID_NUMBER = "11010519491231002X"  # valid check digit (GB 11643)
ID_NUMBER_2 = "110101199003071233"


def _wd(days: int) -> dt.date:
    """`days` before today in Beijing time, the day the app counts in (UTC's date differs 8 hours
    a day: yesterday's report must be yesterday for the carry-forward)."""
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=days)


def build_world(cast) -> SimpleNamespace:
    """One record of every kind in chamber A's reach, and the counterparts in chamber B."""
    from gongke.accounts.models import ApiToken, Membership, Role, User
    from gongke.census import services as census
    from gongke.community import services as community
    from gongke.community.models import Alert, Assignment, PostKey, PublicityItem, Spot
    from gongke.donations import services as donations
    from gongke.donations.models import DonorKind, Nature
    from gongke.registry import services as registry
    from gongke.registry.models import OrgKind, PlaceKind
    from gongke.resumption import services as resumption
    from gongke.resumption.models import FeverCase, Notification

    w = SimpleNamespace(**vars(cast))
    # A second member enterprise of chamber A: A1's reporter reports for their own enterprise only.
    w.a2 = registry.create_organization(
        parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name="甲会二号企业"
    )
    w.post_a2 = registry.save_place(
        kind=PlaceKind.POST,
        name="东城花园西门卡口",
        organization=cast.chamber_a,
        parent=cast.compound_a,
        township=cast.township_east,
    )
    # A user an organization admin of chamber A manages (the target of the user pages).
    w.clerk_a = User.objects.create_user(
        username="clerk_a", password=cast.password, display_name="clerk_a"
    )
    w.clerk_membership = Membership.objects.create(
        user=w.clerk_a, organization=cast.chamber_a, role=Role.ORG_STAFF
    )
    w.guard_membership = cast.guard_a.memberships.get()
    w.token_staff_a, _raw = ApiToken.issue(user=cast.staff_a, name="staff_a's tablet")

    # Registry
    w.person_a = registry.save_person(organization=cast.chamber_a, name="甲会名录人")
    w.person_b = registry.save_person(organization=cast.chamber_b, name="乙会名录人")
    # On duty at post_a: its duty officers see who shares their shifts.
    w.person_duty = registry.save_person(organization=cast.chamber_a, name="值班员")

    # Census
    w.household_a, _ = census.save_household(
        place=cast.compound_a, building="1", unit="2", room="501"
    )
    w.resident_a, _ = census.register_resident(
        user=cast.admin_a,
        household=w.household_a,
        name="甲院居民哨",
        phone="13812345678",
        id_number=ID_NUMBER,
    )
    w.resident_a2, _ = census.register_resident(
        user=cast.admin_a, household=w.household_a, name="甲院二号", phone="13900001111"
    )
    w.return_a, _ = census.record_return(
        user=cast.admin_a, resident=w.resident_a, from_place="武汉", returned_on=_wd(3)
    )
    w.isolation_a, _ = census.start_isolation(
        user=cast.admin_a, resident=w.resident_a, start=_wd(3)
    )
    census.record_check(user=cast.admin_a, isolation=w.isolation_a, temperature="36.6", day=_wd(1))
    w.visit_a = census.record_visit(user=cast.admin_a, household=w.household_a)
    w.household_empty, _ = census.save_household(
        place=cast.compound_a, building="1", unit="2", room="599"
    )
    w.compound_c2 = registry.save_place(
        kind=PlaceKind.COMPOUND,
        name="东城二期小区",
        organization=cast.chamber_a,
        township=cast.township_east,
    )
    w.household_c2, _ = census.save_household(place=w.compound_c2, building="2", room="101")
    w.resident_c2, _ = census.register_resident(
        user=cast.admin_a, household=w.household_c2, name="甲二院居民哨"
    )
    w.household_b, _ = census.save_household(
        place=cast.compound_b, building="3", unit="1", room="101"
    )
    w.resident_b, _ = census.register_resident(
        user=cast.outsider_b, household=w.household_b, name="乙院居民哨"
    )

    # Community: passages with fever (each opens an alert) at post_a, post_a2 and post_b
    w.passage_a = community.record_passage(
        post=cast.post_a,
        user=cast.guard_a,
        client_id=str(uuid.uuid4()),
        direction="out",
        subject="resident",
        resident_id=w.resident_a.pk,
        name="甲院居民哨",
        id_number=ID_NUMBER,
        temperature="38.2",
    )
    w.passage_a2 = community.record_passage(
        post=w.post_a2,
        user=cast.staff_a,
        client_id=str(uuid.uuid4()),
        direction="in",
        subject="outsider",
        name="甲院西门过客",
        temperature="38.4",
        reason="复测正常，放行",
    )
    w.passage_b_client_id = str(uuid.uuid4())
    w.passage_b = community.record_passage(
        post=cast.post_b,
        user=cast.outsider_b,
        client_id=w.passage_b_client_id,
        direction="in",
        subject="outsider",
        name="乙院北门过客",
        temperature="38.6",
        reason="复测正常，放行",
    )
    w.alert_a = Alert.objects.get(passage=w.passage_a)
    w.alert_a2 = Alert.objects.get(passage=w.passage_a2)
    w.alert_b = Alert.objects.get(passage=w.passage_b)
    w.duty_settings_a = community.save_duty_settings(
        organization=cast.chamber_a,
        user=cast.admin_a,
        data={
            "fever_webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=sentinel-duty-robot-key-a",
            "fever_email": True,
        },
    )
    community.save_duty_settings(
        organization=cast.chamber_b,
        user=cast.outsider_b,
        data={
            "fever_webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=sentinel-duty-robot-key-b",
            "fever_email": True,
        },
    )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    w.shift_a = community.create_shift(
        post=cast.post_a,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        users=[cast.guard_a],
        people=[w.person_duty],
    )
    w.assignment_a = Assignment.objects.get(shift=w.shift_a, user=cast.guard_a)
    w.assignment_signed_in = community.sign_in(
        assignment=Assignment.objects.get(shift=w.shift_a, person=w.person_duty)
    )
    w.shift_a2 = community.create_shift(
        post=w.post_a2,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        people=[w.person_a],
    )
    w.assignment_a2 = Assignment.objects.get(shift=w.shift_a2)
    w.spot_a = community.save_spot(
        place=cast.compound_a, name="东城花园垃圾站", interval=dt.timedelta(hours=24)
    )
    w.spot_b = community.save_spot(
        place=cast.compound_b, name="南湖新村垃圾站", interval=dt.timedelta(hours=24)
    )
    w.publicity_a = PublicityItem.objects.create(
        place=cast.compound_a, kind="poster", description="防疫海报"
    )
    w.key_a = PostKey.for_post(cast.post_a)
    w.key_b = PostKey.for_post(cast.post_b)
    w.console_key_a, _raw = community.issue_console_key(post=cast.post_a, user=cast.guard_a)
    assert Spot.objects.count() == 2

    # Donations
    w.campaign_a = donations.create_campaign(
        user=cast.admin_a, organization=cast.chamber_a, name="甲会活动哨", is_public=True
    )
    # Open data: chamber A publishes, chamber B does not (the switch is off by default).
    from gongke.opendata.models import Publication

    w.publication_a = Publication.objects.create(organization=cast.chamber_a, is_open=True)
    w.campaign_b = donations.create_campaign(
        user=cast.outsider_b, organization=cast.chamber_b, name="乙会活动", is_public=True
    )
    w.donor_a = donations.find_or_create_donor(
        user=cast.admin_a,
        organization=cast.chamber_a,
        kind=DonorKind.INDIVIDUAL,
        name="甲会捐赠人",
    )
    w.donor_b = donations.find_or_create_donor(
        user=cast.outsider_b,
        organization=cast.chamber_b,
        kind=DonorKind.INDIVIDUAL,
        name="乙会捐赠人",
    )
    w.gift_a = donations.record_gift(
        user=cast.admin_a,
        organization=cast.chamber_a,
        donor=w.donor_a,
        nature=Nature.MONEY,
        value="10000",
        given_on=_wd(5),
        campaign=w.campaign_a,
        issue_receipt=True,
    )
    w.pledge_a = donations.record_gift(
        user=cast.admin_a,
        organization=cast.chamber_a,
        donor=w.donor_a,
        nature=Nature.MONEY,
        value="5000",
        given_on=_wd(5),
        received=False,
    )
    w.gift_b = donations.record_gift(
        user=cast.outsider_b,
        organization=cast.chamber_b,
        donor=w.donor_b,
        nature=Nature.MONEY,
        value="8000",
        given_on=_wd(5),
        campaign=w.campaign_b,
        issue_receipt=True,
    )
    w.entry_a = w.gift_a.entries.get(receipt__isnull=False)
    w.receipt_a = w.entry_a.receipt
    w.forward_a = donations.forward_gift(
        user=cast.admin_a,
        gift=w.gift_a,
        from_organization=cast.chamber_a,
        to_organization=cast.federation,
        amount="100",
    )
    w.unreceipted_a = donations.receive_gift(
        user=cast.admin_a, gift=w.pledge_a, amount="1000", issue_receipt=False
    )  # a receipt entry without its receipt (the receipt routes issue one)
    from gongke.donations import importer as donations_importer
    from gongke.lib.excel import build_xlsx

    w.review_a = donations_importer.import_gifts(
        user=cast.admin_a,
        organization=cast.chamber_a,
        data=build_xlsx(["捐赠方", "金额", "日期"], [["甲会捐赠人", "10000", _wd(5).isoformat()]]),
        filename="review-a.xlsx",
    ).review  # a line like gift_a: held for the duplicate review
    assert w.review_a is not None
    # Records of the county's donor register (kept by the federation): one merged already.
    w.donor_a2 = donations.find_or_create_donor(
        user=cast.admin_a,
        organization=cast.chamber_a,
        kind=DonorKind.INDIVIDUAL,
        name="甲会捐赠人二",
    )
    w.merge_a = donations.merge_donors(
        user=cast.fed_admin,
        kept=w.donor_a,
        merged=donations.find_or_create_donor(
            user=cast.admin_a,
            organization=cast.chamber_a,
            kind=DonorKind.INDIVIDUAL,
            name="甲会捐赠人三",
        ),
    )

    # Work resumption
    from gongke.resumption.models import Application

    application_data = {
        "category": "industry",
        "batch": 1,
        "planned_date": dt.date(2020, 2, 17),
        "staff_total": 120,
        "staff_planned": 80,
        "responsible_person": "王伟",
        "masks_in_stock": 2400,
        "masks_per_person_day": 2,
        "disinfectant_litres": Decimal("30"),
        "disinfectant_per_person_day": Decimal("0.020"),
        "temperature_twice_daily": True,
        "distancing": True,
        "disinfection": True,
        "vehicle_rules": True,
    }
    w.application_data = application_data
    w.draft_a1 = resumption.save_application(
        enterprise=cast.a1, user=cast.reporter_a1, data=application_data
    )
    w.submitted_a1 = resumption.save_application(
        enterprise=cast.a1, user=cast.reporter_a1, data=application_data
    )
    resumption.submit_application(application=w.submitted_a1, user=cast.reporter_a1)
    w.attachment_a1 = resumption.add_attachment(
        application=w.submitted_a1,
        user=cast.reporter_a1,
        file=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 sentinel"),
    )
    assert Application.objects.count() == 2
    w.report_a1, _ = resumption.submit_report(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        data={"staff_on_site": 60, "staff_returned": 10},
        day=_wd(1),
    )
    w.reading_a1 = resumption.record_temperature(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        person_name="甲企测温员",
        day=_wd(0),
        slot="am",
        temperature="38.3",
    )
    w.fever_a1 = FeverCase.objects.get(reading=w.reading_a1)
    w.programme_a1 = resumption.save_programme(
        landlord=cast.a1,
        name="甲企减免哨",
        rent_percentages=[100, 50],
        fee_percentages=[],
        starts_on=dt.date(2020, 2, 1),
    )
    resumption.add_lease(
        programme=w.programme_a1,
        tenant_name="甲企租户哨",
        monthly_rent=Decimal("1000"),
        starts_on=dt.date(2020, 1, 1),
    )
    w.settings_a = resumption.save_reporting_settings(
        association=cast.chamber_a,
        data={
            "deadline": dt.time(10, 0),
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=sentinel-report-robot-key-a",
            "email_reminders": True,
        },
    )
    resumption.save_reporting_settings(
        association=cast.chamber_b,
        data={
            "deadline": dt.time(10, 0),
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=sentinel-report-robot-key-b",
            "email_reminders": True,
        },
    )
    w.notice_a1 = Notification.objects.create(
        user=cast.reporter_a1, enterprise=cast.a1, day=_wd(0), message="请填报"
    )
    _volunteers_world(w, cast, now)

    # Notices: a draft, one awaiting approval and a sent initiative letter of chamber A (sent
    # to A1's reporter); a notice of chamber B to its own person.
    from gongke.notices import services as notices
    from gongke.notices.models import NoticeSettings

    def _notice(user, org, audience, **extra):
        data = {"title": "通知", "body": "请各会员单位知悉。", "audience": audience, **extra}
        return notices.save_notice(user=user, organization=org, data=data)

    w.draft_notice_a = _notice(cast.staff_a, cast.chamber_a, {"all": True})
    w.notice_attachment_a = notices.add_attachment(
        notice=w.draft_notice_a,
        user=cast.staff_a,
        file=SimpleUploadedFile("附件.pdf", b"%PDF-1.4 notice"),
    )
    w.sent_notice_a = _notice(
        cast.admin_a, cast.chamber_a, {"all": True}, kind="initiative", is_public=True
    )
    notices.send_notice(notice=w.sent_notice_a, user=cast.admin_a)
    w.recipient_a1 = w.sent_notice_a.recipients.get(user=cast.reporter_a1)
    w.sent_notice_b = _notice(cast.outsider_b, cast.chamber_b, {"people": [w.person_b.pk]})
    notices.send_notice(notice=w.sent_notice_b, user=cast.outsider_b)
    w.pending_notice_a = _notice(cast.staff_a, cast.chamber_a, {"all": True})
    NoticeSettings.objects.create(
        organization=cast.chamber_a,
        requires_approval=True,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=sentinel-notice-robot-key-a",
    )
    notices.send_notice(notice=w.pending_notice_a, user=cast.staff_a)
    build_supplies(w)
    # Services: A1 sells a package in compound A (a resident's order, a delivery task assigned,
    # a complaint), B1 in compound B; A1 offers a training the firm A1 requested and rated.
    build_assistance(w)
    build_briefings(w)
    return w


def build_briefings(w) -> None:
    """A draft briefing of chamber A by its staff (an admin signs it off), a signed one (to
    publish), and chamber B's, each written from the world's data."""
    from gongke.briefings import services as briefings

    def write(user, org, title):
        return briefings.generate_briefing(
            user=user, organization=org, start=_wd(6), end=_wd(0), title=title
        )

    w.briefing_a = write(w.staff_a, w.chamber_a, "甲会简报哨")
    w.briefing_signed_a = write(w.staff_a, w.chamber_a, "甲会已审签简报哨")
    briefings.sign_briefing(user=w.admin_a, briefing=w.briefing_signed_a)
    w.briefing_b = write(w.outsider_b, w.chamber_b, "乙会简报哨")
    w.briefing_published_a = write(w.staff_a, w.chamber_a, "甲会已发布简报哨")
    briefings.sign_briefing(user=w.admin_a, briefing=w.briefing_published_a)
    briefings.publish_briefing(user=w.admin_a, briefing=w.briefing_published_a)


def _volunteers_world(w, cast, now) -> None:
    from gongke.registry import services as registry
    from gongke.volunteers import services as volunteers
    from gongke.volunteers.models import Division, NoShow
    from gongke.volunteers.views import check_in_path

    w.team_a = volunteers.save_team(organization=cast.chamber_a, name="甲会志愿队哨")
    w.team_b = volunteers.save_team(organization=cast.chamber_b, name="乙会志愿队哨")
    # Not a sentinel: the roster shows its post's duty officers who is on a shift there.
    w.person_volunteer = registry.save_person(organization=cast.chamber_a, name="志愿者甲")
    w.volunteer_a = volunteers.add_volunteer(team=w.team_a, person=w.person_volunteer)
    w.signup_a = volunteers.sign_up(team=w.team_a, name="报名人", phone="13900001234", pledged=True)
    w.team_shift_a = volunteers.create_team_shift(
        team=w.team_a,
        post=cast.post_a,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        volunteers=[w.volunteer_a],
    )
    volunteers.flag_no_shows()
    w.no_show_a = NoShow.objects.get()
    w.vol_task_a = volunteers.save_task(team=w.team_a, title="张贴海报", volunteer=w.volunteer_a)
    w.hours_a = volunteers.record_hours(volunteer=w.volunteer_a, day=_wd(1), minutes=60)
    w.resource_a = volunteers.save_resource(
        organization=cast.chamber_a, kind="drone", name="甲会无人机哨"
    )
    w.pilot_a = volunteers.save_resource(organization=cast.chamber_a, kind="pilot", name="飞手")
    Division.objects.create(code="37", name="山东省", level=1)
    Division.objects.create(code="3716", name="滨州市", level=2, parent_id="37")
    w.county = Division.objects.create(code="371625", name="博兴县", level=3, parent_id="3716")
    w.operation_a = volunteers.record_operation(
        organization=cast.chamber_a,
        division=w.county,
        kind="spraying",
        day=_wd(1),
        area_mu="120.5",
        drones=[w.resource_a],
        pilots=[w.pilot_a],
    )
    w.route_a = volunteers.save_route(team=w.team_a, place=cast.compound_a, name="夜巡")
    w.round_a = volunteers.log_round(
        route=w.route_a,
        started_at=now - dt.timedelta(hours=3),
        ended_at=now - dt.timedelta(hours=2),
        volunteers=[w.volunteer_a],
        issues=["门禁损坏"],
    )
    w.round_issue_a = w.round_a.issues.get()
    w.check_in_sig = check_in_path(cast.post_a.pk).rstrip("/").rsplit("/", 1)[-1]


def build_assistance(w) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from gongke.assistance import services as assistance
    from gongke.assistance.models import ShopKey
    from gongke.registry import services as registry

    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "image/png")
    w.package_a = assistance.save_package(
        supplier=w.a1, user=w.admin_a, name="蔬菜套餐", contents="白菜", price="68", photo=png
    )
    w.package_b = assistance.save_package(
        supplier=w.b1, user=w.outsider_b, name="水果套餐", contents="苹果", price="58"
    )
    closes = timezone.now() + dt.timedelta(hours=6)
    w.window_a = assistance.open_window(
        compound=w.compound_a,
        package=w.package_a,
        day=_wd(-1),
        closes_at=closes,
        capacity=50,
        user=w.admin_a,
    )
    w.window_b = assistance.open_window(
        compound=w.compound_b,
        package=w.package_b,
        day=_wd(-1),
        closes_at=closes,
        capacity=50,
        user=w.outsider_b,
    )
    resident = {"building": "3", "room": "502", "phone": "13912345678", "quantity": 1}
    w.order_a, _ = assistance.place_order(
        window=w.window_a, data={**resident, "name": "甲院订餐哨", "client_id": "a"}
    )
    w.order_b, _ = assistance.place_order(
        window=w.window_b, data={**resident, "name": "乙院订餐哨", "client_id": "b"}
    )
    w.task_a = assistance.make_tasks(window=w.window_a, user=w.admin_a)[0]
    assistance.assign_task(task=w.task_a, person=w.person_duty, user=w.admin_a)
    w.complaint_a = assistance.record_complaint(order=w.order_a, text="菜不新鲜", user=w.admin_a)
    w.shop_key_a = ShopKey.for_place(w.compound_a)
    w.shop_signed_a = signing.dumps(w.order_a.pk, salt="assistance.order")
    w.offer_a = assistance.save_offer(
        provider=w.a1, kind="training", title="复工培训", user=w.admin_a
    )
    w.offer_b = assistance.save_offer(
        provider=w.b1, kind="counselling", title="乙企服务哨", user=w.outsider_b
    )
    w.session_a = assistance.add_session(
        offer=w.offer_a, starts_at=closes + dt.timedelta(days=2), seats=30, user=w.admin_a
    )
    w.request_a = assistance.request_service(
        offer=w.offer_a, firm=w.a1, session=w.session_a, user=w.reporter_a1
    )
    w.request_rated_a = assistance.request_service(offer=w.offer_a, firm=w.a1, user=w.reporter_a1)
    w.person_a1 = registry.save_person(organization=w.a1, name="甲企服务员")
    assistance.assign_request(request=w.request_rated_a, person=w.person_a1, user=w.admin_a)


# --- Who answers what: a few named profiles ------------------------------------------------

ADMINS_A = ["admin", "fed_admin", "admin_a"]
WRITERS_A = [*ADMINS_A, "staff_a", "staff_ab"]
READERS_A = [*WRITERS_A, "viewer_a"]
GUARDS_A = ["guard_a", "guard_ab"]
SIGNED_IN = [u for u in USERS if u != "anon"]


def answers(ok=(), forbidden=(), other=404, **special) -> dict[str, Any]:
    """user -> what they get: OK, 403, 404, REFUSED, "login" or a set of those (anonymous is
    filled in per row unless the row names it)."""
    table: dict[str, Any] = {u: other for u in SIGNED_IN}
    table.update({u: OK for u in ok})
    table.update({u: 403 for u in forbidden})
    table.update(special)
    return table


# Reading and writing one record (404 outside the reach, 403 inside it without a writing role)
R_A = answers(ok=READERS_A)
W_A = answers(ok=WRITERS_A, forbidden=["viewer_a"])
R_A1 = answers(ok=[*READERS_A, "reporter_a1"])
W_A1 = answers(ok=[*WRITERS_A, "reporter_a1"], forbidden=["viewer_a"])
REVIEW_A1 = answers(ok=WRITERS_A, forbidden=["viewer_a", "reporter_a1"])
R_POST_A = answers(ok=[*READERS_A, *GUARDS_A])
W_POST_A = answers(ok=[*WRITERS_A, *GUARDS_A], forbidden=["viewer_a"])
MANAGE_POST_A = answers(ok=WRITERS_A, forbidden=["viewer_a", *GUARDS_A])
# Chamber A as an organization: its duty officers reach it too (not its enterprise reporter)
R_ORG_A = R_POST_A
MANAGE_ORG_A = MANAGE_POST_A
# The county's donor register is kept by the federation: chamber A's readers see donor_a through
# its gifts, but the keeper is outside their reach (require_write answers 404 there).
REGISTER_A = answers(ok=["admin", "fed_admin"])
R_B = answers(ok=["admin", "fed_admin", "outsider_b", "staff_ab", "guard_ab"])
W_B = answers(ok=["admin", "fed_admin", "outsider_b"], forbidden=["staff_ab", "guard_ab"])
# Settings with a robot secret: a reader without the right to write them is refused or shown
# them without the secret (the sentinel check holds either way).
SETTINGS_DUTY_A = answers(ok=WRITERS_A, viewer_a={OK, 403}, guard_a={OK, 403}, guard_ab={OK, 403})
SETTINGS_RESUMPTION_A = answers(ok=WRITERS_A, viewer_a={OK, 403})
# Chamber B's settings to its viewers (guard_ab, staff_ab): refused, or shown without the secret
SETTINGS_B = answers(
    ok=["admin", "fed_admin", "outsider_b"], guard_ab={OK, 403}, staff_ab={OK, 403}
)
# Users and memberships of chamber A: its organization admins; other roles of A are refused
USERS_A = answers(
    ok=ADMINS_A,
    forbidden=["staff_a", "viewer_a", "reporter_a1", "guard_a", "guard_ab", "staff_ab"],
)


def own(user: str) -> dict[str, Any]:
    return answers(ok=[user])


def listing(closed=()) -> dict[str, Any]:
    """A list: every signed-in user gets it, filtered to what they reach; a role the area is
    closed to (a duty officer in donations) may instead be refused."""
    return answers(ok=SIGNED_IN, **{u: {OK, 403} for u in closed})


EVERYONE = answers(ok=SIGNED_IN)
# Users and the audit trail: every organization admin, over their own subtree; other roles 403
ADMIN_PAGES = answers(ok=[*ADMINS_A, "outsider_b"], other=403)
NOT_GUARDS = ["guard_a"]  # guard_ab reads chamber B, so lists are open to him


@dataclass
class Row:
    method: str
    url: str  # str.format template over the world `w`: "/census/household/{w.household_a.pk}/"
    expect: dict[str, Any]
    body: Any = None  # dict, or callable(w) -> dict (called per request: files are read once)
    api: bool = False
    public: bool = False
    writes: bool | None = None  # an allowed request writes something (default: not GET)
    json: bool = False  # a page that takes a JSON body (the API always does, but for files)
    multipart: bool = False
    shows: set[str] = field(default_factory=set)  # scopes this row shows anyone (honor lists)
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.method} {self.url.replace('{w.', '{').replace('.pk}', '}')}" + (
            f" ({self.note})" if self.note else ""
        )

    def anon(self) -> Any:
        if self.public:
            return self.expect.get("anon", OK)
        return 401 if self.api else "login"


def page(method, url, expect, body=None, **kw) -> Row:
    return Row(method, url, expect, body, **kw)


def api(method, path, expect, body=None, **kw) -> Row:
    return Row(method, "/api/v1" + path, expect, body, api=True, **kw)


def public(method, url, body=None, **kw) -> Row:
    return Row(method, url, answers(ok=SIGNED_IN), body, public=True, **kw)


def _now_iso(hours: int = 0) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).replace(microsecond=0).isoformat()


def _passage(post: str, **extra) -> Any:
    def body(w):
        return {
            "client_id": str(uuid.uuid4()),
            "post_id": getattr(w, post).pk,
            "direction": "in",
            "subject": "outsider",
            "name": "路人",
            "temperature": "36.5",
            **extra,
        }

    return body


def _csv(name: str, text: str) -> Any:
    return lambda w: SimpleUploadedFile(name, text.encode(), "text/csv")


def _donations_csv(w) -> SimpleUploadedFile:
    from django.utils import translation

    from gongke.donations.importer import COLUMNS

    with translation.override("zh-hans"):
        labels = {key: str(label) for key, label, _r in COLUMNS}
    header = [labels["donor"], labels["amount"], labels["date"]]
    text = ",".join(header) + f"\n导入捐赠人,500,{_wd(2).isoformat()}\n"
    return SimpleUploadedFile("gifts.csv", text.encode(), "text/csv")


CENSUS_CSV = _csv("households.csv", "building,unit,room,name\n8,1,808,导入居民\n")
PEOPLE_CSV = _csv("people.csv", "name,organization\n导入名录人,青原县钣金商会\n")
TODAY = _wd(0).isoformat()

# Writing in chamber A from a page that picks the organization: a user without a writing role
# is refused (403); one whose writing membership does not reach chamber A is refused as if it did
# not exist (404, or the form shown again with nothing written).
REFUSED = "refused"  # 403, 404, 422, or a 200 that wrote nothing (a form shown with its errors)
CREATE_IN_A = answers(ok=WRITERS_A, forbidden=["viewer_a"], other=REFUSED)
CREATE_PAGE = answers(
    ok=[*WRITERS_A, "outsider_b"], forbidden=["viewer_a", "reporter_a1", "guard_a", "guard_ab"]
)
# An empty spreadsheet template: harmless, whether or not the user may import.
TEMPLATE = answers(ok=[*WRITERS_A, "outsider_b"], other={OK, 403})
CREATE_A1 = answers(ok=[*WRITERS_A, "reporter_a1"], forbidden=["viewer_a"], other=REFUSED)
# Approving chamber A's pending notice: its writers but the author (a second person approves)
APPROVE_A = answers(
    ok=["admin", "fed_admin", "admin_a", "staff_ab"], forbidden=["viewer_a", "staff_a"]
)
NOTICE_FORM = {
    "kind": "notice",
    "title": "新通知",
    "body": "内容",
    "all": "on",
    "channels": ["app"],
}


def _notice_pdf(w) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("附件二.pdf", b"%PDF-1.4 more", "application/pdf")}


NOTICE_JSON = {"title": "新通知", "body": "内容", "audience": {"all": True}}

# Signing off chamber A's draft (written by staff_a): its admins; its other writers and its
# viewer are refused (403), whatever they reach.
SIGN_BRIEFING_A = answers(ok=ADMINS_A, forbidden=["viewer_a", "staff_a", "staff_ab"])

# Chamber A's own work-resumption pages (its batch, its settings): chamber A itself is in its duty
# officers' reach, its work resumption is not. 403 or 404: either reveals nothing new to them.
GUARDS_ON_A = {"guard_a": {403, 404}, "guard_ab": {403, 404}}

ROWS: list[Row] = [
    # --- accounts and the site ---------------------------------------------------------------
    page("GET", "/", EVERYONE),
    public("GET", "/healthz"),
    public("GET", "/jsi18n/"),
    public("GET", "/accounts/login/", writes=False),
    Row(
        "POST",
        "/accounts/logout/",
        answers(other={OK, "login"}, anon={OK, "login"}),
        public=True,
        writes=False,
    ),
    public("POST", "/accounts/language/", {"language": "en", "next": "/"}, writes=False),
    page("GET", "/accounts/tokens/", EVERYONE),
    page("POST", "/accounts/tokens/", EVERYONE, {"name": "新设备"}),
    page("POST", "/accounts/tokens/{w.token_staff_a.pk}/revoke/", own("staff_a")),
    page("GET", "/accounts/audit/", ADMIN_PAGES),
    page("GET", "/accounts/profile/", EVERYONE),
    page(
        "POST",
        "/accounts/profile/",
        EVERYONE,
        {"form": "profile", "display_name": "新名字", "language": "en"},
    ),
    page("GET", "/accounts/users/", ADMIN_PAGES),
    page("GET", "/accounts/users/new/", ADMIN_PAGES),
    page(
        "POST",
        "/accounts/users/new/",
        {**USERS_A, "outsider_b": REFUSED},
        lambda w: {
            "username": "newclerk",
            "display_name": "新职员",
            "organization": w.chamber_a.pk,
            "role": "org_staff",
            "password1": "a-long-test-password-43",
            "password2": "a-long-test-password-43",
        },
    ),
    page("GET", "/accounts/users/{w.clerk_a.pk}/", USERS_A),
    page(
        "POST",
        "/accounts/users/{w.clerk_a.pk}/memberships/{w.clerk_membership.pk}/role/",
        USERS_A,
        lambda w: {f"m{w.clerk_membership.pk}-role": "viewer"},
    ),
    page(
        "POST",
        "/accounts/users/{w.guard_a.pk}/memberships/{w.guard_membership.pk}/posts/",
        USERS_A,
        lambda w: {f"p{w.guard_membership.pk}-posts": [w.post_a.pk, w.post_a2.pk]},
    ),
    page("POST", "/accounts/users/{w.clerk_a.pk}/active/", USERS_A, {"active": "0"}),
    page(
        "POST",
        "/accounts/users/{w.clerk_a.pk}/password/",
        USERS_A,
        {"password1": "a-new-long-password-44", "password2": "a-new-long-password-44"},
    ),
    page("GET", "/briefings/", listing(closed=NOT_GUARDS)),
    page("GET", "/briefings/new/", CREATE_PAGE),
    page(
        "POST",
        "/briefings/new/",
        CREATE_IN_A,
        lambda w: {"organization": w.chamber_a.pk, "start": _wd(6).isoformat(), "end": TODAY},
    ),
    page("GET", "/briefings/{w.briefing_a.pk}/", R_A),
    page("GET", "/briefings/{w.briefing_b.pk}/", R_B),
    page("GET", "/briefings/{w.briefing_a.pk}/edit/", W_A),
    page("POST", "/briefings/{w.briefing_a.pk}/edit/", W_A, {"title": "改过的", "body": "正文"}),
    page("POST", "/briefings/{w.briefing_a.pk}/sign/", SIGN_BRIEFING_A),
    page("POST", "/briefings/{w.briefing_signed_a.pk}/publish/", W_A),
    page("GET", "/briefings/{w.briefing_a.pk}/briefing.pdf", R_A),
    page("GET", "/briefings/{w.briefing_a.pk}/briefing.docx?lang=zh-hant", R_A),
    page("GET", "/briefings/{w.briefing_a.pk}/briefing.html?lang=en", R_A),
    page("GET", "/briefings/resumption/", listing(closed=NOT_GUARDS)),
    page(
        "GET",
        "/briefings/resumption/?org={w.chamber_a.pk}",
        {**R_A, **GUARDS_ON_A},
        note="chamber A's work resumption",
    ),
    # --- registry ------------------------------------------------------------------------------
    page("GET", "/registry/", listing(closed=NOT_GUARDS)),
    page("GET", "/registry/organizations/new/", CREATE_PAGE),
    page(
        "POST",
        "/registry/organizations/new/",
        CREATE_IN_A,
        lambda w: {"kind": "enterprise", "parent": w.chamber_a.pk, "name": "新会员企业"},
    ),
    page("GET", "/registry/organizations/{w.a1.pk}/", R_A1),
    page(
        "GET",
        "/registry/organizations/{w.chamber_a.pk}/",
        {**R_ORG_A, "guard_a": {OK, 404}, "guard_ab": {OK, 404}},
        note="a duty officer reaches chamber A itself",
    ),
    page("GET", "/registry/organizations/{w.chamber_b.pk}/", R_B),
    page("GET", "/registry/organizations/{w.a1.pk}/edit/", {**W_A, "reporter_a1": 403}),
    page(
        "POST",
        "/registry/organizations/{w.a1.pk}/edit/",
        {**W_A, "reporter_a1": 403},
        lambda w: {"name": "京博集团改名", "kind": "enterprise", "parent": w.chamber_a.pk},
    ),
    page("GET", "/registry/people/", listing(closed=NOT_GUARDS)),
    page("GET", "/registry/people/new/", CREATE_PAGE),
    page(
        "POST",
        "/registry/people/new/",
        CREATE_IN_A,
        lambda w: {"organization": w.chamber_a.pk, "name": "新名录人", "position": "staff"},
    ),
    page("GET", "/registry/people/{w.person_a.pk}/", R_A),
    page("GET", "/registry/people/{w.person_b.pk}/", R_B),
    page("GET", "/registry/people/{w.person_a.pk}/edit/", W_A),
    page(
        "POST",
        "/registry/people/{w.person_a.pk}/edit/",
        W_A,
        lambda w: {"organization": w.chamber_a.pk, "name": "甲会名录人改", "position": "staff"},
    ),
    page("GET", "/registry/places/", listing(closed=NOT_GUARDS)),
    page("GET", "/registry/places/new/", CREATE_PAGE),
    page(
        "POST",
        "/registry/places/new/",
        CREATE_IN_A,
        lambda w: {
            "kind": "compound",
            "name": "新建小区",
            "organization": w.chamber_a.pk,
            "township": w.township_east.pk,
        },
    ),
    page("GET", "/registry/places/{w.post_a.pk}/", R_POST_A),
    page("GET", "/registry/places/{w.post_a2.pk}/", R_A),
    page("GET", "/registry/places/{w.post_b.pk}/", R_B),
    page("GET", "/registry/places/{w.post_a.pk}/edit/", MANAGE_POST_A),
    page(
        "POST",
        "/registry/places/{w.post_a.pk}/edit/",
        MANAGE_POST_A,
        lambda w: {
            "kind": "post",
            "name": "东城花园东门卡口改",
            "organization": w.chamber_a.pk,
            "parent": w.compound_a.pk,
            "township": w.township_east.pk,
        },
    ),
    page("GET", "/registry/import/", CREATE_PAGE),
    page("GET", "/registry/import/people/", CREATE_PAGE),
    page(
        "POST",
        "/registry/import/people/",
        CREATE_IN_A,
        lambda w: {"file": PEOPLE_CSV(w)},
    ),
    page("GET", "/registry/import/people/template.xlsx", TEMPLATE),
    # --- donations -----------------------------------------------------------------------------
    page("GET", "/donations/", listing(closed=NOT_GUARDS)),
    page("GET", "/donations/gifts/", listing(closed=NOT_GUARDS)),
    page("GET", "/donations/gifts/new/", CREATE_PAGE),
    # The donor field's suggestions: only donors and enterprises within the clerk's reach.
    page("GET", "/donations/donors/suggestions/?donor_name=捐赠人", CREATE_PAGE),
    page(
        "POST",
        "/donations/gifts/new/",
        CREATE_IN_A,
        lambda w: {
            "organization": w.chamber_a.pk,
            "donor_kind": "individual",
            "donor_name": "新捐赠人",
            "nature": "money",
            "amount": "300",
            "given_on": TODAY,
            "received": "on",
            "client_key": uuid.uuid4().hex,
        },
    ),
    page(
        "POST",
        "/donations/gifts/new/",
        {**CREATE_IN_A, **{u: REFUSED for u in ["admin_a", "staff_a", "staff_ab"]}},
        lambda w: {
            "organization": w.chamber_a.pk,
            "donor_kind": "enterprise",
            "donor_name": "南湖食品有限公司",
            "nature": "money",
            "amount": "300",
            "given_on": TODAY,
            "received": "on",
            "client_key": uuid.uuid4().hex,
        },
        shows={"B"},  # the form may show back the name the user typed
        note="the donor is an enterprise of chamber B",
    ),
    page("GET", "/donations/gifts/{w.gift_a.pk}/", R_A),
    page("GET", "/donations/gifts/{w.gift_b.pk}/", R_B),
    page(
        "POST",
        "/donations/gifts/{w.pledge_a.pk}/receive/",
        W_A,
        {"amount": "100", "occurred_on": TODAY},
    ),
    page(
        "POST",
        "/donations/gifts/{w.gift_a.pk}/forward/",
        W_A,
        lambda w: {
            "from_organization": w.chamber_a.pk,
            "to_organization": w.federation.pk,
            "amount": "100",
            "occurred_on": TODAY,
        },
    ),
    page(
        "POST",
        "/donations/gifts/{w.gift_a.pk}/allocate/",
        W_A,
        lambda w: {
            "organization": w.chamber_a.pk,
            "recipient": w.hospital.pk,
            "amount": "100",
            "occurred_on": TODAY,
        },
    ),
    page("POST", "/donations/entries/{w.forward_a.pk}/reverse/", W_A, {"reason": "录错了"}),
    page("POST", "/donations/entries/{w.unreceipted_a.pk}/receipt/", W_A),
    page("GET", "/donations/ledger/", listing(closed=NOT_GUARDS)),
    page("GET", "/donations/donors/", listing(closed=NOT_GUARDS)),
    page("GET", "/donations/donors/{w.donor_a.pk}/", R_A),
    page("GET", "/donations/donors/{w.donor_b.pk}/", R_B),
    page(
        "POST",
        "/donations/donors/{w.donor_a.pk}/merge/",
        REGISTER_A,
        lambda w: {"other": w.donor_a2.pk},
    ),
    page("POST", "/donations/donors/merges/{w.merge_a.pk}/undo/", REGISTER_A),
    page("GET", "/donations/campaigns/", listing(closed=NOT_GUARDS)),
    page("GET", "/donations/campaigns/{w.campaign_a.pk}/", R_A),
    page(
        "POST",
        "/donations/campaigns/",
        CREATE_IN_A,
        lambda w: {"organization": w.chamber_a.pk, "name": "新活动", "starts_on": TODAY},
    ),
    page("GET", "/donations/import/", CREATE_PAGE),
    page(
        "POST",
        "/donations/import/",
        CREATE_IN_A,
        lambda w: {"organization": w.chamber_a.pk, "file": _donations_csv(w)},
    ),
    page("GET", "/donations/import/template.xlsx", TEMPLATE),
    page("GET", "/donations/import/reviews/{w.review_a.pk}/", R_A),
    page("POST", "/donations/import/reviews/{w.review_a.pk}/", W_A, {"rest": "same"}),
    page("GET", "/donations/receipts/", listing(closed=NOT_GUARDS)),
    page("GET", "/donations/receipts/{w.receipt_a.pk}/", R_A),
    page("GET", "/donations/receipts/{w.receipt_a.pk}/pdf/", R_A),
    public("GET", "/donations/verify/"),
    public("GET", "/donations/verify/{w.receipt_a.code}/", shows={"A"}),
    public("GET", "/donations/honor/{w.chamber_a.pk}/{w.campaign_a.pk}/", shows={"A"}),
    # --- open data: public (no sign-in) for an organization that publishes, 404 otherwise ------
    public("GET", "/open/"),
    public("GET", "/open/{w.chamber_a.pk}/", shows={"A"}),
    Row("GET", "/open/{w.chamber_b.pk}/", answers(anon=404), public=True, note="not published"),
    public("GET", "/open/{w.chamber_a.pk}/briefings/{w.briefing_published_a.pk}.pdf"),
    # A published briefing is public by its publisher's act (signed off, then published): the
    # largest givers it names are as public as the honor list.
    public("GET", "/open/{w.chamber_a.pk}/briefings/{w.briefing_published_a.pk}.html", shows={"A"}),
    Row(
        "GET",
        "/open/{w.chamber_a.pk}/briefings/{w.briefing_signed_a.pk}.pdf",
        answers(anon=404),
        public=True,
        note="signed off, not published",
    ),
    public("GET", "/open/v1/"),
    public("GET", "/open/v1/{w.chamber_a.pk}/"),
    Row("GET", "/open/v1/{w.chamber_b.pk}/", answers(anon=404), public=True, note="not published"),
    # Chamber A's published figures name its member enterprises: public by its admin's choice.
    public("GET", "/open/v1/{w.chamber_a.pk}/resumption.csv", shows={"A", "A1"}),
    public("GET", "/open/v1/{w.chamber_a.pk}/donations.json", shows={"A", "A1"}),
    Row(
        "GET",
        "/open/v1/{w.chamber_b.pk}/duty.json",
        answers(anon=404),
        public=True,
        note="not published",
    ),
    # The switch: an organization admin over the chamber.
    page(
        "GET",
        "/open/{w.chamber_a.pk}/settings/",
        answers(ok=ADMINS_A, forbidden=["staff_a", "viewer_a", "guard_a", "guard_ab", "staff_ab"]),
    ),
    page(
        "POST",
        "/open/{w.chamber_a.pk}/settings/",
        answers(ok=ADMINS_A, forbidden=["staff_a", "viewer_a", "guard_a", "guard_ab", "staff_ab"]),
        {"county_code": "360803"},
    ),
    # --- census --------------------------------------------------------------------------------
    page("GET", "/census/", listing()),
    page("GET", "/census/area/{w.compound_a.pk}/", R_POST_A),
    page("GET", "/census/area/{w.compound_b.pk}/", R_B),
    page("GET", "/census/area/{w.compound_c2.pk}/", R_A, note="a compound without their posts"),
    page("GET", "/census/household/{w.household_c2.pk}/", R_A),
    page(
        "POST",
        "/census/household/{w.household_c2.pk}/residents/new/",
        W_A,
        {"name": "新居民", "relation": "other", "gender": ""},
    ),
    page(
        "POST",
        "/census/area/{w.compound_a.pk}/households/new/",
        W_POST_A,
        {"building": "9", "unit": "1", "room": "901"},
    ),
    page("GET", "/census/area/{w.compound_a.pk}/export/", R_POST_A),
    page("GET", "/census/area/{w.compound_a.pk}/import/", W_POST_A),
    page(
        "POST",
        "/census/area/{w.compound_a.pk}/import/",
        W_POST_A,
        lambda w: {"file": CENSUS_CSV(w)},
    ),
    page("GET", "/census/import-template/", listing()),
    page("GET", "/census/household/{w.household_a.pk}/", R_POST_A),
    page("GET", "/census/household/{w.household_b.pk}/", R_B),
    page("GET", "/census/household/{w.household_a.pk}/edit/", W_POST_A),
    page(
        "POST",
        "/census/household/{w.household_a.pk}/edit/",
        W_POST_A,
        {"building": "1", "unit": "2", "room": "502"},
    ),
    page("POST", "/census/household/{w.household_empty.pk}/delete/", W_POST_A),
    page(
        "POST",
        "/census/household/{w.household_a.pk}/residents/new/",
        W_POST_A,
        {"name": "新居民", "relation": "other", "gender": ""},
    ),
    page(
        "POST",
        "/census/household/{w.household_a.pk}/visits/new/",
        W_POST_A,
        {"outcome": "met", "note": "在家"},
    ),
    page("GET", "/census/resident/{w.resident_a.pk}/", R_POST_A),
    page("GET", "/census/resident/{w.resident_b.pk}/", R_B),
    page("GET", "/census/resident/{w.resident_a.pk}/edit/", W_POST_A),
    page(
        "POST",
        "/census/resident/{w.resident_a.pk}/edit/",
        W_POST_A,
        {"name": "甲院居民哨", "phone": "13812345679", "relation": "", "gender": ""},
    ),
    page("POST", "/census/resident/{w.resident_a.pk}/merge/{w.resident_a2.pk}/", W_POST_A),
    page(
        "POST",
        "/census/resident/{w.resident_a.pk}/reveal/",
        W_POST_A,
        {"reason": "核对身份"},
        writes=False,  # audited in the audit trail, not in a table of ours
        note="an ID reveal is audited, not for viewers",
    ),
    page(
        "POST",
        "/census/resident/{w.resident_a.pk}/returns/new/",
        W_POST_A,
        {"from_place": "上海", "returned_on": TODAY},
    ),
    page(
        "POST",
        "/census/resident/{w.resident_a2.pk}/isolations/new/",
        W_POST_A,
        {"start": TODAY, "days": "14", "reason": "returned"},
    ),
    page(
        "POST",
        "/census/isolation/{w.isolation_a.pk}/checks/new/",
        W_POST_A,
        {"temperature": "36.5", "day": TODAY},
    ),
    page("POST", "/census/isolation/{w.isolation_a.pk}/end/", W_POST_A, {"note": "期满"}),
    page("GET", "/census/isolations/", listing()),
    page("GET", "/census/visits/", listing()),
    page("GET", "/census/returns/", listing()),
    # --- community -----------------------------------------------------------------------------
    page("GET", "/community/", listing()),
    page("GET", "/community/alerts/", listing()),
    page("POST", "/community/alerts/{w.alert_a.pk}/handle", W_POST_A, {"note": "已送医"}),
    page("POST", "/community/alerts/{w.alert_a2.pk}/handle", W_A, {"note": "已送医"}),
    # --- volunteers and field operations ----------------------------------------------------------
    page("GET", "/volunteers/", listing()),
    page("GET", "/volunteers/teams/new/", CREATE_PAGE),
    page(
        "POST",
        "/volunteers/teams/new/",
        CREATE_IN_A,
        lambda w: {"organization": w.chamber_a.pk, "name": "新志愿队", "signup_open": "on"},
    ),
    page("GET", "/volunteers/teams/{w.team_a.pk}/", R_A),
    page("GET", "/volunteers/teams/{w.team_b.pk}/", R_B),
    page("GET", "/volunteers/teams/{w.team_a.pk}/edit/", W_A),
    page(
        "POST",
        "/volunteers/teams/{w.team_a.pk}/edit/",
        W_A,
        lambda w: {"organization": w.chamber_a.pk, "name": "甲会志愿队哨改"},
    ),
    page(
        "POST",
        "/volunteers/teams/{w.team_a.pk}/members/",
        W_A,
        lambda w: {"person": w.person_duty.pk, "skills": "测温"},
    ),
    page("GET", "/volunteers/teams/{w.team_a.pk}/shifts/new/", W_A),
    page(
        "POST",
        "/volunteers/teams/{w.team_a.pk}/shifts/new/",
        W_A,
        lambda w: {
            "post": w.post_a.pk,
            "starts_at": (_wd(-1).isoformat() + "T08:00"),
            "ends_at": (_wd(-1).isoformat() + "T16:00"),
            "volunteers": [w.volunteer_a.pk],
        },
    ),
    page("POST", "/volunteers/teams/{w.team_a.pk}/tasks/", W_A, {"title": "巡查楼道"}),
    page(
        "POST",
        "/volunteers/teams/{w.team_a.pk}/routes/",
        W_A,
        lambda w: {"name": "日巡", "place": w.compound_a.pk},
    ),
    page("GET", "/volunteers/routes/{w.route_a.pk}/", R_A),
    page(
        "POST",
        "/volunteers/routes/{w.route_a.pk}/",
        W_A,
        lambda w: {
            "started_at": _wd(1).isoformat() + "T20:00",
            "ended_at": _wd(1).isoformat() + "T21:00",
            "volunteers": [w.volunteer_a.pk],
            "issues": "路灯不亮",
        },
    ),
    page("POST", "/volunteers/issues/{w.round_issue_a.pk}/task/", W_A),
    page("GET", "/volunteers/members/{w.volunteer_a.pk}/", R_A),
    page("POST", "/volunteers/members/{w.volunteer_a.pk}/leave/", W_A),
    page(
        "POST",
        "/volunteers/members/{w.volunteer_a.pk}/hours/",
        W_A,
        {"day": TODAY, "minutes": "30", "note": "值守"},
    ),
    page("GET", "/volunteers/members/{w.volunteer_a.pk}/certificate.pdf", R_A),
    page("POST", "/volunteers/signups/{w.signup_a.pk}/approve/", W_A),
    page("POST", "/volunteers/signups/{w.signup_a.pk}/reject/", W_A),
    page("POST", "/volunteers/tasks/{w.vol_task_a.pk}/done/", W_A, {"minutes": "20"}),
    page("POST", "/volunteers/no-shows/{w.no_show_a.pk}/seen/", W_A),
    page("GET", "/volunteers/hours/", listing()),
    page("POST", "/volunteers/hours/{w.hours_a.pk}/reverse/", W_A, {"note": "录错了"}),
    page("GET", "/volunteers/posts/{w.post_a.pk}/qr/", MANAGE_POST_A),
    page("GET", "/volunteers/resources/", listing()),
    page("GET", "/volunteers/resources/new/", CREATE_PAGE),
    page(
        "POST",
        "/volunteers/resources/new/",
        CREATE_IN_A,
        lambda w: {"organization": w.chamber_a.pk, "kind": "vehicle", "name": "消毒车"},
    ),
    page("GET", "/volunteers/resources/{w.resource_a.pk}/", R_A),
    page(
        "POST",
        "/volunteers/resources/{w.resource_a.pk}/",
        W_A,
        {"purpose": "农田消杀", "starts_on": TODAY},
    ),
    page("GET", "/volunteers/operations/", listing(closed=NOT_GUARDS)),
    page("GET", "/volunteers/operations/new/", CREATE_PAGE),
    page(
        "POST",
        "/volunteers/operations/new/",
        CREATE_IN_A,
        lambda w: {
            "organization": w.chamber_a.pk,
            "kind": "disinfection",
            "where": "371625",
            "day": TODAY,
            "area_mu": "50",
        },
    ),
    page("GET", "/volunteers/operations/map/", listing(closed=NOT_GUARDS)),
    page("GET", "/volunteers/operations/{w.operation_a.pk}/", R_A),
    public("GET", "/volunteers/join/{w.team_a.signup_token}/", shows={"A"}),
    public(
        "POST",
        "/volunteers/join/{w.team_a.signup_token}/",
        {"name": "报名人二", "phone": "13900004321", "pledged": "on"},
        shows={"A"},
    ),
    public("GET", "/volunteers/pass/{w.volunteer_a.pass_token}/", shows={"A"}),
    public(
        "POST",
        "/volunteers/pass/{w.volunteer_a.pass_token}/check-out/",
        writes=False,
        note="not checked in: a message, nothing written",
    ),
    public("GET", "/volunteers/check-in/{w.post_a.pk}/{w.check_in_sig}/"),
    public(
        "POST",
        "/volunteers/pass/{w.volunteer_a.pass_token}/rounds/",
        lambda w: {"route": w.route_a.pk, "minutes": "30"},
    ),
    page("POST", "/community/alerts/{w.alert_b.pk}/handle", W_B, {"note": "已送医"}),
    page("GET", "/community/roster/", listing()),
    page("GET", "/community/area/{w.compound_a.pk}/", R_POST_A),
    page("GET", "/community/area/{w.compound_b.pk}/", R_B),
    page("GET", "/community/area/{w.compound_a.pk}/out/", R_POST_A),
    page("GET", "/community/area/{w.compound_a.pk}/spots/", R_POST_A),
    page(
        "POST",
        "/community/area/{w.compound_a.pk}/spots/",
        W_POST_A,
        lambda w: {"action": "log", "spot": w.spot_a.pk, "done_by": "张三", "agent": "84消毒液"},
        note="log a disinfection",
    ),
    page(
        "POST",
        "/community/area/{w.compound_a.pk}/spots/",
        MANAGE_POST_A,
        {"action": "spot", "name": "新消杀点", "kind": "other", "hours": "12"},
        note="plan a spot",
    ),
    page(
        "POST",
        "/community/area/{w.compound_a.pk}/spots/",
        W_POST_A,
        lambda w: {"action": "publicity", "item": w.publicity_a.pk, "done": "1"},
        note="tick publicity",
    ),
    page(
        "POST",
        "/community/area/{w.compound_a.pk}/spots/",
        MANAGE_POST_A,
        {"action": "publicity-new", "kind": "poster", "description": "新海报"},
        note="plan publicity",
    ),
    page("GET", "/community/org/{w.chamber_a.pk}/", R_ORG_A),
    page("GET", "/community/org/{w.chamber_b.pk}/", R_B),
    page("GET", "/community/org/{w.chamber_a.pk}/settings/", SETTINGS_DUTY_A),
    page("GET", "/community/org/{w.chamber_b.pk}/settings/", SETTINGS_B),
    page(
        "POST",
        "/community/org/{w.chamber_a.pk}/settings/",
        MANAGE_ORG_A,
        {"fever_webhook_url": "", "fever_email": "on"},
    ),
    page("GET", "/community/post/{w.post_a.pk}/", {**W_POST_A, "viewer_a": {OK, 403}}),
    page("GET", "/community/post/{w.post_a2.pk}/", {**W_A, "viewer_a": {OK, 403}}),
    page("GET", "/community/post/{w.post_a.pk}/passages/", R_POST_A),
    page("GET", "/community/post/{w.post_a2.pk}/passages/", R_A),
    page(
        "GET",
        "/community/post/{w.post_a.pk}/poster/",
        W_POST_A,
        note="the QR code lets its holder record passages",
    ),
    page(
        "POST",
        "/community/post/{w.post_a.pk}/poster/",
        W_POST_A,
        {"temperature": "1"},
        note="the QR page's rule: a temperature required",
    ),
    page("GET", "/community/post/{w.post_a.pk}/shifts/new", MANAGE_POST_A),
    page(
        "POST",
        "/community/post/{w.post_a.pk}/shifts/new",
        MANAGE_POST_A,
        lambda w: {
            "starts_at": _now_iso(10),
            "ends_at": _now_iso(18),
            "people": [w.person_duty.pk],
        },
    ),
    page("GET", "/community/passage/{w.passage_a.pk}/", R_POST_A),
    page("GET", "/community/passage/{w.passage_a2.pk}/", R_A),
    page("GET", "/community/passage/{w.passage_b.pk}/", R_B),
    page(
        "POST",
        "/community/passage/{w.passage_a.pk}/",
        W_POST_A,
        {"reason": "核对身份", "candidate": ID_NUMBER},
        note="ID check: audited, not for viewers",
    ),
    page("GET", "/community/shift/{w.shift_a.pk}/", R_POST_A),
    page("GET", "/community/shift/{w.shift_a2.pk}/", R_A),
    page(
        "POST",
        "/community/shift/{w.shift_a.pk}/",
        W_POST_A,
        lambda w: {"assignment": w.assignment_a.pk, "action": "in"},
    ),
    page("POST", "/community/post/{w.post_a.pk}/key", W_POST_A),
    page("POST", "/community/post/{w.post_a2.pk}/key", W_A),
    Row(
        "POST",
        "/community/post/{w.post_a.pk}/sync",
        answers(other=401, anon=401),
        lambda w: {"items": [_passage("post_a")(w)]},
        public=True,
        json=True,
        writes=False,
        note="the console key in its header is the credential: none here",
    ),
    page("GET", "/community/post/{w.post_a.pk}/devices/", R_POST_A),
    page("GET", "/community/post/{w.post_a2.pk}/devices/", R_A),
    page(
        "POST",
        "/community/post/{w.post_a.pk}/devices/",
        W_POST_A,
        lambda w: {"key": w.console_key_a.pk},
        note="revoke a phone",
    ),
    page("GET", "/community/post/{w.post_a.pk}/manifest.webmanifest", R_POST_A),
    public("GET", "/community/sw.js"),
    public("GET", "/community/p/{w.key_a.token}/"),
    public(
        "POST",
        "/community/p/{w.key_a.token}/sync",
        lambda w: {"items": [_passage("post_a")(w)]},
        json=True,
    ),
    public(
        "POST",
        "/community/p/{w.key_a.token}/sync",
        lambda w: {"items": [{**_passage("post_a")(w), "client_id": w.passage_b_client_id}]},
        json=True,
        writes=False,
        note="a client id used at chamber B's post",
    ),
    # --- work resumption -----------------------------------------------------------------------
    page("GET", "/resumption/", listing(closed=NOT_GUARDS)),
    Row(
        "GET",
        "/resumption/dashboard/",
        {**listing(closed=NOT_GUARDS), "anon": {OK, "login"}},
        public=True,
        note="moved to /briefings/resumption/: a redirect there",
    ),
    page("GET", "/resumption/missing/", listing(closed=NOT_GUARDS)),
    page("GET", "/resumption/enterprise/{w.a1.pk}/", R_A1),
    page("GET", "/resumption/enterprise/{w.b1.pk}/", R_B),
    page("GET", "/resumption/enterprise/{w.a2.pk}/", R_A, note="another enterprise of chamber A"),
    page(
        "POST",
        "/resumption/enterprise/{w.a1.pk}/",
        W_A1,
        {
            "staff_on_site": "50",
            "staff_returned": "5",
            "staff_isolated": "0",
            "vehicles": "0",
            "fevers": "0",
            "masks": "0",
            "disinfectant_litres": "0",
        },
    ),
    page("POST", "/resumption/enterprise/{w.a1.pk}/carry-forward/", W_A1),
    page("GET", "/resumption/enterprise/{w.a1.pk}/health/", R_A1),
    page(
        "POST",
        "/resumption/enterprise/{w.a1.pk}/health/",
        W_A1,
        {"person_name": "新测温员", "day": TODAY, "slot": "pm", "temperature": "36.6"},
    ),
    page("GET", "/resumption/enterprise/{w.a1.pk}/health/template.xlsx", R_A1),
    page(
        "GET",
        "/resumption/association/{w.chamber_a.pk}/batch/",
        {**W_A, **GUARDS_ON_A, "viewer_a": {OK, 403}},
    ),
    page(
        "POST",
        "/resumption/association/{w.chamber_a.pk}/batch/",
        {**W_A, **GUARDS_ON_A},
        lambda w: {f"{w.a1.pk}-staff_on_site": "40", f"{w.a1.pk}-staff_returned": "4"},
    ),
    page("GET", "/resumption/association/{w.chamber_b.pk}/settings/", SETTINGS_B),
    page(
        "GET",
        "/resumption/association/{w.chamber_a.pk}/settings/",
        {**SETTINGS_RESUMPTION_A, **GUARDS_ON_A},
    ),
    page(
        "POST",
        "/resumption/association/{w.chamber_a.pk}/settings/",
        {**W_A, **GUARDS_ON_A},
        {"deadline": "09:00", "webhook_url": "", "email_reminders": "on"},
    ),
    page("GET", "/resumption/applications/", listing(closed=NOT_GUARDS)),
    page("GET", "/resumption/applications/new/{w.a1.pk}/", W_A1),
    page(
        "POST",
        "/resumption/applications/new/{w.a1.pk}/",
        W_A1,
        lambda w: {k: ("on" if v is True else str(v)) for k, v in w.application_data.items()},
    ),
    page("GET", "/resumption/applications/{w.submitted_a1.pk}/", R_A1),
    page("GET", "/resumption/applications/{w.draft_a1.pk}/edit/", W_A1),
    page(
        "POST",
        "/resumption/applications/{w.draft_a1.pk}/edit/",
        W_A1,
        lambda w: {
            **{k: ("on" if v is True else str(v)) for k, v in w.application_data.items()},
            "staff_planned": "70",
        },
    ),
    page("POST", "/resumption/applications/{w.draft_a1.pk}/submit/", W_A1),
    page(
        "POST",
        "/resumption/applications/{w.submitted_a1.pk}/review/",
        REVIEW_A1,
        {"approve": "1", "comment": "同意"},
    ),
    page(
        "POST",
        "/resumption/applications/{w.draft_a1.pk}/attach/",
        W_A1,
        lambda w: {"file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 x")},
    ),
    page(
        "GET",
        "/resumption/applications/{w.submitted_a1.pk}/attachments/{w.attachment_a1.pk}/",
        R_A1,
    ),
    page("GET", "/resumption/fevers/", listing(closed=NOT_GUARDS)),
    page("GET", "/resumption/fevers/{w.fever_a1.pk}/", R_A1),
    page("POST", "/resumption/fevers/{w.fever_a1.pk}/", W_A1, {"text": "已复测正常"}),
    page("GET", "/resumption/relief/", listing(closed=NOT_GUARDS)),
    page(
        "POST",
        "/resumption/relief/",
        CREATE_A1,
        lambda w: {
            "landlord": w.a1.pk,
            "name": "新减免",
            "rent_percentages": "100,50",
            "starts_on": "2020-02-01",
        },
    ),
    page("GET", "/resumption/relief/{w.programme_a1.pk}/", R_A1),
    page(
        "POST",
        "/resumption/relief/{w.programme_a1.pk}/",
        W_A1,
        {
            "tenant_name": "新租户",
            "monthly_rent": "800",
            "monthly_fee": "0",
            "starts_on": "2020-01-01",
        },
    ),
    page("POST", "/resumption/notices/{w.notice_a1.pk}/read/", own("reporter_a1")),
    # --- notices ------------------------------------------------------------------------------
    page("GET", "/notices/", EVERYONE),
    page("GET", "/notices/received/{w.sent_notice_a.pk}/", own("reporter_a1")),
    page("POST", "/notices/received/{w.sent_notice_a.pk}/", own("reporter_a1"), {"note": "收到"}),
    page("GET", "/notices/issued/", EVERYONE),
    page("GET", "/notices/calls/", EVERYONE),
    page("GET", "/notices/new/", CREATE_PAGE),
    page(
        "POST",
        "/notices/new/",
        CREATE_IN_A,
        lambda w: {**NOTICE_FORM, "organization": w.chamber_a.pk},
    ),
    page("GET", "/notices/{w.draft_notice_a.pk}/", R_A),
    page("GET", "/notices/{w.sent_notice_a.pk}/", R_A, note="sent: roll-up"),
    page("GET", "/notices/{w.sent_notice_b.pk}/", R_B),
    page("GET", "/notices/{w.draft_notice_a.pk}/edit/", W_A),
    page("POST", "/notices/{w.draft_notice_a.pk}/edit/", W_A, NOTICE_FORM),
    page("POST", "/notices/{w.draft_notice_a.pk}/send/", W_A),
    page("POST", "/notices/{w.pending_notice_a.pk}/approve/", APPROVE_A),
    page("POST", "/notices/{w.pending_notice_a.pk}/withdraw/", W_A),
    page("POST", "/notices/{w.sent_notice_a.pk}/remind/", W_A),
    page("POST", "/notices/{w.draft_notice_a.pk}/attach/", W_A, _notice_pdf),
    page(
        "GET",
        "/notices/{w.draft_notice_a.pk}/attachments/{w.notice_attachment_a.pk}/",
        R_A,
    ),
    page(
        "GET",
        "/notices/{w.sent_notice_a.pk}/attachments/{w.notice_attachment_a.pk}/",
        answers(),
        note="another notice's attachment",
    ),
    page(
        "POST",
        "/notices/{w.sent_notice_a.pk}/recipients/{w.recipient_a1.pk}/ack/",
        REVIEW_A1,
        {"note": "电话确认"},
    ),
    page(
        "GET",
        "/notices/{w.sent_notice_a.pk}/recipients/{w.recipient_a1.pk}/file/",
        answers(),
        note="no file answered: 404 to all",
    ),
    page("GET", "/notices/{w.sent_notice_a.pk}/export/pending.xlsx", R_A),
    page("GET", "/notices/{w.sent_notice_a.pk}/export/answers.xlsx", R_A),
    page("GET", "/notices/settings/{w.chamber_a.pk}/", R_ORG_A),
    page(
        "POST",
        "/notices/settings/{w.chamber_a.pk}/",
        MANAGE_ORG_A,
        {"requires_approval": "", "webhook_url": ""},
    ),
    public("GET", "/notices/public/{w.sent_notice_a.pk}/"),
    public("GET", "/notices/o/not-a-token.gif"),
]


# --- Services (assistance) ---------------------------------------------------------------------
# A window and its pick list: chamber A's readers, the duty officers of compound A and the
# supplier's side (enterprise A1's reporter). The catalogue of services: chamber A's members.
R_WINDOW_A = answers(ok=[*READERS_A, *GUARDS_A, "reporter_a1"])
R_OFFER_A = answers(ok=[*READERS_A, *GUARDS_A, "reporter_a1"])
W_PACKAGE_A = {**W_A, "reporter_a1": 403}


def _order(w) -> dict[str, Any]:
    return {
        "client_id": uuid.uuid4().hex,
        "quantity": 1,
        "building": "7",
        "room": "701",
        "name": "新订户",
        "phone": "13700001111",
    }


def _window(w) -> dict[str, Any]:
    from django.utils import timezone

    closes = timezone.localtime() + dt.timedelta(hours=5)
    return {
        "compound": w.compound_a.pk,
        "package": w.package_a.pk,
        "day": _wd(-3).isoformat(),
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "capacity": 100,
        "max_per_order": 5,
    }


ASSISTANCE_ROWS: list[Row] = [
    page("GET", "/assistance/", listing()),
    page("GET", "/assistance/?export=xlsx", listing(), note="Excel"),
    page("GET", "/assistance/windows/new/", CREATE_PAGE),
    page("POST", "/assistance/windows/new/", CREATE_IN_A, _window),
    page("GET", "/assistance/windows/{w.window_a.pk}/", R_WINDOW_A),
    page("GET", "/assistance/windows/{w.window_b.pk}/", R_B),
    page("POST", "/assistance/windows/{w.window_a.pk}/close", MANAGE_POST_A),
    page("POST", "/assistance/windows/{w.window_a.pk}/order", W_POST_A, _order),
    page("POST", "/assistance/windows/{w.order_a.window_id}/tasks", W_POST_A, writes=False),
    page("GET", "/assistance/windows/{w.window_a.pk}/pick-list/", R_WINDOW_A),
    page("GET", "/assistance/compounds/{w.compound_a.pk}/poster/", MANAGE_POST_A),
    page("GET", "/assistance/packages/", listing()),
    page("GET", "/assistance/packages/new/", CREATE_PAGE),
    page(
        "POST",
        "/assistance/packages/new/",
        CREATE_IN_A,
        lambda w: {"supplier": w.a1.pk, "name": "新套餐", "contents": "土豆", "price": "50"},
    ),
    page("GET", "/assistance/packages/{w.package_a.pk}/", R_A1),
    page("GET", "/assistance/packages/{w.package_b.pk}/", R_B),
    page(
        "POST",
        "/assistance/packages/{w.package_a.pk}/",
        W_PACKAGE_A,
        lambda w: {
            "supplier": w.a1.pk,
            "name": "蔬菜套餐改",
            "contents": "白菜",
            "price": "66",
            "is_active": "on",
        },
    ),
    page("GET", "/assistance/packages/{w.package_a.pk}/photo", R_A1),
    page("GET", "/assistance/caps/", listing()),
    page(
        "POST",
        "/assistance/caps/",
        CREATE_IN_A,
        lambda w: {"organization": w.chamber_a.pk, "amount": "90"},
    ),
    page("GET", "/assistance/orders/", listing()),
    page("GET", "/assistance/orders/{w.order_a.pk}/", R_POST_A),
    page("GET", "/assistance/orders/{w.order_b.pk}/", R_B),
    page("POST", "/assistance/orders/{w.order_a.pk}/paid", W_POST_A, {"paid": "1"}),
    page(
        "POST",
        "/assistance/orders/{w.order_a.pk}/deliver",
        W_POST_A,
        lambda w: {"code": w.order_a.code},
    ),
    page("POST", "/assistance/orders/{w.order_a.pk}/cancel", W_POST_A),
    page("POST", "/assistance/orders/{w.order_a.pk}/complaint", W_POST_A, {"text": "少了鸡蛋"}),
    page("GET", "/assistance/tasks/", listing()),
    page("GET", "/assistance/tasks/{w.task_a.pk}/", R_POST_A),
    page("POST", "/assistance/tasks/{w.task_a.pk}/assign", W_POST_A, {"person": ""}),
    page("GET", "/assistance/complaints/", listing()),
    page(
        "POST",
        "/assistance/complaints/{w.complaint_a.pk}/resolve",
        MANAGE_POST_A,
        {"resolution": "退款", "refund": "10"},
    ),
    page("GET", "/assistance/figures/", listing()),
    page("GET", "/assistance/offers/", listing()),
    page("GET", "/assistance/offers/new/", CREATE_PAGE),
    page(
        "POST",
        "/assistance/offers/new/",
        CREATE_IN_A,
        lambda w: {"provider": w.a1.pk, "kind": "counselling", "title": "心理疏导"},
    ),
    page("GET", "/assistance/offers/{w.offer_a.pk}/", R_OFFER_A),
    page("GET", "/assistance/offers/{w.offer_b.pk}/", R_B),
    page(
        "POST",
        "/assistance/offers/{w.offer_a.pk}/sessions",
        W_PACKAGE_A,
        lambda w: {
            "starts_at": (dt.datetime.now() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "seats": 20,
        },
    ),
    page(
        "POST",
        "/assistance/offers/{w.offer_a.pk}/request",
        W_A1,
        lambda w: {"firm": w.a1.pk, "session": w.session_a.pk},
    ),
    page("GET", "/assistance/requests/", listing()),
    page("GET", "/assistance/requests/{w.request_a.pk}/", R_A1),
    page(
        "POST",
        "/assistance/requests/{w.request_a.pk}/assign",
        REVIEW_A1,
        lambda w: {"person": w.person_a1.pk},
    ),
    page(
        "POST",
        "/assistance/requests/{w.request_rated_a.pk}/feedback",
        W_A1,
        {"rating": "5", "feedback": "很有帮助"},
    ),
    public("GET", "/assistance/o/{w.shop_key_a.token}/"),
    public(
        "POST",
        "/assistance/o/{w.shop_key_a.token}/",
        lambda w: {"window": w.window_a.pk, **_order(w)},
    ),
    public("GET", "/assistance/o/{w.shop_key_a.token}/done/{w.shop_signed_a}/"),
    public("GET", "/assistance/o/{w.shop_key_a.token}/photo/{w.package_a.pk}"),
]
ROWS += ASSISTANCE_ROWS

API_ROWS: list[Row] = [
    # --- community -----------------------------------------------------------------------------
    api("GET", "/community/posts", listing()),
    api("GET", "/community/posts/{w.post_a.pk}/residents", R_POST_A),
    api("GET", "/community/posts/{w.post_a2.pk}/residents", R_A),
    api("GET", "/community/posts/{w.post_b.pk}/residents", R_B),
    api("GET", "/community/posts/{w.post_a.pk}/out", R_POST_A),
    api("GET", "/community/posts/{w.post_a.pk}/gaps", R_POST_A),
    api("GET", "/community/passages?post_id={w.post_a.pk}", R_POST_A),
    api("GET", "/community/passages?post_id={w.post_a2.pk}", R_A),
    api("POST", "/community/passages", W_POST_A, _passage("post_a")),
    api(
        "POST",
        "/community/passages",
        W_A,
        _passage("post_a2"),
        note="at another post of chamber A",
    ),
    api(
        "POST",
        "/community/passages",
        {**W_B, "guard_a": 404},
        _passage("post_b"),
        note="at chamber B's post",
    ),
    api(
        "POST",
        "/community/passages",
        {**W_POST_A, **{u: {OK, 409, 422} for u in [*WRITERS_A, *GUARDS_A]}},
        lambda w: {**_passage("post_a")(w), "client_id": w.passage_b_client_id},
        writes=False,
        note="a client id used at chamber B's post",
    ),
    api(
        "POST",
        "/community/passages/batch",
        W_POST_A,
        lambda w: {"post_id": w.post_a.pk, "items": [_passage("post_a")(w)]},
    ),
    api(
        "POST",
        "/community/passages/batch",
        W_A,
        lambda w: {"post_id": w.post_a2.pk, "items": [_passage("post_a2")(w)]},
        note="at another post of chamber A",
    ),
    api(
        "POST",
        "/community/passages/batch",
        {**W_POST_A, **{u: {OK, 409, 422} for u in [*WRITERS_A, *GUARDS_A]}},
        lambda w: {
            "post_id": w.post_a.pk,
            "items": [{**_passage("post_a")(w), "client_id": w.passage_b_client_id}],
        },
        writes=False,
        note="a client id used at chamber B's post",
    ),
    api(
        "POST",
        "/community/passages/{w.passage_a.pk}/reveal",
        W_POST_A,
        {"reason": "核对身份", "candidate": ID_NUMBER},
        note="ID check: audited, not for viewers",
    ),
    api("POST", "/community/passages/{w.passage_a2.pk}/reveal", W_A, {"reason": "核对身份"}),
    api("GET", "/community/areas/{w.compound_a.pk}/picture", R_POST_A),
    api("GET", "/community/areas/{w.compound_b.pk}/picture", R_B),
    api("GET", "/community/organizations/{w.chamber_a.pk}/picture", R_ORG_A),
    api("GET", "/community/organizations/{w.chamber_a.pk}/settings", SETTINGS_DUTY_A),
    api("GET", "/community/organizations/{w.chamber_b.pk}/settings", SETTINGS_B),
    api(
        "PUT",
        "/community/organizations/{w.chamber_a.pk}/settings",
        MANAGE_ORG_A,
        {"fever_webhook_url": "", "fever_email": False},
    ),
    api("GET", "/community/alerts", listing()),
    api("POST", "/community/alerts/{w.alert_a.pk}/handle", W_POST_A, {"note": "已送医"}),
    api("POST", "/community/alerts/{w.alert_a2.pk}/handle", W_A, {"note": "已送医"}),
    api("GET", "/community/shifts?post_id={w.post_a.pk}", R_POST_A),
    api("GET", "/community/shifts?post_id={w.post_a2.pk}", R_A),
    api(
        "POST",
        "/community/shifts",
        MANAGE_POST_A,
        lambda w: {
            "post_id": w.post_a.pk,
            "starts_at": _now_iso(10),
            "ends_at": _now_iso(18),
            "person_ids": [w.person_a.pk],
        },
    ),
    api(
        "POST",
        "/community/shifts",
        MANAGE_POST_A,
        lambda w: {
            "post_id": w.post_a.pk,
            "starts_at": _now_iso(10),
            "ends_at": _now_iso(18),
            "person_ids": [w.person_b.pk],
        },
        writes=None,
        note="naming a person of chamber B: not assigned",
    ),
    api(
        "POST",
        "/community/assignments/{w.assignment_a.pk}/sign-in",
        W_POST_A,
        note="duty officers sign in to shifts at their posts",
    ),
    api(
        "POST",
        "/community/assignments/{w.assignment_signed_in.pk}/sign-out",
        W_POST_A,
        {"handover_note": "无异常"},
    ),
    api("POST", "/community/assignments/{w.assignment_a2.pk}/sign-in", W_A),
    api("GET", "/community/spots?area_id={w.compound_a.pk}", R_POST_A),
    api("GET", "/community/spots?area_id={w.compound_b.pk}", R_B),
    api(
        "POST",
        "/community/spots/{w.spot_a.pk}/disinfections",
        W_POST_A,
        {"done_by": "张三", "agent": "84消毒液"},
    ),
    api(
        "POST",
        "/community/spots/{w.spot_b.pk}/disinfections",
        {**W_B, "guard_a": 404},
        {"done_by": "张三", "agent": "84消毒液"},
    ),
    api("GET", "/community/publicity?area_id={w.compound_a.pk}", R_POST_A),
    api("POST", "/community/publicity/{w.publicity_a.pk}/check", W_POST_A, {"done": True}),
    # --- registry ------------------------------------------------------------------------------
    api("GET", "/registry/organizations", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/registry/organizations",
        CREATE_IN_A,
        lambda w: {"kind": "enterprise", "parent_id": w.chamber_a.pk, "name": "新会员企业"},
    ),
    api("GET", "/registry/organizations/{w.a1.pk}", R_A1),
    api("GET", "/registry/organizations/{w.chamber_b.pk}", R_B),
    api("GET", "/registry/organizations/{w.a2.pk}", R_A),
    api(
        "PATCH",
        "/registry/organizations/{w.a1.pk}",
        {**W_A, "reporter_a1": 403},
        {"name": "京博集团改名"},
    ),
    api("GET", "/registry/people", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/registry/people",
        CREATE_IN_A,
        lambda w: {"organization_id": w.chamber_a.pk, "name": "新名录人"},
    ),
    api("GET", "/registry/people/{w.person_a.pk}", R_A),
    api("GET", "/registry/places", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/registry/places",
        CREATE_IN_A,
        lambda w: {"kind": "compound", "name": "新建小区", "organization_id": w.chamber_a.pk},
    ),
    api("GET", "/registry/places/{w.post_a.pk}", R_POST_A),
    api("GET", "/registry/places/{w.post_a2.pk}", R_A),
    api("GET", "/registry/townships", EVERYONE),
    api(
        "POST",
        "/registry/import/people",
        CREATE_IN_A,
        lambda w: {"file": PEOPLE_CSV(w)},
        multipart=True,
    ),
    # --- donations -----------------------------------------------------------------------------
    api("GET", "/donations/campaigns", listing(closed=NOT_GUARDS)),
    api("GET", "/donations/campaigns/{w.campaign_a.pk}", R_A),
    api(
        "POST",
        "/donations/campaigns",
        CREATE_IN_A,
        lambda w: {"organization_id": w.chamber_a.pk, "name": "新活动"},
    ),
    api("GET", "/donations/donors", listing(closed=NOT_GUARDS)),
    api("GET", "/donations/donors/{w.donor_a.pk}", R_A),
    api("GET", "/donations/donors/{w.donor_b.pk}", R_B),
    api(
        "POST",
        "/donations/donors/{w.donor_a.pk}/merges",
        REGISTER_A,
        lambda w: {"merged_id": w.donor_a2.pk},
    ),
    api("POST", "/donations/donors/merges/{w.merge_a.pk}/undo", REGISTER_A),
    api("GET", "/donations/gifts", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/donations/gifts",
        CREATE_IN_A,
        lambda w: {
            "organization_id": w.chamber_a.pk,
            "donor_kind": "individual",
            "donor_name": "新捐赠人",
            "nature": "money",
            "amount": "300",
            "given_on": TODAY,
        },
    ),
    api(
        "POST",
        "/donations/gifts",
        {
            **CREATE_IN_A,
            **{u: {404, 422} for u in ["admin_a", "staff_a", "staff_ab"]},
            "viewer_a": {403, 404, 422},
        },
        lambda w: {
            "organization_id": w.chamber_a.pk,
            "donor_kind": "enterprise",
            "enterprise_id": w.b1.pk,
            "nature": "money",
            "amount": "300",
            "given_on": TODAY,
        },
        note="the donor is an enterprise of chamber B",
    ),
    api("GET", "/donations/gifts/{w.gift_a.pk}", R_A),
    api("GET", "/donations/gifts/{w.gift_b.pk}", R_B),
    api("POST", "/donations/gifts/{w.pledge_a.pk}/receipts", W_A, {"amount": "100"}),
    api(
        "POST",
        "/donations/gifts/{w.gift_a.pk}/transfers",
        W_A,
        lambda w: {
            "from_organization_id": w.chamber_a.pk,
            "to_organization_id": w.federation.pk,
            "amount": "100",
        },
    ),
    api(
        "POST",
        "/donations/gifts/{w.gift_a.pk}/allocations",
        W_A,
        lambda w: {
            "organization_id": w.chamber_a.pk,
            "recipient_id": w.hospital.pk,
            "amount": "100",
        },
    ),
    api("GET", "/donations/entries", listing(closed=NOT_GUARDS)),
    api("POST", "/donations/entries/{w.forward_a.pk}/reversal", W_A, {"reason": "录错了"}),
    api("POST", "/donations/entries/{w.unreceipted_a.pk}/receipt", W_A),
    api("GET", "/donations/receipts", listing(closed=NOT_GUARDS)),
    api("GET", "/donations/receipts/{w.receipt_a.pk}", R_A),
    api("GET", "/donations/figures", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/donations/imports",
        CREATE_IN_A,
        lambda w: {"organization_id": w.chamber_a.pk, "file": _donations_csv(w)},
        multipart=True,
    ),
    api("GET", "/donations/imports/reviews/{w.review_a.pk}", R_A),
    api(
        "POST",
        "/donations/imports/reviews/{w.review_a.pk}",
        W_A,
        {"decisions": [], "rest": False},
    ),
    api("GET", "/donations/verify/{w.receipt_a.code}", EVERYONE, public=True, shows={"A"}),
    api(
        "GET",
        "/donations/honor/{w.chamber_a.pk}/{w.campaign_a.pk}",
        EVERYONE,
        public=True,
        shows={"A"},
    ),
    # --- census --------------------------------------------------------------------------------
    api("GET", "/census/households", listing()),
    api(
        "POST",
        "/census/households",
        {**W_POST_A, "outsider_b": 404},
        lambda w: {"place_id": w.compound_a.pk, "room": "902", "building": "9"},
    ),
    api("GET", "/census/households/{w.household_a.pk}", R_POST_A),
    api("GET", "/census/households/{w.household_b.pk}", R_B),
    api("GET", "/census/households/{w.household_c2.pk}", R_A),
    api("GET", "/census/residents/{w.resident_c2.pk}", R_A),
    api(
        "POST",
        "/census/households",
        W_A,
        lambda w: {"place_id": w.compound_c2.pk, "room": "903"},
        note="in a compound without their posts",
    ),
    api(
        "POST",
        "/census/households",
        W_B,
        lambda w: {"place_id": w.compound_b.pk, "room": "903"},
        note="in chamber B",
    ),
    api("PATCH", "/census/households/{w.household_a.pk}", W_POST_A, {"note": "独居老人"}),
    api("DELETE", "/census/households/{w.household_empty.pk}", W_POST_A),
    api("GET", "/census/residents", listing()),
    api(
        "POST",
        "/census/residents",
        W_POST_A,
        lambda w: {"household_id": w.household_a.pk, "name": "新居民"},
    ),
    api("GET", "/census/residents/{w.resident_a.pk}", R_POST_A),
    api("GET", "/census/residents/{w.resident_b.pk}", R_B),
    api("PATCH", "/census/residents/{w.resident_a.pk}", W_POST_A, {"note": "慢性病"}),
    api(
        "POST",
        "/census/residents/{w.resident_a.pk}/reveal",
        W_POST_A,
        {"reason": "核对身份"},
        writes=False,  # audited in the audit trail, not in a table of ours
        note="an ID reveal is audited, not for viewers",
    ),
    api(
        "POST",
        "/census/residents/{w.resident_a.pk}/merge",
        W_POST_A,
        lambda w: {"duplicate_id": w.resident_a2.pk},
    ),
    api(
        "POST",
        "/census/residents/{w.resident_a.pk}/merge",
        {
            **W_POST_A,
            **{u: 404 for u in ["admin_a", "staff_a", "guard_a"]},
            **{u: {403, 404} for u in ["viewer_a", "guard_ab", "staff_ab"]},
        },
        lambda w: {"duplicate_id": w.resident_b.pk},
        note="merging in a resident of chamber B",
    ),
    api("GET", "/census/residents/{w.resident_a.pk}/returns", R_POST_A),
    api(
        "POST",
        "/census/residents/{w.resident_a.pk}/returns",
        W_POST_A,
        {"from_place": "上海", "returned_on": TODAY},
    ),
    api("GET", "/census/isolations", listing()),
    api(
        "POST",
        "/census/residents/{w.resident_a2.pk}/isolations",
        W_POST_A,
        {"start": TODAY, "days": 14},
    ),
    api("GET", "/census/isolations/{w.isolation_a.pk}/checks", R_POST_A),
    api(
        "POST",
        "/census/isolations/{w.isolation_a.pk}/checks",
        W_POST_A,
        {"temperature": "36.5", "day": TODAY},
    ),
    api("POST", "/census/isolations/{w.isolation_a.pk}/end", W_POST_A, {"note": "期满"}),
    api("POST", "/census/households/{w.household_a.pk}/visits", W_POST_A, {"outcome": "met"}),
    api("GET", "/census/households/{w.household_a.pk}/visits", R_POST_A),
    api("GET", "/census/daily-counts", listing()),
    api("GET", "/census/daily-counts?place_id={w.compound_a.pk}", R_POST_A),
    # --- work resumption -----------------------------------------------------------------------
    api("GET", "/resumption/reports", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/resumption/reports",
        W_A1,
        lambda w: {"enterprise_id": w.a1.pk, "staff_on_site": 50, "staff_returned": 5},
    ),
    api(
        "POST",
        "/resumption/reports",
        W_A,
        lambda w: {"enterprise_id": w.a2.pk, "staff_on_site": 50},
        note="for another enterprise of chamber A",
    ),
    api(
        "POST",
        "/resumption/reports/carry-forward",
        W_A1,
        lambda w: {"enterprise_id": w.a1.pk},
    ),
    api(
        "POST",
        "/resumption/reports/batch",
        {**W_A, **GUARDS_ON_A, "reporter_a1": {403, 404}},
        lambda w: {
            "association_id": w.chamber_a.pk,
            "rows": [{"enterprise_id": w.a1.pk, "staff_on_site": 40}],
        },
    ),
    api(
        "POST",
        "/resumption/reports/batch",
        {
            **W_A,
            **GUARDS_ON_A,
            **{u: {403, 404, 422} for u in ["admin", "fed_admin", *WRITERS_A, "viewer_a"]},
        },
        lambda w: {
            "association_id": w.chamber_a.pk,
            "rows": [{"enterprise_id": w.b1.pk, "staff_on_site": 40}],
        },
        note="a row for an enterprise of chamber B",
    ),
    api("GET", "/resumption/missing", listing(closed=NOT_GUARDS)),
    api("GET", "/resumption/applications", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/resumption/applications",
        W_A1,
        lambda w: {
            **{
                k: (
                    v.isoformat()
                    if isinstance(v, dt.date)
                    else str(v)
                    if isinstance(v, Decimal)
                    else v
                )
                for k, v in w.application_data.items()
            },
            "enterprise_id": w.a1.pk,
        },
    ),
    api("GET", "/resumption/applications/{w.submitted_a1.pk}", R_A1),
    api("POST", "/resumption/applications/{w.draft_a1.pk}/submit", W_A1),
    api(
        "POST",
        "/resumption/applications/{w.submitted_a1.pk}/review",
        REVIEW_A1,
        {"approve": True, "comment": "同意"},
    ),
    api(
        "POST",
        "/resumption/applications/{w.draft_a1.pk}/attachments",
        W_A1,
        lambda w: {"file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 x")},
        multipart=True,
    ),
    api(
        "POST",
        "/resumption/temperatures",
        W_A1,
        lambda w: {
            "enterprise_id": w.a1.pk,
            "person_name": "新测温员",
            "slot": "pm",
            "temperature": "36.6",
        },
    ),
    api(
        "POST",
        "/resumption/temperatures/import",
        W_A1,
        lambda w: {
            "enterprise_id": w.a1.pk,
            "file": SimpleUploadedFile(
                "t.csv", f"姓名,日期,时段,体温\n导入测温员,{TODAY},晚,36.6\n".encode(), "text/csv"
            ),
        },
        multipart=True,
    ),
    api("GET", "/resumption/fevers", listing(closed=NOT_GUARDS)),
    api("POST", "/resumption/fevers/{w.fever_a1.pk}/notes", W_A1, {"text": "已复测正常"}),
    api(
        "POST",
        "/resumption/relief",
        CREATE_A1,
        lambda w: {
            "landlord_id": w.a1.pk,
            "name": "新减免",
            "rent_percentages": [100, 50],
            "starts_on": "2020-02-01",
        },
    ),
    api("GET", "/resumption/relief", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/resumption/relief/{w.programme_a1.pk}/leases",
        W_A1,
        {"tenant_name": "新租户", "monthly_rent": "800", "starts_on": "2020-01-01"},
    ),
    api("GET", "/resumption/settings/{w.chamber_a.pk}", {**SETTINGS_RESUMPTION_A, **GUARDS_ON_A}),
    api("GET", "/resumption/settings/{w.chamber_b.pk}", SETTINGS_B),
    api(
        "PUT",
        "/resumption/settings/{w.chamber_a.pk}",
        {**W_A, **GUARDS_ON_A},
        {"deadline": "09:00", "webhook_url": "", "email_reminders": True},
    ),
    api("GET", "/resumption/dashboard", listing(closed=NOT_GUARDS)),
    # --- volunteers and field operations ----------------------------------------------------------
    api("GET", "/volunteers/teams", listing()),
    api("GET", "/volunteers/teams/{w.team_a.pk}", R_A),
    api("GET", "/volunteers/teams/{w.team_b.pk}", R_B),
    api(
        "POST",
        "/volunteers/teams",
        CREATE_IN_A,
        lambda w: {"organization_id": w.chamber_a.pk, "name": "接口志愿队"},
    ),
    api("GET", "/volunteers/teams/{w.team_a.pk}/volunteers", R_A),
    api(
        "POST",
        "/volunteers/teams/{w.team_a.pk}/volunteers",
        W_A,
        lambda w: {"person_id": w.person_duty.pk, "skills": "驾驶"},
    ),
    api("GET", "/volunteers/teams/{w.team_a.pk}/signups", W_A),
    api("POST", "/volunteers/signups/{w.signup_a.pk}/approve", W_A),
    api(
        "POST",
        "/volunteers/teams/{w.team_a.pk}/shifts",
        W_A,
        lambda w: {
            "post_id": w.post_a.pk,
            "starts_at": _now_iso(24),
            "ends_at": _now_iso(32),
            "volunteer_ids": [w.volunteer_a.pk],
        },
    ),
    api("GET", "/volunteers/hours", listing()),
    api(
        "POST",
        "/volunteers/volunteers/{w.volunteer_a.pk}/hours",
        W_A,
        {"day": TODAY, "minutes": 30},
    ),
    api("GET", "/volunteers/resources", listing()),
    api(
        "POST",
        "/volunteers/resources",
        CREATE_IN_A,
        lambda w: {"organization_id": w.chamber_a.pk, "kind": "sprayer", "name": "喷雾器"},
    ),
    api("GET", "/volunteers/operations", listing()),
    api(
        "POST",
        "/volunteers/operations",
        CREATE_IN_A,
        lambda w: {
            "organization_id": w.chamber_a.pk,
            "kind": "spraying",
            "division_code": "371625",
            "day": TODAY,
            "area_mu": "80",
            "drone_ids": [w.resource_a.pk],
        },
    ),
    api("GET", "/volunteers/operations/rollup", listing(closed=NOT_GUARDS)),
    api(
        "GET",
        "/volunteers/operations/rollup?organization_id={w.chamber_a.pk}",
        {**R_A, **GUARDS_ON_A},
    ),
    api("GET", "/volunteers/divisions?q=37", listing()),
    api("GET", "/volunteers/tasks", listing()),
    api(
        "POST",
        "/volunteers/teams/{w.team_a.pk}/tasks",
        W_A,
        lambda w: {"title": "送菜上门", "volunteer_id": w.volunteer_a.pk},
    ),
    api("POST", "/volunteers/tasks/{w.vol_task_a.pk}/done", W_A, {"minutes": 15}),
    api("GET", "/volunteers/teams/{w.team_a.pk}/routes", R_A),
    api(
        "POST",
        "/volunteers/routes/{w.route_a.pk}/rounds",
        W_A,
        lambda w: {
            "started_at": _now_iso(-2),
            "ended_at": _now_iso(-1),
            "volunteer_ids": [w.volunteer_a.pk],
            "issues": ["路灯不亮"],
        },
    ),
    api("POST", "/volunteers/issues/{w.round_issue_a.pk}/task", W_A, {}),
    api(
        "POST",
        "/volunteers/resources/{w.resource_a.pk}/deployments",
        W_A,
        {"purpose": "农田消杀", "starts_on": TODAY},
    ),
    api("POST", "/volunteers/hours/{w.hours_a.pk}/reverse", W_A, {"note": "录错了"}),
    api(
        "GET",
        "/resumption/dashboard?organization_id={w.chamber_a.pk}",
        {**R_A, **GUARDS_ON_A},
    ),
    # --- notices ------------------------------------------------------------------------------
    api("GET", "/notices", EVERYONE),
    api(
        "POST",
        "/notices",
        CREATE_IN_A,
        lambda w: {**NOTICE_JSON, "organization_id": w.chamber_a.pk},
    ),
    api("GET", "/notices/inbox", EVERYONE),
    api("GET", "/notices/inbox/{w.sent_notice_a.pk}", own("reporter_a1")),
    api("POST", "/notices/inbox/{w.sent_notice_a.pk}/ack", own("reporter_a1"), {"note": "收到"}),
    api("GET", "/notices/{w.draft_notice_a.pk}", R_A),
    api("GET", "/notices/{w.sent_notice_b.pk}", R_B),
    api("PUT", "/notices/{w.draft_notice_a.pk}", W_A, NOTICE_JSON),
    api("POST", "/notices/{w.draft_notice_a.pk}/attachments", W_A, _notice_pdf, multipart=True),
    api("POST", "/notices/{w.draft_notice_a.pk}/send", W_A, {}),
    api("POST", "/notices/{w.pending_notice_a.pk}/approve", APPROVE_A),
    api("POST", "/notices/{w.pending_notice_a.pk}/withdraw", W_A),
    api("POST", "/notices/{w.sent_notice_a.pk}/remind", W_A, {}),
    api("GET", "/notices/{w.sent_notice_a.pk}/rollup", R_A),
    api("GET", "/notices/{w.sent_notice_a.pk}/recipients", R_A),
    api(
        "POST",
        "/notices/{w.sent_notice_a.pk}/recipients/{w.recipient_a1.pk}/ack",
        REVIEW_A1,
        {"note": "电话确认"},
    ),
    api("GET", "/notices/settings/{w.chamber_a.pk}", R_ORG_A),
    api(
        "PUT",
        "/notices/settings/{w.chamber_a.pk}",
        MANAGE_ORG_A,
        {"requires_approval": False, "webhook_url": ""},
    ),
]


# --- supplies (防疫物资) ----------------------------------------------------------------------


def build_supplies(w) -> None:
    """Warehouses, a catalog item and a lot with an issue in chamber A and chamber B."""
    from gongke.registry import services as registry
    from gongke.registry.models import PlaceKind
    from gongke.supplies import services as supplies

    w.warehouse_a = registry.save_place(
        kind=PlaceKind.WAREHOUSE, name="甲会仓库哨", organization=w.chamber_a
    )
    w.warehouse_a2 = registry.save_place(
        kind=PlaceKind.WAREHOUSE, name="甲会二号仓", organization=w.chamber_a
    )
    w.warehouse_b = registry.save_place(
        kind=PlaceKind.WAREHOUSE, name="乙会仓库哨", organization=w.chamber_b
    )
    w.item = supplies.save_item(
        user=w.fed_admin, organization=w.federation, name="N95口罩", category="n95", base_unit="只"
    )
    w.item_a = supplies.save_item(
        user=w.admin_a, organization=w.chamber_a, name="钣金手套", category="gloves", base_unit="副"
    )
    w.lot_a = supplies.receive(
        user=w.staff_a, warehouse=w.warehouse_a, item=w.item, quantity=1000, batch="A-01"
    )
    w.lot_b = supplies.receive(
        user=w.outsider_b, warehouse=w.warehouse_b, item=w.item, quantity=500, batch="B-01"
    )
    (w.supply_issue_a,) = supplies.issue(
        user=w.staff_a, warehouse=w.warehouse_a, item=w.item, quantity=100, recipient=w.hospital
    )
    from gongke.donations import services as donations
    from gongke.donations.models import Nature

    w.goods_gift_a = donations.record_gift(
        user=w.admin_a,
        organization=w.chamber_a,
        donor=w.donor_a,
        nature=Nature.GOODS,
        value="5000",
        item="N95口罩",
        quantity="1000",
        unit="只",
        given_on=_wd(2),
    )
    w.purchase_a = supplies.place_order(
        user=w.staff_a,
        organization=w.chamber_a,
        kind="import",
        supplier="甲会供应商哨",
        country="韩国",
        currency="KRW",
        rate="0.0058",
        lines=[(w.item, 2400, 1500)],
    )
    w.purchase_b = supplies.place_order(
        user=w.outsider_b,
        organization=w.chamber_b,
        kind="domestic",
        supplier="乙会供应商哨",
        lines=[(w.item, 100, 2)],
    )
    w.need_a = supplies.post_need(
        user=w.staff_a,
        organization=w.chamber_a,
        recipient=w.hospital,
        lines=[(w.item, 500)],
        contact_name="甲会需求哨",
    )
    w.need_b = supplies.post_need(
        user=w.outsider_b,
        organization=w.chamber_b,
        recipient=w.hospital,
        lines=[(w.item, 300)],
        contact_name="乙会需求哨",
    )
    w.supply_offer_a = supplies.post_offer(
        user=w.staff_a,
        organization=w.a1,
        item=w.item,
        quantity=200,
        available_until=_wd(-10),
    )
    w.shipment_a = supplies.pack_shipment(
        user=w.staff_a, warehouse=w.warehouse_a, recipient=w.hospital, lines=[(w.item, 20)]
    )
    w.shipment_sent_a = supplies.pack_shipment(
        user=w.staff_a, warehouse=w.warehouse_a, recipient=w.hospital, lines=[(w.item, 30)]
    )
    supplies.send_shipment(user=w.staff_a, shipment=w.shipment_sent_a)


SUPPLIES_WRITERS_A = answers(ok=WRITERS_A, forbidden=["viewer_a"])


def _stocktake_xlsx(w) -> SimpleUploadedFile:
    from gongke.lib.excel import build_xlsx

    rows = [["甲会仓库哨", "N95口罩", "A-01", 880, "", "盘点"]]
    data = build_xlsx(["仓库", "物品", "批号或追溯码", "实点数量", "单位", "原因"], rows)
    return SimpleUploadedFile("count.xlsx", data)


def _needs_xlsx(w) -> SimpleUploadedFile:
    from gongke.lib.excel import build_xlsx

    data = build_xlsx(["受赠单位", "物品", "数量"], [["青原县人民医院", "N95口罩", 100]])
    return SimpleUploadedFile("needs.xlsx", data)


# An offer on behalf of member enterprise A1: writers above it; its reporter reads A1 but has no
# supplies role (403), chamber A's viewer 403.
W_A1_SUPPLIES = answers(ok=WRITERS_A, forbidden=["viewer_a", "reporter_a1"])
# A create for chamber A named by id: its duty officers reach chamber A as an organization, so
# they are refused with 403 (the organization exists for them), not 404.
API_CREATE_A = answers(ok=WRITERS_A, forbidden=["viewer_a", *GUARDS_A])
# A chamber's own catalog item: its duty officers see the chamber's catalog but may not edit it.
ITEM_A = answers(ok=WRITERS_A, forbidden=["viewer_a", *GUARDS_A])

ROWS += [
    page("GET", "/supplies/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/?on=2020-02-18", listing(closed=NOT_GUARDS), note="past balance"),
    page("GET", "/supplies/stock/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/movements/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/items/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/card/{w.item.pk}/{w.warehouse_a.pk}/", R_A),
    page("GET", "/supplies/card/{w.item.pk}/{w.warehouse_b.pk}/", R_B),
    page("GET", "/supplies/lots/{w.lot_a.pk}/", R_A),
    page("GET", "/supplies/lots/{w.lot_b.pk}/", R_B),
    page(
        "POST",
        "/supplies/lots/{w.lot_a.pk}/transfer/",
        SUPPLIES_WRITERS_A,
        lambda w: {"source": w.warehouse_a.pk, "destination": w.warehouse_a2.pk, "quantity": 5},
    ),
    page(
        "POST",
        "/supplies/lots/{w.lot_a.pk}/adjust/",
        SUPPLIES_WRITERS_A,
        lambda w: {"warehouse": w.warehouse_a.pk, "counted": 850, "reason": "盘点"},
    ),
    page(
        "POST",
        "/supplies/lots/{w.lot_a.pk}/return/",
        SUPPLIES_WRITERS_A,
        lambda w: {"warehouse": w.warehouse_a.pk, "quantity": 5, "reason": "退回"},
    ),
    page(
        "POST",
        "/supplies/lots/{w.lot_b.pk}/adjust/",
        W_B,
        lambda w: {"warehouse": w.warehouse_b.pk, "counted": 1, "reason": "盘点"},
    ),
    page("POST", "/supplies/movements/{w.supply_issue_a.pk}/reverse/", W_A, {"reason": "录错了"}),
    page("GET", "/supplies/receive/", CREATE_PAGE),
    page(
        "POST",
        "/supplies/receive/",
        CREATE_IN_A,
        lambda w: {
            "warehouse": w.warehouse_a.pk,
            "item": w.item.pk,
            "quantity": "2",
            "source": "purchase",
            "received_on": "2020-02-10",
        },
    ),
    page("GET", "/supplies/issue/", CREATE_PAGE),
    page("GET", "/supplies/gifts/{w.goods_gift_a.pk}/receive/", SUPPLIES_WRITERS_A),
    page(
        "POST",
        "/supplies/gifts/{w.goods_gift_a.pk}/receive/",
        SUPPLIES_WRITERS_A,
        lambda w: {"warehouse": w.warehouse_a.pk, "item": w.item.pk, "quantity": "100"},
    ),
    page(
        "POST",
        "/supplies/issue/",
        CREATE_IN_A,
        lambda w: {
            "warehouse": w.warehouse_a.pk,
            "item": w.item.pk,
            "quantity": "10",
            "recipient": w.hospital.pk,
            "confirm": "1",
        },
    ),
    page("GET", "/supplies/items/new/", CREATE_PAGE),
    page(
        "POST",
        "/supplies/items/new/",
        CREATE_IN_A,
        lambda w: {
            "organization": w.chamber_a.pk,
            "name": "护目镜",
            "category": "goggles",
            "base_unit": "副",
        },
    ),
    page("GET", "/supplies/items/{w.item_a.pk}/", ITEM_A),
    page("GET", "/supplies/needs/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/needs/new/", CREATE_PAGE),
    page(
        "POST",
        "/supplies/needs/new/",
        CREATE_IN_A,
        lambda w: {
            "organization": w.chamber_a.pk,
            "recipient": w.hospital.pk,
            "urgency": 2,
            "lines": "N95口罩 100",
            "ttl_days": 3,
        },
    ),
    page("GET", "/supplies/needs/{w.need_a.pk}/", R_A),
    page("GET", "/supplies/needs/{w.need_b.pk}/", R_B),
    page("POST", "/supplies/needs/{w.need_a.pk}/confirm/", W_A),
    page("POST", "/supplies/needs/{w.need_a.pk}/close/", W_A),
    page(
        "POST",
        "/supplies/needs/{w.need_a.pk}/accept/",
        W_A,
        lambda w: {"line": w.need_a.lines.get().pk, "offer": w.supply_offer_a.pk, "quantity": 10},
    ),
    page("GET", "/supplies/offers/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/offers/new/", CREATE_PAGE),
    page(
        "POST",
        "/supplies/offers/new/",
        CREATE_IN_A,
        lambda w: {
            "organization": w.a1.pk,
            "item": w.item.pk,
            "quantity": 50,
            "available_until": _wd(-5).isoformat(),
        },
    ),
    page("GET", "/supplies/offers/{w.supply_offer_a.pk}/", R_A1),
    page("GET", "/supplies/shipments/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/shipments/new/", CREATE_PAGE),
    page(
        "POST",
        "/supplies/shipments/new/",
        CREATE_IN_A,
        lambda w: {
            "warehouse": w.warehouse_a.pk,
            "recipient": w.hospital.pk,
            "lines": "N95口罩 10",
        },
    ),
    page("GET", "/supplies/shipments/{w.shipment_a.pk}/", R_A),
    page("GET", "/supplies/shipments/{w.shipment_a.pk}/sheet.pdf", R_A),
    page("POST", "/supplies/shipments/{w.shipment_a.pk}/send/", W_A),
    page(
        "POST",
        "/supplies/shipments/{w.shipment_sent_a.pk}/receive/",
        W_A,
        {"received_by": "李护士长"},
    ),
    page("GET", "/supplies/cover/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/import/", CREATE_PAGE),
    page(
        "POST",
        "/supplies/import/",
        CREATE_IN_A,
        lambda w: {"kind": "stocktake", "file": _stocktake_xlsx(w)},
        note="stocktake",
    ),
    page(
        "POST",
        "/supplies/import/",
        CREATE_IN_A,
        lambda w: {"kind": "needs", "organization": w.chamber_a.pk, "file": _needs_xlsx(w)},
        note="needs",
    ),
    page("GET", "/supplies/import/stocktake/template.xlsx", TEMPLATE),
    page("GET", "/supplies/import/needs/template.xlsx", TEMPLATE),
    page("GET", "/supplies/orders/", listing(closed=NOT_GUARDS)),
    page("GET", "/supplies/orders/new/", CREATE_PAGE),
    page(
        "POST",
        "/supplies/orders/new/",
        CREATE_IN_A,
        lambda w: {
            "organization": w.chamber_a.pk,
            "kind": "import",
            "supplier": "首尔医疗",
            "currency": "KRW",
            "rate": "0.0058",
            "ordered_on": "2020-02-05",
            "lines": "N95口罩 1000 1500",
        },
    ),
    page("GET", "/supplies/orders/{w.purchase_a.pk}/", R_A),
    page("GET", "/supplies/orders/{w.purchase_b.pk}/", R_B),
    page(
        "POST",
        "/supplies/orders/{w.purchase_a.pk}/receive/",
        W_A,
        lambda w: {
            "line": w.purchase_a.lines.get().pk,
            "warehouse": w.warehouse_a.pk,
            "quantity": 1000,
        },
    ),
    public("GET", "/supplies/public/needs/"),
    public("GET", "/supplies/trace/{w.lot_a.code}/", shows={"A"}),
    public("GET", "/supplies/trace/{w.shipment_a.code}/", shows={"A"}),
    page(
        "POST",
        "/supplies/items/{w.item_a.pk}/",
        ITEM_A,
        {"name": "钣金手套", "category": "gloves", "base_unit": "副", "packs": "箱=100"},
    ),
]

API_ROWS += [
    api("GET", "/supplies/items", listing(closed=NOT_GUARDS)),
    api("GET", "/supplies/items/{w.item_a.pk}", answers(ok=[*READERS_A, *GUARDS_A, "reporter_a1"])),
    api(
        "POST",
        "/supplies/items",
        CREATE_IN_A,
        lambda w: {
            "organization_id": w.chamber_a.pk,
            "name": "护目镜",
            "category": "goggles",
            "base_unit": "副",
            "packs": [{"name": "箱", "quantity": 50}],
        },
    ),
    api("GET", "/supplies/warehouses", listing(closed=NOT_GUARDS)),
    api("GET", "/supplies/stock", listing(closed=NOT_GUARDS)),
    api("GET", "/supplies/figures", listing(closed=NOT_GUARDS)),
    api(
        "GET",
        "/supplies/figures?days=7&warehouse_id={w.warehouse_a.pk}",
        listing(closed=NOT_GUARDS),
    ),
    api("GET", "/supplies/balance?item_id={w.item.pk}&warehouse_id={w.warehouse_a.pk}", R_A),
    api(
        "GET",
        "/supplies/balance?item_id={w.item.pk}&on=2020-02-18",
        listing(closed=NOT_GUARDS),
        note="all reached",
    ),
    api("GET", "/supplies/lots/{w.lot_a.pk}", R_A),
    api("GET", "/supplies/lots/{w.lot_b.pk}", R_B),
    api(
        "GET", "/supplies/fefo?item_id={w.item.pk}&warehouse_id={w.warehouse_a.pk}&quantity=10", R_A
    ),
    api("GET", "/supplies/movements", listing(closed=NOT_GUARDS)),
    api("GET", "/supplies/card?item_id={w.item.pk}&warehouse_id={w.warehouse_a.pk}", R_A),
    api(
        "POST",
        "/supplies/receipts",
        W_A,
        lambda w: {
            "warehouse_id": w.warehouse_a.pk,
            "item_id": w.item.pk,
            "quantity": 2,
            "unit": "",
        },
    ),
    api(
        "POST",
        "/supplies/issues",
        W_A,
        lambda w: {
            "warehouse_id": w.warehouse_a.pk,
            "item_id": w.item.pk,
            "quantity": 10,
            "recipient_id": w.hospital.pk,
        },
    ),
    api(
        "POST",
        "/supplies/transfers",
        W_A,
        lambda w: {
            "lot_id": w.lot_a.pk,
            "from_warehouse_id": w.warehouse_a.pk,
            "to_warehouse_id": w.warehouse_a2.pk,
            "quantity": 5,
        },
    ),
    api(
        "POST",
        "/supplies/returns",
        W_A,
        lambda w: {
            "lot_id": w.lot_a.pk,
            "warehouse_id": w.warehouse_a.pk,
            "quantity": 5,
            "reason": "退回",
        },
    ),
    api(
        "POST",
        "/supplies/adjustments",
        W_A,
        lambda w: {
            "lot_id": w.lot_a.pk,
            "warehouse_id": w.warehouse_a.pk,
            "counted": 850,
            "reason": "盘点",
        },
    ),
    api("POST", "/supplies/movements/{w.supply_issue_a.pk}/reversal", W_A, {"reason": "录错了"}),
    api("GET", "/supplies/needs", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/supplies/needs",
        API_CREATE_A,
        lambda w: {
            "organization_id": w.chamber_a.pk,
            "recipient_id": w.hospital.pk,
            "lines": [{"item_id": w.item.pk, "quantity": 100}],
            "urgency": 2,
        },
    ),
    api("POST", "/supplies/needs/{w.need_a.pk}/confirmation", W_A),
    api("GET", "/supplies/imports/stocktake/template", TEMPLATE),
    api(
        "POST",
        "/supplies/imports/stocktake",
        CREATE_IN_A,
        lambda w: {"file": _stocktake_xlsx(w)},
        multipart=True,
    ),
    api(
        "POST",
        "/supplies/imports/needs",
        API_CREATE_A,
        lambda w: {"organization_id": w.chamber_a.pk, "file": _needs_xlsx(w)},
        multipart=True,
    ),
    api("GET", "/supplies/needs/{w.need_a.pk}/matches", R_A),
    api(
        "POST",
        "/supplies/needs/{w.need_a.pk}/matches",
        W_A,
        lambda w: {
            "need_line_id": w.need_a.lines.get().pk,
            "offer_id": w.supply_offer_a.pk,
            "quantity": 10,
        },
    ),
    api("GET", "/supplies/offers", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/supplies/offers",
        W_A1_SUPPLIES,
        lambda w: {
            "organization_id": w.a1.pk,
            "item_id": w.item.pk,
            "quantity": 50,
            "available_until": _wd(-5).isoformat(),
        },
    ),
    api("GET", "/supplies/shipments", listing(closed=NOT_GUARDS)),
    api("GET", "/supplies/shipments/{w.shipment_a.pk}", R_A),
    api(
        "POST",
        "/supplies/shipments",
        W_A,
        lambda w: {
            "warehouse_id": w.warehouse_a.pk,
            "recipient_id": w.hospital.pk,
            "lines": [{"item_id": w.item.pk, "quantity": 10}],
        },
    ),
    api("POST", "/supplies/shipments/{w.shipment_a.pk}/dispatch", W_A),
    api(
        "POST",
        "/supplies/shipments/{w.shipment_sent_a.pk}/receipt",
        W_A,
        {"received_by": "李护士长"},
    ),
    api("GET", "/supplies/orders", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/supplies/orders",
        API_CREATE_A,
        lambda w: {
            "organization_id": w.chamber_a.pk,
            "kind": "import",
            "supplier": "首尔医疗",
            "currency": "KRW",
            "rate": "0.0058",
            "lines": [{"item_id": w.item.pk, "quantity": 1000, "unit_price": "1500"}],
        },
    ),
    api(
        "POST",
        "/supplies/orders/{w.purchase_a.pk}/receipts",
        W_A,
        lambda w: {
            "line_id": w.purchase_a.lines.get().pk,
            "warehouse_id": w.warehouse_a.pk,
            "quantity": 100,
        },
    ),
    api(
        "POST",
        "/supplies/gift-receipts",
        W_A,
        lambda w: {
            "gift_id": w.goods_gift_a.pk,
            "warehouse_id": w.warehouse_a.pk,
            "item_id": w.item.pk,
            "quantity": 100,
        },
    ),
]


ASSISTANCE_API_ROWS: list[Row] = [
    api("GET", "/assistance/caps", listing()),
    api(
        "POST",
        "/assistance/caps",
        MANAGE_ORG_A,
        lambda w: {"organization_id": w.chamber_a.pk, "amount": "88"},
    ),
    api("GET", "/assistance/packages", listing()),
    api(
        "POST",
        "/assistance/packages",
        CREATE_IN_A,
        lambda w: {"supplier_id": w.a1.pk, "name": "肉类套餐", "contents": "猪肉", "price": "80"},
    ),
    api("GET", "/assistance/windows", listing()),
    api(
        "POST",
        "/assistance/windows",
        MANAGE_POST_A,
        lambda w: {
            "compound_id": w.compound_a.pk,
            "package_id": w.package_a.pk,
            "day": _wd(-4).isoformat(),
            "closes_at": _now_iso(5),
            "capacity": 80,
        },
    ),
    api("GET", "/assistance/windows/{w.window_a.pk}", R_WINDOW_A),
    api("POST", "/assistance/windows/{w.window_a.pk}/close", MANAGE_POST_A),
    api("POST", "/assistance/windows/{w.window_a.pk}/tasks", W_POST_A, writes=False),
    api("POST", "/assistance/windows/{w.window_a.pk}/orders", W_POST_A, _order),
    api("GET", "/assistance/orders", listing()),
    api("GET", "/assistance/orders/{w.order_a.pk}", R_POST_A),
    api("POST", "/assistance/orders/{w.order_a.pk}/paid", W_POST_A, {"paid": True}),
    api(
        "POST",
        "/assistance/orders/{w.order_a.pk}/delivered",
        W_POST_A,
        lambda w: {"code": w.order_a.code},
    ),
    api("POST", "/assistance/orders/{w.order_a.pk}/cancel", W_POST_A),
    api("POST", "/assistance/orders/{w.order_a.pk}/complaints", W_POST_A, {"text": "迟到"}),
    api("GET", "/assistance/complaints", listing()),
    api(
        "POST",
        "/assistance/complaints/{w.complaint_a.pk}/resolve",
        MANAGE_POST_A,
        {"resolution": "道歉", "refund": "5"},
    ),
    api("GET", "/assistance/tasks", listing()),
    api("GET", "/assistance/figures", listing()),
    api("GET", "/assistance/offers", listing()),
    api(
        "POST",
        "/assistance/offers",
        CREATE_IN_A,
        lambda w: {"provider_id": w.a1.pk, "kind": "remote_office", "title": "远程办公"},
    ),
    api(
        "POST",
        "/assistance/offers/{w.offer_a.pk}/sessions",
        W_PACKAGE_A,
        {"starts_at": "2099-03-01T09:00:00+08:00", "seats": 10},
    ),
    api("GET", "/assistance/requests", listing()),
    api(
        "POST",
        "/assistance/requests",
        CREATE_A1,
        lambda w: {"offer_id": w.offer_a.pk, "firm_id": w.a1.pk, "session_id": w.session_a.pk},
    ),
    api(
        "POST",
        "/assistance/requests/{w.request_a.pk}/assign",
        REVIEW_A1,
        lambda w: {"person_id": w.person_a1.pk},
    ),
    api(
        "POST",
        "/assistance/requests/{w.request_rated_a.pk}/feedback",
        W_A1,
        {"rating": 4, "feedback": "好"},
    ),
]

# Django Ninja's own pages (not operations of the schema): the schema and its docs page.
API_ROWS += [
    Row("GET", "/api/v1/openapi.json", {**EVERYONE, "anon": {OK, 401}}, public=True),
    Row("GET", "/api/v1/docs", {**EVERYONE, "anon": {OK, 401, 302}}, public=True),
    Row("GET", "/api/v1/", answers(other={OK, 404}, anon={OK, 401, 302, 404}), public=True),
]

API_ROWS += ASSISTANCE_API_ROWS
API_ROWS += [
    api("GET", "/briefings", EVERYONE),
    api(
        "POST",
        "/briefings",
        API_CREATE_A,
        lambda w: {"organization_id": w.chamber_a.pk, "start": _wd(6).isoformat(), "end": TODAY},
    ),
    api("GET", "/briefings/{w.briefing_a.pk}", R_A),
    api("GET", "/briefings/{w.briefing_b.pk}", R_B),
    api("PUT", "/briefings/{w.briefing_a.pk}", W_A, {"title": "改过的", "body": "正文"}),
    api("POST", "/briefings/{w.briefing_a.pk}/sign", SIGN_BRIEFING_A),
    api("POST", "/briefings/{w.briefing_signed_a.pk}/publish", W_A),
    api("GET", "/briefings/{w.briefing_a.pk}/pdf", R_A),
]
ALL_ROWS = ROWS + API_ROWS


# --- The machinery ---------------------------------------------------------------------------

# Fields that change on reads (when a token or session was last used): not a write.
VOLATILE = {"last_used_at", "last_login", "last_seen_at", "last_activity"}


def _models() -> list[Any]:
    return [
        m for m in apps.get_models(include_auto_created=True) if m.__module__.startswith("gongke.")
    ]


_SELECTS: list[tuple[str, str]] = []


def snapshot() -> dict[str, list[str]]:
    """Every row of every table of the project (the world is small): what a write may change.
    Plain SQL, one statement per table: the ORM would spend more than the request itself."""
    if not _SELECTS:
        qn = connection.ops.quote_name
        for model in _models():
            if model._meta.proxy or not model._meta.managed:
                continue
            cols = [f.column for f in model._meta.concrete_fields if f.name not in VOLATILE]
            columns = ", ".join(qn(c) for c in cols)
            _SELECTS.append(
                (model._meta.label, f"SELECT {columns} FROM {qn(model._meta.db_table)}")
            )
    out = {}
    with connection.cursor() as cursor:
        for label, sql in _SELECTS:
            cursor.execute(sql)
            out[label] = sorted(map(repr, cursor.fetchall()))
    return out


def _diff(before: dict, after: dict) -> list[str]:
    changed = []
    for label, rows in after.items():
        if rows != before.get(label):
            changed.append(f"{label} ({len(before.get(label, []))} -> {len(rows)} rows)")
    return changed


def build_cast():
    """The root conftest's cast builder, to build the cast once for the module rather than per
    test (conftest modules are not importable by name: several share the name)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("_matrix_root_conftest", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_cast()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.core.cache import cache

    from gongke.accounts.models import ApiToken

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cache.clear()
            cast = build_cast()
            w = build_world(cast)
            w.sessions, w.tokens, w.clients = {}, {}, {}
            for name in SIGNED_IN:
                user = getattr(w, name)
                c = Client()
                c.force_login(user)
                w.sessions[name] = c.cookies[settings.SESSION_COOKIE_NAME].value
                _token, w.tokens[name] = ApiToken.issue(user=user, name="matrix")
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(w, row: Row, user: str) -> Client:
    """The user's client, its cookies reset (a logout must not sign the next request out).
    Clients are kept: each new one loads the middleware again (WhiteNoise scans every file)."""
    token = row.api and not row.public and user != "anon"
    key = (user, token)
    if key not in w.clients:
        headers = {"Authorization": f"Bearer {w.tokens[user]}"} if token else {}
        w.clients[key] = Client(raise_request_exception=False, headers=headers)
    c = w.clients[key]
    c.cookies = SimpleCookie()
    if user != "anon" and not token:
        c.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[user]
    return c


def _send(c: Client, row: Row, url: str, body: Any):
    method = row.method.lower()
    if row.method == "GET":
        return c.get(url)
    if row.api and not row.multipart or row.json:
        return getattr(c, method)(url, body or {}, content_type="application/json")
    return c.post(url, body or {})


def _text(response) -> str:
    ctype = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        if "text" not in ctype and "json" not in ctype:
            return ""
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if "json" in ctype:
        try:
            return json.dumps(json.loads(content), ensure_ascii=False)
        except ValueError:
            return content.decode(errors="replace")
    if "text" in ctype or "html" in ctype or "csv" in ctype:
        return content.decode(errors="replace")
    return ""


def _login_url() -> str:
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)


def _matches(expected: Any, response, *, wrote: bool) -> bool:
    status = response.status_code
    for e in expected if isinstance(expected, set) else {expected}:
        if e == OK and status in OK_STATUSES:
            if status == 302 and response["Location"].startswith(_login_url()):
                continue
            return True
        if e == "login" and status == 302:
            if response["Location"].startswith(_login_url()):
                return True
        if e == REFUSED and (status in {403, 404, 422} or (status == 200 and not wrote)):
            return True
        if e == status:
            return True
    return False


def _refused(expected: Any) -> bool:
    return OK not in (expected if isinstance(expected, set) else {expected})


def check(w, row: Row, user: str) -> list[str]:
    """What is wrong with `user`'s answer to `row` (empty when it answers as the row says)."""
    from django.core.cache import cache

    cache.clear()  # rate limits and memoized sums start clean for each request
    expected = row.anon() if user == "anon" else row.expect[user]
    url = row.url.format(w=w)
    body = row.body(w) if callable(row.body) else row.body
    is_write = row.method != "GET"
    before = snapshot() if is_write else None
    response = _send(_client(w, row, user), row, url, body)
    changed = _diff(before, snapshot()) if before is not None else []
    problems = []
    if not _matches(expected, response, wrote=bool(changed)):
        got = str(response.status_code)
        if response.status_code == 302:
            got += f" -> {response['Location']}"
        if getattr(response, "exc_info", None):
            got += f" ({response.exc_info[1]!r})"[:300]
        elif response.status_code in {400, 422}:
            got += f" {_text(response)[:300]}"
        problems.append(f"expected {_show(expected)}, got {got}")
    status = response.status_code
    refused = status not in OK_STATUSES or (_refused(expected) and status == 200)
    if is_write and refused and changed:
        problems.append(f"refused ({status}) but wrote: {', '.join(changed)}")
    if (
        is_write
        and not refused
        and row.writes is not False
        and not _refused(expected)
        and user != "anon"
        and not changed
    ):
        problems.append(f"answered {status} but wrote nothing (the row's body is not a write?)")
    text = _text(response)
    reach = REACH[user] | row.shows
    for scope, words in SENTINELS.items():
        if scope in reach:
            continue
        for word in words:
            if word in text:
                problems.append(f"shows {word!r} of {scope}, outside the user's reach")
    return problems


def _show(expected: Any) -> str:
    if isinstance(expected, set):
        return "/".join(sorted(str(e) for e in expected))
    return str(expected)


# django_db: the test database is set up even when only these tests are selected. Each user's
# request runs in a savepoint of its own, rolled back: no user sees another's write.
@pytest.mark.django_db
@pytest.mark.parametrize("row", ALL_ROWS, ids=[row.name for row in ALL_ROWS])
def test_it_answers_as_the_row_says(world, row):
    problems = []
    for user in USERS:
        with transaction.atomic():
            try:
                problems += [f"{user}: {p}" for p in check(world, row, user)]
            finally:
                transaction.set_rollback(True)
    assert not problems, f"{row.name}\n" + "\n".join(problems)


# --- Every route has a row -------------------------------------------------------------------

# Not in the matrix: Django's own admin (superusers only, behind its own permission checks) and,
# with DEBUG, the media files it serves.
EXCLUDED_PREFIXES = ("django-admin/", settings.MEDIA_URL.lstrip("/"))


class _AnyId:
    """Formats as 1 whatever is asked of it: URL templates without the world."""

    def __getattr__(self, name: str) -> "_AnyId":
        return self

    def __format__(self, spec: str) -> str:
        return "1"


def _patterns(resolver=None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _route(row: Row) -> str:
    from django.urls import resolve

    url = row.url.format(w=_AnyId()).split("?")[0]
    return resolve(url).route


def _operation(row: Row) -> str:
    import re

    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", _route(row))
    return f"{row.method} {path}"


def test_it_has_a_row_for_every_route():
    covered = {_route(row) for row in ALL_ROWS}
    missing = [
        p
        for p in _patterns()
        if p not in covered and not any(p.startswith(x) for x in EXCLUDED_PREFIXES if x)
    ]
    assert not missing, "URL patterns without a row in the access matrix: " + ", ".join(missing)


def test_it_has_a_row_for_every_api_operation():
    from gongke.api.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
    }
    covered = {_operation(row) for row in API_ROWS}
    missing = sorted(operations - covered)
    assert not missing, "API operations without a row in the access matrix: " + ", ".join(missing)
