import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gongke.resumption import services
from gongke.resumption.models import parse_percentages, waived


def test_first_month_free_second_at_half(cast):
    programme = services.save_programme(
        landlord=cast.a1,
        name="孵化园减免",
        rent_percentages=[100, 50],
        fee_percentages=[100],
        starts_on=dt.date(2020, 2, 1),
    )
    lease = services.add_lease(
        programme=programme,
        tenant_name="小微企业甲",
        monthly_rent=Decimal("3000.00"),
        monthly_fee=Decimal("450.50"),
        starts_on=dt.date(2019, 6, 1),
    )
    assert lease.rent_waived == Decimal("4500.00")
    assert lease.fee_waived == Decimal("450.50")
    assert lease.total_waived == Decimal("4950.50")


def test_a_member_tenant_is_named_after_its_organization(cast):
    programme = services.save_programme(
        landlord=cast.a1,
        name="减免",
        rent_percentages=[100],
        fee_percentages=[],
        starts_on=dt.date(2020, 2, 1),
    )
    lease = services.add_lease(
        programme=programme,
        tenant=cast.b1,
        tenant_name="",
        monthly_rent=Decimal("100"),
        starts_on=dt.date(2020, 1, 1),
    )
    assert lease.tenant_name == "南湖食品有限公司"


def test_it_refuses_percentages_outside_zero_to_a_hundred(cast):
    with pytest.raises(ValidationError):
        services.save_programme(
            landlord=cast.a1,
            name="x",
            rent_percentages=[150],
            fee_percentages=[],
            starts_on=dt.date(2020, 2, 1),
        )
    with pytest.raises(ValidationError):
        parse_percentages("100, half")
    assert parse_percentages("100，50%") == [100, 50]


def test_only_an_enterprise_can_be_a_landlord(cast):
    with pytest.raises(ValidationError):
        services.save_programme(
            landlord=cast.chamber_a,
            name="x",
            rent_percentages=[100],
            fee_percentages=[],
            starts_on=dt.date(2020, 2, 1),
        )


amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
rules = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=12)


@given(amounts, rules)
def test_the_waiver_never_exceeds_the_rent_due_and_is_in_fen(amount, percentages):
    total = waived(amount, percentages)
    assert Decimal(0) <= total <= amount * len(percentages)
    assert total == total.quantize(Decimal("0.01"))


@given(amounts, st.integers(min_value=1, max_value=12))
def test_waiving_everything_forgives_every_month_in_full(amount, months):
    assert waived(amount, [100] * months) == amount * months


@given(amounts, rules, rules)
def test_two_programmes_back_to_back_waive_the_sum_of_each(amount, first, second):
    assert waived(amount, first + second) == waived(amount, first) + waived(amount, second)
