"""Needs, offers, matching, shipments with their hand-over sheet, the public pages, days of cover."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongke.supplies import services
from gongke.supplies.models import Kind, Movement, Need, ShipmentStatus


@pytest.fixture
def needs(stores):
    w = stores
    w.urgent = services.post_need(
        user=w.staff_a,
        organization=w.chamber_a,
        recipient=w.hospital,
        lines=[(w.n95, 1000)],
        urgency=3,
        contact_name="张医生",
        contact_phone="13812345678",
        source="来电",
    )
    w.normal = services.post_need(
        user=w.staff_a, organization=w.chamber_a, recipient=w.hospital, lines=[(w.gloves, 500)]
    )
    w.offer = services.post_offer(
        user=w.staff_a,
        organization=w.a1,
        item=w.n95,
        quantity=600,
        available_until=timezone.localdate() + datetime.timedelta(days=10),
    )
    return w


def test_the_board_ranks_by_urgency_and_unmet_share_and_puts_stale_needs_last(needs):
    stale = services.post_need(
        user=needs.staff_a,
        organization=needs.chamber_a,
        recipient=needs.hospital,
        lines=[(needs.n95, 10)],
        urgency=3,
        ttl_days=1,
    )
    Need.objects.filter(pk=stale.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=2)
    )
    board = services.rank(services.progress(Need.objects.all()))
    assert [p.need.pk for p in board] == [needs.urgent.pk, needs.normal.pk, stale.pk]
    assert board[-1].stale
    services.confirm_need(user=needs.staff_a, need=Need.objects.get(pk=stale.pk))
    board = services.rank(services.progress(Need.objects.all()))
    assert not any(p.stale for p in board)


def test_matching_suggests_the_offer_for_the_item_and_accepting_it_ships(needs):
    board = services.progress([needs.urgent])
    matches = services.suggestions(board, [needs.offer])
    (line,) = needs.urgent.lines.all()
    assert [(m.offer_id, m.quantity) for m in matches[line.pk]] == [(needs.offer.pk, 600)]
    shipment = services.accept_match(user=needs.staff_a, line=line, offer=needs.offer, quantity=600)
    (p,) = services.progress([needs.urgent])
    assert (p.lines[0].committed, p.lines[0].unmet) == (600, 400)
    with pytest.raises(ValidationError):  # nothing left of the offer
        services.accept_match(user=needs.staff_a, line=line, offer=needs.offer, quantity=1)
    services.send_shipment(user=needs.staff_a, shipment=shipment)
    services.receive_shipment(
        user=needs.staff_a,
        shipment=shipment,
        received_by="李护士长",
        received={shipment.lines.get().pk: (590, 5)},
        remark="少10只，破损5只",
    )
    (p,) = services.progress([needs.urgent])
    assert (p.lines[0].received, p.lines[0].unmet) == (590, 410)


def test_matching_is_a_pure_ranking_by_cover_township_and_expiry():
    today = datetime.date(2020, 2, 18)
    found = services.match(
        [(1, 7, 100, 1000, 3.0)],
        [
            (10, 7, 200, 1000, None),  # covers all, another township
            (11, 7, 100, 1000, None),  # covers all, same township: first
            (12, 7, 100, 400, None),  # same township, covers 40 %
            (13, 7, 100, 1000, datetime.date(2020, 2, 1)),  # expired: never
            (14, 8, 100, 1000, None),  # another item: never
        ],
        today=today,
    )
    assert [m.offer_id for m in found[1]] == [11, 10, 12]


def test_a_warehouse_shipment_leaves_stock_when_sent_and_prints_a_sheet_with_a_qr(
    needs, client_for
):
    shipment = services.pack_shipment(
        user=needs.staff_a,
        warehouse=needs.main,
        recipient=needs.hospital,
        lines=[(needs.n95, 300)],
        need=needs.urgent,
    )
    assert services.balance(item=needs.n95, warehouse=needs.main) == 2400
    services.send_shipment(user=needs.staff_a, shipment=shipment)
    assert services.balance(item=needs.n95, warehouse=needs.main) == 2100
    assert Movement.objects.get(shipment=shipment).kind == Kind.ISSUE
    r = client_for(needs.staff_a).get(f"/supplies/shipments/{shipment.pk}/sheet.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    with pytest.raises(ValidationError):
        services.receive_shipment(
            user=needs.staff_a,
            shipment=shipment,
            received_by="李护士长",
            received={shipment.lines.get().pk: (299, 0)},
        )  # a shortfall needs a remark
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.SENT


def test_the_trace_page_follows_a_lot_to_its_recipient_without_contacts(needs, client):
    services.issue(
        user=needs.staff_a,
        warehouse=needs.main,
        item=needs.n95,
        quantity=100,
        recipient=needs.hospital,
    )
    html = client.get(f"/supplies/trace/{needs.lot.code}/").content.decode()
    assert "青原县人民医院" in html and "钣金商会一号仓" in html
    assert client.get("/supplies/trace/NOSUCHCODE/").status_code == 404


def test_the_public_needs_page_shows_no_contact(needs, client):
    html = client.get("/supplies/public/needs/").content.decode()
    assert "青原县人民医院" in html
    assert "张医生" not in html and "1381" not in html


def test_days_of_cover_divide_stock_by_staff_and_daily_use(needs):
    from gongke.registry import services as registry
    from gongke.registry.models import PlaceKind

    assert services.days_of_cover(needs.a1) == []  # no stock known: no figure
    store = registry.save_place(kind=PlaceKind.WAREHOUSE, name="京博仓库", organization=needs.a1)
    services.receive(user=needs.admin_a, warehouse=store, item=needs.n95, quantity=1200)
    covers = {c.item.name: c.days for c in services.days_of_cover(needs.a1)}
    assert covers == {"N95口罩": 10, "医用手套": 0}  # 1,200 ÷ (120 staff × 1 a day)
    short = services.short_of_cover(services.days_of_cover(needs.a1))
    assert {c.item.name for c in short} == {"N95口罩", "医用手套"}


def test_the_cover_page_lists_enterprises_in_a_fixed_number_of_queries(
    needs, client_for, django_assert_max_num_queries
):
    c = client_for(needs.admin_a)
    with django_assert_max_num_queries(12):
        r = c.get(f"/supplies/cover/?org={needs.chamber_a.pk}")
    assert r.status_code == 200


def test_work_resumption_counts_the_stock_gongke_keeps_instead_of_the_typed_masks(stores):
    from gongke.registry import services as registry
    from gongke.registry.models import PlaceKind
    from gongke.resumption import services as resumption

    data = {
        "category": "industry",
        "batch": 1,
        "planned_date": datetime.date(2020, 2, 17),
        "staff_total": 120,
        "staff_planned": 80,
        "responsible_person": "王伟",
        "masks_in_stock": 2400,  # typed: 15 days for 80 staff at 2 a day
        "masks_per_person_day": 2,
        "disinfectant_litres": 30,
        "disinfectant_per_person_day": "0.020",
        "temperature_twice_daily": True,
        "distancing": True,
        "disinfection": True,
        "vehicle_rules": True,
    }
    application = resumption.save_application(
        enterprise=stores.a1, user=stores.reporter_a1, data=data
    )
    store = registry.save_place(kind=PlaceKind.WAREHOUSE, name="京博仓库", organization=stores.a1)
    services.receive(user=stores.admin_a, warehouse=store, item=stores.n95, quantity=100)
    with pytest.raises(ValidationError) as refused:
        resumption.submit_application(application=application, user=stores.reporter_a1)
    assert "masks_in_stock" in refused.value.message_dict
    services.receive(user=stores.admin_a, warehouse=store, item=stores.n95, quantity=2300)
    resumption.submit_application(application=application, user=stores.reporter_a1)
    application.refresh_from_db()
    assert application.masks_in_stock == 2400


def test_both_sides_of_an_accepted_match_are_told_in_their_todos(needs):
    from gongke.lib.todos import todos_for

    def labels(user):
        return [(t.url, t.count) for t in todos_for(user) if t.area == "supplies"]

    assert labels(needs.staff_a) == []
    (line,) = needs.urgent.lines.all()
    services.accept_match(user=needs.staff_a, line=line, offer=needs.offer, quantity=600)
    # The need's side sends the shipment; the offering member's side hands the goods over.
    assert labels(needs.staff_a) == [
        ("/supplies/shipments/?status=packed", 1),
        ("/supplies/offers/", 1),
    ]
    assert labels(needs.outsider_b) == []
    assert labels(needs.viewer_a) == []
