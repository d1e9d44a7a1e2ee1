"""The audit trail: who changed what, when, from where; numbers masked everywhere."""

import io
import logging

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from python_calamine import CalamineWorkbook

from gongke.accounts.models import Membership, Role
from gongke.registry import services
from gongke.registry.models import Organization, Person, Place

pytestmark = pytest.mark.django_db

PHONE = "13987654321"
ID = "11010519491231002X"


def entries(obj, action=None):
    qs = LogEntry.objects.get_for_object(obj)
    return qs.filter(action=action) if action is not None else qs


def test_a_page_create_and_change_record_who_when_where_and_what(cast, client_for):
    client = client_for(cast.admin_a)
    client.post(
        "/registry/organizations/new/",
        {
            "kind": "enterprise",
            "parent": cast.chamber_a.pk,
            "name": "瑞丰科技",
            "legal_representative_phone": PHONE,
            "is_active": "on",
        },
        REMOTE_ADDR="10.3.3.3",
    )
    org = Organization.objects.get(name="瑞丰科技")
    created = entries(org, LogEntry.Action.CREATE).get()
    assert created.actor == cast.admin_a and created.remote_addr == "10.3.3.3" and created.timestamp
    assert created.changes_dict["name"] == ["None", "瑞丰科技"]
    assert PHONE not in str(created.changes) and "139****4321" in str(created.changes)
    assert created.additional_data["org_path"] == org.path
    r = client.post(
        f"/registry/organizations/{org.pk}/edit/",
        {
            "parent": cast.chamber_a.pk,
            "name": "瑞丰科技有限公司",
            "staff_count": "12",
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    changed = entries(org, LogEntry.Action.UPDATE).get()
    assert set(changed.changes_dict) >= {"name", "staff_count"}
    assert changed.actor == cast.admin_a


def test_an_api_call_with_a_token_is_logged_with_its_user(cast, api_for):
    api = api_for(cast.staff_a)
    r = api.post(
        "/api/v1/registry/people",
        {"organization_id": cast.a1.pk, "name": "陈静", "phone": PHONE, "id_number": ID},
        content_type="application/json",
        REMOTE_ADDR="10.4.4.4",
    )
    assert r.status_code == 201
    person = Person.objects.get(name="陈静")
    entry = entries(person, LogEntry.Action.CREATE).get()
    assert entry.actor == cast.staff_a and entry.remote_addr == "10.4.4.4"
    text = str(entry.changes)
    assert PHONE not in text and ID not in text and person.id_number_hash not in text
    assert "110***************" in text
    api.patch(
        f"/api/v1/registry/organizations/{cast.a1.pk}",
        {"staff_count": 130},
        content_type="application/json",
    )
    assert entries(cast.a1, LogEntry.Action.UPDATE).get().actor == cast.staff_a


def test_places_and_deletions_are_logged(cast, client_for):
    client_for(cast.admin_a).post(
        "/registry/places/new/",
        {
            "kind": "warehouse",
            "name": "东城仓库",
            "organization": cast.chamber_a.pk,
            "contact_phone": PHONE,
            "is_active": "on",
        },
    )
    place = Place.objects.get(name="东城仓库")
    assert entries(place, LogEntry.Action.CREATE).get().actor == cast.admin_a
    assert PHONE not in str(entries(place).get().changes)
    person = services.save_person(organization=cast.a1, name="王芳")
    with set_actor(cast.admin_a, remote_addr="10.5.5.5"):
        pk = place.pk
        place.delete()
        person.delete()
        Membership.objects.get(user=cast.viewer_a).delete()
    deleted = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, object_pk=str(pk), content_type__model="place"
    ).get()
    assert deleted.actor == cast.admin_a and deleted.remote_addr == "10.5.5.5"
    assert deleted.additional_data["org_path"] == cast.chamber_a.path
    assert LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, content_type__model="person"
    ).exists()
    assert LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, content_type__model="membership"
    ).exists()


def test_users_and_memberships_are_logged_with_masked_phones(cast, client_for):
    client_for(cast.admin_a).post(
        "/accounts/users/new/",
        {
            "username": "zhao",
            "display_name": "赵",
            "phone": PHONE,
            "organization": cast.a1.pk,
            "role": "reporter",
            "password1": "Qingyuan-duty-2026!",
            "password2": "Qingyuan-duty-2026!",
        },
    )
    user = cast.admin_a.__class__.objects.get(username="zhao")
    entry = entries(user, LogEntry.Action.CREATE).get()
    assert entry.actor == cast.admin_a and PHONE not in str(entry.changes)
    assert entry.additional_data["org_path"] == cast.a1.path
    membership = user.memberships.get()
    assert entries(membership, LogEntry.Action.CREATE).get().changes_dict["role"][1] == "reporter"


