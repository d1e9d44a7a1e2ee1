"""Lists that scale: one way for every list page to sort by column, page with numbers and a
chosen page size, filter, remember those choices, and export what it shows to Excel.

A view declares its list once and hands it the query set the app's access helper returned:

    APPLICATIONS = Listing(
        "resumption.applications",
        columns=[
            Column("enterprise", _("Enterprise"), "enterprise.name", order="enterprise__name"),
            Column("updated", _("Updated"), "updated_at", order="updated_at", kind=Kind.DATETIME),
        ],
        filters=[Filter("status", _("Status"), choices=Status.choices)],
        default_sort="-updated",
        sheet=_("Applications"),
    )

    def applications(request):
        qs = applications_for(request.user)          # the access path, always
        lst = APPLICATIONS.bind(request, qs)
        if lst.exporting:
            return lst.export("applications.xlsx")   # the same rows, every page, streamed
        return render(request, "…", {"list": lst})   # lst.page, lst.columns, lst.filters…

and the template includes "includes/list_filters.html", "includes/list_head.html" (the sortable
header row) and "includes/list_pager.html" with `list`. The export is the list's own URL with
?export=xlsx: the same access path, the same filters and order, no extra route.

Choices are remembered per user in the session (shared by every worker): a bare visit to the
list shows it as the user left it; ?reset=1 forgets them.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, QueryDict

from .excel import Col, Kind, xlsx_response

PAGE_SIZES = (25, 50, 100, 200)
SORT, SIZE, PAGE, EXPORT, RESET = "sort", "size", "page", "export", "reset"
EXPORT_CHUNK = 2000  # rows fetched from the database at a time while exporting


@dataclass(frozen=True)
class Column:
    """A column: shown (unless `show` is False), exported (unless `export` is False), sortable
    when `order` names the ORM field(s) to sort by. `value` is a dotted attribute path or a
    function of the row."""

    key: str
    label: Any
    value: str | Callable[[Any], Any] = ""
    order: str | Sequence[str] | None = None
    kind: str = Kind.TEXT
    show: bool = True
    export: bool = True
    width: int | None = None

    def get(self, obj: Any) -> Any:
        if callable(self.value):
            return self.value(obj)
        current = obj
        for part in (self.value or self.key).split("."):
            if current is None:
                return None
            current = current.get(part) if isinstance(current, dict) else getattr(current, part)
            if callable(current):
                current = current()
        return current

    @property
    def orders(self) -> tuple[str, ...]:
        if self.order is None:
            return ()
        return (self.order,) if isinstance(self.order, str) else tuple(self.order)


@dataclass(frozen=True)
class Filter:
    """A filter: a choice among `choices`, or free text / a date when there are none. `apply`
    narrows the query set by the chosen value (default: `field=value`, field = name)."""

    name: str
    label: Any
    choices: Sequence[tuple[Any, Any]] | Callable[[HttpRequest], Sequence[tuple[Any, Any]]] = ()
    apply: Callable[[QuerySet, str], QuerySet] | None = None
    input: str = "select"  # select, search, date
    field: str = ""
    # What the list shows while nothing is chosen (default: everything).
    otherwise: Callable[[QuerySet], QuerySet] | None = None

    def narrow(self, qs: QuerySet, value: str) -> QuerySet:
        if self.apply is not None:
            return self.apply(qs, value)
        return qs.filter(**{self.field or self.name: value})


@dataclass
class BoundFilter:
    filter: Filter
    value: str
    choices: list[tuple[str, Any]]

    @property
    def name(self) -> str:
        return self.filter.name

    @property
    def label(self) -> Any:
        return self.filter.label

    @property
    def input(self) -> str:
        return self.filter.input


@dataclass
class Heading:
    column: Column
    sorted: str  # "", "asc" or "desc"
    query: str  # the query string that sorts by it (or reverses it)

    @property
    def label(self) -> Any:
        return self.column.label

    @property
    def sortable(self) -> bool:
        return bool(self.column.orders)

    @property
    def aria_sort(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.sorted, "none")


@dataclass(frozen=True)
class Listing:
    name: str
    columns: Sequence[Column]
    filters: Sequence[Filter] = ()
    default_sort: str = ""
    tiebreak: str = "-pk"
    page_sizes: Sequence[int] = PAGE_SIZES
    default_size: int = 50
    sheet: Any = "Sheet1"
    notes: Sequence[Any] = ()

    def bind(self, request: HttpRequest, qs: QuerySet) -> "BoundListing":
        return BoundListing(self, request, qs)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


def _own_params(listing: Listing) -> set[str]:
    return {SORT, SIZE} | {f.name for f in listing.filters}


def remembered(request: HttpRequest, listing: Listing) -> QueryDict:
    """The list's parameters: as asked, or (asked for nothing of the list's own) as the user
    left the list last time. Saved in the session each time they change."""
    key = f"list:{listing.name}"
    session = getattr(request, "session", None)
    params = request.GET.copy()
    if session is None:
        return params
    if RESET in params:
        session.pop(key, None)
        return QueryDict(mutable=True)
    own = {k: params.getlist(k) for k in _own_params(listing) if k in params}
    if own:
        if session.get(key) != own:
            session[key] = own
    elif saved := session.get(key):
        for k, values in saved.items():
            params.setlist(k, values)
    return params


class BoundListing:
    """A list as one user asked for it: filtered, sorted, paged."""

    def __init__(self, listing: Listing, request: HttpRequest, qs: QuerySet) -> None:
        self.listing = listing
        self.request = request
        self.params = remembered(request, listing)
        self.filters = [self._bind_filter(f) for f in listing.filters]
        for bf in self.filters:
            if bf.value:
                qs = bf.filter.narrow(qs, bf.value)
            elif bf.filter.otherwise is not None:
                qs = bf.filter.otherwise(qs)
        self.sort_key, self.descending = self._sort()
        self.queryset = qs.order_by(*self._ordering())

    # --- parameters ---

    def _bind_filter(self, f: Filter) -> BoundFilter:
        choices = f.choices(self.request) if callable(f.choices) else f.choices
        bound = [(str(v), label) for v, label in choices]
        value = self.params.get(f.name, "").strip()
        if bound and value not in {v for v, _ in bound}:
            value = ""
        return BoundFilter(f, value[:200], bound)

    def _sort(self) -> tuple[str, bool]:
        asked = self.params.get(SORT, "") or self.listing.default_sort
        key = asked.lstrip("-")
        column = self.listing.column(key)
        if column is None or not column.orders:
            default = self.listing.default_sort
            return default.lstrip("-"), default.startswith("-")
        return key, asked.startswith("-")

    def _ordering(self) -> list[str]:
        column = self.listing.column(self.sort_key)
        fields: list[str] = []
        for f in column.orders if column else ():
            flipped = f[1:] if f.startswith("-") else f"-{f}"
            fields.append(flipped if self.descending else f)
        # A unique last key: pages never repeat or skip a row when sort values tie.
        return [*fields, self.listing.tiebreak]

    @property
    def size(self) -> int:
        try:
            size = int(self.params.get(SIZE, ""))
        except ValueError:
            return self.listing.default_size
        return size if size in self.listing.page_sizes else self.listing.default_size

    def query(self, **changes: Any) -> str:
        """The list's query string with some parameters changed (None removes one)."""
        params = self.params.copy()
        params.pop(EXPORT, None)
        for k, v in changes.items():
            if v is None:
                params.pop(k, None)
            else:
                params[k] = str(v)
        return params.urlencode()

    # --- what the template shows ---

    @property
    def columns(self) -> list[Heading]:
        out = []
        for c in self.listing.columns:
            if not c.show:
                continue
            state = ""
            if c.key == self.sort_key and c.orders:
                state = "desc" if self.descending else "asc"
            flip = f"-{c.key}" if state == "asc" else c.key
            out.append(Heading(c, state, self.query(**{SORT: flip, PAGE: None})))
        return out

    @property
    def page(self) -> Page:
        if not hasattr(self, "_page"):
            self._page = Paginator(self.queryset, self.size).get_page(self.params.get(PAGE))
        return self._page

    @property
    def rows(self) -> Iterator[tuple[Any, list[Any]]]:
        shown = [c for c in self.listing.columns if c.show]
        for obj in self.page.object_list:
            yield obj, [c.get(obj) for c in shown]

    @property
    def page_links(self) -> list[tuple[int | None, str]]:
        """Page numbers around the current one, the first and the last, with None for a gap."""
        page = self.page
        numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        return [(n, self.query(**{PAGE: n})) if isinstance(n, int) else (None, "") for n in numbers]

    @property
    def sizes(self) -> list[tuple[int, str]]:
        return [(s, self.query(**{SIZE: s, PAGE: None})) for s in self.listing.page_sizes]

    @property
    def export_query(self) -> str:
        return self.query(**{EXPORT: "xlsx", PAGE: None})

    @property
    def filtered(self) -> bool:
        return any(bf.value for bf in self.filters)

    # --- export ---

    @property
    def exporting(self) -> bool:
        return self.request.GET.get(EXPORT) == "xlsx"

    def export_rows(self) -> Iterable[list[Any]]:
        columns = [c for c in self.listing.columns if c.export]
        for obj in self.queryset.iterator(chunk_size=EXPORT_CHUNK):
            yield [c.get(obj) for c in columns]

    def export(self, filename: str) -> FileResponse:
        columns = [c for c in self.listing.columns if c.export]
        return xlsx_response(
            filename,
            [Col(c.label, c.kind, c.width) for c in columns],
            self.export_rows(),
            sheet=str(self.listing.sheet),
            notes=self.listing.notes,
        )


__all__ = ["BoundListing", "Column", "Filter", "Kind", "Listing"]
