"""Money in API answers has two decimals on both databases, and lists tie-break on the key."""

import datetime

import pytest

from gongke.donations import services
from gongke.donations.models import DonorKind, Nature

pytestmark = pytest.mark.django_db


def _gift(cast, name, value):
    donor = services.find_or_create_donor(
        user=cast.admin, organization=cast.chamber_a, kind=DonorKind.INDIVIDUAL, name=name
    )
    return services.record_gift(
        user=cast.admin,
        organization=cast.chamber_a,
        donor=donor,
        nature=Nature.MONEY,
        value=value,
        given_on=datetime.date(2020, 2, 1),
    )


def test_amounts_are_answered_with_two_decimals(cast, api_for):
    _gift(cast, "张三", "100000")
    _gift(cast, "李四", "0.5")
    api = api_for(cast.admin_a)
    gifts = api.get("/api/v1/donations/gifts").json()["items"]
    assert sorted(g["value"] for g in gifts) == ["0.50", "100000.00"]
    donors = api.get("/api/v1/donations/donors").json()["items"]
    assert sorted(d["received"] for d in donors) == ["0.50", "100000.00"]
    figures = api.get(f"/api/v1/donations/figures?organization_id={cast.chamber_a.pk}").json()
    assert figures["total"]["pledged"] == "100000.50"
    assert figures["total"]["allocated"] == "0.00"


def test_gifts_of_the_same_day_come_in_one_order(cast, api_for):
    made = [_gift(cast, f"捐赠人{i}", "100").pk for i in range(5)]
    items = api_for(cast.admin_a).get("/api/v1/donations/gifts").json()["items"]
    ids = [g["id"] for g in items]
    assert sorted(ids) == sorted(made)
    # Same date and value: the id decides, the same on SQLite and PostgreSQL.
    assert ids == sorted(ids) or ids == sorted(ids, reverse=True)
