"""The field-operations roll-up: "X 亩 in Y cities and Z counties by N pilots with M drones".

Invariant: an operation is counted once, in the subtree of the organization that ran it; its
area once however many drones and pilots took part (the crew is counted apart, each drone and
each pilot once however many operations they flew). Three queries whatever the number of rows.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from gongke.registry.models import Organization

from .models import SQM_PER_MU, Division, Operation


@dataclass
class Rollup:
    operations: int = 0
    area_mu: Decimal = Decimal("0")
    cities: int = 0
    counties: int = 0
    pilots: int = 0
    drones: int = 0
    by_county: list[dict] = field(default_factory=list)

    @property
    def area_sqm(self) -> Decimal:
        return (self.area_mu * SQM_PER_MU).quantize(Decimal("1"))


def operations_in(
    root: Organization, since: date | None = None, until: date | None = None
) -> QuerySet[Operation]:
    qs = Operation.objects.filter(organization__path__startswith=root.path)
    if since:
        qs = qs.filter(day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    return qs


def rollup(
    root: Organization,
    since: date | None = None,
    until: date | None = None,
    *,
    counties: bool = False,
) -> Rollup:
    ops = operations_in(root, since, until)
    totals = ops.aggregate(
        operations=Count("pk"),
        area_mu=Sum("area_mu"),
        cities=Count("city_code", distinct=True),
        counties=Count("county_code", distinct=True, filter=~Q(county_code="")),
    )
    ids = ops.values("pk")
    crew = Operation.pilots.through.objects.filter(operation_id__in=ids).aggregate(
        n=Count("resource_id", distinct=True)
    )
    fleet = Operation.drones.through.objects.filter(operation_id__in=ids).aggregate(
        n=Count("resource_id", distinct=True)
    )
    r = Rollup(
        operations=totals["operations"],
        area_mu=Decimal(totals["area_mu"] or 0).quantize(Decimal("0.01")),
        cities=totals["cities"],
        counties=totals["counties"],
        pilots=crew["n"],
        drones=fleet["n"],
    )
    if counties:
        rows = list(
            ops.exclude(county_code="")
            .values("county_code")
            .annotate(area=Sum("area_mu"), n=Count("pk"))
            .order_by("county_code")
        )
        names = dict(
            Division.objects.filter(code__in=[x["county_code"] for x in rows]).values_list(
                "code", "name"
            )
        )
        r.by_county = [
            {
                "code": x["county_code"],
                "name": names.get(x["county_code"], x["county_code"]),
                "area_mu": Decimal(x["area"]).quantize(Decimal("0.01")),
                "operations": x["n"],
            }
            for x in rows
        ]
    return r
