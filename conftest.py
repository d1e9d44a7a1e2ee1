"""The cast shared by every test: a small county with two chambers and a user for each role.

office (supervising office)
└── federation
    ├── chamber_a (industry chamber)  ── enterprise a1 ── compound_a ─ post_a
    └── chamber_b (township chamber)  ── enterprise b1 ── compound_b ─ post_b
hospital: a recipient unit kept by the federation

admin            platform admin
fed_admin        organization admin of the federation
admin_a          organization admin of chamber A
staff_a          organization staff of chamber A
reporter_a1      enterprise reporter of A1
guard_a          duty officer at post_a
viewer_a         viewer of chamber A (read-only)
outsider_b       organization admin of chamber B: chamber A's records answer 404 to them
"""

import os
from types import SimpleNamespace

import pytest

os.environ.setdefault("GONGKE_FAST_HASHER", "1")

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def cast(db):
    from gongke.accounts.models import Membership, Role, User
    from gongke.registry import services
    from gongke.registry.models import ChamberKind, Industry, OrgKind, PlaceKind, RecipientKind

    t_east = services.get_or_create_township("东城街道")
    t_south = services.get_or_create_township("南湖镇")
    office = services.create_organization(
        parent=None, kind=OrgKind.OFFICE, name="市社会组织服务中心"
    )
    federation = services.create_organization(
        parent=office, kind=OrgKind.FEDERATION, name="青原县工商业联合会", short_name="县工商联"
    )
    chamber_a = services.create_organization(
        parent=federation,
        kind=OrgKind.CHAMBER,
        chamber_kind=ChamberKind.INDUSTRY,
        name="青原县钣金商会",
    )
    chamber_b = services.create_organization(
        parent=federation,
        kind=OrgKind.CHAMBER,
        chamber_kind=ChamberKind.TOWNSHIP,
        name="南湖镇商会",
        township=t_south,
    )
    a1 = services.create_organization(
        parent=chamber_a,
        kind=OrgKind.ENTERPRISE,
        name="京博集团",
        credit_code="91110000600037341L",
        industry=Industry.MANUFACTURING,
        township=t_east,
        legal_representative="王伟",
        legal_representative_phone="13812345678",
        staff_count=120,
        is_executive=True,
    )
    b1 = services.create_organization(
        parent=chamber_b,
        kind=OrgKind.ENTERPRISE,
        name="南湖食品有限公司",
        industry=Industry.MANUFACTURING,
        township=t_south,
        legal_representative="李娜",
        staff_count=40,
    )
    compound_a = services.save_place(
        kind=PlaceKind.COMPOUND,
        name="东城花园小区",
        organization=chamber_a,
        township=t_east,
        without_property_management=True,
        households=240,
    )
    post_a = services.save_place(
        kind=PlaceKind.POST,
        name="东城花园东门卡口",
        organization=chamber_a,
        parent=compound_a,
        township=t_east,
    )
    compound_b = services.save_place(
        kind=PlaceKind.COMPOUND,
        name="南湖新村",
        organization=chamber_b,
        township=t_south,
        households=180,
    )
    post_b = services.save_place(
        kind=PlaceKind.POST,
        name="南湖新村北门卡口",
        organization=chamber_b,
        parent=compound_b,
        township=t_south,
    )
    hospital = services.save_place(
        kind=PlaceKind.RECIPIENT,
        recipient_kind=RecipientKind.HOSPITAL,
        name="青原县人民医院",
        organization=federation,
    )

    def user(username, role, org, **extra):
        u = User.objects.create_user(
            username=username, password=PASSWORD, display_name=username, **extra
        )
        if role is not None:
            Membership.objects.create(user=u, organization=org, role=role)
        return u

    admin = user("admin", None, None, is_superuser=True, is_staff=True)
    guard_a = user("guard_a", Role.DUTY_OFFICER, chamber_a)
    guard_a.memberships.get().posts.add(post_a)
    return SimpleNamespace(
        password=PASSWORD,
        office=office,
        federation=federation,
        chamber_a=chamber_a,
        chamber_b=chamber_b,
        a1=a1,
        b1=b1,
        township_east=t_east,
        township_south=t_south,
        compound_a=compound_a,
        post_a=post_a,
        compound_b=compound_b,
        post_b=post_b,
        hospital=hospital,
        admin=admin,
        fed_admin=user("fed_admin", Role.ORG_ADMIN, federation),
        admin_a=user("admin_a", Role.ORG_ADMIN, chamber_a),
        staff_a=user("staff_a", Role.ORG_STAFF, chamber_a),
        reporter_a1=user("reporter_a1", Role.REPORTER, a1),
        guard_a=guard_a,
        viewer_a=user("viewer_a", Role.VIEWER, chamber_a),
        outsider_b=user("outsider_b", Role.ORG_ADMIN, chamber_b),
    )


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user (Django's test client)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def api_for(db):
    """api_for(user) -> a client that calls /api/v1 with a device token for that user."""
    from django.test import Client

    from gongke.accounts.models import ApiToken

    def make(user):
        _token, raw = ApiToken.issue(user=user, name="test device")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make
