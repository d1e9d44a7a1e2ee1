import pytest

from gongke.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_a_retried_create_makes_one_record(cast, api_for):
    api = api_for(cast.admin_a)
    body = {"kind": "enterprise", "parent_id": cast.chamber_a.pk, "name": "瑞丰科技有限公司"}
    first = api.post(
        "/api/v1/registry/organizations",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    again = api.post(
        "/api/v1/registry/organizations",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Organization.objects.filter(name="瑞丰科技有限公司").count() == 1


def test_a_bad_credit_code_is_a_json_422_with_the_field(cast, api_for):
    api = api_for(cast.admin_a)
    body = {
        "kind": "enterprise",
        "parent_id": cast.chamber_a.pk,
        "name": "X",
        "credit_code": "91110000600037341X",
    }
    r = api.post("/api/v1/registry/organizations", body, content_type="application/json")
    assert r.status_code == 422
    assert "credit_code" in r.json()["errors"]


def _create(api, body, key):
    return api.post(
        "/api/v1/registry/organizations",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_the_same_key_with_another_body_answers_422_and_makes_nothing(cast, api_for):
    api = api_for(cast.admin_a)
    body = {"kind": "enterprise", "parent_id": cast.chamber_a.pk, "name": "瑞丰科技有限公司"}
    assert _create(api, body, "k-2").status_code == 201
    other = _create(api, {**body, "name": "另一家公司"}, "k-2")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["errors"]
    assert not Organization.objects.filter(name="另一家公司").exists()
    # The same body again, keys in another order and spacing: still the first answer.
    again = api.post(
        "/api/v1/registry/organizations",
        f'{{"name": "瑞丰科技有限公司",   "parent_id": {cast.chamber_a.pk}, "kind": "enterprise"}}',
        content_type="application/json",
        headers={"Idempotency-Key": "k-2"},
    )
    assert again.status_code == 201
    assert Organization.objects.filter(name="瑞丰科技有限公司").count() == 1


def test_long_keys_are_compared_whole(cast, api_for):
    api = api_for(cast.admin_a)
    stem = "x" * 120
    one = _create(
        api, {"kind": "enterprise", "parent_id": cast.chamber_a.pk, "name": "甲公司"}, stem + "1"
    )
    two = _create(
        api, {"kind": "enterprise", "parent_id": cast.chamber_a.pk, "name": "乙公司"}, stem + "2"
    )
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"]
    assert (
        _create(
            api,
            {"kind": "enterprise", "parent_id": cast.chamber_a.pk, "name": "甲公司"},
            stem + "1",
        ).json()
        == one.json()
    )


def test_a_key_too_long_or_unprintable_is_refused_with_400(cast, api_for):
    api = api_for(cast.admin_a)
    body = {"kind": "enterprise", "parent_id": cast.chamber_a.pk, "name": "丙公司"}
    assert _create(api, body, "k" * 256).status_code == 400
    assert _create(api, body, "k\x01").status_code == 400
    assert not Organization.objects.filter(name="丙公司").exists()


def test_a_create_refused_with_a_key_leaves_no_row_and_can_be_retried(cast, api_for):
    """The create and its stored answer are one transaction: a refused save-and-submit leaves
    no draft, and the key stays free for the corrected request."""
    from gongke.resumption.models import Application
    from gongke.resumption.tests.test_applications import GOOD

    api = api_for(cast.reporter_a1)
    body = {
        **GOOD,
        "enterprise_id": cast.a1.pk,
        "planned_date": "2020-02-17",
        "disinfectant_litres": "30",
        "disinfectant_per_person_day": "0.02",
        "masks_in_stock": 100,
        "submit": True,
    }
    url = "/api/v1/resumption/applications"
    refused = api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "a"})
    assert refused.status_code == 422
    assert not Application.objects.exists()
    body["masks_in_stock"] = 2400
    done = api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "a"})
    assert done.status_code == 201, done.content
    assert Application.objects.count() == 1
