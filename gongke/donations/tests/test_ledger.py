import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongke.donations import services
from gongke.donations.models import DonorKind, Entry, EntryKind, Nature
from gongke.donations.rollups import own_figures, rollup
from gongke.registry import services as registry
from gongke.registry.models import OrgKind


def test_a_received_gift_books_a_pledge_and_a_receipt(cast, gift_for):
    gift = gift_for(value="100000")
    position = services.gift_position(gift)
    assert position[EntryKind.PLEDGE] == position[EntryKind.RECEIPT] == Decimal("100000")


def test_a_pledge_can_be_received_in_parts_but_not_beyond(cast, gift_for):
    gift = gift_for(value="1000", received=False)
    services.receive_gift(user=cast.admin_a, gift=gift, amount="400")
    services.receive_gift(user=cast.admin_a, gift=gift, amount="600")
    with pytest.raises(ValidationError):
        services.receive_gift(user=cast.admin_a, gift=gift, amount="0.01")


def test_a_forwarded_gift_is_counted_once_up_the_tree(cast, gift_for):
    gift = gift_for(value="100000")
    services.forward_gift(
        user=cast.admin_a,
        gift=gift,
        from_organization=cast.chamber_a,
        to_organization=cast.federation,
        amount="100000",
    )
    services.allocate_gift(
        user=cast.fed_admin,
        gift=gift,
        organization=cast.federation,
        recipient=cast.hospital,
        amount="60000",
    )
    figures = rollup(cast.office)
    assert figures[cast.office.pk].inflow == Decimal("100000")
    assert figures[cast.federation.pk].inflow == Decimal("100000")
    assert figures[cast.chamber_a.pk].held == 0
    assert figures[cast.federation.pk].held == Decimal("40000")
    assert figures[cast.federation.pk].allocated == Decimal("60000")


def test_nobody_can_pass_on_more_than_they_hold(cast, gift_for):
    gift = gift_for(value="100")
    with pytest.raises(ValidationError):
        services.forward_gift(
            user=cast.admin_a,
            gift=gift,
            from_organization=cast.chamber_a,
            to_organization=cast.federation,
            amount="100.01",
        )
    with pytest.raises(ValidationError):
        services.allocate_gift(
            user=cast.fed_admin,
            gift=gift,
            organization=cast.federation,
            recipient=cast.hospital,
            amount="1",
        )


def test_a_reversal_adds_the_negative_with_a_reason_and_never_edits(cast, gift_for):
    gift = gift_for(value="500")
    receipt = gift.entries.get(kind=EntryKind.RECEIPT)
    with pytest.raises(ValidationError):
        services.reverse_entry(user=cast.admin_a, entry=receipt, reason=" ")
    reversal = services.reverse_entry(user=cast.admin_a, entry=receipt, reason="录入重复")
    assert reversal.amount == Decimal("-500") and reversal.reverses == receipt
    receipt.refresh_from_db()
    assert receipt.amount == Decimal("500")
    assert services.gift_position(gift)[EntryKind.RECEIPT] == 0
    with pytest.raises(ValidationError):
        services.reverse_entry(user=cast.admin_a, entry=receipt, reason="again")
    with pytest.raises(ValidationError):
        services.reverse_entry(user=cast.admin_a, entry=reversal, reason="undo")


def test_a_receipt_cannot_be_reversed_while_forwarded(cast, gift_for):
    gift = gift_for(value="500")
    services.forward_gift(
        user=cast.admin_a,
        gift=gift,
        from_organization=cast.chamber_a,
        to_organization=cast.federation,
        amount="500",
    )
    with pytest.raises(ValidationError):
        services.reverse_entry(
            user=cast.admin_a, entry=gift.entries.get(kind=EntryKind.RECEIPT), reason="wrong"
        )


def test_writes_follow_the_access_path(cast, gift_for):
    gift = gift_for()
    with pytest.raises(Http404):
        services.receive_gift(user=cast.outsider_b, gift=gift, amount="1")
    with pytest.raises(PermissionDenied):
        services.reverse_entry(user=cast.viewer_a, entry=gift.entries.first(), reason="x")


def test_the_same_client_key_books_one_gift(cast, gift_for):
    first = gift_for(client_key="k-1")
    again = gift_for(client_key="k-1")
    assert first.pk == again.pk
    assert Entry.objects.filter(gift=first).count() == 2


# --- The roll-up property: random trees, random gift paths, each yuan counted once ---------

