from datetime import timedelta

import pytest
from django.utils import timezone

from gongke.community import services
from gongke.community.models import Alert, Passage, PostKey, PublicityItem

from .helpers import VALID_ID, passage, resident


@pytest.fixture
def duty(cast):
    """Some of everything at post A, so the pages have rows to draw."""
    for i in range(3):
        resident(cast.compound_a, name=f"居民{i}", room=f"10{i}")
        passage(
            cast.post_a,
            cast.guard_a,
            direction="out",
            name=f"出门{i}",
            temperature="37.5" if i == 0 else "36.4",
        )
    p = passage(cast.post_a, id_number=VALID_ID)
    spot = services.save_spot(place=cast.compound_a, name="1号楼楼道", interval=timedelta(hours=12))
    services.log_disinfection(spot=spot, done_by="王伟", agent="84消毒液")
    services.save_spot(place=cast.post_a, name="卡口", kind="post")
    now = timezone.now()
    shift = services.create_shift(
        post=cast.post_a, starts_at=now, ends_at=now + timedelta(hours=8), users=[cast.guard_a]
    )
    item = PublicityItem.objects.create(
        place=cast.compound_a, kind="banner", description="大门横幅"
    )
    return type(
        "Duty",
        (),
        {"passage": p, "spot": spot, "shift": shift, "item": item, "alert": Alert.objects.first()},
    )


def urls(cast, duty):
    a, p = cast.compound_a.pk, cast.post_a.pk
    return [
        f"/community/area/{a}/",
        f"/community/area/{a}/out/",
        f"/community/area/{a}/spots/",
        f"/community/org/{cast.chamber_a.pk}/",
        f"/community/org/{cast.chamber_a.pk}/settings/",
        f"/community/post/{p}/",
        f"/community/post/{p}/passages/",
        f"/community/post/{p}/poster/",
        f"/community/post/{p}/shifts/new",
        f"/community/passage/{duty.passage.pk}/",
        f"/community/shift/{duty.shift.pk}/",
    ]


def test_every_page_answers_404_to_another_organization(cast, duty, client_for):
    c = client_for(cast.outsider_b)
    for url in urls(cast, duty):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/community/alerts/{duty.alert.pk}/handle", {"note": "x"}).status_code == 404
    assert c.post(f"/community/post/{cast.post_a.pk}/", {"name": "x"}).status_code == 404
    assert c.post(f"/community/passage/{duty.passage.pk}/", {"reason": "看看啊"}).status_code == 404


