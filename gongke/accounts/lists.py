"""The users and audit trail lists (gongke.lib.listing): sorting, filters, paging, export."""

from typing import Any

from auditlog.registry import auditlog
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.listing import Column, Filter, Kind, Listing

from .models import Role


def _memberships(user: Any) -> str:
    return "; ".join(
        f"{m.organization.name} · {m.get_role_display()}" for m in user.memberships.all()
    )


def _search_users(qs: QuerySet, value: str) -> QuerySet:
    return qs.filter(Q(username__icontains=value) | Q(display_name__icontains=value))


USERS = Listing(
    "accounts.users",
    columns=[
        Column("username", _("Username"), order="username"),
        Column("display_name", _("Full name"), order="display_name"),
        Column("phone", _("Phone"), kind=Kind.PHONE),
        Column("memberships", _("Organizations and roles"), _memberships),
        Column("last_login", _("Last sign-in"), order="last_login", kind=Kind.DATETIME),
        Column("is_active", _("Active"), show=False),
    ],
    filters=[
        Filter("q", _("Search"), input="search", apply=_search_users),
        Filter(
            "role",
            _("Role"),
            choices=Role.choices,
            apply=lambda qs, v: qs.filter(memberships__role=v).distinct(),
        ),
        Filter(
            "inactive",
            _("Show deactivated accounts"),
            choices=[("1", _("Yes"))],
            apply=lambda qs, v: qs,
            otherwise=lambda qs: qs.filter(is_active=True),
        ),
    ],
    default_sort="username",
    sheet=_("Users"),
)


def change_rows(entry: Any) -> list[tuple[str, Any, Any]]:
    """An audit entry's changes as (field, before, after); a many-to-many change arrives as a
    dict of its own and is kept whole as `after`. (A template cannot walk
    `changes_dict.items` itself: a record with a field named "items" shadows the method.)"""
    rows = []
    for field, change in (entry.changes_dict or {}).items():
        if isinstance(change, (list, tuple)) and len(change) == 2:
            rows.append((field, change[0], change[1]))
        else:
            rows.append((field, "", change))
    return rows


def _changes(entry: Any) -> str:
    return "; ".join(
        f"{field}: {before if before not in (None, '') else '∅'} → "
        f"{after if after not in (None, '') else '∅'}"
        for field, before, after in change_rows(entry)
        if not isinstance(after, dict)
    )


def _models(request: HttpRequest) -> list[tuple[str, str]]:
    # The kinds of record come from the audit registry, not from a scan of the whole trail.
    names = sorted({m._meta.model_name or "" for m in auditlog.get_models()})
    return [(n, n) for n in names]


def _day_filter(lookup: str):
    def apply(qs: QuerySet, value: str) -> QuerySet:
        try:
            day = parse_date(value)
        except ValueError:  # well formed but impossible, such as 2026-13-45
            day = None
        return qs.filter(**{lookup: day}) if day else qs

    return apply


AUDIT = Listing(
    "accounts.audit",
    columns=[
        Column("timestamp", _("When"), order="timestamp", kind=Kind.DATETIME),
        Column(
            "actor",
            pgettext_lazy("audit", "Who"),
            lambda e: str(e.actor or "—"),
            order="actor__username",
        ),
        Column("remote_addr", pgettext_lazy("network", "Address"), lambda e: e.remote_addr or ""),
        Column("action", _("Action"), "get_action_display", order="action"),
        Column(
            "model",
            pgettext_lazy("audit", "Record"),
            lambda e: f"{e.content_type.model} · {e.object_repr}",
            order="content_type__model",
        ),
        Column("changes", _("Fields"), _changes),
    ],
    filters=[
        Filter(
            "q", pgettext_lazy("audit", "Record"), input="search", field="object_repr__icontains"
        ),
        Filter(
            "actor",
            pgettext_lazy("audit", "Who"),
            input="search",
            apply=lambda qs, v: qs.filter(
                Q(actor__username__icontains=v) | Q(actor__display_name__icontains=v)
            ),
        ),
        Filter("model", _("Any kind of record"), choices=_models, field="content_type__model"),
        Filter(
            "action",
            _("Any action"),
            choices=[
                ("0", pgettext_lazy("audit", "Created")),
                ("1", pgettext_lazy("audit", "Changed")),
                ("2", pgettext_lazy("audit", "Deleted")),
            ],
        ),
        Filter("since", _("Since"), input="date", apply=_day_filter("timestamp__date__gte")),
        Filter("until", _("Until"), input="date", apply=_day_filter("timestamp__date__lte")),
    ],
    default_sort="-timestamp",
    sheet=_("Audit trail"),
)
