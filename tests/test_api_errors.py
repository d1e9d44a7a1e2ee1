"""/api/v1 answers errors as JSON of one shape, {"detail", "errors"}, in the caller's language,
and refuses on SQLite what PostgreSQL refuses (lengths, integer ranges, NUL), with a 422."""

import errno

import pytest

from gongke.registry.models import Organization

pytestmark = pytest.mark.django_db

JSON = "application/json"
ORGS = "/api/v1/registry/organizations"


def _shape(r, status):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"detail", "errors"} and isinstance(body["errors"], dict)
    return body


def test_an_unknown_url_and_a_wrong_method_answer_json(cast, api_for):
    api = api_for(cast.admin)
    _shape(api.get("/api/v1/nowhere"), 404)
    _shape(api.delete(ORGS), 405)
    _shape(api.get(f"{ORGS}/999999"), 404)


def test_a_crash_and_a_full_disk_answer_json(cast, api_for, monkeypatch):
    from gongke.registry import services

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(services, "create_organization", full)
    api = api_for(cast.admin)
    body = {"kind": "enterprise", "parent_id": cast.chamber_a.pk, "name": "丁公司"}
    assert "磁盘已满" in _shape(api.post(ORGS, body, content_type=JSON), 507)["detail"]

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "create_organization", crash)
    _shape(api.post(ORGS, body, content_type=JSON), 500)


def test_validation_messages_come_in_the_callers_language(cast, api_for):
    api = api_for(cast.admin)
    body = {"kind": "enterprise", "parent_id": "abc"}
    zh = _shape(api.post(ORGS, body, content_type=JSON), 422)
    assert zh["errors"]["parent_id"] == ["请输入整数。"]
    assert zh["errors"]["name"] == ["此项为必填项。"]
    en = _shape(api.post(ORGS, body, content_type=JSON, headers={"Accept-Language": "en"}), 422)
    assert en["errors"]["name"] == ["This field is required."]
    cast.admin.language = "en"
    cast.admin.save()
    mine = _shape(api_for(cast.admin).post(ORGS, body, content_type=JSON), 422)
    assert mine["errors"]["parent_id"] == ["Enter a whole number."]


def test_what_postgresql_refuses_is_refused_on_both_databases(cast, api_for):
    api = api_for(cast.admin)
    base = {"kind": "enterprise", "parent_id": cast.chamber_a.pk}
    long_name = "长" * (Organization._meta.get_field("name").max_length + 1)
    too_long = _shape(api.post(ORGS, {**base, "name": long_name}, content_type=JSON), 422)
    assert "name" in too_long["errors"]
    nul = _shape(api.post(ORGS, {**base, "name": "甲\x00乙"}, content_type=JSON), 422)
    assert nul["errors"]["name"] == ["不允许包含空字符（NUL）。"]
    big = _shape(
        api.post(ORGS, {**base, "name": "戊公司", "staff_count": 2**40}, content_type=JSON), 422
    )
    assert "staff_count" in big["errors"]
    assert not Organization.objects.filter(name__in=[long_name, "戊公司"]).exists()
    assert not Organization.objects.filter(name__startswith="甲").exists()
    patch = api.patch(f"{ORGS}/{cast.a1.pk}", {"address": None}, content_type=JSON)
    assert "address" in _shape(patch, 422)["errors"]


def test_a_huge_page_number_and_a_zoned_time_of_day_answer_422(cast, api_for):
    api = api_for(cast.admin)
    _shape(api.get(f"{ORGS}?page=92233720368547760"), 422)
    r = api.put(
        f"/api/v1/resumption/settings/{cast.chamber_a.pk}",
        {"deadline": "09:00:00Z"},
        content_type=JSON,
    )
    assert "deadline" in _shape(r, 422)["errors"]


def test_the_applications_list_answers_with_rows(cast, api_for):
    from gongke.resumption import services
    from gongke.resumption.tests.test_applications import GOOD

    services.save_application(enterprise=cast.a1, user=cast.reporter_a1, data=GOOD)
    r = api_for(cast.admin).get("/api/v1/resumption/applications")
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 1 and r.json()["items"][0]["enterprise"] == cast.a1.name


def test_openapi_schema_names_are_unique():
    """The OpenAPI document names each schema by its class name: two classes of one name would
    silently share one entry (the second describing the first's operations)."""
    import importlib

    from pydantic import BaseModel

    from gongke.api.api import api

    seen: dict[str, str] = {}
    for name in ("community", "donations", "registry", "resumption", "census"):
        module = importlib.import_module(f"gongke.api.{name}")
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, BaseModel)
                and obj.__module__ == module.__name__
            ):
                assert obj.__name__ not in seen, (obj.__name__, seen.get(obj.__name__))
                seen[obj.__name__] = module.__name__
    assert api.get_openapi_schema()["components"]["schemas"]


def test_huge_ids_and_nul_in_query_parameters_answer_422(cast, api_for):
    api = api_for(cast.admin)
    _shape(api.get(f"/api/v1/census/isolations?place_id={2**63}"), 422)
    _shape(api.get("/api/v1/census/households?room=1%00"), 422)