def test_numbers_are_masked_in_lists_and_exports(cast, client_for):
    services.save_person(organization=cast.a1, name="陈静", phone=PHONE, id_number=ID)
    services.update_organization(cast.a1, contact_phone=PHONE)
    client = client_for(cast.admin_a)
    for url in (
        "/registry/people/",
        f"/registry/organizations/{cast.a1.pk}/",
        f"/registry/people/{Person.objects.get(name='陈静').pk}/",
    ):
        page = client.get(url).content.decode()
        assert PHONE not in page and ID not in page
    for url in ("/registry/people/?export=xlsx", "/registry/?export=xlsx"):
        book = CalamineWorkbook.from_filelike(io.BytesIO(client.get(url).getvalue()))
        cells = str(book.get_sheet_by_index(0).to_python())
        assert PHONE not in cells and ID not in cells and "139****4321" in cells
    api = client.get("/api/v1/registry/people").json()
    assert PHONE not in str(api) and ID not in str(api)


def test_numbers_are_masked_in_logs(caplog, db):
    logger = logging.getLogger("gongke.anything")
    with caplog.at_level(logging.INFO):
        logger.info("call %s about %s", PHONE, ID)
        logger.warning(f"inline {PHONE}")
    assert PHONE not in caplog.text and ID not in caplog.text
    assert "139****4321" in caplog.text and "110***************" in caplog.text
    console = [
        h
        for h in logging.getLogger().handlers
        if any(type(f).__name__ == "MaskingFilter" for f in h.filters)
    ]
    assert console, "the console handler masks too"


def test_the_audit_page_shows_an_admin_only_their_subtree(cast, client_for):
    services.update_organization(cast.a1, staff_count=1)
    services.update_organization(cast.b1, staff_count=2)
    a = {
        e.object_repr
        for e in client_for(cast.admin_a).get("/accounts/audit/").context["page"].object_list
    }
    assert "京博集团" in a and "南湖食品有限公司" not in a
    b = {
        e.object_repr
        for e in client_for(cast.outsider_b).get("/accounts/audit/").context["page"].object_list
    }
    assert "南湖食品有限公司" in b and "京博集团" not in b
    everything = {
        e.object_repr
        for e in client_for(cast.admin).get("/accounts/audit/").context["page"].object_list
    }
    assert {"京博集团", "南湖食品有限公司"} <= everything


@pytest.mark.parametrize("who", ["staff_a", "viewer_a", "reporter_a1", "guard_a"])
def test_others_may_not_read_the_audit_trail(cast, client_for, who):
    assert client_for(getattr(cast, who)).get("/accounts/audit/").status_code == 403


def test_the_audit_filters_work(cast, client_for):
    with set_actor(cast.staff_a):
        services.update_organization(cast.a1, staff_count=99)
    client = client_for(cast.fed_admin)

    def reprs(**params):
        return [
            (e.content_type.model, e.object_repr, e.action)
            for e in client.get("/accounts/audit/", params).context["page"].object_list
        ]

    assert reprs(actor="staff_a") == [("organization", "京博集团", 1)]
    assert all(m == "place" for m, _r, _a in reprs(model="place"))
    assert all(a == 1 for _m, _r, a in reprs(action="1"))
    assert "京博集团" in {r for _m, r, _a in reprs(q="京博")}
    assert "南湖食品有限公司" not in {r for _m, r, _a in reprs(q="京博")}
    assert reprs(since="2000-01-01", until="2000-01-02") == []
    assert reprs(since="2000-01-01")
    assert reprs(since="not a date") == reprs(until="2026-13-45") == reprs()


def test_the_audit_page_has_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    for i in range(10):
        services.update_organization(cast.a1, staff_count=i)
    client = client_for(cast.admin_a)
    client.get("/accounts/audit/")
    with django_assert_max_num_queries(8):
        client.get("/accounts/audit/")


def test_an_admin_role_change_is_visible_to_the_admin(cast, client_for):
    m = cast.staff_a.memberships.get()
    client = client_for(cast.admin_a)
    client.post(
        f"/accounts/users/{cast.staff_a.pk}/memberships/{m.pk}/role/",
        {f"m{m.pk}-role": Role.VIEWER},
    )
    page = client.get("/accounts/audit/", {"model": "membership"}).context["page"].object_list
    assert any(e.object_pk == str(m.pk) and e.actor == cast.admin_a for e in page)


def test_the_audit_page_offers_every_audited_kind_of_record(cast, client_for):
    models = client_for(cast.admin).get("/accounts/audit/").context["models"]
    assert {"organization", "person", "place", "user", "membership", "apitoken"} <= set(models)
