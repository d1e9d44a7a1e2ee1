"""Roll-ups of the ledger over the organization tree, counting each yuan once.

For the subtree under an organization:
  received  what entered the tree there (receipts booked by any organization in it)
  inflow    received + what was forwarded into the subtree from outside it: all it handled,
            each yuan once (a transfer between two of its own organizations is not counted again)
  outflow   what it forwarded to organizations outside it
  allocated what it handed to recipient units
  held      inflow - outflow - allocated: what rests with it now

So a parent's inflow = its own inflow + its children's - what passed between them (the
property test proves it over random trees and gift paths), and the root's inflow is the total
received. One grouped query over the ledger, then one pass over the paths in Python.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from gongke.registry.models import Organization

from .models import Entry, EntryKind, Nature

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass
class Figures:
    pledged: Decimal = ZERO
    received: Decimal = ZERO
    received_money: Decimal = ZERO
    received_goods: Decimal = ZERO
    inflow: Decimal = ZERO
    outflow: Decimal = ZERO
    allocated: Decimal = ZERO

    @property
    def held(self) -> Decimal:
        return self.inflow - self.outflow - self.allocated


def _prefixes(path: str) -> list[str]:
    return [path[: i + 5] for i in range(0, len(path), 5)]


def rollup(
    root: Organization | None,
    entries: QuerySet[Entry] | None = None,
    organizations: QuerySet[Organization] | None = None,
) -> dict[int, Figures]:
    """Figures for every organization in `root`'s subtree (the whole tree if None), keyed by pk.

    `entries` narrows the ledger (a campaign, a period); it must not be scoped by organization:
    a transfer needs both of its ends.
    """
    prefix = root.path if root is not None else ""
    orgs = organizations if organizations is not None else Organization.objects.all()
    paths = dict(orgs.filter(path__startswith=prefix).values_list("path", "pk"))
    figures: dict[int, Figures] = {pk: Figures() for pk in paths.values()}
    qs = entries if entries is not None else Entry.objects.all()
    if prefix:
        inside = Organization.objects.filter(path__startswith=prefix).values("pk")
        qs = qs.filter(Q(organization_id__in=inside) | Q(to_organization_id__in=inside))
    # Grouped by ids (no join on the tree); the paths of both ends are looked up once.
    rows = list(
        qs.values("kind", "organization_id", "to_organization_id", "gift__nature")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    ids = {r["organization_id"] for r in rows} | {
        r["to_organization_id"] for r in rows if r["to_organization_id"]
    }
    path_of = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "path"))
    for row in rows:
        row["organization__path"] = path_of[row["organization_id"]]
        row["to_organization__path"] = path_of.get(row["to_organization_id"])
    for row in rows:
        amount = Decimal(row["total"] or 0).quantize(CENT)
        kind, src, dst = row["kind"], row["organization__path"], row["to_organization__path"]
        if kind == EntryKind.TRANSFER:
            src_up, dst_up = set(_prefixes(src)), set(_prefixes(dst))
            for p in dst_up - src_up:
                if p in paths:
                    figures[paths[p]].inflow += amount
            for p in src_up - dst_up:
                if p in paths:
                    figures[paths[p]].outflow += amount
            continue
        for p in _prefixes(src):
            if p not in paths:
                continue
            f = figures[paths[p]]
            if kind == EntryKind.PLEDGE:
                f.pledged += amount
            elif kind == EntryKind.RECEIPT:
                f.received += amount
                f.inflow += amount
                if row["gift__nature"] == Nature.MONEY:
                    f.received_money += amount
                else:
                    f.received_goods += amount
            elif kind == EntryKind.ALLOCATION:
                f.allocated += amount
    return figures


def own_figures(entries: QuerySet[Entry] | None = None) -> dict[int, Figures]:
    """Each organization on its own (no subtree): what it received, was forwarded, passed on."""
    qs = entries if entries is not None else Entry.objects.all()
    out: dict[int, Figures] = defaultdict(Figures)
    for row in (
        qs.values("kind", "organization_id", "to_organization_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        amount = Decimal(row["total"] or 0).quantize(CENT)
        f = out[row["organization_id"]]
        if row["kind"] == EntryKind.TRANSFER:
            f.outflow += amount
            out[row["to_organization_id"]].inflow += amount
        elif row["kind"] == EntryKind.RECEIPT:
            f.received += amount
            f.inflow += amount
        elif row["kind"] == EntryKind.PLEDGE:
            f.pledged += amount
        elif row["kind"] == EntryKind.ALLOCATION:
            f.allocated += amount
    return out
