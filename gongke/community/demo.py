"""Demo data for 包保小区: spots, shifts for the next days, three days of passages, a few fevers."""

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .models import Alert, Assignment, DisinfectionLog, Outing, Passage, PublicityItem, Shift, Spot

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
AGENTS = ["84消毒液", "75%酒精", "含氯消毒剂", "过氧乙酸"]
REASONS = ["外来人员，劝返", "非本小区居民", "外地返乡，劝其居家隔离"]


def load(county: Any) -> None:  # gongke.ops.demo.DemoCounty: ops sits above the apps
    rng = county.rng
    guard_area = county.areas[1].pk if len(county.areas) > 1 else None
    posts = [p for p in county.posts if p.parent_id == guard_area] + county.posts[:20]
    posts = list({p.pk: p for p in posts}.values())
    areas = {p.parent_id for p in posts if p.parent_id}
    guard = county.users.get("guard")
    now = timezone.now()
    today = timezone.localdate()

    spots = []
    for area in (a for a in county.areas if a.pk in areas):
        for b in range(1, rng.randint(3, 6)):
            spots.append(
                Spot(
                    place=area, name=f"{b}号楼楼道", kind="stairwell", interval=timedelta(hours=12)
                )
            )
        spots.append(Spot(place=area, name="垃圾集中点", kind="bin", interval=timedelta(hours=8)))
    spots += [Spot(place=p, name=p.name, kind="post", interval=timedelta(hours=4)) for p in posts]
    for spot in spots:
        if rng.random() < 0.8:
            spot.last_done_at = now - timedelta(hours=rng.uniform(0, 14))
            spot.due_at = spot.last_done_at + spot.interval
    spots = Spot.objects.bulk_create(spots)
    DisinfectionLog.objects.bulk_create(
        DisinfectionLog(
            spot=s,
            done_at=s.last_done_at,
            done_by=rng.choice(SURNAMES) + rng.choice(GIVEN),
            agent=rng.choice(AGENTS),
        )
        for s in spots
        if s.last_done_at
    )
    PublicityItem.objects.bulk_create(
        PublicityItem(
            place_id=a,
            kind=k,
            description=d,
            quantity=q,
            done_at=now if rng.random() < 0.7 else None,
        )
        for a in areas
        for k, d, q in [
            ("banner", "大门口防疫横幅", 2),
            ("poster", "楼道张贴防疫海报", 10),
            ("bulletin", "公告栏防疫通告", 1),
            ("mask_bin", "废弃口罩专用垃圾桶", 2),
        ]
    )

    shifts = []
    start = timezone.make_aware(datetime.combine(today, time.min))
    for p in posts:
        for n in range(9):  # three 8-hour shifts a day, today and the next two days
            if rng.random() < 0.1:
                continue  # an uncovered stretch for the roster to show
            s0 = start + timedelta(hours=8 * n)
            shifts.append(Shift(post=p, starts_at=s0, ends_at=s0 + timedelta(hours=8)))
    shifts = Shift.objects.bulk_create(shifts)
    people = list(county.enterprises[0].people.all()[:20]) if county.enterprises else []
    assignments = []
    for s in shifts:
        if people and rng.random() < 0.95:
            assignments.append(
                Assignment(
                    shift=s,
                    person=rng.choice(people),
                    signed_in_at=s.starts_at if s.starts_at < now else None,
                )
            )
        elif guard is not None:
            assignments.append(Assignment(shift=s, user=guard))
    Assignment.objects.bulk_create(assignments)

    passages = []
    for p in posts:
        for day_back in range(3):
            day_start = start - timedelta(days=day_back)
            for _ in range(rng.randint(80, 160)):
                hour = rng.choice([7, 7, 8, 8, 9, 11, 12, 17, 17, 18, 18, 19, 10, 14, 15, 20, 21])
                when = day_start + timedelta(
                    hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
                )
                if when > now:
                    continue
                subject = rng.choices(["resident", "outsider", "vehicle"], [85, 8, 7])[0]
                decision = (
                    "pass"
                    if subject != "outsider"
                    else rng.choice(["refused", "turned_back", "pass"])
                )
                t = Decimal(str(round(rng.gauss(36.5, 0.3), 1)))
                if rng.random() < 0.003:
                    t = Decimal("37.8")
                t = min(max(t, Decimal("35.5")), Decimal("39.0"))
                fever_reason = ""
                if t >= Decimal("37.3") and decision == "pass":
                    # As the console requires: a fever coming in is decided, never passed silently.
                    decision, fever_reason = "fever_clinic", "体温异常，送发热门诊"
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                plate = f"赣A{rng.randint(10000, 99999)}" if subject == "vehicle" else ""
                passages.append(
                    Passage(
                        client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        post=p,
                        direction=rng.choice(["in", "out"]),
                        subject=subject,
                        name="" if plate else name,
                        plate=plate,
                        driver=name if plate else "",
                        temperature=t,
                        decision=decision,
                        reason=fever_reason or (rng.choice(REASONS) if decision != "pass" else ""),
                        occurred_at=when,
                        subject_key=("v" + plate) if plate else "n" + name,
                        source=rng.choice(["console", "self"]),
                    )
                )
    passages = Passage.objects.bulk_create(passages, batch_size=2000)
    Alert.objects.bulk_create(
        Alert(
            organization_id=p.post.organization_id,
            post=p.post,
            passage=p,
            label=p.label,
            temperature=p.temperature,
            occurred_at=p.occurred_at,
            notified_at=p.occurred_at,
        )
        for p in passages
        if p.temperature is not None and p.temperature >= Decimal("37.3")
    )
    outs = [
        p
        for p in passages
        if p.direction == "out"
        and p.decision == "pass"
        and p.occurred_at > now - timedelta(hours=10)
    ]
    Outing.objects.bulk_create(
        (
            Outing(
                place_id=p.post.parent_id or 0,
                subject_key=p.subject_key,
                subject=p.subject,
                label=p.label,
                left_at=p.occurred_at,
            )
            for p in outs[: len(outs) // 2]
        ),
        ignore_conflicts=True,
    )