def test_the_api_answers_404_to_another_organization(cast, duty, api_for):
    api = api_for(cast.outsider_b)
    a, p = cast.compound_a.pk, cast.post_a.pk
    for url in [
        f"/api/v1/community/posts/{p}/residents",
        f"/api/v1/community/posts/{p}/gaps",
        f"/api/v1/community/passages?post_id={p}",
        f"/api/v1/community/areas/{a}/picture",
        f"/api/v1/community/organizations/{cast.chamber_a.pk}/picture",
        f"/api/v1/community/organizations/{cast.chamber_a.pk}/settings",
        f"/api/v1/community/shifts?post_id={p}",
        f"/api/v1/community/spots?area_id={a}",
        f"/api/v1/community/publicity?area_id={a}",
    ]:
        assert api.get(url).status_code == 404, url
    assert (
        api.post(
            f"/api/v1/community/passages/{duty.passage.pk}/reveal",
            {"reason": "看看啊"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert api.get("/api/v1/community/posts").json()["count"] == 1
    assert api.get("/api/v1/community/alerts").json()["count"] == 0


def test_every_page_renders_for_the_chamber_admin(cast, duty, client_for):
    c = client_for(cast.admin_a)
    for url in ["/community/", "/community/alerts/", "/community/roster/", *urls(cast, duty)]:
        assert c.get(url).status_code == 200, url


def test_a_duty_officer_reaches_only_their_posts(cast, duty, client_for):
    from gongke.registry.services import save_place

    west = save_place(
        kind="post", name="西门卡口", organization=cast.chamber_a, parent=cast.compound_a
    )
    c = client_for(cast.guard_a)
    assert c.get(f"/community/post/{cast.post_a.pk}/").status_code == 200
    assert c.get(f"/community/post/{west.pk}/").status_code == 404
    assert c.get(f"/community/area/{cast.compound_a.pk}/").status_code == 200
    page = c.get("/community/").content.decode()
    assert "西门卡口" not in page and cast.post_a.name in page


def test_the_console_records_a_passage_without_javascript(cast, client_for):
    r = resident(cast.compound_a)
    c = client_for(cast.guard_a)
    resp = c.post(
        f"/community/post/{cast.post_a.pk}/",
        {
            "subject": "resident",
            "resident_id": r.pk,
            "temperature": "36.5",
            "decision": "pass",
            "direction": "in",
        },
    )
    assert resp.status_code == 302
    assert Passage.objects.get().resident == r
    c.post(
        f"/community/post/{cast.post_a.pk}/",
        {"subject": "outsider", "name": "x", "temperature": "50"},
    )
    assert Passage.objects.count() == 1


def test_the_console_carries_the_compounds_residents_for_offline_search(cast, client_for):
    resident(cast.compound_a, name="张三丰")
    resident(cast.compound_b, name="李莫愁")
    page = client_for(cast.guard_a).get(f"/community/post/{cast.post_a.pk}/").content.decode()
    import json

    assert (
        json.dumps("张三丰")[1:-1] in page
        and json.dumps("李莫愁")[1:-1] not in page
        and "offline.js" in page
    )


def test_a_viewer_reads_but_may_not_record(cast, duty, client_for):
    c = client_for(cast.viewer_a)
    assert c.get(f"/community/post/{cast.post_a.pk}/").status_code == 200
    assert c.post(f"/community/post/{cast.post_a.pk}/", {"name": "x"}).status_code == 403


def test_the_poster_carries_the_self_registration_link(cast, client_for):
    page = (
        client_for(cast.admin_a).get(f"/community/post/{cast.post_a.pk}/poster/").content.decode()
    )
    token = PostKey.objects.get(post=cast.post_a).token
    assert f"/community/p/{token}/" in page and "<svg" in page


def test_the_self_registration_page_opens_without_an_account(cast, client):
    token = PostKey.for_post(cast.post_a).token
    resp = client.get(f"/community/p/{token}/")
    assert resp.status_code == 200 and cast.post_a.name in resp.content.decode()


def test_revealing_an_id_number_on_the_page_is_audited(cast, duty, client_for):
    from gongke.community.models import IdReveal

    resp = client_for(cast.admin_a).post(
        f"/community/passage/{duty.passage.pk}/", {"reason": "疾控流调需要", "candidate": VALID_ID}
    )
    assert 'data-testid="reveal"' in resp.content.decode()
    assert IdReveal.objects.get().matched is True
    assert VALID_ID not in resp.content.decode()


def test_handling_an_alert_records_what_was_done(cast, duty, client_for):
    client_for(cast.admin_a).post(
        f"/community/alerts/{duty.alert.pk}/handle", {"note": "已送发热门诊"}
    )
    duty.alert.refresh_from_db()
    assert duty.alert.handled_at and duty.alert.handling_note == "已送发热门诊"


def test_logging_a_disinfection_on_the_page(cast, duty, client_for):
    c = client_for(cast.guard_a)
    spot = duty.spot
    c.post(
        f"/community/area/{cast.compound_a.pk}/spots/",
        {"action": "log", "spot": spot.pk, "done_by": "李娜", "agent": "75%酒精"},
    )
    assert spot.logs.count() == 2
    c.post(
        f"/community/area/{cast.compound_a.pk}/spots/",
        {"action": "publicity", "item": duty.item.pk, "done": "1"},
    )
    duty.item.refresh_from_db()
    assert duty.item.done_at


@pytest.mark.parametrize(
    "name", ["index", "alerts", "roster", "area", "out", "spots", "org", "console", "passages"]
)
def test_lists_and_dashboards_do_not_grow_queries_with_rows(
    cast, duty, client_for, django_assert_max_num_queries, name
):
    for i in range(10):
        passage(cast.post_a, direction="out", name=f"更多{i}", temperature="38.0")
        services.save_spot(place=cast.compound_a, name=f"楼道{i}")
    c = client_for(cast.admin_a)
    a, p = cast.compound_a.pk, cast.post_a.pk
    url = {
        "index": "/community/",
        "alerts": "/community/alerts/",
        "roster": "/community/roster/",
        "area": f"/community/area/{a}/",
        "out": f"/community/area/{a}/out/",
        "spots": f"/community/area/{a}/spots/",
        "org": f"/community/org/{cast.chamber_a.pk}/",
        "console": f"/community/post/{p}/",
        "passages": f"/community/post/{p}/passages/",
    }[name]
    # The daily pictures also read the census figures (a fixed handful of queries).
    with django_assert_max_num_queries(25 if name in {"area", "org"} else 20):
        assert c.get(url).status_code == 200


def test_the_home_dashboard_shows_the_panel(cast, duty, client_for):
    page = client_for(cast.admin_a).get("/").content.decode()
    assert "/community/" in page
