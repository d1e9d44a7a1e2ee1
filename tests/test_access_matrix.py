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
    "A": ["甲会捐赠人", "甲会名录人", "甲会二号企业"],
    "A1": ["甲企测温员", "甲企租户哨", "甲企减免哨"],
    "POST_A": ["甲院居民哨"],
    "POST_A2": ["甲院西门过客", "东城花园西门卡口", "东城二期小区", "甲二院居民哨"],
    "B": ["乙会捐赠人", "乙会名录人", "南湖食品有限公司"],
    "POST_B": ["乙院居民哨", "乙院北门过客"],
    "SECRET_A": ["sentinel-duty-robot-key-a", "sentinel-report-robot-key-a"],
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
    assert Spot.objects.count() == 2

    # Donations
    w.campaign_a = donations.create_campaign(
        user=cast.admin_a, organization=cast.chamber_a, name="甲会活动哨", is_public=True
    )
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
    return w


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
    page("GET", "/donations/campaigns/", listing(closed=NOT_GUARDS)),
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
    page("GET", "/donations/receipts/{w.receipt_a.pk}/", R_A),
    page("GET", "/donations/receipts/{w.receipt_a.pk}/pdf/", R_A),
    public("GET", "/donations/verify/"),
    public("GET", "/donations/verify/{w.receipt_a.code}/", shows={"A"}),
    public("GET", "/donations/honor/{w.chamber_a.pk}/{w.campaign_a.pk}/", shows={"A"}),
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
]

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
    api(
        "POST",
        "/donations/campaigns",
        CREATE_IN_A,
        lambda w: {"organization_id": w.chamber_a.pk, "name": "新活动"},
    ),
    api("GET", "/donations/donors", listing(closed=NOT_GUARDS)),
    api("GET", "/donations/donors/{w.donor_a.pk}", R_A),
    api("GET", "/donations/donors/{w.donor_b.pk}", R_B),
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
    api("GET", "/donations/receipts/{w.receipt_a.pk}", R_A),
    api("GET", "/donations/figures", listing(closed=NOT_GUARDS)),
    api(
        "POST",
        "/donations/imports",
        CREATE_IN_A,
        lambda w: {"organization_id": w.chamber_a.pk, "file": _donations_csv(w)},
        multipart=True,
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
    api(
        "GET",
        "/resumption/dashboard?organization_id={w.chamber_a.pk}",
        {**R_A, **GUARDS_ON_A},
    ),
]

# Django Ninja's own pages (not operations of the schema): the schema and its docs page.
API_ROWS += [
    Row("GET", "/api/v1/openapi.json", {**EVERYONE, "anon": {OK, 401}}, public=True),
    Row("GET", "/api/v1/docs", {**EVERYONE, "anon": {OK, 401, 302}}, public=True),
    Row("GET", "/api/v1/", answers(other={OK, 404}, anon={OK, 401, 302, 404}), public=True),
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
