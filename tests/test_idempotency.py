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
