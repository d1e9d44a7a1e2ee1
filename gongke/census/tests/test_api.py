from datetime import timedelta

from django.utils import timezone

from gongke.census.models import DailyCheck, Household, Resident, ReturnRecord, Visit

from .conftest import make_id

BASE = "/api/v1/census"


def _post(client, url, data, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(BASE + url, data, content_type="application/json", headers=headers)


def test_a_retry_with_the_same_key_makes_one_resident(census, api_for):
    c = api_for(census.guard_a)
    data = {"household_id": census.household.pk, "name": "陈静", "phone": "13911112222"}
    first = _post(c, "/residents", data, key="k-1")
    again = _post(c, "/residents", data, key="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["phone"] == "139****2222"
    assert Resident.objects.filter(name="陈静").count() == 1


def test_the_same_id_number_merges_instead_of_duplicating(census, api_for):
    c = api_for(census.admin_a)
    response = _post(
        c,
        "/residents",
        {"household_id": census.household.pk, "name": "王伟", "id_number": make_id()},
    )
    assert response.status_code == 200
    assert response.json()["id"] == census.resident.pk
    assert response.json()["id_number"].count("*") == 11


def test_a_bad_id_number_answers_422_with_the_field(census, api_for):
    response = _post(
        api_for(census.admin_a),
        "/residents",
        {"household_id": census.household.pk, "name": "赵强", "id_number": "110105194912310021"},
    )
    assert response.status_code == 422
    assert "id_number" in response.json()["errors"]


def test_an_outsider_gets_404_everywhere(census, api_for):
    c = api_for(census.outsider_b)
    r, h = census.resident, census.household
    assert c.get(f"{BASE}/households/{h.pk}").status_code == 404
    assert c.get(f"{BASE}/residents/{r.pk}").status_code == 404
    assert c.get(f"{BASE}/residents/{r.pk}/returns").status_code == 404
    assert _post(c, "/residents", {"household_id": h.pk, "name": "x"}).status_code == 404
    assert (
        _post(c, "/households", {"place_id": census.compound_a.pk, "room": "1"}).status_code == 404
    )
    assert _post(c, f"/households/{h.pk}/visits", {}).status_code == 404
    assert (
        _post(
            c, f"/residents/{r.pk}/returns", {"from_place": "x", "returned_on": "2026-01-01"}
        ).status_code
        == 404
    )
    assert _post(c, f"/residents/{r.pk}/isolations", {}).status_code == 404
    assert _post(c, f"/residents/{r.pk}/merge", {"duplicate_id": r.pk}).status_code == 404
    assert c.get(f"{BASE}/daily-counts", {"place_id": census.compound_a.pk}).status_code == 404
    listed = c.get(f"{BASE}/residents").json()["items"]
    assert [x["id"] for x in listed] == [census.resident_b.pk]


def test_a_viewer_may_not_write(census, api_for):
    c = api_for(census.viewer_a)
    assert c.get(f"{BASE}/residents/{census.resident.pk}").status_code == 200
    assert (
        _post(c, "/residents", {"household_id": census.household.pk, "name": "x"}).status_code
        == 403
    )


def test_the_isolation_round_through_the_api(census, api_for, django_assert_max_num_queries):
    c = api_for(census.guard_a)
    today = timezone.localdate()
    ret = _post(
        c,
        f"/residents/{census.resident.pk}/returns",
        {
            "from_place": "湖北武汉",
            "returned_on": str(today - timedelta(days=2)),
            "start_isolation": True,
        },
        key="r-1",
    )
    assert ret.status_code == 201
    assert (
        _post(
            c,
            f"/residents/{census.resident.pk}/returns",
            {"from_place": "湖北武汉", "returned_on": str(today - timedelta(days=2))},
        ).status_code
        == 200
    )
    assert ReturnRecord.objects.count() == 1
    with django_assert_max_num_queries(8):
        listed = c.get(f"{BASE}/isolations", {"missing": True}).json()["items"]
    assert (
        len(listed) == 1 and not listed[0]["checked_today"] and listed[0]["household"] == "1-2-501"
    )
    iso_id = listed[0]["id"]
    bad = _post(c, f"/isolations/{iso_id}/checks", {"temperature": "25"})
    assert bad.status_code == 422 and "34.0" in str(bad.json()["errors"])
    ok = _post(c, f"/isolations/{iso_id}/checks", {"temperature": "37.5"}, key="c-1")
    assert ok.status_code == 201 and ok.json()["is_fever"]
    assert (
        _post(c, f"/isolations/{iso_id}/checks", {"temperature": "37.5"}, key="c-1").json()
        == ok.json()
    )
    assert DailyCheck.objects.count() == 1
    assert c.get(f"{BASE}/isolations", {"missing": True}).json()["items"] == []
    ended = _post(c, f"/isolations/{iso_id}/end", {"note": "转院"})
    assert ended.status_code == 200 and ended.json()["end_day"] == str(today)


def test_visits_and_daily_counts(census, api_for):
    c = api_for(census.staff_a)
    assert (
        _post(
            c, f"/households/{census.household.pk}/visits", {"outcome": "met"}, key="v-1"
        ).status_code
        == 201
    )
    assert (
        _post(
            c, f"/households/{census.household.pk}/visits", {"outcome": "met"}, key="v-1"
        ).status_code
        == 201
    )
    assert Visit.objects.count() == 1
    counts = c.get(f"{BASE}/daily-counts").json()
    assert (
        counts["households"] == 1 and counts["households_visited"] == 1 and counts["residents"] == 1
    )


def test_a_household_registered_twice_is_one(census, api_for):
    c = api_for(census.staff_a)
    data = {"place_id": census.compound_a.pk, "building": "1", "unit": "2", "room": "501"}
    assert _post(c, "/households", data).status_code == 200
    assert _post(c, "/households", {**data, "room": "502"}).status_code == 201
    assert Household.objects.filter(place=census.compound_a).count() == 2
    assert len(c.get(f"{BASE}/households", {"place_id": census.compound_a.pk}).json()["items"]) == 2


def test_a_resident_is_changed_and_moves_out(census, api_for):
    c = api_for(census.staff_a)
    url = f"{BASE}/residents/{census.resident.pk}"
    response = c.patch(
        url,
        {"moved_out_on": str(timezone.localdate()), "note": "去外地工作"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["moved_out_on"] == str(
        timezone.localdate()
    )
    assert response.json()["phone"] == "138****5678"  # untouched fields stay
    assert (
        api_for(census.outsider_b)
        .patch(url, {"note": "x"}, content_type="application/json")
        .status_code
        == 404
    )


def test_a_reveal_through_the_api_needs_a_reason_and_is_audited(census, api_for):
    from auditlog.models import LogEntry

    c = api_for(census.admin_a)
    url = f"/residents/{census.resident.pk}/reveal"
    assert _post(c, url, {"reason": ""}).status_code == 422
    response = _post(c, url, {"reason": "协查通报核对"})
    assert response.status_code == 200
    assert response.json() == {"id_number": census.resident.id_number_masked, "stored": False}
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=census.admin_a).count() == 1
    assert _post(api_for(census.viewer_a), url, {"reason": "看看"}).status_code == 403
