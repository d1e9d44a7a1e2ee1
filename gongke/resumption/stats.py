"""Read-only figures for the dashboards: a fixed, small number of aggregate queries whatever the
number of members or days (query-count tests hold this)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from gongke.registry.models import Industry, Organization

from .models import (
    MASKS_PER_PERSON_DAY,
    MIN_COVER_DAYS,
    Application,
    DailyReport,
    FeverCase,
    Status,
    local_today,
)
from .services import (
    HISTORY_CACHE_SECONDS,
    expected_enterprises,
    expected_q,
    history_generation,
    member_enterprises,
)


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def overview(org: Organization, day: dt.date) -> dict[str, Any]:
    expected = expected_enterprises(org, day)
    n_members = expected.count()
    # Only the reports of members expected that day count towards completeness.
    reports = (
        DailyReport.objects.in_subtree(org).filter(day=day).filter(expected_q(day, "enterprise__"))
    )
    # Staff back as a share of the plan: on-site staff of the enterprises with an approved
    # plan that reported, over the staff those same plans bring back.
    approved = Application.objects.filter(status=Status.APPROVED)
    back = reports.filter(Exists(approved.filter(enterprise=OuterRef("enterprise")))).aggregate(
        staff=Sum("staff_on_site")
    )
    back["planned"] = approved.filter(enterprise__in=reports.values("enterprise_id")).aggregate(
        n=Sum("staff_planned")
    )["n"]
    today = reports.aggregate(
        reported=Count("pk"),
        late=Count("pk", filter=Q(late=True)),
        staff=Sum("staff_on_site"),
        returned=Sum("staff_returned"),
        isolated=Sum("staff_isolated"),
        vehicles=Sum("vehicles"),
        fevers=Sum("fevers"),
        mask_stock=Sum("masks"),
        short=Count(
            "pk",
            filter=Q(
                staff_on_site__gt=0,
                masks__lt=F("staff_on_site") * MASKS_PER_PERSON_DAY * MIN_COVER_DAYS,
            ),
        ),
    )
    apps = Application.objects.filter(enterprise__path__startswith=org.path).aggregate(
        approved=Count("enterprise", distinct=True, filter=Q(status=Status.APPROVED)),
        pending=Count("pk", filter=Q(status=Status.SUBMITTED)),
        planned=Sum("staff_planned", filter=Q(status=Status.APPROVED)),
    )
    open_fevers = FeverCase.objects.filter(
        enterprise__path__startswith=org.path, closed_at__isnull=True
    ).count()
    staff = today["staff"] or 0
    masks = today["mask_stock"] or 0
    cover = (
        (Decimal(masks) / (staff * MASKS_PER_PERSON_DAY)).quantize(Decimal("0.1"))
        if staff
        else None
    )
    return {
        "members": n_members,
        "reported": today["reported"],
        "missing": n_members - today["reported"],
        "late": today["late"],
        "completeness": _pct(today["reported"], n_members),
        "timeliness": _pct(today["reported"] - today["late"], n_members),
        "staff": staff,
        "returned": today["returned"] or 0,
        "isolated": today["isolated"] or 0,
        "vehicles": today["vehicles"] or 0,
        "fevers": today["fevers"] or 0,
        "open_fevers": open_fevers,
        "short_of_masks": today["short"],
        "mask_cover_days": cover,
        "approved": apps["approved"],
        "pending": apps["pending"],
        "planned": apps["planned"] or 0,
        "staff_back_pct": _pct(back["staff"] or 0, back["planned"] or 0),
        "staff_back": back["staff"] or 0,
        "planned_reporting": back["planned"] or 0,
    }


def panel(org: Organization, day: dt.date) -> dict[str, Any]:
    """The home panel's few figures in one query: the home page stays cheap."""
    reported = DailyReport.objects.filter(enterprise=OuterRef("pk"), day=day)
    fevers = FeverCase.objects.filter(enterprise=OuterRef("pk"), closed_at__isnull=True)
    expected = expected_q(day)
    figures = member_enterprises(org).aggregate(
        members=Count("pk", filter=expected),
        reported=Count("pk", filter=expected & Q(Exists(reported))),
        fevers=Count("pk", filter=Exists(fevers)),
    )
    figures["missing"] = figures["members"] - figures["reported"]
    return figures


