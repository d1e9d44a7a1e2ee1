"""Menus and buttons show only what the user may do (docs/access.md); 403/404/500 pages are styled
and in the user's language."""

import re

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db

APPS = {
    "registry",
    "donations",
    "supplies",
    "resumption",
    "community",
    "census",
    "volunteers",
    "assistance",
    "briefings",
}
ADMIN = APPS | {"users", "audit"}

# Each cast member's main menu (besides Home): what their memberships reach, per docs/access.md.
MENUS = {
    "admin": ADMIN,
    "fed_admin": ADMIN,
    "admin_a": ADMIN,
    "staff_a": APPS,
    "reporter_a1": {"registry", "resumption", "assistance"},
    "guard_a": {"community", "census", "assistance"},
    "viewer_a": APPS,
    "outsider_b": ADMIN,
    # The duty membership reaches community and census at post_a; the viewer membership of
    # chamber B reads every app there; neither manages users.
    "guard_ab": APPS,
    "staff_ab": APPS,
}
# Every member has an inbox of the notices addressed to them.
MENUS = {name: menus | {"notices"} for name, menus in MENUS.items()}


def _menus(html: str) -> set[str]:
    header = html.split("</header>")[0]
    return set(re.findall(r'data-menu="([a-z]+)"', header)) - {"home"}


@pytest.mark.parametrize("name", sorted(MENUS))
def test_it_shows_each_member_of_the_cast_exactly_their_menus(cast, client_for, name):
    html = client_for(getattr(cast, name)).get("/").content.decode()
    assert 'data-menu="home"' in html
    assert _menus(html) == MENUS[name]


def test_it_shows_no_menu_before_sign_in(db):
    html = Client().get("/accounts/login/").content.decode()
    assert _menus(html) == set()


def _english(user):
    user.language = "en"
    user.save()


def _pages(cast):
    """Chamber A's pages of each app, each with the write links and forms it offers a writer."""
    a, compound, post, a1 = cast.chamber_a, cast.compound_a, cast.post_a, cast.a1
    return [
        ("/donations/gifts/", ["/donations/gifts/new/", "/donations/import/"]),
        ("/donations/", ["/donations/gifts/new/", "/donations/import/"]),
        (
            f"/registry/organizations/{a.pk}/",
            [f"/registry/organizations/{a.pk}/edit/", "/registry/organizations/new/"],
        ),
        ("/registry/", ["/registry/organizations/new/", "/registry/import/organizations/"]),
        ("/registry/people/", ["/registry/people/new/", "/registry/import/people/"]),
        ("/registry/places/", ["/registry/places/new/"]),
        (f"/community/post/{post.pk}/", ["data-passage-form", 'name="decision"']),
        (f"/community/org/{a.pk}/", [f"/community/org/{a.pk}/settings/"]),
        ("/community/roster/", [f"/community/post/{post.pk}/shifts/new"]),
        (
            f"/census/area/{compound.pk}/",
            [f"/census/area/{compound.pk}/import/", f"/census/area/{compound.pk}/households/new/"],
        ),
        ("/census/", ["/census/import-template/"]),
        (
            f"/briefings/resumption/?org={a.pk}",
            [f"/resumption/association/{a.pk}/settings/", f"/resumption/association/{a.pk}/batch/"],
        ),
        (
            f"/resumption/enterprise/{a1.pk}/",
            [f"/resumption/applications/new/{a1.pk}/", "Send today"],
        ),
        (f"/resumption/enterprise/{a1.pk}/health/", ["Record a reading"]),
    ]


@pytest.mark.parametrize("name", ["staff_a", "staff_ab", "admin_a"])
def test_it_offers_a_writer_every_write_button_of_chamber_a(cast, client_for, name):
    _english(getattr(cast, name))
    c = client_for(getattr(cast, name))
    for url, marks in _pages(cast):
        response = c.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for mark in marks:
            assert mark in html, (url, mark)


