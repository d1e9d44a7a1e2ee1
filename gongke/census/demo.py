"""Demo census: households and residents of twenty compounds and villages, people back from
elsewhere, home isolations with their daily checks, today's visits. Deterministic (county.rng)
relative to today's date; bulk-written (auditlog is off during the demo)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import ric

from gongke.lib.chinese import search_key
from gongke.lib.idnumbers import hash_id_number
from gongke.lib.masking import mask_id_number

from .models import (
    DailyCheck,
    Gender,
    Household,
    Isolation,
    Relation,
    Resident,
    ReturnRecord,
    Visit,
    VisitOutcome,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚华辉燕红梅兰庆春生东德"
FROM_PLACES = [
    "湖北武汉",
    "湖北黄冈",
    "湖北孝感",
    "浙江温州",
    "广东深圳",
    "广东东莞",
    "上海",
    "北京",
    "江苏苏州",
    "福建厦门",
]
TRANSPORT = ["G1234次列车", "自驾", "长途客车", "K1578次列车", "航班MU5211", ""]
REGION = "360803"  # a county-level code so the demo numbers look like the county's own


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _id_number(rng, birth: date, gender: str, used: set[str]) -> str:
    while True:
        seq = rng.randint(0, 99) * 10 + rng.choice(
            [1, 3, 5, 7, 9] if gender == Gender.MALE else [0, 2, 4, 6, 8]
        )
        body = f"{REGION}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used:
            used.add(number)
            return number


def load(county) -> None:
    rng = county.rng
    today = timezone.localdate()
    areas = county.areas[:20]
    households: list[Household] = []
    for area in areas:
        if area.kind == "village":
            for n in range(1, rng.randint(25, 45)):
                households.append(Household(place=area, room=f"{rng.randint(1, 6)}组{n}号"))
        else:
            for b in range(1, rng.randint(2, 4)):
                for u in range(1, 3):
                    for floor in range(1, 7):
                        for door in (1, 2):
                            if rng.random() < 0.85:
                                households.append(
                                    Household(
                                        place=area,
                                        building=str(b),
                                        unit=str(u),
                                        room=f"{floor}0{door}",
                                    )
                                )
    households = Household.objects.bulk_create(households, batch_size=1000)

    used: set[str] = set()
    residents: list[Resident] = []
    for h in households:
        size = rng.choice([1, 2, 2, 3, 3, 3, 4, 5])
        for i in range(size):
            relation = (
                Relation.HOUSEHOLDER
                if i == 0
                else rng.choice(
                    [
                        Relation.SPOUSE,
                        Relation.CHILD,
                        Relation.CHILD,
                        Relation.PARENT,
                        Relation.GRANDCHILD,
                    ]
                )
            )
            gender = rng.choice([Gender.MALE, Gender.FEMALE])
            birth = date(rng.randint(1940, 2018), rng.randint(1, 12), rng.randint(1, 28))
            name = _name(rng)
            r = Resident(
                household=h,
                name=name,
                gender=gender,
                birth_year=birth.year,
                relation=relation,
                search_text=search_key(name),
            )
            if birth.year <= 2004 and rng.random() < 0.8:
                number = _id_number(rng, birth, gender, used)
                r.id_number_hash, r.id_number_masked = (
                    hash_id_number(number),
                    mask_id_number(number),
                )
            if i == 0 or rng.random() < 0.4:
                r.phone = (
                    "1" + rng.choice("3578") + "".join(str(rng.randint(0, 9)) for _ in range(9))
                )
            residents.append(r)
    residents = Resident.objects.bulk_create(residents, batch_size=1000)

    returns: list[ReturnRecord] = []
    isolations: list[Isolation] = []
    for r in rng.sample(residents, len(residents) // 12):
        returned_on = today - timedelta(days=rng.randint(0, 24))
        returns.append(
            ReturnRecord(
                resident=r,
                from_place=rng.choice(FROM_PLACES),
                returned_on=returned_on,
                transport=rng.choice(TRANSPORT),
            )
        )
        end_day = returned_on + timedelta(days=13)
        isolations.append(
            Isolation(resident=r, start=returned_on, days=14, end_day=end_day, reason="returned")
        )
    ReturnRecord.objects.bulk_create(returns, batch_size=1000)
    now = timezone.now()
    for iso in isolations:
        if iso.end_day < today:
            iso.ended_at = timezone.make_aware(
                datetime.combine(iso.end_day + timedelta(days=1), time(9))
            )
    isolations = Isolation.objects.bulk_create(isolations, batch_size=1000)

    checks: list[DailyCheck] = []
    for iso in isolations:
        day = iso.start
        last = min(iso.end_day, today)
        while day <= last:
            # A few of today's checks are still to be done, so the list has something to show.
            if day == today and rng.random() < 0.3:
                break
            t = Decimal("36.0") + Decimal(rng.randint(0, 12)) / 10
            if rng.random() < 0.01:
                t = Decimal("37.6")
            checks.append(
                DailyCheck(
                    isolation=iso,
                    day=day,
                    temperature=t,
                    symptoms="咳嗽" if t >= Decimal("37.3") else "",
                )
            )
            day += timedelta(days=1)
    DailyCheck.objects.bulk_create(checks, batch_size=2000)

    visits: list[Visit] = []
    outcomes = [VisitOutcome.MET] * 8 + [VisitOutcome.NOBODY_HOME, VisitOutcome.VACANT]
    for h in households:
        for back in (2, 1, 0):
            if rng.random() < 0.5:
                visits.append(
                    Visit(
                        household=h,
                        outcome=rng.choice(outcomes),
                        visited_at=now - timedelta(days=back, minutes=rng.randint(0, 300)),
                    )
                )
    Visit.objects.bulk_create(visits, batch_size=2000)
