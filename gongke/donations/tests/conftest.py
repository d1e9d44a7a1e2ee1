import datetime

import pytest

from gongke.donations import services
from gongke.donations.models import DonorKind, Nature


@pytest.fixture
def gift_for(cast):
    """gift_for(org, value, ...) -> a received money gift booked by the platform admin."""

    def make(org=None, value="100000", *, donor_name="京博集团", anonymous=False, **extra):
        org = org or cast.chamber_a
        donor = services.find_or_create_donor(
            user=cast.admin,
            organization=org,
            kind=DonorKind.INDIVIDUAL if not anonymous else DonorKind.ANONYMOUS,
            name=donor_name,
        )
        fields = {"nature": Nature.MONEY, "given_on": datetime.date(2020, 2, 1), **extra}
        return services.record_gift(
            user=cast.admin, organization=org, donor=donor, value=value, **fields
        )

    return make
