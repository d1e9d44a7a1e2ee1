"""/api/v1/registry: the same access path as the pages, client keys on creates, JSON errors."""

import pytest

from gongke.registry.models import Person, Place

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "fed_admin",
    "admin_a",
    "staff_a",
    "reporter_a1",
    "guard_a",
    "viewer_a",
    "outsider_b",
]
MANAGERS = {"admin", "fed_admin", "admin_a", "staff_a"}
JSON = "application/json"


def person_body(cast, **kw):
    return {"organization_id": cast.a1.pk, "name": "陈静", "phone": "13900003333", **kw}


def place_body(cast, **kw):
    return {
        "kind": "post",
        "name": "东城花园西门卡口",
        "organization_id": cast.chamber_a.pk,
        "parent_id": cast.compound_a.pk,
        "township": "东城街道",
        **kw,
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_it_may_from_the_api(cast, api_for, role):
    api = api_for(getattr(cast, role))
    # A duty officer reaches their posts and their own organization, not its members.
    read = 404 if role in {"outsider_b", "guard_a"} else 200
    assert api.get(f"/api/v1/registry/organizations/{cast.a1.pk}").status_code == read
    chamber = 404 if role in {"outsider_b", "reporter_a1"} else 200
    assert api.get(f"/api/v1/registry/organizations/{cast.chamber_a.pk}").status_code == chamber
    assert api.get(f"/api/v1/registry/places/{cast.post_a.pk}").status_code == chamber
    write = read if read != 200 else (200 if role in MANAGERS else 403)
    r = api.patch(
        f"/api/v1/registry/organizations/{cast.a1.pk}", {"staff_count": 7}, content_type=JSON
    )
    assert r.status_code == write and r.headers["Content-Type"].startswith("application/json")
    create = read if read != 200 else (201 if role in MANAGERS else 403)
    r = api.post("/api/v1/registry/people", person_body(cast), content_type=JSON)
    assert r.status_code == create
    assert "detail" in r.json() or r.status_code == 201
    create_place = chamber if chamber != 200 else (201 if role in MANAGERS else 403)
    assert (
        api.post("/api/v1/registry/places", place_body(cast), content_type=JSON).status_code
        == create_place
    )


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_hold_only_the_subtree(cast, api_for, role):
    api = api_for(getattr(cast, role))
    names = {o["name"] for o in api.get("/api/v1/registry/organizations").json()["items"]}
    if role == "outsider_b":
        assert names == {"南湖镇商会", "南湖食品有限公司"}
    elif role == "reporter_a1":
        assert names == {"京博集团"}
    elif role in {"staff_a", "admin_a", "viewer_a"}:
        assert names == {"青原县钣金商会", "京博集团"}
    elif role == "guard_a":
        assert names == {"青原县钣金商会"}
    places = {p["name"] for p in api.get("/api/v1/registry/places").json()["items"]}
    assert ("南湖新村" in places) == (role in {"admin", "fed_admin", "outsider_b"})
    recipients = {
        p["name"] for p in api.get("/api/v1/registry/places?kind=recipient").json()["items"]
    }
    assert recipients == {"青原县人民医院"}  # kept by the federation, shared below it


def test_a_retried_person_create_makes_one_person(cast, api_for):
    api = api_for(cast.staff_a)
    first = api.post(
        "/api/v1/registry/people",
        person_body(cast),
        content_type=JSON,
        headers={"Idempotency-Key": "p-1"},
    )
    again = api.post(
        "/api/v1/registry/people",
        person_body(cast),
        content_type=JSON,
        headers={"Idempotency-Key": "p-1"},
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["phone"] == "139****3333"
    assert Person.objects.filter(name="陈静").count() == 1
    other = api.post(
        "/api/v1/registry/people",
        person_body(cast),
        content_type=JSON,
        headers={"Idempotency-Key": "p-2"},
    )
    assert other.status_code == 201 and Person.objects.filter(name="陈静").count() == 2


def test_a_retried_place_create_makes_one_place(cast, api_for):
    api = api_for(cast.admin_a)
    first = api.post(
        "/api/v1/registry/places",
        place_body(cast),
        content_type=JSON,
        headers={"Idempotency-Key": "pl-1"},
    )
    again = api.post(
        "/api/v1/registry/places",
        place_body(cast),
        content_type=JSON,
        headers={"Idempotency-Key": "pl-1"},
    )
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Place.objects.filter(name="东城花园西门卡口").count() == 1
    assert first.json()["township"] == "东城街道"


def test_the_same_key_from_another_user_is_another_request(cast, api_for):
    body = person_body(cast)
    api_for(cast.staff_a).post(
        "/api/v1/registry/people", body, content_type=JSON, headers={"Idempotency-Key": "k"}
    )
    api_for(cast.admin_a).post(
        "/api/v1/registry/people", body, content_type=JSON, headers={"Idempotency-Key": "k"}
    )
    assert Person.objects.filter(name="陈静").count() == 2


def test_errors_are_json_with_a_detail(cast, api_for):
    api = api_for(cast.admin_a)
    bad_id = api.post(
        "/api/v1/registry/people",
        person_body(cast, id_number="110105194912310021"),
        content_type=JSON,
    )
    assert bad_id.status_code == 422
    body = bad_id.json()
    assert body["detail"] and "id_number" in str(body["errors"]) or "__all__" in body["errors"]
    assert "110105194912310021" not in bad_id.content.decode()
    missing = api.post(
        "/api/v1/registry/people", {"organization_id": cast.a1.pk}, content_type=JSON
    )
    assert missing.status_code == 422 and any(k.endswith("name") for k in missing.json()["errors"])
    assert api.get("/api/v1/registry/organizations/999999").json()["detail"]
    assert api.get("/api/v1/registry/organizations/999999").status_code == 404
    forbidden = api_for(cast.viewer_a).post(
        "/api/v1/registry/people", person_body(cast), content_type=JSON
    )
    assert forbidden.status_code == 403 and forbidden.json()["detail"]
    assert not Person.objects.filter(name="陈静").exists()


def test_a_failed_create_is_not_remembered_under_its_key(cast, api_for):
    api = api_for(cast.admin_a)
    bad = api.post(
        "/api/v1/registry/people",
        person_body(cast, id_number="123"),
        content_type=JSON,
        headers={"Idempotency-Key": "retry-me"},
    )
    assert bad.status_code == 422
    good = api.post(
        "/api/v1/registry/people",
        person_body(cast),
        content_type=JSON,
        headers={"Idempotency-Key": "retry-me"},
    )
    assert good.status_code == 201


def test_a_place_under_another_organizations_compound_is_refused(cast, api_for):
    r = api_for(cast.admin_a).post(
        "/api/v1/registry/places", place_body(cast, parent_id=cast.compound_b.pk), content_type=JSON
    )
    assert r.status_code == 404
