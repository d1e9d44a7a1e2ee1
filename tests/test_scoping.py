"""Every role over every registry page: outsiders 404, read-only roles 403 on writes, a
reporter only their enterprise; lists and the home page keep a fixed number of queries."""

import pytest

from gongke.registry import services
from gongke.registry.models import OrgKind, Person

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


@pytest.fixture
def person_a1(cast):
    return services.save_person(organization=cast.a1, name="陈静", phone="13900003333")


def expected_read(role, target):
    if role == "outsider_b":
        return 404
    if role == "reporter_a1" and target != "a1":
        return 404
    # A duty officer reaches their posts and their own organization, not its members.
    if role == "guard_a" and target not in {"chamber_a", "post_a"}:
        return 404
    return 200


def expected_write(role, target):
    read = expected_read(role, target)
    if read != 200:
        return read
    return 200 if role in MANAGERS else 403


TARGETS = {
    "a1": lambda c, p: f"/registry/organizations/{c.a1.pk}/",
    "chamber_a": lambda c, p: f"/registry/organizations/{c.chamber_a.pk}/",
    "person": lambda c, p: f"/registry/people/{p.pk}/",
    "post_a": lambda c, p: f"/registry/places/{c.post_a.pk}/",
}


def target_org(target):
    return "a1" if target in {"a1", "person"} else "chamber_a"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", list(TARGETS))
def test_each_role_reads_and_writes_only_what_it_may(cast, client_for, person_a1, role, target):
    client = client_for(getattr(cast, role))
    url = TARGETS[target](cast, person_a1)
    assert client.get(url).status_code == expected_read(role, target_org(target))
    assert client.get(url + "edit/").status_code == expected_write(role, target_org(target))
    posted = client.post(url + "edit/", {"name": "改名"})
    assert posted.status_code in (
        {200, 302}
        if role in MANAGERS and expected_read(role, target_org(target)) == 200
        else {expected_write(role, target_org(target))}
    )


@pytest.mark.parametrize("role", ROLES)
def test_new_pages_are_for_managers(cast, client_for, role):
    client = client_for(getattr(cast, role))
    for url in ("/registry/organizations/new/", "/registry/people/new/", "/registry/places/new/"):
        expected = 200 if role in MANAGERS or role == "outsider_b" else 403
        assert client.get(url).status_code == expected


def test_a_manager_cannot_create_outside_their_subtree(cast, client_for):
    response = client_for(cast.admin_a).post(
        "/registry/organizations/new/",
        {"kind": "enterprise", "parent": cast.chamber_b.pk, "name": "越界企业", "is_active": "on"},
    )
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    response = client_for(cast.admin_a).post(
        "/registry/people/new/", {"organization": cast.b1.pk, "name": "越界"}
    )
    assert "organization" in response.context["form"].errors
    assert not Person.objects.filter(name="越界").exists()


@pytest.mark.parametrize(
    "role,visible",
    [
        ("reporter_a1", {"京博集团"}),
        ("viewer_a", {"青原县钣金商会", "京博集团"}),
        ("outsider_b", {"南湖镇商会", "南湖食品有限公司"}),
    ],
)
def test_lists_show_only_the_subtree(cast, client_for, person_a1, role, visible):
    client = client_for(getattr(cast, role))
    assert {o.name for o in client.get("/registry/").context["page"].object_list} == visible
    people = {p.name for p in client.get("/registry/people/").context["page"].object_list}
    assert people == ({"陈静"} if "京博集团" in visible else set())
    places = {p.name for p in client.get("/registry/places/").context["page"].object_list}
    if role == "reporter_a1":
        assert places == set()
    elif role == "outsider_b":
        assert places == {"南湖新村", "南湖新村北门卡口"}


def test_a_reporter_exports_only_their_enterprise(cast, client_for):
    import io

    from python_calamine import CalamineWorkbook

    response = client_for(cast.reporter_a1).get("/registry/", {"export": "xlsx"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.getvalue()))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert [r[0] for r in rows[1:]] == ["京博集团"]


def grow(cast, n):
    for i in range(n):
        org = services.create_organization(
            parent=cast.chamber_a,
            kind=OrgKind.ENTERPRISE,
            name=f"企业{i}",
            township=cast.township_east,
        )
        services.save_person(organization=org, name=f"人员{i}")
        services.save_place(
            kind="compound", name=f"小区{i}", organization=org, township=cast.township_east
        )


@pytest.mark.parametrize(
    "url",
    [
        "/registry/",
        "/registry/people/",
        "/registry/places/",
        "/",
        "/registry/?kind=enterprise&executive=1",
        "/accounts/users/",
        "/api/v1/registry/organizations",
        "/api/v1/registry/people",
        "/api/v1/registry/places",
    ],
)
def test_lists_keep_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries, url):
    client = client_for(cast.fed_admin)
    grow(cast, 3)
    client.get(url)
    # The home page gathers one panel per app, each a fixed handful of queries.
    with django_assert_max_num_queries(30 if url == "/" else 12) as few:
        client.get(url)
    grow(cast, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_organization_page_keeps_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.fed_admin)
    grow(cast, 3)
    url = f"/registry/organizations/{cast.chamber_a.pk}/"
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    grow(cast, 15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize(
    "url",
    [
        "/registry/?parent=abc&township=1x",
        "/registry/people/?organization=%27",
        "/registry/places/?township=x",
    ],
)
def test_a_mangled_filter_is_ignored_not_an_error(cast, client_for, url):
    assert client_for(cast.admin_a).get(url).status_code == 200