def breakdown(org: Organization, day: dt.date, by: str) -> list[dict[str, Any]]:
    """Resumption by industry or township: members, approved to reopen, reported, staff on site."""
    key = {"industry": "industry", "township": "township__name"}[by]
    rows: dict[Any, dict[str, Any]] = {}
    for r in member_enterprises(org).values(key).annotate(n=Count("pk")).order_by():
        rows[r[key]] = {
            "key": r[key],
            "members": r["n"],
            "approved": 0,
            "reported": 0,
            "staff": 0,
            "planned": 0,
        }
    approved = (
        Application.objects.filter(enterprise__path__startswith=org.path, status=Status.APPROVED)
        .values(f"enterprise__{key}")
        .annotate(n=Count("enterprise", distinct=True), planned=Sum("staff_planned"))
        .order_by()
    )
    for r in approved:
        if r[f"enterprise__{key}"] in rows:
            rows[r[f"enterprise__{key}"]].update(approved=r["n"], planned=r["planned"] or 0)
    reported = (
        DailyReport.objects.in_subtree(org)
        .filter(day=day)
        .values(f"enterprise__{key}")
        .annotate(n=Count("pk"), staff=Sum("staff_on_site"))
        .order_by()
    )
    for r in reported:
        if r[f"enterprise__{key}"] in rows:
            rows[r[f"enterprise__{key}"]].update(reported=r["n"], staff=r["staff"] or 0)
    labels = dict(Industry.choices)
    out = []
    for row in rows.values():
        if by == "industry":
            row["label"] = (
                str(labels.get(row["key"], _("Not given"))) if row["key"] else _("Not given")
            )
        else:
            row["label"] = row["key"] or _("Not given")
        row["rate"] = _pct(row["approved"], row["members"])
        out.append(row)
    return sorted(out, key=lambda r: -r["members"])


def _trend_rows(org: Organization, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = (
        DailyReport.objects.in_subtree(org)
        .filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(
            reported=Count("pk"),
            late=Count("pk", filter=Q(late=True)),
            staff=Sum("staff_on_site"),
            returned=Sum("staff_returned"),
            isolated=Sum("staff_isolated"),
            vehicles=Sum("vehicles"),
            fevers=Sum("fevers"),
            masks=Sum("masks"),
        )
        .order_by("day")
    )
    return list(rows)


@dataclass(frozen=True)
class Period:
    """The days a dashboard looks at: the last 7, 30 or 60 days up to a day, or any range."""

    start: dt.date
    end: dt.date
    days: int | None = None  # set for "the last n days"

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        span = f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"
        if self.days:
            return _("Last %(n)d days (%(span)s)") % {"n": self.days, "span": span}
        return _("%(n)d days (%(span)s)") % {"n": self.length, "span": span}

    def each_day(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.length)]


TREND_CHOICES = (7, 30, 60)
MAX_PERIOD_DAYS = 366


def period_asked(params: Any, day: dt.date) -> Period:
    """?days=7|30|60 (default 30) ending on `day`, or ?start=…&end=… for any range of up to a
    year; anything else falls back to the default."""
    try:
        start = dt.date.fromisoformat(params.get("start", ""))
        end = dt.date.fromisoformat(params.get("end", "") or day.isoformat())
    except ValueError:
        start = end = None  # type: ignore[assignment]
    if start and end and start <= end and (end - start).days < MAX_PERIOD_DAYS:
        return Period(start, end)
    try:
        days = int(params.get("days", ""))
    except ValueError:
        days = 0
    if days not in TREND_CHOICES:
        days = 30
    return Period(day - dt.timedelta(days=days - 1), day, days)


