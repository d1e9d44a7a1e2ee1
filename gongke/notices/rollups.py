"""The roll-up of a sent notice: per chamber (the unit one level under the sender) or per
organization inside one unit — % read, % acknowledged, late — in one grouped query."""

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from .models import Notice, Recipient


def _late_q(notice: Notice) -> Q:
    if notice.due_at is None:
        return Q(pk__in=[])
    late = Q(acknowledged_at__gt=notice.due_at)
    if timezone.now() > notice.due_at:
        late |= Q(acknowledged_at__isnull=True)
    return late


def _pct(part: int, total: int) -> float:
    return round(100 * part / total, 1) if total else 0.0


def rollup(notice: Notice, *, unit: int | None = None) -> dict[str, Any]:
    """{"rows": [...], "total": {...}}; rows per unit, or per organization of `unit`."""
    qs = Recipient.objects.filter(notice=notice)
    key, name = (
        ("unit_id", "unit__name") if unit is None else ("organization_id", "organization__name")
    )
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    rows = list(
        qs.values(key, name)
        .annotate(
            total=Count("pk"),
            delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
            read=Count("pk", filter=Q(read_at__isnull=False)),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            late=Count("pk", filter=_late_q(notice)),
        )
        .order_by(name, key)
    )
    total = {"total": 0, "delivered": 0, "read": 0, "acknowledged": 0, "late": 0}
    out = []
    for r in rows:
        for k in total:
            total[k] += r[k]
        out.append(
            {
                "id": r[key],
                "name": r[name],
                **{k: r[k] for k in total},
                "read_pct": _pct(r["read"], r["total"]),
                "ack_pct": _pct(r["acknowledged"], r["total"]),
            }
        )
    total_out = {
        **total,
        "read_pct": _pct(total["read"], total["total"]),
        "ack_pct": _pct(total["acknowledged"], total["total"]),
    }
    return {"rows": out, "total": total_out}


def chart(data: dict[str, Any], read_label: str, ack_label: str) -> dict[str, Any]:
    """ECharts option: % read and % acknowledged per row (the 30 lowest acknowledged first)."""
    rows = sorted(data["rows"], key=lambda r: (r["ack_pct"], r["name"]))[:30]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "grid": {"left": 140, "right": 20, "top": 30, "bottom": 30},
        "xAxis": {"type": "value", "max": 100},
        "yAxis": {"type": "category", "inverse": True, "data": [r["name"] for r in rows]},
        "series": [
            {"type": "bar", "name": read_label, "data": [r["read_pct"] for r in rows]},
            {"type": "bar", "name": ack_label, "data": [r["ack_pct"] for r in rows]},
        ],
    }
