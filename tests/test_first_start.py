"""First start: from an empty database to the first chamber and its users, without a Python
shell. Only a platform admin may start a new tree (an organization without a parent)."""

import pytest
from django.core.management import call_command
from django.test import Client

from gongke.accounts.models import Membership, Role, User
from gongke.registry.models import Organization, OrgKind

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-first-password-7"


def test_a_platform_admin_goes_from_nothing_to_a_chamber_and_its_users():
    call_command("createadmin", "root", password=PASSWORD)
    browser = Client(REMOTE_ADDR="10.7.7.7")
    response = browser.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302

    assert browser.get("/registry/organizations/new/").status_code == 200
    response = browser.post(
        "/registry/organizations/new/",
        {"kind": OrgKind.FEDERATION, "name": "青原县工商业联合会", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    federation = Organization.objects.get()
    assert federation.parent is None and federation.depth == 0

    response = browser.post(
        "/registry/organizations/new/",
        {
            "kind": OrgKind.CHAMBER,
            "chamber_kind": "industry",
            "parent": federation.pk,
            "name": "青原县钣金商会",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    chamber = Organization.objects.get(parent=federation)

    response = browser.post(
        "/accounts/users/new/",
        {
            "username": "chamber_admin",
            "organization": chamber.pk,
            "role": Role.ORG_ADMIN,
            "password1": "another-long-password-8",
            "password2": "another-long-password-8",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__username="chamber_admin").organization == chamber


def test_a_platform_admin_creates_a_top_level_organization_through_the_api(cast, api_for):
    response = api_for(cast.admin).post(
        "/api/v1/registry/organizations",
        {"kind": OrgKind.FEDERATION, "name": "邻县工商业联合会"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent_id"] is None


@pytest.mark.parametrize("who", ["fed_admin", "admin_a", "viewer_a"])
def test_nobody_else_creates_a_top_level_organization(cast, api_for, client_for, who):
    user = getattr(cast, who)
    response = api_for(user).post(
        "/api/v1/registry/organizations",
        {"kind": OrgKind.FEDERATION, "name": "邻县工商业联合会"},
        content_type="application/json",
    )
    assert response.status_code == 403
    page = client_for(user).post(
        "/registry/organizations/new/", {"kind": OrgKind.FEDERATION, "name": "邻县工商业联合会"}
    )
    assert page.status_code in (200, 403)  # the form refuses, or the role may not open it
    assert not Organization.objects.filter(name="邻县工商业联合会").exists()
    assert User.objects.filter(username=who).exists()
