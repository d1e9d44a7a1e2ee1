"""Organization admins manage the users of their subtree; everyone manages their own profile."""

import pytest
from auditlog.models import LogEntry

from gongke.accounts.models import ApiToken, Membership, Role, User

pytestmark = pytest.mark.django_db

GOOD = "Qingyuan-duty-2026!"


def signs_in(username, password):
    from django.test import Client

    return (
        Client().post("/accounts/login/", {"username": username, "password": password}).status_code
        == 302
    )


def new_user(client, org, role="org_staff", username="li_ming", password=GOOD, **extra):
    data = {
        "username": username,
        "display_name": "李明",
        "phone": "13911112222",
        "email": "",
        "organization": org.pk,
        "role": role,
        "password1": password,
        "password2": password,
        **extra,
    }
    return client.post("/accounts/users/new/", data)


def test_an_admin_lists_only_the_users_of_their_subtree(cast, client_for):
    page = client_for(cast.admin_a).get("/accounts/users/")
    names = {u.username for u in page.context["page"].object_list}
    assert names == {
        "admin_a",
        "staff_a",
        "reporter_a1",
        "guard_a",
        "viewer_a",
        "guard_ab",
        "staff_ab",
    }
    everyone = {
        u.username
        for u in client_for(cast.admin).get("/accounts/users/").context["page"].object_list
    }
    assert {"outsider_b", "fed_admin", "admin_a"} <= everyone


def test_the_user_list_does_not_grow_queries_with_users(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.fed_admin)
    client.get("/accounts/users/")
    with django_assert_max_num_queries(8):
        client.get("/accounts/users/")


def test_others_may_not_manage_users(cast, client_for):
    for user in (cast.staff_a, cast.viewer_a, cast.reporter_a1, cast.guard_a):
        assert client_for(user).get("/accounts/users/").status_code == 403
        assert client_for(user).get(f"/accounts/users/{cast.staff_a.pk}/").status_code == 403


def test_another_organizations_users_answer_404(cast, client_for):
    outsider = client_for(cast.outsider_b)
    assert outsider.get(f"/accounts/users/{cast.staff_a.pk}/").status_code == 404
    m = cast.staff_a.memberships.get()
    assert (
        outsider.post(
            f"/accounts/users/{cast.staff_a.pk}/memberships/{m.pk}/role/",
            {f"m{m.pk}-role": "viewer"},
        ).status_code
        == 404
    )
    assert (
        outsider.post(f"/accounts/users/{cast.staff_a.pk}/active/", {"active": "0"}).status_code
        == 404
    )
    assert (
        outsider.post(
            f"/accounts/users/{cast.staff_a.pk}/password/", {"password1": GOOD, "password2": GOOD}
        ).status_code
        == 404
    )
    assert User.objects.get(pk=cast.staff_a.pk).is_active
    assert client_for(cast.admin_a).get(f"/accounts/users/{cast.admin.pk}/").status_code == 404


def test_an_admin_creates_a_user_with_a_role_inside_their_subtree(cast, client_for):
    response = new_user(client_for(cast.admin_a), cast.a1, role="reporter")
    assert response.status_code == 302
    user = User.objects.get(username="li_ming")
    assert user.check_password(GOOD)
    assert user.memberships.get().organization == cast.a1
    assert user.memberships.get().role == Role.REPORTER
    entry = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)
    assert entry.actor == cast.admin_a
    assert "13911112222" not in str(entry.changes)


def test_an_admin_cannot_create_outside_their_subtree_or_a_platform_admin(cast, client_for):
    response = new_user(client_for(cast.admin_a), cast.b1)
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    response = new_user(client_for(cast.admin_a), cast.a1, role="platform_admin")
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="li_ming").exists()


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "1234567890", "short"])
def test_weak_and_common_passwords_are_refused(cast, client_for, password):
    response = new_user(client_for(cast.admin_a), cast.a1, password=password)
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="li_ming").exists()


def test_an_admin_changes_a_role_and_binds_a_duty_officer_to_posts(cast, client_for):
    client = client_for(cast.admin_a)
    m = cast.staff_a.memberships.get()
    client.post(
        f"/accounts/users/{cast.staff_a.pk}/memberships/{m.pk}/role/",
        {f"m{m.pk}-role": "duty_officer"},
    )
    m.refresh_from_db()
    assert m.role == Role.DUTY_OFFICER
    page = client.get(f"/accounts/users/{cast.staff_a.pk}/")
    assert "东城花园东门卡口" in page.content.decode()
    assert "南湖新村北门卡口" not in page.content.decode()
    client.post(
        f"/accounts/users/{cast.staff_a.pk}/memberships/{m.pk}/posts/",
        {f"p{m.pk}-posts": [cast.post_a.pk]},
    )
    assert list(m.posts.all()) == [cast.post_a]
    client.post(
        f"/accounts/users/{cast.staff_a.pk}/memberships/{m.pk}/posts/",
        {f"p{m.pk}-posts": [cast.post_b.pk]},
    )
    assert list(m.posts.all()) == [cast.post_a]  # another chamber's post is refused
    changes = [
        e.changes_dict for e in LogEntry.objects.get_for_object(m).filter(actor=cast.admin_a)
    ]
    assert any("role" in c for c in changes) and any("posts" in c for c in changes)


