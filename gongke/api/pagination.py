"""Page-numbered lists for every /api/v1 list: bounded page numbers, and one order on both
databases (a list ordered by a field that ties is finished by the primary key)."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Past this a page number is nonsense; unbounded, it overflows SQLite's 64-bit offset (a 500)
# where PostgreSQL answers an empty page.
MAX_PAGE = 1_000_000


def with_tiebreaker(qs: Any) -> Any:
    """The queryset's order finished by "pk", so rows that tie come in the same order on SQLite
    and PostgreSQL (each database otherwise breaks ties its own way)."""
    if not isinstance(qs, QuerySet) or qs.query.group_by is not None:
        return qs
    order = list(qs.query.order_by) or list(qs.model._meta.ordering or [])
    if any(str(o).lstrip("-") in ("pk", "id", qs.model._meta.pk.name) for o in order):
        return qs
    return qs.order_by(*order, "pk")


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=1000)

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        return super().paginate_queryset(with_tiebreaker(queryset), pagination, request, **params)