trees = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=7)
steps = st.lists(
    st.tuples(st.integers(0, 100), st.integers(1, 100), st.sampled_from(["fwd", "alloc", "undo"])),
    max_size=4,
)
gifts = st.lists(
    st.tuples(st.integers(0, 100), st.integers(1, 10_000), steps), min_size=1, max_size=6
)


def _within(path: str, root: str) -> bool:
    return path.startswith(root)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parents=trees, plan=gifts)
def test_rollups_count_each_yuan_once_over_random_trees_and_paths(cast, parents, plan):
    with transaction.atomic():
        root = registry.create_organization(
            parent=cast.office, kind=OrgKind.CHAMBER, chamber_kind="industry", name="树根"
        )
        orgs = [root]
        for i, p in enumerate(parents):
            orgs.append(
                registry.create_organization(
                    parent=orgs[p % len(orgs)],
                    kind=OrgKind.CHAMBER,
                    chamber_kind="industry",
                    name=f"节点{i}",
                )
            )
        donor = services.find_or_create_donor(
            user=cast.admin, organization=root, kind=DonorKind.INDIVIDUAL, name="张三"
        )
        for at, value, path in plan:
            holder = orgs[at % len(orgs)]
            gift = services.record_gift(
                user=cast.admin,
                organization=holder,
                donor=donor,
                nature=Nature.MONEY,
                value=value,
                given_on=datetime.date(2020, 2, 1),
            )
            last = None
            for target, share, action in path:
                held = services.held_by(gift, holder)
                amount = max(Decimal(1), (held * share / 100).quantize(Decimal("1")))
                if action == "undo" and last is not None:
                    try:
                        services.reverse_entry(user=cast.admin, entry=last, reason="更正")
                    except ValidationError:  # the destination passed it on already: refused
                        continue
                    holder, last = last.organization, None
                elif held >= amount and action == "fwd" and orgs[target % len(orgs)] != holder:
                    last = services.forward_gift(
                        user=cast.admin,
                        gift=gift,
                        from_organization=holder,
                        to_organization=orgs[target % len(orgs)],
                        amount=amount,
                    )
                    holder = orgs[target % len(orgs)]
                elif held >= amount and action == "alloc":
                    services.allocate_gift(
                        user=cast.admin,
                        gift=gift,
                        organization=holder,
                        recipient=cast.hospital,
                        amount=amount,
                    )

        for org in orgs:
            org.refresh_from_db()
        figures = rollup(root)
        own = own_figures(Entry.objects.filter(gift__organization__in=orgs))
        entries = list(
            Entry.objects.filter(gift__organization__in=orgs).select_related(
                "organization", "to_organization"
            )
        )
        receipts = sum((e.amount for e in entries if e.kind == EntryKind.RECEIPT), Decimal(0))
        # The whole tree handled exactly what it received, and holds or allocated all of it.
        assert figures[root.pk].inflow == receipts
        assert figures[root.pk].held + figures[root.pk].allocated == receipts
        for org in orgs:
            children = [c for c in orgs if c.parent_id == org.pk]
            parts = [org.path + "#"] + [c.path for c in children]  # "#": the org alone

            def part(path, parts=parts, org=org):
                if path == org.path:
                    return org.path + "#"
                return next((p for p in parts[1:] if path.startswith(p)), None)

            between = sum(
                (
                    e.amount
                    for e in entries
                    if e.kind == EntryKind.TRANSFER
                    and part(e.organization.path)
                    and part(e.to_organization.path)
                    and part(e.organization.path) != part(e.to_organization.path)
                ),
                Decimal(0),
            )
            mine = own.get(org.pk)
            own_inflow = mine.inflow if mine else Decimal(0)
            # A parent's total = its own + its children's, minus what passed between them.
            assert (
                figures[org.pk].inflow
                == own_inflow + sum((figures[c.pk].inflow for c in children), Decimal(0)) - between
            )
            # ... and equals, by brute force, what entered the subtree from outside it.
            brute = sum(
                (
                    e.amount
                    for e in entries
                    if (e.kind == EntryKind.RECEIPT and _within(e.organization.path, org.path))
                    or (
                        e.kind == EntryKind.TRANSFER
                        and _within(e.to_organization.path, org.path)
                        and not _within(e.organization.path, org.path)
                    )
                ),
                Decimal(0),
            )
            assert figures[org.pk].inflow == brute
            # Nothing rests below zero anywhere.
            assert figures[org.pk].held >= 0
        transaction.set_rollback(True)
