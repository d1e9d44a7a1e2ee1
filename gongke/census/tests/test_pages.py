from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongke.census import services
from gongke.census.models import DailyCheck, Isolation, Resident, Visit

from .conftest import make_id


@pytest.fixture
def iso(census):
    iso, _ = services.start_isolation(
        user=census.admin_a,
        resident=census.resident,
        start=timezone.localdate() - timedelta(days=2),
    )
    return iso


def _pages(c, iso):
    """(method, url) of every census page bound to compound A's records."""
    r, h, p = c.resident, c.household, c.compound_a
    return [
        ("get", reverse("census:area", args=[p.pk])),
        ("post", reverse("census:household-new", args=[p.pk])),
        ("get", reverse("census:area-export", args=[p.pk])),
        ("get", reverse("census:area-import", args=[p.pk])),
        ("get", reverse("census:household", args=[h.pk])),
        ("get", reverse("census:household-edit", args=[h.pk])),
        ("post", reverse("census:household-edit", args=[h.pk])),
        ("get", reverse("census:household-delete", args=[h.pk])),
        ("post", reverse("census:household-delete", args=[h.pk])),
        ("post", reverse("census:resident-new", args=[h.pk])),
        ("post", reverse("census:visit-new", args=[h.pk])),
        ("get", reverse("census:resident", args=[r.pk])),
        ("get", reverse("census:resident-edit", args=[r.pk])),
        ("post", reverse("census:resident-merge", args=[r.pk, r.pk])),
        ("post", reverse("census:reveal", args=[r.pk])),
        ("post", reverse("census:return-new", args=[r.pk])),
        ("post", reverse("census:isolation-new", args=[r.pk])),
        ("post", reverse("census:check-new", args=[iso.pk])),
        ("post", reverse("census:isolation-end", args=[iso.pk])),
    ]


def test_every_page_answers_404_to_another_organization(census, iso, client_for):
    c = client_for(census.outsider_b)
    for method, url in _pages(census, iso):
        assert getattr(c, method)(url).status_code == 404, url


def test_a_viewer_may_read_but_not_write(census, iso, client_for):
    c = client_for(census.viewer_a)
    for method, url in _pages(census, iso):
        writes = ("edit", "delete", "import")
        expected = 200 if method == "get" and not any(w in url for w in writes) else 403
        assert getattr(c, method)(url).status_code == expected, url


def test_lists_answer_without_showing_others(census, iso, client_for):
    c = client_for(census.outsider_b)
    for name in ("census:index", "census:isolations", "census:visits", "census:returns"):
        response = c.get(reverse(name))
        assert response.status_code == 200
        assert "王伟" not in response.content.decode()
    found = c.get(reverse("census:index"), {"who": "王伟"}).content.decode()
    assert reverse("census:resident", args=[census.resident.pk]) not in found


def test_a_duty_officer_registers_a_resident_at_the_door(census, client_for):
    c = client_for(census.guard_a)
    url = reverse("census:resident-new", args=[census.household.pk])
    response = c.post(url, {"name": "王伟", "id_number": make_id(), "phone": ""})
    assert response.status_code == 302
    assert Resident.objects.filter(name="王伟").count() == 1
    response = c.post(url, {"name": "赵强", "id_number": "110105194912310021"})
    assert response.status_code == 422
    assert "校验码" in response.content.decode()  # the message in the default language
    assert (
        c.post(
            reverse("census:visit-new", args=[census.household.pk]), {"outcome": "nobody_home"}
        ).status_code
        == 302
    )
    assert Visit.objects.get().outcome == "nobody_home"


def test_a_temperature_is_recorded_from_the_isolation_list(census, iso, client_for):
    c = client_for(census.staff_a)
    page = c.get(reverse("census:isolations"))
    assert "day 3 of 14" in page.content.decode() or "第 3 天" in page.content.decode()
    response = c.post(
        reverse("census:check-new", args=[iso.pk]),
        {"temperature": "38.2", "next": reverse("census:isolations")},
    )
    assert response["Location"] == reverse("census:isolations")
    assert DailyCheck.objects.get().is_fever
    bad = c.post(reverse("census:check-new", args=[iso.pk]), {"temperature": "48"}, follow=True)
    assert (
        DailyCheck.objects.get().temperature == 38.2
        or str(DailyCheck.objects.get().temperature) == "38.2"
    )
    assert "43.0" in bad.content.decode()


