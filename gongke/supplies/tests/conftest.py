import pytest

from gongke.registry import services as registry
from gongke.registry.models import PlaceKind
from gongke.supplies import services


@pytest.fixture
def stores(cast):
    """Chamber A's two warehouses and chamber B's one, a catalog with N95 masks (1 箱 = 20 盒 =
    1,000 只) kept by the federation, and a lot of 2,400 masks in A's main warehouse."""
    main = registry.save_place(
        kind=PlaceKind.WAREHOUSE, name="钣金商会一号仓", organization=cast.chamber_a
    )
    spare = registry.save_place(
        kind=PlaceKind.WAREHOUSE, name="钣金商会二号仓", organization=cast.chamber_a
    )
    south = registry.save_place(
        kind=PlaceKind.WAREHOUSE, name="南湖镇商会仓库", organization=cast.chamber_b
    )
    n95 = services.save_item(
        user=cast.fed_admin,
        organization=cast.federation,
        name="N95口罩",
        category="n95",
        base_unit="只",
        standard="GB 2626-2019",
        shelf_life_days=730,
        daily_use=1,
        packs=[("箱", 1000), ("盒", 50)],
    )
    gloves = services.save_item(
        user=cast.fed_admin,
        organization=cast.federation,
        name="医用手套",
        category="gloves",
        base_unit="副",
        daily_use=2,
    )
    lot = services.receive(
        user=cast.staff_a,
        warehouse=main,
        item=n95,
        quantity=2400,
        batch="B2020-01",
        supplier="京博集团",
    )
    cast.main, cast.spare, cast.south, cast.n95, cast.gloves, cast.lot = (
        main,
        spare,
        south,
        n95,
        gloves,
        lot,
    )
    return cast
