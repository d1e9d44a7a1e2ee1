"""/api/v1/assistance: the same services and access path as the pages; creates are idempotent,
residents masked for those who do not deliver, refusals in JSON."""

import datetime as dt

from django.utils import timezone

from gongke.assistance.models import Order, ServiceRequest, Session, Window

from .conftest import order_data


def test_a_grid_worker_orders_through_the_api_once_per_key(shop, api_for):
    c = api_for(shop.guard_a)
    url = f"/api/v1/assistance/windows/{shop.window.pk}/orders"
    data = order_data(quantity=2)
    first = c.post(url, data, content_type="application/json", headers={"Idempotency-Key": "k1"})
    again = c.post(url, data, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["phone"] == "13912345678" and first.json()["code"]
    # The same client id without a key: still the one order.
    assert c.post(url, data, content_type="application/json").status_code == 200
    assert Order.objects.count() == 1
    assert Window.objects.get(pk=shop.window.pk).ordered == 2


def test_a_sold_out_window_answers_422_in_json(shop, api_for):
    c = api_for(shop.staff_a)
    url = f"/api/v1/assistance/windows/{shop.window.pk}/orders"
    for q in (2, 1):
        assert (
            c.post(url, order_data(quantity=q), content_type="application/json").status_code == 201
        )
    response = c.post(url, order_data(), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"]
    assert Window.objects.get(pk=shop.window.pk).ordered == 3


def test_a_viewer_reads_orders_masked_and_the_supplier_only_the_pick_list(shop, api_for):
    from gongke.assistance import services

    services.place_order(window=shop.window, data=order_data())
    orders = api_for(shop.viewer_a).get("/api/v1/assistance/orders").json()["items"]
    assert orders[0]["phone"] == "139****5678" and orders[0]["room"] == "***"
    assert orders[0]["code"] is None
    supplier = api_for(shop.reporter_a1)
    assert supplier.get("/api/v1/assistance/orders").json()["items"] == []
    window = supplier.get(f"/api/v1/assistance/windows/{shop.window.pk}").json()
    assert window["buildings"] == [{"building": "3", "orders": 1, "quantity": 1, "delivered": 0}]
    assert (
        api_for(shop.outsider_b).get(f"/api/v1/assistance/windows/{shop.window.pk}").status_code
        == 404
    )


def test_a_package_above_the_cap_is_refused(shop, api_for):
    response = api_for(shop.staff_a).post(
        "/api/v1/assistance/packages",
        {"supplier_id": shop.a1.pk, "name": "贵", "contents": "…", "price": "101"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "price" in response.json()["errors"]


def test_delivery_and_figures_through_the_api(shop, api_for):
    c = api_for(shop.guard_a)
    url = f"/api/v1/assistance/windows/{shop.window.pk}/orders"
    order = c.post(url, order_data(), content_type="application/json").json()
    bad = c.post(
        f"/api/v1/assistance/orders/{order['id']}/delivered",
        {"code": "xxxx"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    ok = c.post(
        f"/api/v1/assistance/orders/{order['id']}/delivered",
        {"code": order["code"]},
        content_type="application/json",
    )
    assert ok.json()["status"] == "delivered"
    figures = api_for(shop.staff_a).get("/api/v1/assistance/figures").json()
    assert figures == [
        {
            "compound_id": shop.compound_a.pk,
            "compound": "东城花园小区",
            "day": shop.window.day.isoformat(),
            "orders": 1,
            "packages": 1,
            "amount": "68.00",
            "paid": "0.00",
            "delivered": 1,
            "cancelled": 0,
            "refunded": "0.00",
        }
    ]


def test_seats_of_a_training_are_never_overbooked(shop, api_for):
    staff = api_for(shop.staff_a)
    offer = staff.post(
        "/api/v1/assistance/offers",
        {"provider_id": shop.a1.pk, "kind": "training", "title": "复工防疫培训"},
        content_type="application/json",
    ).json()
    starts = (timezone.now() + dt.timedelta(days=3)).isoformat()
    session = staff.post(
        f"/api/v1/assistance/offers/{offer['id']}/sessions",
        {"starts_at": starts, "seats": 2},
        content_type="application/json",
    ).json()
    firm = api_for(shop.reporter_a1)
    body = {"offer_id": offer["id"], "firm_id": shop.a1.pk, "session_id": session["id"]}
    answers = [
        firm.post("/api/v1/assistance/requests", body, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert answers == [201, 201, 422]
    assert Session.objects.get(pk=session["id"]).taken == 2
    counts = staff.get("/api/v1/assistance/offers").json()["items"][0]
    assert counts["requests"] == 2


def test_the_association_assigns_and_the_firm_rates(shop, api_for):
    from gongke.registry import services as registry

    helper = registry.save_person(organization=shop.a1, name="服务专员")
    staff = api_for(shop.staff_a)
    offer = staff.post(
        "/api/v1/assistance/offers",
        {"provider_id": shop.a1.pk, "kind": "counselling", "title": "心理咨询"},
        content_type="application/json",
    ).json()
    firm = api_for(shop.reporter_a1)
    request = firm.post(
        "/api/v1/assistance/requests",
        {"offer_id": offer["id"], "firm_id": shop.a1.pk, "need": "员工焦虑"},
        content_type="application/json",
    ).json()
    # The firm may not assign; feedback waits for the assignment.
    assert (
        firm.post(
            f"/api/v1/assistance/requests/{request['id']}/assign",
            {"person_id": helper.pk},
            content_type="application/json",
        ).status_code
        == 403
    )
    rate = f"/api/v1/assistance/requests/{request['id']}/feedback"
    assert firm.post(rate, {"rating": 5}, content_type="application/json").status_code == 422
    staff.post(
        f"/api/v1/assistance/requests/{request['id']}/assign",
        {"person_id": helper.pk},
        content_type="application/json",
    )
    assert firm.post(rate, {"rating": 5}, content_type="application/json").status_code == 200
    r = ServiceRequest.objects.get(pk=request["id"])
    assert (r.status, r.assignee, r.rating) == ("assigned", helper, 5)


def test_odd_input_is_refused_not_a_server_error(shop, api_for):
    c = api_for(shop.staff_a)
    order = c.post(
        f"/api/v1/assistance/windows/{shop.window.pk}/orders",
        order_data(),
        content_type="application/json",
    ).json()
    odd = c.post(
        f"/api/v1/assistance/orders/{order['id']}/delivered",
        {"code": "一二三四"},
        content_type="application/json",
    )
    assert odd.status_code == 422
    # A time without a zone is Beijing time.
    naive = (timezone.localtime() + dt.timedelta(hours=3)).replace(tzinfo=None).isoformat()
    window = c.post(
        "/api/v1/assistance/windows",
        {
            "compound_id": shop.compound_a.pk,
            "package_id": shop.package.pk,
            "day": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "closes_at": naive,
            "capacity": 10,
        },
        content_type="application/json",
    )
    assert window.status_code == 201
