"""The stock ledger: receipts, issues first expiry first out, transfers, stocktakes, reversals,
balances at a past date, the stock card, and concurrent issuers that never overdraw."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from gongke.supplies import services
from gongke.supplies.models import Kind, Movement, Stock


def test_it_converts_packs_to_base_units(stores):
    assert services.to_base(stores.n95, 2, "箱") == 2000
    assert services.to_base(stores.n95, "1.5", "盒") == 75
    assert services.in_packs(stores.n95, 2075) == "2箱 1盒 25只"
    with pytest.raises(ValidationError):
        services.to_base(stores.n95, "0.5", "只")
    with pytest.raises(ValidationError):
        services.to_base(stores.n95, 1, "桶")


def test_it_issues_the_earliest_expiry_first(stores):
    late = services.receive(
        user=stores.staff_a,
        warehouse=stores.main,
        item=stores.n95,
        quantity=100,
        expires_on=datetime.date(2030, 1, 1),
    )
    early = services.receive(
        user=stores.staff_a,
        warehouse=stores.main,
        item=stores.n95,
        quantity=100,
        expires_on=datetime.date(2026, 1, 1),
    )
    picks, missing = services.fefo(item=stores.n95, warehouse=stores.main, quantity=150)
    assert [(p.lot, p.quantity) for p in picks] == [(early, 100), (late, 50)]
    assert missing == 0
    done = services.issue(
        user=stores.staff_a,
        warehouse=stores.main,
        item=stores.n95,
        quantity=150,
        recipient=stores.hospital,
    )
    assert [(m.lot, m.quantity) for m in done] == [(early, -100), (late, -50)]
    assert services.balance(item=stores.n95, warehouse=stores.main) == 2400 + 50


def test_it_refuses_to_issue_more_than_there_is_and_writes_nothing(stores):
    before = Movement.objects.count()
    with pytest.raises(ValidationError, match="2400"):
        services.issue(
            user=stores.staff_a,
            warehouse=stores.main,
            item=stores.n95,
            quantity=2401,
            recipient=stores.hospital,
        )
    assert Movement.objects.count() == before
    assert Stock.objects.get(lot=stores.lot).quantity == 2400


def test_the_database_refuses_a_negative_balance_whatever_writes_it(stores):
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(lot=stores.lot).update(quantity=-1)


def test_a_transfer_moves_stock_and_its_reversal_moves_it_back(stores):
    out = services.transfer(
        user=stores.staff_a,
        lot=stores.lot,
        source=stores.main,
        destination=stores.spare,
        quantity=400,
    )
    assert services.balance(item=stores.n95, warehouse=stores.spare) == 400
    services.reverse(user=stores.staff_a, movement=out, reason="调错仓库")
    assert services.balance(item=stores.n95, warehouse=stores.spare) == 0
    assert services.balance(item=stores.n95, warehouse=stores.main) == 2400
    with pytest.raises(ValidationError):
        services.reverse(user=stores.staff_a, movement=out, reason="again")


def test_a_reversal_is_refused_when_the_goods_have_left(stores):
    receipt = stores.lot.movements.get(kind=Kind.RECEIVE)
    services.issue(
        user=stores.staff_a,
        warehouse=stores.main,
        item=stores.n95,
        quantity=10,
        recipient=stores.hospital,
    )
    with pytest.raises(ValidationError):
        services.reverse(user=stores.staff_a, movement=receipt, reason="录错了")


def test_a_stocktake_records_the_difference_with_its_reason(stores):
    m = services.adjust(
        user=stores.staff_a, lot=stores.lot, warehouse=stores.main, counted=2390, reason="破损10只"
    )
    assert (m.kind, m.quantity, m.reason) == (Kind.ADJUST, -10, "破损10只")
    assert (
        services.adjust(
            user=stores.staff_a, lot=stores.lot, warehouse=stores.main, counted=2390, reason="复盘"
        )
        is None
    )
    with pytest.raises(ValidationError):
        services.adjust(
            user=stores.staff_a, lot=stores.lot, warehouse=stores.main, counted=1, reason=""
        )


def test_it_tells_the_balance_at_the_end_of_a_past_day(stores):
    Movement.objects.filter(lot=stores.lot).update(
        occurred_at=timezone.now() - datetime.timedelta(days=3)
    )
    services.issue(
        user=stores.staff_a,
        warehouse=stores.main,
        item=stores.n95,
        quantity=400,
        recipient=stores.hospital,
    )
    today = timezone.localdate()
    assert (
        services.balance(
            item=stores.n95, warehouse=stores.main, on=today - datetime.timedelta(days=1)
        )
        == 2400
    )
    assert (
        services.balance(
            item=stores.n95, warehouse=stores.main, on=today - datetime.timedelta(days=4)
        )
        == 0
    )
    assert services.balance(item=stores.n95, warehouse=stores.main, on=today) == 2000


def test_the_stock_card_runs_the_balance(stores):
    services.issue(
        user=stores.staff_a,
        warehouse=stores.main,
        item=stores.n95,
        quantity=400,
        recipient=stores.hospital,
    )
    opening, lines = services.stock_card(
        Movement.objects.filter(item=stores.n95, warehouse=stores.main)
    )
    assert opening == 0
    assert [(line.movement.kind, line.balance) for line in lines] == [
        (Kind.RECEIVE, 2400),
        (Kind.ISSUE, 2000),
    ]


def test_only_writers_of_the_warehouse_move_its_stock(stores):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        services.issue(
            user=stores.viewer_a,
            warehouse=stores.main,
            item=stores.n95,
            quantity=1,
            recipient=stores.hospital,
        )
    with pytest.raises(Http404):
        services.issue(
            user=stores.outsider_b,
            warehouse=stores.main,
            item=stores.n95,
            quantity=1,
            recipient=stores.hospital,
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_never_take_more_than_there_is(cast):
    """Four threads race to issue 25 masks at a time from 1,000: exactly 40 issues succeed."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database is one connection; the benchmark races files")
    from gongke.registry import services as registry
    from gongke.registry.models import PlaceKind

    house = registry.save_place(
        kind=PlaceKind.WAREHOUSE, name="并发仓", organization=cast.chamber_a
    )
    item = services.save_item(
        user=cast.admin_a,
        organization=cast.chamber_a,
        name="并发口罩",
        category="n95",
        base_unit="只",
    )
    lot = services.receive(user=cast.staff_a, warehouse=house, item=item, quantity=1000)
    done, refused = [], []

    def issuer():
        try:
            for _ in range(20):
                try:
                    services.issue(
                        user=cast.staff_a,
                        warehouse=house,
                        item=item,
                        quantity=25,
                        recipient=cast.hospital,
                    )
                    done.append(1)
                except ValidationError:
                    refused.append(1)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=issuer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) == 40 and len(refused) == 40
    assert Stock.objects.get(lot=lot).quantity == 0
    assert sum(Movement.objects.filter(lot=lot).values_list("quantity", flat=True)) == 0