def test_it_offers_a_viewer_no_write_button_on_chamber_as_pages(cast, client_for):
    _english(cast.viewer_a)
    c = client_for(cast.viewer_a)
    for url, marks in _pages(cast):
        response = c.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for mark in marks:
            assert mark not in html, (url, mark)


def test_it_tells_a_viewer_at_a_post_that_they_may_only_read(cast, client_for):
    html = client_for(cast.viewer_a).get(f"/community/post/{cast.post_a.pk}/").content.decode()
    assert 'data-testid="read-only"' in html
    assert "您的角色在此仅可查看。" in html


def test_it_offers_a_viewer_of_chamber_b_no_write_button_there(cast, client_for):
    """staff_ab writes in chamber A and only reads chamber B: B's pages offer no write."""
    c = client_for(cast.staff_ab)
    html = c.get(f"/registry/organizations/{cast.chamber_b.pk}/").content.decode()
    assert f"/registry/organizations/{cast.chamber_b.pk}/edit/" not in html
    html = c.get(f"/census/area/{cast.compound_b.pk}/").content.decode()
    assert f"/census/area/{cast.compound_b.pk}/households/new/" not in html
    html = c.get(f"/community/post/{cast.post_b.pk}/").content.decode()
    assert "data-passage-form" not in html


def test_it_offers_a_duty_officer_the_passage_form_but_no_donation_or_registry_buttons(
    cast, client_for
):
    c = client_for(cast.guard_a)
    assert "data-passage-form" in c.get(f"/community/post/{cast.post_a.pk}/").content.decode()
    html = c.get(f"/census/area/{cast.compound_a.pk}/").content.decode()
    assert f"/census/area/{cast.compound_a.pk}/households/new/" in html
    assert "/shifts/new" not in c.get("/community/roster/").content.decode()
    assert "/donations/gifts/new/" not in c.get("/").content.decode()


# --- Error pages ---------------------------------------------------------------------------


def test_it_answers_a_forbidden_write_with_a_styled_page_that_gives_the_reason(cast, client_for):
    response = client_for(cast.viewer_a).get("/registry/organizations/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="error-403"' in html
    assert "app.css" in html and 'data-menu="home"' in html
    assert "您的角色在此仅可查看。" in html  # the PermissionDenied message
    assert "无权操作" in html and 'href="/"' in html
    assert '<html lang="zh-hans">' in html


def test_it_answers_403_in_english_for_an_english_user(cast, client_for):
    _english(cast.viewer_a)
    html = client_for(cast.viewer_a).get("/registry/organizations/new/").content.decode()
    assert "Not allowed" in html
    assert "Your role may only read here." in html
    assert "Back to the home page" in html
    assert '<html lang="en">' in html


def test_it_answers_a_record_outside_the_reach_with_a_styled_404(cast, client_for):
    response = client_for(cast.outsider_b).get(f"/registry/organizations/{cast.chamber_a.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-404"' in html
    assert "页面不存在" in html and "返回首页" in html
    assert "app.css" in html


def test_it_answers_404_in_english_by_the_users_choice_and_by_the_language_cookie(cast, client_for):
    _english(cast.outsider_b)
    html = client_for(cast.outsider_b).get("/no/such/page/").content.decode()
    assert "Not found" in html and "Back to the home page" in html
    anonymous = Client()
    anonymous.cookies["gongke_language"] = "en"
    response = anonymous.get("/no/such/page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_it_keeps_the_csp_on_error_pages_without_inline_script(cast, client_for):
    for response in (
        client_for(cast.viewer_a).get("/registry/organizations/new/"),
        client_for(cast.outsider_b).get(f"/registry/organizations/{cast.chamber_a.pk}/"),
    ):
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        html = response.content.decode()
        assert all(" src=" in tag for tag in re.findall(r"<script[^>]*>", html))


@pytest.mark.parametrize(
    ("language", "text"), [("zh-hans", "出错了"), ("en", "Something went wrong")]
)
def test_it_renders_the_500_page_without_the_database(
    db, django_assert_num_queries, language, text
):
    request = RequestFactory().get("/")
    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert text in html and 'href="/"' in html
    assert "<script" not in html
