"""A fever alert carries a name and a temperature: a duty officer sees only their posts' alerts."""

import pytest

from gongke.community.models import Alert
from gongke.registry import services as registry
from gongke.registry.models import PlaceKind

pytestmark = pytest.mark.django_db


def test_a_guard_sees_only_the_alerts_of_the_posts_they_guard(cast, client_for, api_for):
    other_post = registry.save_place(
        kind=PlaceKind.POST,
        name="东城花园西门卡口",
        organization=cast.chamber_a,
        parent=cast.compound_a,
    )
    from django.utils import timezone

    mine = Alert.objects.create(
        post=cast.post_a,
        organization=cast.chamber_a,
        label="王伟",
        temperature="38.2",
        occurred_at=timezone.now(),
    )
    theirs = Alert.objects.create(
        post=other_post,
        organization=cast.chamber_a,
        label="李娜",
        temperature="38.5",
        occurred_at=timezone.now(),
    )
    page = client_for(cast.guard_a).get("/community/alerts/").content.decode()
    assert "王伟" in page and "李娜" not in page
    ids = {a["id"] for a in api_for(cast.guard_a).get("/api/v1/community/alerts").json()["items"]}
    assert ids == {mine.pk}
    admin_ids = {
        a["id"] for a in api_for(cast.admin_a).get("/api/v1/community/alerts").json()["items"]
    }
    assert admin_ids == {mine.pk, theirs.pk}
    r = api_for(cast.guard_a).post(
        f"/api/v1/community/alerts/{theirs.pk}/handle",
        {"note": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