def test_deactivating_a_user_stops_their_sign_in_and_their_tokens(cast, client_for, client):
    _token, raw = ApiToken.issue(user=cast.staff_a, name="tablet")
    page = client_for(cast.admin_a).get(f"/accounts/users/{cast.staff_a.pk}/")
    assert 'data-confirm="' in page.content.decode()
    client_for(cast.admin_a).post(f"/accounts/users/{cast.staff_a.pk}/active/", {"active": "0"})
    assert not User.objects.get(pk=cast.staff_a.pk).is_active
    assert not signs_in("staff_a", cast.password)
    from django.test import Client

    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/registry/organizations").status_code == 401


def test_an_admin_cannot_deactivate_someone_who_also_belongs_elsewhere(cast, client_for):
    Membership.objects.create(user=cast.staff_a, organization=cast.chamber_b, role=Role.VIEWER)
    response = client_for(cast.admin_a).post(
        f"/accounts/users/{cast.staff_a.pk}/active/", {"active": "0"}
    )
    assert response.status_code == 403
    assert (
        client_for(cast.fed_admin)
        .post(f"/accounts/users/{cast.staff_a.pk}/active/", {"active": "0"})
        .status_code
        == 302
    )


def test_an_admin_resets_a_password_and_common_ones_are_refused(cast, client_for, client):
    admin = client_for(cast.admin_a)
    bad = admin.post(
        f"/accounts/users/{cast.viewer_a.pk}/password/",
        {"password1": "password1", "password2": "password1"},
    )
    assert bad.status_code == 400
    assert (
        admin.post(
            f"/accounts/users/{cast.viewer_a.pk}/password/", {"password1": GOOD, "password2": GOOD}
        ).status_code
        == 302
    )
    assert signs_in("viewer_a", GOOD)
    entry = LogEntry.objects.get_for_object(cast.viewer_a).latest("timestamp")
    assert entry.actor == cast.admin_a and GOOD not in str(entry.changes)


def test_a_user_sets_their_language_and_changes_their_password(cast, client_for, client):
    me = client_for(cast.reporter_a1)
    assert me.get("/accounts/profile/").status_code == 200
    me.post(
        "/accounts/profile/",
        {"form": "profile", "display_name": "报送员", "phone": "", "email": "", "language": "en"},
    )
    assert User.objects.get(pk=cast.reporter_a1.pk).language == "en"
    assert "My profile" in me.get("/accounts/profile/").content.decode()
    weak = me.post(
        "/accounts/profile/",
        {
            "form": "password",
            "old_password": cast.password,
            "new_password1": "123456789012",
            "new_password2": "123456789012",
        },
    )
    assert weak.status_code == 200 and weak.context["password_form"].errors
    ok = me.post(
        "/accounts/profile/",
        {
            "form": "password",
            "old_password": cast.password,
            "new_password1": GOOD,
            "new_password2": GOOD,
        },
    )
    assert ok.status_code == 302
    assert me.get("/accounts/profile/").status_code == 200  # still signed in
    assert signs_in("reporter_a1", GOOD)


def test_the_device_tokens_page_issues_and_revokes(cast, client_for):
    me = client_for(cast.guard_a)
    page = me.post("/accounts/tokens/", {"name": "东门平板"})
    raw = page.context["raw"]
    token = ApiToken.objects.get(user=cast.guard_a)
    assert raw.startswith("gk_") and token.key_hash != raw
    assert client_for(cast.admin_a).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    me.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_admin_sees_only_the_memberships_they_manage(cast, client_for):
    Membership.objects.create(user=cast.staff_a, organization=cast.chamber_b, role=Role.VIEWER)
    page = client_for(cast.admin_a).get(f"/accounts/users/{cast.staff_a.pk}/").content.decode()
    assert "青原县钣金商会" in page and "南湖镇商会" not in page


def test_an_org_admin_cannot_touch_a_platform_admin(cast, client_for):
    Membership.objects.create(
        user=cast.viewer_a, organization=cast.federation, role=Role.PLATFORM_ADMIN
    )
    assert client_for(cast.admin_a).get(f"/accounts/users/{cast.viewer_a.pk}/").status_code == 404
    assert client_for(cast.admin).get(f"/accounts/users/{cast.viewer_a.pk}/").status_code == 200
