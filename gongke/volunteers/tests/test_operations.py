"""Field operations over administrative divisions, their roll-up, lent resources, the API."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongke.volunteers import services
from gongke.volunteers.models import Division, Operation
from gongke.volunteers.rollups import rollup

DAY = dt.date(2020, 2, 10)


def _divisions(tmp_path):
    """A small copy of the china-division files: two cities of Shandong, three counties."""
    files = {
        "provinces.json": [{"code": "37", "name": "山东省"}],
        "cities.json": [
            {"code": "3716", "name": "滨州市", "provinceCode": "37"},
            {"code": "3703", "name": "淄博市", "provinceCode": "37"},
        ],
        "areas.json": [
            {"code": "371625", "name": "博兴县", "cityCode": "3716", "provinceCode": "37"},
            {"code": "371622", "name": "阳信县", "cityCode": "3716", "provinceCode": "37"},
            {"code": "370303", "name": "张店区", "cityCode": "3703", "provinceCode": "37"},
        ],
        "streets.json": [
            {
                "code": "371625100",
                "name": "曹王镇",
                "areaCode": "371625",
                "cityCode": "3716",
                "provinceCode": "37",
            }
        ],
    }
    for name, rows in files.items():
        (tmp_path / name).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    call_command("load_divisions", "--from", str(tmp_path))
    return {d.code: d for d in Division.objects.all()}


@pytest.fixture
def places(tmp_path, db):
    return _divisions(tmp_path)


@pytest.fixture
def fleet(cast):
    drones = [
        services.save_resource(organization=cast.a1, kind="drone", name=f"无人机{i}")
        for i in range(3)
    ]
    pilots = [
        services.save_resource(organization=cast.a1, kind="pilot", name=f"飞手{i}")
        for i in range(2)
    ]
    return drones, pilots


def test_it_loads_the_divisions_from_the_npm_package_files(places):
    assert places["371625100"].parent_id == "371625"
    assert places["371625"].level == 3 and places["3716"].parent_id == "37"


def test_the_roll_up_counts_area_cities_counties_pilots_and_drones(cast, places, fleet):
    drones, pilots = fleet
    common = {"organization": cast.chamber_a, "kind": "spraying", "day": DAY}
    services.record_operation(
        division=places["371625100"], area_mu="1000", drones=drones[:2], pilots=pilots, **common
    )
    services.record_operation(
        division=places["371622"], area_mu="500.5", drones=drones[1:], pilots=pilots[:1], **common
    )
    services.record_operation(division=places["3703"], area_mu="200", **common)  # a whole city
    r = rollup(cast.federation)
    assert r.area_mu == Decimal("1700.50")
    assert (r.cities, r.counties, r.pilots, r.drones, r.operations) == (2, 2, 2, 3, 3)
    assert r.area_sqm == Decimal("1133723")  # 1700.5 × 666.7
    assert rollup(cast.chamber_b).operations == 0
    assert rollup(cast.chamber_a, since=DAY + dt.timedelta(days=1)).operations == 0


def test_it_refuses_a_province_or_a_drone_that_is_a_pilot(cast, places, fleet):
    drones, pilots = fleet
    with pytest.raises(ValidationError):
        services.record_operation(
            organization=cast.chamber_a,
            kind="spraying",
            day=DAY,
            area_mu="1",
            division=places["37"],
        )
    with pytest.raises(ValidationError):
        services.record_operation(
            organization=cast.chamber_a,
            kind="spraying",
            day=DAY,
            area_mu="1",
            division=places["371625"],
            drones=pilots,
        )
    assert not Operation.objects.exists()


@settings(
    max_examples=15,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["371625", "371622", "370303", "371625100", "3716"]),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
            st.sets(st.integers(0, 2), max_size=3),
        ),
        max_size=8,
    )
)
def test_the_roll_up_counts_each_operation_once_however_large_its_crew(
    cast, places, fleet, operations
):
    drones, pilots = fleet
    with transaction.atomic():
        for code, area, crew in operations:
            services.record_operation(
                organization=cast.chamber_a,
                kind="disinfection",
                day=DAY,
                division=places[code],
                area_mu=area,
                drones=[drones[i] for i in crew],
                pilots=[pilots[i % 2] for i in crew],
            )
        r = rollup(cast.federation)
        assert r.area_mu == sum((a for _c, a, _s in operations), Decimal("0"))
        assert r.operations == len(operations)
        assert r.counties == len({c[:6] for c, _a, _s in operations if len(c) >= 6})
        assert r.cities == len({c[:4] for c, _a, _s in operations})
        assert r.drones == len(set().union(*(s for _c, _a, s in operations)))
        transaction.set_rollback(True)


def test_the_page_records_an_operation_by_code_or_name(client_for, cast, places, fleet):
    c = client_for(cast.staff_a)
    data = {"organization": cast.chamber_a.pk, "kind": "spraying", "day": "2020-02-10"}
    r = c.post(reverse("volunteers:operation_new"), {**data, "where": "博兴县", "area_mu": "10"})
    assert r.status_code == 302
    r = c.post(reverse("volunteers:operation_new"), {**data, "where": "999999", "area_mu": "10"})
    assert r.status_code == 200 and Operation.objects.count() == 1
    page = c.get(reverse("volunteers:operations") + f"?org={cast.chamber_a.pk}").content.decode()
    assert "10.00" in page
    assert c.get(reverse("volunteers:operations_map")).status_code == 200


def test_the_api_creates_once_per_idempotency_key(api_for, cast, places, fleet):
    drones, pilots = fleet
    client = api_for(cast.staff_a)
    body = {
        "organization_id": cast.chamber_a.pk,
        "kind": "spraying",
        "division_code": "371625",
        "day": "2020-02-10",
        "area_mu": "300",
        "drone_ids": [d.pk for d in drones],
        "pilot_ids": [p.pk for p in pilots],
    }
    headers = {"Idempotency-Key": "op-1"}
    first = client.post(
        "/api/v1/volunteers/operations", body, content_type="application/json", headers=headers
    )
    again = client.post(
        "/api/v1/volunteers/operations", body, content_type="application/json", headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and Operation.objects.count() == 1
    r = client.get(f"/api/v1/volunteers/operations/rollup?organization_id={cast.chamber_a.pk}")
    assert r.json()["area_mu"] == "300.00" and r.json()["drones"] == 3
    bad = client.post(
        "/api/v1/volunteers/operations",
        {**body, "division_code": "000000"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "division_code" in bad.json()["errors"]
    # A drone of chamber B's reach is refused as if it did not exist.
    other = services.save_resource(organization=cast.b1, kind="drone", name="乙会无人机")
    r = client.post(
        "/api/v1/volunteers/operations",
        {**body, "drone_ids": [other.pk]},
        content_type="application/json",
    )
    assert r.status_code == 404 and Operation.objects.count() == 1


def test_resources_are_counted_per_member(client_for, cast, fleet):
    page = client_for(cast.viewer_a).get(reverse("volunteers:resources")).content.decode()
    assert "京博集团" in page and "无人机0" in page