def test_a_goods_gift_is_taken_into_stock_and_traced_to_its_donor(stores, client):
    from gongke.donations import services as donations
    from gongke.donations.models import DonorKind, Nature

    donor = donations.find_or_create_donor(
        user=stores.admin_a,
        organization=stores.chamber_a,
        kind=DonorKind.ENTERPRISE,
        name="京博集团",
        enterprise=stores.a1,
    )
    gift = donations.record_gift(
        user=stores.admin_a,
        organization=stores.chamber_a,
        donor=donor,
        nature=Nature.GOODS,
        value="12000",
        item="N95口罩",
        quantity="1000",
        unit="只",
    )
    lot = services.take_gift_into_stock(
        user=stores.staff_a, gift=gift, warehouse=stores.main, item=stores.n95, quantity=1000
    )
    assert (lot.source, lot.gift, lot.owner) == ("gift", gift, stores.chamber_a)
    with pytest.raises(ValidationError):  # no more than the gift
        services.take_gift_into_stock(
            user=stores.staff_a, gift=gift, warehouse=stores.main, item=stores.n95, quantity=1
        )
    html = client.get(f"/supplies/trace/{lot.code}/").content.decode()
    assert "京博集团" in html


def test_an_import_order_is_received_in_parts_and_costed_in_yuan(stores):
    from decimal import Decimal

    order = services.place_order(
        user=stores.staff_a,
        organization=stores.chamber_a,
        kind="import",
        supplier="首尔医疗",
        country="韩国",
        currency="KRW",
        rate="0.0058",
        lines=[(stores.n95, 2400, Decimal(1500))],
    )
    line = order.lines.get()
    assert line.cost_yuan == Decimal("20880.00")  # 2,400 × 1,500 KRW × 0.0058
    first = services.receive_order_line(
        user=stores.staff_a, line=line, warehouse=stores.main, quantity=1000
    )
    services.receive_order_line(
        user=stores.staff_a, line=line, warehouse=stores.spare, quantity=1400
    )
    assert first.source == "import" and first.order_line == line
    assert services.received_per_line([line]) == {line.pk: 2400}
    with pytest.raises(ValidationError):
        services.receive_order_line(
            user=stores.staff_a, line=line, warehouse=stores.main, quantity=1
        )
