"""Demo data for work resumption: deadlines, applications in every state, two weeks of daily
reports for most members, temperatures with a few fevers, and rent relief by landlord members.
Bulk-written (auditlog is off during the demo) and driven by the county's seeded rng."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .models import (
    LOCAL,
    Application,
    ApplicationEvent,
    Category,
    DailyReport,
    FeverCase,
    FeverNote,
    Lease,
    ReliefProgramme,
    ReportingSettings,
    ReviewAction,
    Slot,
    StaffTemperature,
    Status,
    local_today,
)

DAYS = 14
CATEGORIES = [
    Category.INDUSTRY,
    Category.COMMERCE,
    Category.SMALL,
    Category.SUPPLY,
    Category.KEY_PROJECT,
]


def load(county: Any) -> None:
    rng = county.rng
    today = local_today()
    now = timezone.now()
    ReportingSettings.objects.bulk_create(
        [
            ReportingSettings(
                association=c, deadline=dt.time(9, 30) if i % 4 == 0 else dt.time(10, 0)
            )
            for i, c in enumerate(county.chambers)
        ]
    )
    deadlines = {
        c.pk: dt.time(9, 30) if i % 4 == 0 else dt.time(10, 0)
        for i, c in enumerate(county.chambers)
    }
    reporter = county.users.get("reporter")
    staff_user = county.users.get("staff")

    applications: list[Application] = []
    for org in county.enterprises:
        if rng.random() < 0.12:
            continue
        roll = rng.random()
        status = (
            Status.APPROVED
            if roll < 0.72
            else Status.SUBMITTED
            if roll < 0.86
            else Status.RETURNED
            if roll < 0.93
            else Status.DRAFT
        )
        total = org.staff_count or 20
        planned = max(1, int(total * rng.choice([0.5, 0.6, 0.7, 0.8, 1.0])))
        submitted = now - dt.timedelta(days=rng.randint(DAYS, DAYS + 7))
        applications.append(
            Application(
                enterprise=org,
                category=rng.choice(CATEGORIES),
                batch=rng.choice([1, 1, 2, 3]),
                planned_date=today - dt.timedelta(days=rng.randint(DAYS - 3, DAYS + 2)),
                staff_total=total,
                staff_planned=planned,
                responsible_person=org.legal_representative,
                masks_in_stock=planned * 2 * rng.choice([16, 20, 30, 45]),
                disinfectant_litres=(
                    Decimal(planned) * Decimal("0.02") * rng.choice([16, 20, 30])
                ).quantize(Decimal("0.01")),
                temperature_twice_daily=True,
                distancing=True,
                disinfection=True,
                vehicle_rules=True,
                status=status,
                submitted_at=None if status == Status.DRAFT else submitted,
                decided_at=submitted + dt.timedelta(hours=20)
                if status in (Status.APPROVED, Status.RETURNED)
                else None,
            )
        )
    applications = Application.objects.bulk_create(applications, batch_size=500)
    events: list[ApplicationEvent] = []
    for a in applications:
        if a.status == Status.DRAFT:
            continue
        events.append(ApplicationEvent(application=a, action=ReviewAction.SUBMITTED, by=reporter))
        if a.status == Status.APPROVED:
            events.append(
                ApplicationEvent(application=a, action=ReviewAction.APPROVED, by=staff_user)
            )
        elif a.status == Status.RETURNED:
            events.append(
                ApplicationEvent(
                    application=a,
                    action=ReviewAction.RETURNED,
                    by=staff_user,
                    comment=rng.choice(
                        [
                            "请补充车辆消毒台账",
                            "口罩储备测算有误，请核实",
                            "请明确防控第一责任人电话",
                        ]
                    ),
                )
            )
    ApplicationEvent.objects.bulk_create(events, batch_size=1000)

    reports: list[DailyReport] = []
    for a in applications:
        if a.status != Status.APPROVED:
            continue
        org = a.enterprise
        deadline = deadlines.get(org.parent_id, dt.time(10, 0))
        vehicles = rng.choice([0, 0, 1, 2, 4, 10]) if org.industry != "L" else rng.randint(20, 80)
        for back in range(DAYS, -1, -1):
            day = today - dt.timedelta(days=back)
            if rng.random() < (0.55 if back == 0 else 0.93):
                share = min(1.0, 0.35 + 0.05 * (DAYS - back) + rng.random() * 0.1)
                staff = max(1, int(a.staff_planned * share))
                minutes = rng.choice([-150, -90, -60, -30, -10, 5, 40]) if back else -60
                at = dt.datetime.combine(day, deadline, tzinfo=LOCAL) + dt.timedelta(
                    minutes=minutes
                )
                reports.append(
                    DailyReport(
                        enterprise=org,
                        day=day,
                        staff_on_site=staff,
                        staff_returned=int(staff * rng.choice([0.1, 0.2, 0.3])),
                        staff_isolated=rng.choice([0, 0, 0, 1, 2]),
                        vehicles=vehicles,
                        fevers=1 if rng.random() < 0.004 else 0,
                        masks=max(0, a.masks_in_stock - staff * 2 * (DAYS - back)),
                        disinfectant_litres=a.disinfectant_litres,
                        carried_forward=rng.random() < 0.2,
                        late=minutes > 0,
                        submitted_at=at,
                        submitted_by=reporter if org.pk == county.enterprises[0].pk else None,
                    )
                )
    DailyReport.objects.bulk_create(reports, batch_size=2000)

    readings: list[StaffTemperature] = []
    sample = rng.sample(county.enterprises, 12)
    for org in [county.enterprises[0], *sample]:
        names = sorted(
            {
                f"{rng.choice('王李张刘陈杨黄赵吴周')}{rng.choice('伟芳娜敏静丽强磊军洋')}"
                for _ in range(8)
            }
        )
        for back in range(3):
            for slot in (Slot.AM, Slot.PM):
                for name in names:
                    t = Decimal(str(round(rng.uniform(36.0, 36.9), 1)))
                    if rng.random() < 0.01:
                        t = Decimal(str(round(rng.uniform(37.3, 38.6), 1)))
                    readings.append(
                        StaffTemperature(
                            enterprise=org,
                            person_name=name,
                            day=today - dt.timedelta(days=back),
                            slot=slot,
                            temperature=t,
                        )
                    )
    readings = StaffTemperature.objects.bulk_create(readings, batch_size=1000)
    fevers = [
        FeverCase(
            enterprise=r.enterprise,
            reading=r,
            person_name=r.person_name,
            temperature=r.temperature,
            day=r.day,
        )
        for r in readings
        if r.temperature >= Decimal("37.3")
    ]
    if not fevers:
        r = readings[0]
        r.temperature = Decimal("37.8")
        r.save(update_fields=["temperature"])
        fevers = [
            FeverCase(
                enterprise=r.enterprise,
                reading=r,
                person_name=r.person_name,
                temperature=r.temperature,
                day=r.day,
            )
        ]
    fevers = FeverCase.objects.bulk_create(fevers)
    closed = fevers[: len(fevers) // 2]
    for case in closed:
        case.closed_at = now
        case.outcome = "复测体温正常，解除观察"
    FeverCase.objects.bulk_update(closed, ["closed_at", "outcome"])
    FeverNote.objects.bulk_create(
        [FeverNote(case=c, text="已安排至县人民医院发热门诊就诊") for c in fevers]
        + [FeverNote(case=c, text="复测体温正常，解除观察") for c in closed]
    )

    landlords = [o for o in county.enterprises if o.industry == "K"][:2] or county.enterprises[:2]
    start = today - dt.timedelta(days=DAYS)
    for i, landlord in enumerate(landlords):
        programme = ReliefProgramme.objects.create(
            landlord=landlord,
            name=f"{landlord.name}{'孵化园' if i == 0 else '产业园'}租金减免",
            rent_percentages=[100, 50] if i == 0 else [100, 100, 50],
            fee_percentages=[100] if i == 0 else [50, 50],
            starts_on=start,
        )
        tenants = rng.sample(county.enterprises, 6)
        Lease.objects.bulk_create(
            [
                Lease(
                    programme=programme,
                    tenant=t,
                    tenant_name=t.name,
                    premises=f"{j + 1}号楼{rng.randint(101, 520)}室",
                    monthly_rent=Decimal(rng.choice([1800, 2500, 3200, 4500, 6800])),
                    monthly_fee=Decimal(rng.choice([150, 240, 380])),
                    starts_on=start - dt.timedelta(days=rng.randint(60, 700)),
                )
                for j, t in enumerate(tenants)
            ]
        )