def test_ending_an_isolation_early_asks_why(census, iso, client_for):
    c = client_for(census.admin_a)
    c.post(reverse("census:isolation-end", args=[iso.pk]), {"note": ""})
    assert Isolation.objects.get().ended_at is None
    c.post(reverse("census:isolation-end", args=[iso.pk]), {"note": "送医"})
    assert Isolation.objects.get().ended_at is not None


def test_a_return_can_start_the_isolation(census, client_for):
    c = client_for(census.admin_a)
    day = timezone.localdate() - timedelta(days=1)
    c.post(
        reverse("census:return-new", args=[census.resident.pk]),
        {"from_place": "湖北武汉", "returned_on": day.isoformat(), "isolate": "on"},
    )
    assert Isolation.objects.get().start == day


def test_merge_from_the_page(census, client_for):
    dup, _ = services.register_resident(
        user=census.admin_a, household=census.household, name="王伟", phone="13700000000"
    )
    c = client_for(census.admin_a)
    page = c.get(reverse("census:resident", args=[census.resident.pk])).content.decode()
    assert reverse("census:resident-merge", args=[census.resident.pk, dup.pk]) in page
    assert "data-confirm" in page
    c.post(reverse("census:resident-merge", args=[census.resident.pk, dup.pk]))
    assert Resident.objects.filter(name="王伟").count() == 1


def test_pages_keep_their_query_count(census, iso, client_for, django_assert_max_num_queries):
    for n in range(6):
        h, _ = services.save_household(
            place=census.compound_a, building="2", unit=str(n % 2), room=f"{n}01"
        )
        r, _ = services.register_resident(user=census.admin_a, household=h, name=f"居民{n}")
        i, _ = services.start_isolation(user=census.admin_a, resident=r, start=timezone.localdate())
        services.record_check(user=census.admin_a, isolation=i, temperature="36.6")
        services.record_visit(user=census.admin_a, household=h)
        services.record_return(
            user=census.admin_a, resident=r, from_place="武汉", returned_on=timezone.localdate()
        )
    c = client_for(census.admin_a)
    urls = [
        reverse("census:index"),
        reverse("census:index") + "?who=jm",
        reverse("census:area", args=[census.compound_a.pk]),
        reverse("census:household", args=[census.household.pk]),
        reverse("census:resident", args=[census.resident.pk]),
        reverse("census:isolations"),
        reverse("census:visits"),
        reverse("census:returns"),
        reverse("census:returns") + "?export=xlsx",
        reverse("census:area-export", args=[census.compound_a.pk]),
        reverse("census:isolations") + "?export=xlsx",
    ]
    for url in urls:
        with django_assert_max_num_queries(16):
            assert c.get(url).status_code == 200, url


def test_a_duty_officer_sees_only_the_compounds_of_their_posts(census, client_for, api_for):
    from gongke.registry import services as registry

    other = registry.save_place(kind="compound", name="西园小区", organization=census.chamber_a)
    household, _ = services.save_household(place=other, room="101")
    resident, _ = services.register_resident(
        user=census.admin_a, household=household, name="钱多多"
    )
    guard = client_for(census.guard_a)
    assert guard.get(reverse("census:area", args=[census.compound_a.pk])).status_code == 200
    assert guard.get(reverse("census:area", args=[other.pk])).status_code == 404
    assert guard.get(reverse("census:household", args=[household.pk])).status_code == 404
    assert guard.get(reverse("census:resident", args=[resident.pk])).status_code == 404
    assert "西园小区" not in guard.get(reverse("census:index")).content.decode()
    assert (
        client_for(census.staff_a).get(reverse("census:resident", args=[resident.pk])).status_code
        == 200
    )


def test_the_compound_page_walks_rooms_in_order_and_shows_what_is_left_today(census, client_for):
    for room in ("1001", "201", "99"):
        services.save_household(place=census.compound_a, building="1", unit="2", room=room)
    services.record_visit(user=census.admin_a, household=census.household)  # 1-2-501
    c = client_for(census.staff_a)
    page = c.get(reverse("census:area", args=[census.compound_a.pk]))
    rooms = [h.room for _key, hs in page.context["groups"] for h in hs]
    assert rooms == ["99", "201", "501", "1001"]
    todo = c.get(reverse("census:area", args=[census.compound_a.pk]), {"todo": "1"})
    assert [h.room for _key, hs in todo.context["groups"] for h in hs] == ["99", "201", "1001"]
