"""Correcting and deleting a household: the page and the API, with the same rules."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from gongke.census import services
from gongke.census.models import Household, Resident

BASE = "/api/v1/census"


@pytest.fixture
def empty(census):
    """A household registered by mistake: nothing attached to it."""
    household, _ = services.save_household(
        place=census.compound_a, building="1", unit="2", room="510"
    )
    census.empty = household
    return census


def _patch(client, pk, data):
    return client.patch(f"{BASE}/households/{pk}", data, content_type="application/json")


def test_the_edit_page_comes_prefilled_and_saves_a_correction(census, client_for):
    c = client_for(census.staff_a)
    url = reverse("census:household-edit", args=[census.household.pk])
    page = c.get(url)
    assert page.status_code == 200
    assert page.context["form"]["room"].value() == "501"
    response = c.post(url, {"building": "1", "unit": "2", "room": "502", "note": "东户"})
    assert response["Location"] == reverse("census:household", args=[census.household.pk])
    census.household.refresh_from_db()
    assert (census.household.room, census.household.note) == ("502", "东户")
    assert census.resident.household_id == census.household.pk  # the residents stay with it


def test_an_edit_onto_a_registered_room_says_so_on_the_room_field(empty, client_for):
    c = client_for(empty.admin_a)
    response = c.post(
        reverse("census:household-edit", args=[empty.empty.pk]),
        {"building": "1", "unit": "2", "room": "501"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["room"] == ["东城花园小区已有住户 1-2-501。"]
    assert response.context["household"].room == "510"
    empty.empty.refresh_from_db()
    assert empty.empty.room == "510"


def test_deleting_asks_first_then_deletes_and_audits(empty, client_for):
    c = client_for(empty.admin_a)
    url = reverse("census:household-delete", args=[empty.empty.pk])
    page = c.get(url)
    assert page.status_code == 200 and "<form" in page.content.decode()
    assert Household.objects.filter(pk=empty.empty.pk).exists()  # asking deletes nothing
    pk = empty.empty.pk
    response = c.post(url, REMOTE_ADDR="10.6.6.6")
    assert response["Location"] == reverse("census:area", args=[empty.compound_a.pk])
    assert not Household.objects.filter(pk=pk).exists()
    entry = LogEntry.objects.get(
        action=LogEntry.Action.DELETE, content_type__model="household", object_pk=str(pk)
    )
    assert entry.actor == empty.admin_a and entry.remote_addr == "10.6.6.6"
    assert entry.additional_data["org_path"] == empty.chamber_a.path


def test_a_household_with_residents_is_kept_with_the_list_of_what_is_attached(census, client_for):
    services.record_visit(user=census.admin_a, household=census.household, outcome="met")
    c = client_for(census.admin_a)
    url = reverse("census:household-delete", args=[census.household.pk])
    page = c.get(url)
    assert page.context["attached"] == ["1 位居民", "1 次走访"]
    assert reverse("census:household-edit", args=[census.household.pk]) in page.content.decode()
    response = c.post(url, follow=True)
    assert Household.objects.filter(pk=census.household.pk).exists()
    assert Resident.objects.filter(pk=census.resident.pk).exists()
    text = response.content.decode()
    assert "不能删除" in text and "1 位居民" in text


def test_the_household_page_links_to_edit_and_delete_for_writers_only(census, client_for):
    url = reverse("census:household", args=[census.household.pk])
    edit = reverse("census:household-edit", args=[census.household.pk])
    assert edit in client_for(census.staff_a).get(url).content.decode()
    assert edit not in client_for(census.viewer_a).get(url).content.decode()


def test_the_api_corrects_a_household_and_changes_only_what_is_sent(census, api_for):
    response = _patch(api_for(census.staff_a), census.household.pk, {"room": "601"})
    assert response.status_code == 200
    body = response.json()
    assert (body["building"], body["unit"], body["room"]) == ("1", "2", "601")
    entry = LogEntry.objects.get_for_object(census.household).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == census.staff_a and entry.changes_dict["room"] == ["501", "601"]


def test_the_api_answers_422_on_the_room_field_for_a_registered_room(empty, api_for):
    response = _patch(api_for(empty.admin_a), empty.empty.pk, {"room": "501"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["room"]
    assert "1-2-501" in response.json()["errors"]["room"][0]


def test_the_api_deletes_an_empty_household_and_keeps_one_in_use(empty, api_for):
    c = api_for(empty.admin_a)
    kept = c.delete(f"{BASE}/households/{empty.household.pk}")
    assert kept.status_code == 409
    assert kept.json()["attached"] == {"residents": 1}
    assert "1 位居民" in kept.json()["detail"]
    assert c.delete(f"{BASE}/households/{empty.empty.pk}").status_code == 204
    assert not Household.objects.filter(pk=empty.empty.pk).exists()
    assert c.delete(f"{BASE}/households/{empty.empty.pk}").status_code == 404


def test_another_organizations_household_is_404_and_a_viewer_403(census, api_for, client_for):
    h = census.household
    outsider, viewer = api_for(census.outsider_b), api_for(census.viewer_a)
    assert _patch(outsider, h.pk, {"room": "1"}).status_code == 404
    assert outsider.delete(f"{BASE}/households/{h.pk}").status_code == 404
    assert _patch(viewer, h.pk, {"room": "1"}).status_code == 403
    assert viewer.delete(f"{BASE}/households/{h.pk}").status_code == 403
    for name in ("census:household-edit", "census:household-delete"):
        url = reverse(name, args=[h.pk])
        assert client_for(census.outsider_b).post(url, {"room": "1"}).status_code == 404
        assert client_for(census.viewer_a).post(url, {"room": "1"}).status_code == 403
    h.refresh_from_db()
    assert h.room == "501"


def test_a_duty_officer_reaches_only_the_households_of_their_posts(census, api_for):
    c = api_for(census.guard_a)
    assert _patch(c, census.household_b.pk, {"note": "x"}).status_code == 404
    assert _patch(c, census.household.pk, {"note": "三楼"}).status_code == 200
