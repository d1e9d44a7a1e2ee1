"""Read-only figures for the dashboards: a fixed, small number of aggregate queries whatever the
number of members or days (query-count tests hold this)."""

import datetime as dt
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
from .services import HISTORY_CACHE_SECONDS, history_generation, member_enterprises

TREND_DAYS = 60


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def overview(org: Organization, day: dt.date) -> dict[str, Any]:
    members = member_enterprises(org)
    n_members = members.count()
    reports = DailyReport.objects.in_subtree(org).filter(day=day)
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
        "staff_back_pct": _pct(staff, apps["planned"] or 0),
    }


def panel(org: Organization, day: dt.date) -> dict[str, Any]:
    """The home panel's few figures in one query: the home page stays cheap."""
    reported = DailyReport.objects.filter(enterprise=OuterRef("pk"), day=day)
    fevers = FeverCase.objects.filter(enterprise=OuterRef("pk"), closed_at__isnull=True)
    figures = member_enterprises(org).aggregate(
        members=Count("pk"),
        reported=Count("pk", filter=Exists(reported)),
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


def trend(org: Organization, day: dt.date, days: int = TREND_DAYS) -> list[dict[str, Any]]:
    """Daily sums over `days` days. Days before today hardly change once their deadline has
    passed, so their sums are cached for a few minutes (and dropped at once on this process
    when a report for a past day is saved); today's are always live."""
    start = day - dt.timedelta(days=days - 1)
    today = local_today()
    if day < today:
        return _trend_rows(org, start, day)
    key = f"resumption:trend:{history_generation()}:{org.pk}:{start}:{today}"
    past = cache.get(key)
    if past is None:
        past = _trend_rows(org, start, today - dt.timedelta(days=1))
        cache.set(key, past, HISTORY_CACHE_SECONDS)
    return past + _trend_rows(org, today, today)


def per_association(org: Organization, day: dt.date, days: int = 7) -> list[dict[str, Any]]:
    """Timeliness and completeness per association over the last `days` days."""
    start = day - dt.timedelta(days=days - 1)
    members = {
        r["parent_id"]: r
        for r in member_enterprises(org)
        .values("parent_id", "parent__name")
        .annotate(n=Count("pk"))
        .order_by()
    }
    reports = {
        r["enterprise__parent_id"]: r
        for r in DailyReport.objects.in_subtree(org)
        .filter(day__gte=start, day__lte=day)
        .values("enterprise__parent_id")
        .annotate(reported=Count("pk"), late=Count("pk", filter=Q(late=True)))
        .order_by()
    }
    out = []
    for pk, m in members.items():
        r = reports.get(pk, {"reported": 0, "late": 0})
        expected = m["n"] * days
        out.append(
            {
                "id": pk,
                "name": m["parent__name"],
                "members": m["n"],
                "reported": r["reported"],
                "late": r["late"],
                "completeness": _pct(r["reported"], expected),
                "timeliness": _pct(r["reported"] - r["late"], expected),
            }
        )
    return sorted(out, key=lambda r: r["completeness"])


def trend_chart(rows: list[dict[str, Any]], members: int) -> dict[str, Any]:
    days = [r["day"].isoformat() for r in rows]
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
                "data": [_pct(r["reported"], members) for r in rows],
            },
            {
                "name": _("On time (%)"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_pct(r["reported"] - r["late"], members) for r in rows],
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
