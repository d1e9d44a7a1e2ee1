"""Delivery tasks per building with proof of delivery, payments, complaints and refunds, figures
per compound and day, the home page's to-do, Excel exports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongke.assistance import services
from gongke.assistance.models import DeliveryTask, Order, OrderStatus, Proof, Window

from .conftest import order_data

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_tasks_are_made_per_building_and_done_when_their_orders_are_delivered(shop, client_for):
    a, _ = services.place_order(window=shop.window, data=order_data(building="3"))
    b, _ = services.place_order(window=shop.window, data=order_data(building="3", room="601"))
    c, _ = services.place_order(window=shop.window, data=order_data(building="5"))
    guard = client_for(shop.guard_a)
    guard.post(reverse("assistance:window-tasks", args=[shop.window.pk]))
    guard.post(reverse("assistance:window-tasks", args=[shop.window.pk]))  # again: no duplicate
    assert sorted(DeliveryTask.objects.values_list("building", flat=True)) == ["3", "5"]
    task = DeliveryTask.objects.get(building="3")
    page = guard.get(reverse("assistance:task", args=[task.pk])).content.decode()
    assert "13912345678" in page and "601" in page  # who delivers sees whom to deliver to

    # A wrong code is refused; the right one, or a photo, is proof.
    guard.post(reverse("assistance:order-deliver", args=[a.pk]), {"code": "x"})
    assert Order.objects.get(pk=a.pk).status == OrderStatus.PLACED
    guard.post(reverse("assistance:order-deliver", args=[a.pk]), {"code": a.code})
    photo = SimpleUploadedFile("door.png", PNG, "image/png")
    guard.post(reverse("assistance:order-deliver", args=[b.pk]), {"photo": photo})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.proof, b.status, b.proof) == (
        OrderStatus.DELIVERED,
        Proof.CODE,
        OrderStatus.DELIVERED,
        Proof.PHOTO,
    )
    task.refresh_from_db()
    assert task.done_at is not None
    assert DeliveryTask.objects.get(building="5").done_at is None


def test_a_photo_that_is_not_one_is_refused(shop, db):
    order, _ = services.place_order(window=shop.window, data=order_data())
    fake = SimpleUploadedFile("door.jpg", b"MZ\x90\x00 not a photo", "image/jpeg")
    with pytest.raises(ValidationError):
        services.deliver_order(order=order, user=shop.guard_a, photo=fake)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_staff_assign_a_volunteer_from_the_registry(shop, client_for):
    from gongke.registry import services as registry

    volunteer = registry.save_person(
        organization=shop.chamber_a, name="志愿者甲", is_volunteer=True
    )
    other = registry.save_person(organization=shop.chamber_b, name="乙会志愿者")
    services.place_order(window=shop.window, data=order_data())
    (task,) = services.make_tasks(window=shop.window, user=shop.staff_a)
    c = client_for(shop.staff_a)
    c.post(reverse("assistance:task-assign", args=[task.pk]), {"person": volunteer.pk})
    task.refresh_from_db()
    assert task.person == volunteer
    # Someone of another chamber is not there to pick.
    assert (
        c.post(reverse("assistance:task-assign", args=[task.pk]), {"person": other.pk}).status_code
        == 404
    )


def test_cancelling_gives_the_packages_back(shop, client_for):
    order, _ = services.place_order(window=shop.window, data=order_data(quantity="2"))
    client_for(shop.staff_a).post(reverse("assistance:order-cancel", args=[order.pk]))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Window.objects.get(pk=shop.window.pk).ordered == 0


def test_payments_complaints_and_refunds_are_recorded(shop, client_for):
    order, _ = services.place_order(window=shop.window, data=order_data(quantity="2"))
    guard = client_for(shop.guard_a)
    guard.post(reverse("assistance:order-paid", args=[order.pk]), {"paid": "1"})
    guard.post(reverse("assistance:order-complaint", args=[order.pk]), {"text": "鸡蛋碎了两个"})
    order.refresh_from_db()
    assert order.paid and order.paid_at is not None
    complaint = order.complaints.get()
    # A guard records complaints; only staff resolve them.
    url = reverse("assistance:complaint-resolve", args=[complaint.pk])
    assert guard.post(url, {"resolution": "退款", "refund": "5"}).status_code == 403
    staff = client_for(shop.staff_a)
    staff.post(url, {"resolution": "退还部分货款", "refund": "200"})  # more than was paid
    complaint.refresh_from_db()
    assert complaint.resolved_at is None
    staff.post(url, {"resolution": "退还部分货款", "refund": "10.5"})
    complaint.refresh_from_db()
    order.refresh_from_db()
    assert complaint.resolved_at is not None and order.refunded == Decimal("10.50")
    second = services.record_complaint(order=order, text="又坏了", user=shop.guard_a)
    with pytest.raises(ValidationError):
        services.resolve_complaint(
            complaint=second, resolution="全退", refund="126", user=shop.staff_a
        )
    services.resolve_complaint(
        complaint=second, resolution="全退", refund="125.5", user=shop.staff_a
    )
    assert Order.objects.get(pk=order.pk).refunded == order.amount


def test_figures_per_compound_and_day(shop, client_for):
    a, _ = services.place_order(window=shop.window, data=order_data(quantity="2"))
    services.place_order(window=shop.window, data=order_data())
    services.mark_paid(order=a, paid=True, user=shop.staff_a)
    services.place_order(window=shop.window_b, data=order_data())
    rows = services.figures(Order.objects.all())
    by = {r["window__compound__name"]: r for r in rows}
    assert by["东城花园小区"]["orders"] == 2
    assert by["东城花园小区"]["packages"] == 3
    assert by["东城花园小区"]["total"] == Decimal("204")
    assert by["东城花园小区"]["paid_total"] == Decimal("136")
    # Chamber A's staff see compound A's figures only.
    c = client_for(shop.staff_a)
    html = c.get(reverse("assistance:figures")).content.decode()
    assert "东城花园小区" in html and "南湖新村" not in html
    book = load_workbook(
        io.BytesIO(c.get(reverse("assistance:figures"), {"export": "xlsx"}).getvalue())
    )
    assert [r[1] for r in list(book.active.values)[1:]] == ["东城花园小区"]


def test_the_order_export_masks_residents_for_a_viewer(shop, client_for):
    services.place_order(window=shop.window, data=order_data())
    for user, phone in ((shop.viewer_a, "139****5678"), (shop.guard_a, "13912345678")):
        response = client_for(user).get(reverse("assistance:orders"), {"export": "xlsx"})
        rows = list(load_workbook(io.BytesIO(response.getvalue())).active.values)
        assert rows[1][8] == phone


def test_the_home_page_lists_orders_to_deliver_for_those_who_deliver(shop, client_for):
    Window.objects.filter(pk=shop.window.pk).update(day=timezone.localdate())
    services.place_order(window=shop.window, data=order_data(quantity="2"))
    assert "/assistance/tasks/" in client_for(shop.guard_a).get("/").content.decode()
    assert "/assistance/tasks/" not in client_for(shop.viewer_a).get("/").content.decode()


def test_the_qr_poster_leads_to_the_public_page(shop, client_for):
    html = (
        client_for(shop.staff_a)
        .get(reverse("assistance:poster", args=[shop.compound_a.pk]))
        .content.decode()
    )
    assert f"/assistance/o/{shop.key.token}/" in html and "<svg" in html


def test_an_order_window_in_the_past_cannot_be_opened(shop, db):
    with pytest.raises(ValidationError):
        services.open_window(
            compound=shop.compound_a,
            package=shop.package,
            day=timezone.localdate(),
            closes_at=timezone.now() - dt.timedelta(hours=1),
            capacity=10,
            user=shop.staff_a,
        )
