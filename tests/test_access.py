"""The access path: every role sees its subtree; others' records answer 404; read-only writes 403."""

import pytest

from gongke.accounts.access import scoped, visible_organizations
from gongke.registry.models import Organization, Place

pytestmark = pytest.mark.django_db


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_it_scopes_each_role_to_its_subtree(cast):
    assert names(visible_organizations(cast.admin)) >= {
        "京博集团",
        "南湖食品有限公司",
        "市社会组织服务中心",
    }
    assert names(visible_organizations(cast.fed_admin)) == {
        "青原县工商业联合会",
        "青原县钣金商会",
        "南湖镇商会",
        "京博集团",
        "南湖食品有限公司",
    }
    for user in (cast.admin_a, cast.staff_a, cast.viewer_a):
        assert names(visible_organizations(user)) == {"青原县钣金商会", "京博集团"}
    # A duty officer's membership reaches its posts and, as an organization, its own.
    assert names(visible_organizations(cast.guard_a)) == {"青原县钣金商会"}
    assert names(visible_organizations(cast.guard_ab)) == {
        "青原县钣金商会",
        "南湖镇商会",
        "南湖食品有限公司",
    }
    assert names(visible_organizations(cast.reporter_a1)) == {"京博集团"}
    assert names(visible_organizations(cast.outsider_b)) == {"南湖镇商会", "南湖食品有限公司"}


def test_it_scopes_places_through_their_organization(cast):
    assert names(scoped(cast.admin_a, Place.objects.all())) == {"东城花园小区", "东城花园东门卡口"}
    assert names(scoped(cast.outsider_b, Place.objects.all())) == {"南湖新村", "南湖新村北门卡口"}


@pytest.mark.parametrize(
    "url",
    [
        "/registry/organizations/{a1}/",
        "/registry/organizations/{a1}/edit/",
        "/registry/places/{post_a}/",
    ],
)
def test_it_answers_404_to_another_organization(cast, client_for, url):
    url = url.format(a1=cast.a1.pk, post_a=cast.post_a.pk)
    assert client_for(cast.outsider_b).get(url).status_code == 404
    assert client_for(cast.admin_a).get(url).status_code == 200


def test_it_refuses_a_viewer_any_write_with_403(cast, client_for):
    viewer = client_for(cast.viewer_a)
    assert viewer.get(f"/registry/organizations/{cast.a1.pk}/").status_code == 200
    assert viewer.get(f"/registry/organizations/{cast.a1.pk}/edit/").status_code == 403
    assert (
        viewer.post(f"/registry/organizations/{cast.a1.pk}/edit/", {"name": "x"}).status_code == 403
    )


