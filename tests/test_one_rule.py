"""One service per write holds every rule: the web form and the API refuse the same things."""

import datetime

import pytest
from django.utils import timezone

from gongke.donations.models import Gift
from gongke.registry.models import Organization

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _years_ahead() -> str:
    return (timezone.localdate() + datetime.timedelta(days=800)).isoformat()


def test_a_gift_dated_years_ahead_is_refused_by_the_form_and_the_api(cast, client_for, api_for):
    page = client_for(cast.admin_a).post(
        "/donations/gifts/new/",
        {
            "organization": cast.chamber_a.pk,
            "donor_kind": "individual",
            "donor_name": "张三",
            "nature": "money",
            "amount": "100",
            "given_on": _years_ahead(),
            "received": "on",
        },
    )
    assert page.status_code == 200 and "given_on" in page.context["form"].errors
    api = api_for(cast.admin_a).post(
        "/api/v1/donations/gifts",
        {
            "organization_id": cast.chamber_a.pk,
            "donor_kind": "individual",
            "donor_name": "张三",
            "amount": "100",
            "given_on": _years_ahead(),
        },
        content_type=JSON,
    )
    assert api.status_code == 422 and "given_on" in api.json()["errors"]
    assert not Gift.objects.exists()


def test_an_entry_dated_ahead_is_refused(cast, api_for):
    from gongke.donations import services
    from gongke.donations.models import DonorKind, Nature

    donor = services.find_or_create_donor(
        user=cast.admin, organization=cast.chamber_a, kind=DonorKind.INDIVIDUAL, name="李四"
    )
    gift = services.record_gift(
        user=cast.admin,
        organization=cast.chamber_a,
        donor=donor,
        nature=Nature.MONEY,
        value="100",
        received=False,
    )
    r = api_for(cast.admin_a).post(
        f"/api/v1/donations/gifts/{gift.pk}/receipts",
        {"amount": "100", "occurred_on": _years_ahead()},
        content_type=JSON,
    )
    assert r.status_code == 422 and "occurred_on" in r.json()["errors"]


def test_an_enterprise_donor_must_be_a_member_enterprise_on_the_api_too(cast, api_for):
    r = api_for(cast.admin_a).post(
        "/api/v1/donations/gifts",
        {
            "organization_id": cast.chamber_a.pk,
            "donor_kind": "enterprise",
            "donor_name": "不存在的公司",
            "amount": "100",
        },
        content_type=JSON,
    )
    assert r.status_code == 422, r.content
    assert not Gift.objects.exists()


def test_a_chamber_without_its_kind_is_refused_by_the_form_and_the_api(cast, client_for, api_for):
    page = client_for(cast.fed_admin).post(
        "/registry/organizations/new/",
        {"kind": "chamber", "parent": cast.federation.pk, "name": "无类商会", "is_active": "on"},
    )
    assert page.status_code == 200 and "chamber_kind" in page.context["form"].errors
    api = api_for(cast.fed_admin).post(
        "/api/v1/registry/organizations",
        {"kind": "chamber", "parent_id": cast.federation.pk, "name": "无类商会"},
        content_type=JSON,
    )
    assert api.status_code == 422 and "chamber_kind" in api.json()["errors"]
    assert not Organization.objects.filter(name="无类商会").exists()
    # Only a chamber keeps a chamber kind, whichever way it was written.
    other = api_for(cast.admin_a).post(
        "/api/v1/registry/organizations",
        {
            "kind": "enterprise",
            "parent_id": cast.chamber_a.pk,
            "name": "有类企业",
            "chamber_kind": "industry",
        },
        content_type=JSON,
    )
    assert other.status_code == 201 and other.json()["chamber_kind"] == ""
