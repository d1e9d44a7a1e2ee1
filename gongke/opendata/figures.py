"""What open data publishes: aggregate figures per organization, township and day, read from
each domain app's ledgers and reports in one grouped query per dataset.

Rules every dataset keeps (tests/test_opendata.py holds them):
- Only aggregates: no person's name, ID or phone number, no free text; an organization appears by
  its name and unified social credit code, a campaign by its name only when its honor list is
  public (公示 is public by nature).
- A count of people (donors, people on site, passages) from 1 to 4 is suppressed: null in JSON
  with the column named in the row's `suppressed`, "<5" in CSV.
- A version is a day: it holds every complete day up to the day before its "as of" time
  (midnight, Beijing time), so a version never changes once published and is computed once,
  whatever the number of workers (views.py caches it in Django's shared cache).
- "Organization" is the published organization's direct child the record falls under (a chamber
  of a federation, an enterprise of a chamber), or the organization itself.
- Administrative codes: GB/T 2260 province, city and county (six digits), the statistics bureau's
  township code (nine digits), from the township's own code or, failing that, the township of the
  same name under the publication's county in the division table (`gongke load_divisions`).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongke.community.models import Decision, Passage
from gongke.donations.models import Campaign, Entry, EntryKind, Nature
from gongke.registry.models import Organization, Township
from gongke.resumption.models import DailyReport
from gongke.supplies.models import Kind, Movement
from gongke.volunteers.models import Division, DivisionLevel

from .models import Publication

SUPPRESS_BELOW = 5
SUPPRESSED_TEXT = "<5"


@dataclass(frozen=True)
class Column:
    name: str
    hxl: str
    people: bool = False  # a count of people: suppressed below SUPPRESS_BELOW


PLACE_COLUMNS = [
    Column("organization", "#org"),
    Column("organization_code", "#org+code"),
    Column("sector", "#sector"),
    Column("province_code", "#adm1+code"),
    Column("city_code", "#adm2+code"),
    Column("county_code", "#adm3+code"),
    Column("county", "#adm3+name"),
    Column("township_code", "#adm4+code"),
    Column("township", "#adm4+name"),
    Column("date", "#date"),
]


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Any
    description: Any
    columns: list[Column]
    rows: Callable[["Context"], list[dict[str, Any]]] = field(repr=False)

    @property
    def all_columns(self) -> list[Column]:
        return [*PLACE_COLUMNS, *self.columns]


@dataclass
class Context:
    """One computation: the organization, the version's bounds, the key of each row's unit."""

    publication: Publication
    as_of: dt.datetime  # aware, midnight in Beijing: every day before it is complete

    @property
    def root(self) -> Organization:
        return self.publication.organization

    @property
    def until(self) -> dt.date:
        """The first day not included."""
        return self.as_of.date()

    def unit(self, path_lookup: str) -> Substr:
        """The path of the root's child above the record (or the root's own path)."""
        return Substr(path_lookup, 1, len(self.root.path) + 5)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def as_of(now: dt.datetime | None = None) -> dt.datetime:
    """The current version's cut: today's midnight in Beijing."""
    local = timezone.localtime(now or timezone.now(), local_tz())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def version_of(cut: dt.datetime) -> str:
    """A version is named by the last day it holds."""
    return (cut.date() - dt.timedelta(days=1)).isoformat()


# --- The datasets --------------------------------------------------------------------------


def _donations(ctx: Context) -> list[dict[str, Any]]:
    live = Q(reverses__isnull=True, reversed_by__isnull=True)
    rows = list(
        Entry.objects.filter(
            kind=EntryKind.RECEIPT,
            organization__path__startswith=ctx.root.path,
            occurred_on__lt=ctx.until,
        )
        .values(
            org_path=ctx.unit("organization__path"),
            township_id=F("gift__township_id"),
            day=F("occurred_on"),
            campaign_id=F("gift__campaign_id"),
        )
        .annotate(
            money=Sum("amount", filter=Q(gift__nature=Nature.MONEY)),
            goods=Sum("amount", filter=Q(gift__nature=Nature.GOODS)),
            gifts=Count("gift", distinct=True, filter=live),
            donors=Count("gift__donor", distinct=True, filter=live),
        )
        .order_by()
    )
    public = dict(
        Campaign.objects.filter(
            pk__in={r["campaign_id"] for r in rows if r["campaign_id"]}, is_public=True
        ).values_list("pk", "name")
    )
    out = []
    for r in rows:
        money, goods = r["money"] or Decimal(0), r["goods"] or Decimal(0)
        if not money and not goods:
            continue  # received and fully reversed
        out.append(
            {
                **r,
                "campaign": public.get(r["campaign_id"], ""),
                "money_yuan": money,
                "goods_yuan": goods,
            }
        )
    return out


def _supplies(ctx: Context) -> list[dict[str, Any]]:
    rows = (
        Movement.objects.filter(
            warehouse__organization__path__startswith=ctx.root.path,
            occurred_at__lt=ctx.as_of,
            kind__in=[Kind.RECEIVE, Kind.ISSUE],
        )
        .values(
            org_path=ctx.unit("warehouse__organization__path"),
            township_id=F("warehouse__township_id"),
            day=TruncDate("occurred_at", tzinfo=local_tz()),
            category=F("item__category"),
            base_unit=F("item__base_unit"),
        )
        .annotate(
            received=Sum("quantity", filter=Q(kind=Kind.RECEIVE)),
            issued=Sum("quantity", filter=Q(kind=Kind.ISSUE)),
        )
        .order_by()
    )
    out = []
    for r in rows:
        received, handed_out = r["received"] or 0, -(r["issued"] or 0)
        if received or handed_out:
            out.append(
                {**r, "unit": r["base_unit"], "received": received, "handed_out": handed_out}
            )
    return out


def _resumption(ctx: Context) -> list[dict[str, Any]]:
    return list(
        DailyReport.objects.filter(enterprise__path__startswith=ctx.root.path, day__lt=ctx.until)
        .values(
            org_path=ctx.unit("enterprise__path"),
            township_id=F("enterprise__township_id"),
        )
        .values("org_path", "township_id", "day")
        .annotate(
            enterprises_reporting=Count("pk"),
            enterprises_back=Count("pk", filter=Q(staff_on_site__gt=0)),
            people_on_site=Sum("staff_on_site"),
            vehicles=Sum("vehicles"),
        )
        .order_by()
    )


def _duty(ctx: Context) -> list[dict[str, Any]]:
    # One query a day, each a range of the occurred_at index: grouping a month of passages by
    # their Beijing day in one query computes the day per row (on SQLite in a Python function),
    # four times slower over a county's passages.
    # Passages are purged after PASSAGE_RETENTION_DAYS: only days still whole are published.
    out = []
    for back in range(1, max(2, settings.PASSAGE_RETENTION_DAYS)):
        start = ctx.as_of - dt.timedelta(days=back)
        rows = (
            Passage.objects.filter(
                post__organization__path__startswith=ctx.root.path,
                occurred_at__gte=start,
                occurred_at__lt=start + dt.timedelta(days=1),
            )
            .values(
                org_path=ctx.unit("post__organization__path"),
                township_id=F("post__township_id"),
            )
            .annotate(
                passages=Count("pk"),
                turned_away=Count(
                    "pk", filter=Q(decision__in=[Decision.REFUSED, Decision.TURNED_BACK])
                ),
                posts_staffed=Count("post", distinct=True),
            )
            .order_by()
        )
        out += [{**r, "day": start.date()} for r in rows]
    return out


DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in [
        Dataset(
            "donations",
            _("Donations received"),
            _(
                "Money and goods (declared value) received per day; transfers are not counted again."
            ),
            [
                Column("campaign", "#activity+name"),
                Column("money_yuan", "#value+received+money"),
                Column("goods_yuan", "#value+received+goods"),
                Column("gifts", "#indicator+gifts+num"),
                Column("donors", "#affected+donors+num", people=True),
            ],
            _donations,
        ),
        Dataset(
            "supplies",
            _("Prevention supplies"),
            _("Quantities received into and handed out of the warehouses, per item category."),
            [
                Column("category", "#item+type"),
                Column("unit", "#item+unit"),
                Column("received", "#indicator+received+num"),
                Column("handed_out", "#indicator+distributed+num"),
            ],
            _supplies,
        ),
        Dataset(
            "resumption",
            _("Work resumption"),
            _(
                "Daily reports of member enterprises: enterprises back at work, people and vehicles."
            ),
            [
                Column("enterprises_reporting", "#indicator+reporting+num"),
                Column("enterprises_back", "#indicator+reopened+num"),
                Column("people_on_site", "#affected+on_site+num", people=True),
                Column("vehicles", "#indicator+vehicles+num"),
            ],
            _resumption,
        ),
        Dataset(
            "duty",
            _("Community and village duty"),
            _(
                "Passages registered at duty posts, those turned away, and posts that registered "
                "passages; the last weeks only, as passages are kept for a limited time."
            ),
            [
                Column("passages", "#affected+passages+num", people=True),
                Column("turned_away", "#affected+turned_away+num", people=True),
                Column("posts_staffed", "#indicator+posts+num"),
            ],
            _duty,
        ),
    ]
}


# --- Places and organizations of the rows --------------------------------------------------


def _padded(code: str) -> str:
    return code.ljust(6, "0")


def _townships(pub: Publication, ids: set[int]) -> dict[int, tuple[str, str]]:
    """township id -> (statistics code or "", name)."""
    towns = list(Township.objects.filter(pk__in=ids).values_list("pk", "name", "code"))
    known = (
        {
            name: code
            for name, code in Division.objects.filter(
                level=DivisionLevel.TOWNSHIP,
                parent_id=pub.county_code,
                name__in=[name for _pk, name, code in towns if not code.isdigit()],
            ).values_list("name", "code")
        }
        if pub.county_code
        else {}
    )
    return {
        pk: (code if code.isdigit() and len(code) >= 9 else known.get(name, ""), name)
        for pk, name, code in towns
    }


def _county_names(codes: set[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def rows(dataset: Dataset, ctx: Context) -> list[dict[str, Any]]:
    """The dataset's rows, each with every column of dataset.all_columns and `suppressed`."""
    raw = dataset.rows(ctx)
    root = ctx.root
    units = {
        path: (name, code)
        for path, name, code in Organization.objects.filter(
            Q(pk=root.pk) | Q(parent=root)
        ).values_list("path", "name", "credit_code")
    }
    towns = _townships(ctx.publication, {r["township_id"] for r in raw if r["township_id"]})
    counties = {code[:6] for code, _n in towns.values() if code} | {ctx.publication.county_code} - {
        ""
    }
    county_names = _county_names(counties)
    out = []
    for r in raw:
        name, credit_code = units.get(r["org_path"], (root.name, root.credit_code))
        town_code, town_name = towns.get(r["township_id"], ("", ""))
        county = town_code[:6] or ctx.publication.county_code
        row: dict[str, Any] = {
            "organization": name,
            "organization_code": credit_code,
            "sector": dataset.slug,
            "province_code": _padded(county[:2]) if county else "",
            "city_code": _padded(county[:4]) if county else "",
            "county_code": county,
            "county": county_names.get(county, ""),
            "township_code": town_code,
            "township": town_name,
            "date": r["day"].isoformat(),
        }
        suppressed = []
        for c in dataset.columns:
            value: Any = r.get(c.name)
            if c.people and isinstance(value, int) and 0 < value < SUPPRESS_BELOW:
                value = None
                suppressed.append(c.name)
            elif isinstance(value, Decimal):
                value = str(value.quantize(Decimal("0.01")))
            row[c.name] = value
        row["suppressed"] = suppressed
        out.append(row)
    out.sort(
        key=lambda r: (
            r["date"],
            r["organization"],
            r["township"],
            str(r.get(dataset.columns[0].name)),
        )
    )
    return out