def expected_by_association(org: Organization) -> list[dict[str, Any]]:
    """Each association's number of active members and its reporting period: one query."""
    return list(
        member_enterprises(org)
        .values(
            "parent_id",
            "parent__name",
            "parent__reporting_settings__period_start",
            "parent__reporting_settings__period_end",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )


def _in_period(row: dict[str, Any], day: dt.date) -> bool:
    first = row["parent__reporting_settings__period_start"]
    last = row["parent__reporting_settings__period_end"]
    return (first is None or first <= day) and (last is None or day <= last)


def trend(org: Organization, period: Period) -> list[dict[str, Any]]:
    """Daily sums for every day of the period: a day nobody reported on is a day of zeros (a
    0 % point, not a gap), and each day says how many members were expected to report then.
    Days before today hardly change once their deadline has passed, so their sums are cached
    for a few minutes (and dropped at once when a report for a past day is saved); today's are
    always live, and marked as a partial day."""
    today = local_today()
    start, day = period.start, period.end
    if day < today:
        found = _trend_rows(org, start, day)
    else:
        key = f"resumption:trend:{history_generation()}:{org.pk}:{start}:{today}"
        past = cache.get(key)
        if past is None:
            past = _trend_rows(org, start, today - dt.timedelta(days=1))
            cache.set(key, past, HISTORY_CACHE_SECONDS)
        found = past + _trend_rows(org, today, today)
    by_day = {r["day"]: r for r in found}
    groups = expected_by_association(org)
    out = []
    for d in period.each_day():
        row = dict(by_day.get(d) or {"day": d, **dict.fromkeys(EMPTY_DAY, 0)})
        row["expected"] = sum(g["n"] for g in groups if _in_period(g, d))
        row["partial"] = d == today
        out.append(row)
    return out


EMPTY_DAY = ("reported", "late", "staff", "returned", "isolated", "vehicles", "fevers", "masks")


def per_association(org: Organization, period: Period) -> list[dict[str, Any]]:
    """Timeliness and completeness per association over the period, each counted only over the
    days of the period that fall in the association's own reporting period."""
    groups: dict[Any, dict[str, Any]] = {}
    for g in expected_by_association(org):
        days = sum(1 for d in period.each_day() if _in_period(g, d))
        entry = groups.setdefault(
            g["parent_id"], {"name": g["parent__name"], "members": 0, "expected": 0}
        )
        entry["members"] += g["n"]
        entry["expected"] += g["n"] * days
    reports = {
        r["enterprise__parent_id"]: r
        for r in DailyReport.objects.in_subtree(org)
        .filter(day__gte=period.start, day__lte=period.end)
        .filter(
            # Reports on days in the association's own period (no settings: every day).
            (
                Q(enterprise__parent__reporting_settings__period_start__isnull=True)
                | Q(enterprise__parent__reporting_settings__period_start__lte=F("day"))
            )
            & (
                Q(enterprise__parent__reporting_settings__period_end__isnull=True)
                | Q(enterprise__parent__reporting_settings__period_end__gte=F("day"))
            )
        )
        .values("enterprise__parent_id")
        .annotate(reported=Count("pk"), late=Count("pk", filter=Q(late=True)))
        .order_by()
    }
    out = []
    for pk, m in groups.items():
        r = reports.get(pk, {"reported": 0, "late": 0})
        out.append(
            {
                "id": pk,
                "name": m["name"],
                "members": m["members"],
                "expected": m["expected"],
                "reported": r["reported"],
                "late": r["late"],
                "completeness": _pct(r["reported"], m["expected"]),
                "timeliness": _pct(r["reported"] - r["late"], m["expected"]),
            }
        )
    return sorted(out, key=lambda r: r["completeness"])


def trend_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    # Today's point is marked: its figures grow until the deadline.
    so_far = _("(today, so far)")
    days = [r["day"].isoformat() + (f" {so_far}" if r["partial"] else "") for r in rows]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {
            "data": [
                _("Staff on site"),
                _("Back from elsewhere"),
                _("Vehicles"),
                _("Fevers"),
                _("Reported (%)"),
                _("On time (%)"),
            ]
        },
        "grid": {"left": 50, "right": 50, "bottom": 30},
        "xAxis": {"type": "category", "data": days},
        "yAxis": [{"type": "value"}, {"type": "value", "max": 100, "name": "%"}],
        "series": [
            {"name": _("Staff on site"), "type": "line", "data": [r["staff"] or 0 for r in rows]},
            {
                "name": _("Back from elsewhere"),
                "type": "line",
                "data": [r["returned"] or 0 for r in rows],
            },
            {"name": _("Vehicles"), "type": "line", "data": [r["vehicles"] or 0 for r in rows]},
            {"name": _("Fevers"), "type": "bar", "data": [r["fevers"] or 0 for r in rows]},
            {
                "name": _("Reported (%)"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_pct(r["reported"], r["expected"]) for r in rows],
            },
            {
                "name": _("On time (%)"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_pct(r["reported"] - r["late"], r["expected"]) for r in rows],
            },
        ],
    }


def breakdown_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    labels = [r["label"] for r in rows[:15]]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Members"), _("Approved to reopen"), _("Reported today")]},
        "grid": {"left": 160, "right": 20, "bottom": 30},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": labels, "inverse": True},
        "series": [
            {"name": _("Members"), "type": "bar", "data": [r["members"] for r in rows[:15]]},
            {
                "name": _("Approved to reopen"),
                "type": "bar",
                "data": [r["approved"] for r in rows[:15]],
            },
            {
                "name": _("Reported today"),
                "type": "bar",
                "data": [r["reported"] for r in rows[:15]],
            },
        ],
    }
