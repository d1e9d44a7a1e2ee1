import pytest
from stdnum.cn import ric


def make_id(body: str = "11010519491231002") -> str:
    """A valid 18-digit resident ID number (the check digit computed)."""
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


@pytest.fixture
def census(cast):
    """A household in compound A (chamber A) with one resident, and one in compound B."""
    from gongke.census import services

    household, _ = services.save_household(
        place=cast.compound_a, building="1", unit="2", room="501"
    )
    resident, _ = services.register_resident(
        user=cast.admin_a,
        household=household,
        name="王伟",
        phone="13812345678",
        id_number=make_id(),
        relation="householder",
    )
    household_b, _ = services.save_household(
        place=cast.compound_b, building="3", unit="1", room="101"
    )
    resident_b, _ = services.register_resident(
        user=cast.outsider_b, household=household_b, name="李娜"
    )
    cast.household, cast.resident, cast.household_b, cast.resident_b = (
        household,
        resident,
        household_b,
        resident_b,
    )
    return cast
