"""A few rows in every domain for the API fuzz test: lists and details then have something to
show (several 5xx only happened with rows), and path ids have something to hit."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from stdnum.cn import ric


def _id_number(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def seed(cast: Any) -> dict[str, list[int]]:
    from gongke.census import services as census
    from gongke.community import services as community
    from gongke.community.models import PublicityItem
    from gongke.donations import services as donations
    from gongke.donations.models import DonorKind, Nature, Receipt
    from gongke.resumption import services as resumption
    from gongke.resumption.models import ReliefProgramme

    admin = cast.admin
    campaign = donations.create_campaign(
        user=admin, organization=cast.chamber_a, name="抗疫捐赠", starts_on=dt.date(2020, 1, 25)
    )
    donor = donations.find_or_create_donor(
        user=admin, organization=cast.chamber_a, kind=DonorKind.ENTERPRISE, enterprise=cast.a1
    )
    gift = donations.record_gift(
        user=admin,
        organization=cast.chamber_a,
        donor=donor,
        nature=Nature.MONEY,
        value="100000",
        given_on=dt.date(2020, 2, 1),
        campaign=campaign,
        issue_receipt=True,
    )
    donations.forward_gift(
        user=admin,
        gift=gift,
        from_organization=cast.chamber_a,
        to_organization=cast.federation,
        amount="40000",
    )
    donations.allocate_gift(
        user=admin, gift=gift, organization=cast.federation, recipient=cast.hospital, amount="1000"
    )
    goods_donor = donations.find_or_create_donor(
        user=admin, organization=cast.chamber_b, kind=DonorKind.INDIVIDUAL, name="李娜"
    )
    goods = donations.record_gift(
        user=admin,
        organization=cast.chamber_b,
        donor=goods_donor,
        nature=Nature.GOODS,
        value="5000.5",
        item="口罩",
        quantity=1000,
        unit="只",
        given_on=dt.date(2020, 2, 2),
    )

    good = {
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
    draft = resumption.save_application(enterprise=cast.a1, user=admin, data=good)
    submitted = resumption.save_application(enterprise=cast.b1, user=admin, data=good)
    resumption.submit_application(application=submitted, user=admin)
    resumption.submit_report(
        enterprise=cast.a1,
        user=admin,
        data={"staff_on_site": 60, "staff_returned": 10, "vehicles": 4, "masks": 3000},
    )
    fever = resumption.record_temperature(
        enterprise=cast.a1,
        user=admin,
        person_name="张三",
        day=timezone.localdate(),
        slot="am",
        temperature="38.1",
    )
    programme = ReliefProgramme.objects.create(
        landlord=cast.a1, name="减免", rent_percentages=[100, 50], starts_on=dt.date(2020, 2, 1)
    )
    resumption.add_lease(
        programme=programme,
        tenant_name="甲",
        monthly_rent=Decimal(1000),
        starts_on=dt.date(2020, 1, 1),
    )

    household, _ = census.save_household(place=cast.compound_a, building="1", unit="2", room="501")
    resident, _ = census.register_resident(
        user=admin,
        household=household,
        name="王伟",
        phone="13812345678",
        id_number=_id_number("11010519491231002"),
        relation="householder",
    )
    other, _ = census.register_resident(user=admin, household=household, name="王芳")
    census.record_return(
        user=admin, resident=resident, from_place="武汉", returned_on=timezone.localdate()
    )
    isolation, _ = census.start_isolation(user=admin, resident=resident, start=timezone.localdate())
    census.record_check(user=admin, isolation=isolation, temperature="36.6")
    census.record_visit(user=admin, household=household)

    passage = community.record_passage(
        post=cast.post_a,
        user=cast.guard_a,
        direction="out",
        name="王伟",
        temperature="38.5",
        resident_id=resident.pk,
    )
    community.record_passage(post=cast.post_a, user=cast.guard_a, direction="in", name="王伟")
    now = timezone.now()
    shift = community.create_shift(
        post=cast.post_a,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        users=[cast.guard_a],
    )
    spot = community.save_spot(place=cast.compound_a, name="垃圾站")
    item = PublicityItem.objects.create(place=cast.compound_a, kind="banner", description="横幅")
    alerts = list(passage.alerts.values_list("pk", flat=True)) if hasattr(passage, "alerts") else []

    orgs = [
        cast.office.pk,
        cast.federation.pk,
        cast.chamber_a.pk,
        cast.chamber_b.pk,
        cast.a1.pk,
        cast.b1.pk,
    ]
    places = [cast.compound_a.pk, cast.post_a.pk, cast.compound_b.pk, cast.post_b.pk]
    return {
        "org_id": orgs,
        "association_id": orgs,
        "campaign_id": [campaign.pk],
        "area_id": places,
        "place_id": places + [cast.hospital.pk],
        "post_id": places,
        "person_id": [],
        "donor_id": [donor.pk, goods_donor.pk],
        "gift_id": [gift.pk, goods.pk],
        "entry_id": list(gift.entries.values_list("pk", flat=True)),
        "receipt_id": list(Receipt.objects.values_list("pk", flat=True)),
        "app_id": [draft.pk, submitted.pk],
        "case_id": [fever.pk],
        "programme_id": [programme.pk],
        "household_id": [household.pk],
        "resident_id": [resident.pk, other.pk],
        "isolation_id": [isolation.pk],
        "passage_id": [passage.pk],
        "alert_id": alerts,
        "shift_id": [shift.pk],
        "assignment_id": list(shift.assignments.values_list("pk", flat=True)),
        "spot_id": [spot.pk],
        "item_id": [item.pk],
    }
