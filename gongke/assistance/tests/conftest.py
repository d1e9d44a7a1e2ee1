import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def shop(cast):
    """Enterprise A1 sells a 68-yuan package under the federation's 100-yuan cap; it is on sale in
    compound A (chamber A) for tomorrow, three packages in all, and in compound B (chamber B)."""
    from gongke.assistance import services
    from gongke.assistance.models import ShopKey

    services.set_price_cap(organization=cast.federation, amount="100", user=cast.fed_admin)
    cast.package = services.save_package(
        supplier=cast.a1,
        user=cast.admin_a,
        name="蔬菜套餐",
        contents="土豆2斤、白菜1棵、鸡蛋10个",
        price="68",
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cast.window = services.open_window(
        compound=cast.compound_a,
        package=cast.package,
        day=tomorrow,
        closes_at=timezone.now() + dt.timedelta(hours=4),
        capacity=3,
        max_per_order=2,
        user=cast.admin_a,
    )
    cast.window_b = services.open_window(
        compound=cast.compound_b,
        package=cast.package,
        day=tomorrow,
        closes_at=timezone.now() + dt.timedelta(hours=4),
        capacity=100,
        user=cast.fed_admin,
    )
    cast.key = ShopKey.for_place(cast.compound_a)
    return cast


def order_data(**extra):
    import uuid

    return {
        "client_id": uuid.uuid4().hex,
        "quantity": "1",
        "building": "3",
        "unit": "1",
        "room": "502",
        "name": "张大爷",
        "phone": "13912345678",
        **extra,
    }