def test_the_api_scopes_the_same_way(cast, api_for):
    assert (
        api_for(cast.outsider_b).get(f"/api/v1/registry/organizations/{cast.a1.pk}").status_code
        == 404
    )
    response = api_for(cast.admin_a).get(f"/api/v1/registry/organizations/{cast.a1.pk}")
    assert response.status_code == 200
    assert response.json()["contact_phone"] == ""
    viewer = api_for(cast.viewer_a)
    r = viewer.patch(
        f"/api/v1/registry/organizations/{cast.a1.pk}",
        {"name": "改名"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert r.json()["detail"]
    assert Organization.objects.get(pk=cast.a1.pk).name == "京博集团"


def test_the_api_lists_only_the_subtree(cast, api_for):
    data = api_for(cast.outsider_b).get("/api/v1/registry/organizations").json()
    assert {o["name"] for o in data["items"]} == {"南湖镇商会", "南湖食品有限公司"}


def test_an_anonymous_api_call_gets_a_json_401(client, cast):
    response = client.get("/api/v1/registry/organizations")
    assert response.status_code == 401
    assert "detail" in response.json()


def _second_post(cast):
    from gongke.registry import services

    return services.save_place(
        kind="post",
        name="东城花园西门卡口",
        organization=cast.chamber_a,
        parent=cast.compound_a,
        township=cast.township_east,
    )


def test_a_duty_officer_with_a_second_membership_keeps_to_their_posts(cast, api_for):
    west = _second_post(cast)
    for guard in (cast.guard_a, cast.guard_ab):
        api = api_for(guard)

        def at(post, api=api):
            return api.post(
                "/api/v1/community/passages",
                {"post_id": post.pk, "direction": "in", "name": "张三", "temperature": "36.5"},
                content_type="application/json",
            )

        assert at(cast.post_a).status_code == 201
        assert at(west).status_code == 404
        # guard_ab reads chamber B as a viewer: its post exists for them, but they may not write.
        assert at(cast.post_b).status_code == (403 if guard is cast.guard_ab else 404)
    from gongke.registry.access import places_for

    reached = names(places_for(cast.guard_ab))
    assert reached >= {"东城花园小区", "东城花园东门卡口", "南湖新村北门卡口"}
    assert "东城花园西门卡口" not in reached


def test_two_sibling_memberships_write_in_one_and_read_in_the_other(cast, client_for):
    c = client_for(cast.staff_ab)
    assert c.get(f"/registry/organizations/{cast.a1.pk}/edit/").status_code == 200
    assert c.get(f"/registry/organizations/{cast.b1.pk}/").status_code == 200
    assert c.get(f"/registry/organizations/{cast.b1.pk}/edit/").status_code == 403


GIFT = {
    "donor_kind": "enterprise",
    "amount": "64.8万",
    "given_on": "2020-02-01",
}


def test_a_gift_cannot_name_an_enterprise_outside_the_writers_reach(cast, api_for, client_for):
    from gongke.donations.models import Donor, Gift

    body = {**GIFT, "organization_id": cast.chamber_a.pk, "enterprise_id": cast.b1.pk}
    r = api_for(cast.staff_a).post("/api/v1/donations/gifts", body, content_type="application/json")
    assert r.status_code == 404
    assert "南湖食品" not in r.content.decode()
    page = client_for(cast.staff_a).post(
        "/donations/gifts/new/",
        {
            "organization": cast.chamber_a.pk,
            "donor_kind": "enterprise",
            "donor_name": "南湖食品有限公司",
            "amount": "1万",
            "nature": "money",
            "given_on": "2020-02-01",
        },
    )
    assert page.status_code == 200  # the form again, with its error
    assert not Gift.objects.exists() and not Donor.objects.exists()


def test_only_staff_and_admins_book_gifts(cast, api_for):
    from gongke.donations.models import Gift

    body = {**GIFT, "organization_id": cast.chamber_a.pk, "enterprise_id": cast.a1.pk}
    for user, status in [
        (cast.guard_a, 403),  # own organization: reached, but a duty officer does not book
        (cast.guard_ab, 403),
        (cast.viewer_a, 403),
        (cast.reporter_a1, 404),
        (cast.outsider_b, 404),
    ]:
        r = api_for(user).post("/api/v1/donations/gifts", body, content_type="application/json")
        assert r.status_code == status, (user, r.content)
    assert not Gift.objects.exists()
    r = api_for(cast.staff_a).post("/api/v1/donations/gifts", body, content_type="application/json")
    assert r.status_code == 201


def test_robot_secrets_are_shown_to_those_who_may_change_them_alone(cast, api_for, client_for):
    for user in (cast.viewer_a, cast.guard_a, cast.reporter_a1, cast.guard_ab):
        api = api_for(user)
        assert api.get(f"/api/v1/resumption/settings/{cast.chamber_a.pk}").status_code in {403, 404}
        assert client_for(user).get(
            f"/resumption/association/{cast.chamber_a.pk}/settings/"
        ).status_code in {
            403,
            404,
        }
        assert api.get(
            f"/api/v1/community/organizations/{cast.chamber_a.pk}/settings"
        ).status_code in {403, 404}
    assert (
        api_for(cast.staff_a).get(f"/api/v1/resumption/settings/{cast.chamber_a.pk}").status_code
        == 200
    )


def test_a_client_id_used_at_another_chambers_post_reveals_nothing(cast, api_for):
    import uuid

    client_id = str(uuid.uuid4())
    body = {"client_id": client_id, "direction": "in", "name": "赵敏", "temperature": "36.6"}
    r = api_for(cast.outsider_b).post(
        "/api/v1/community/passages",
        {**body, "post_id": cast.post_b.pk},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = api_for(cast.guard_a).post(
        "/api/v1/community/passages",
        {**body, "post_id": cast.post_a.pk, "name": "张三"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "赵敏" not in r.content.decode() and "南湖" not in r.content.decode()
