from datetime import timedelta

from django.utils import timezone

from gongke.community import picture, services
from gongke.registry.models import Place

from .helpers import ago, passage


def test_the_daily_picture_counts_the_days_figures(cast):
    today = timezone.localdate()
    passage(cast.post_a, direction="out", name="甲")
    passage(cast.post_a, name="乙", decision="refused", reason="外来人员")
    passage(cast.post_a, name="丙", decision="turned_back", reason="外地返乡")
    passage(cast.post_a, name="丁", temperature="38.1")
    passage(cast.post_a, subject="vehicle", plate="赣A1", name="")
    passage(cast.post_b, name="别处")
    passage(
        cast.post_a,
        name="昨天",
        occurred_at=(timezone.now() - timedelta(days=1, hours=1)).isoformat(),
    )
    spot = services.save_spot(place=cast.compound_a, name="楼道")
    services.log_disinfection(spot=spot, done_by="王", agent="84")
    services.log_disinfection(spot=spot, done_by="王", agent="84")
    start = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    services.create_shift(
        post=cast.post_a, starts_at=start, ends_at=start + timedelta(hours=12), users=[cast.guard_a]
    )
    f = picture.daily_picture(areas=Place.objects.filter(pk=cast.compound_a.pk), day=today)
    assert (
        f["passages"],
        f["outs"],
        f["refused"],
        f["turned_back"],
        f["fevers"],
        f["vehicles"],
    ) == (5, 1, 1, 1, 1, 1)
    assert f["out_now"] == 1 and f["spots_disinfected"] == 1
    assert (f["hours_covered"], f["hours_total"]) == (12, 24)
    assert f["households_visited"] == 0  # from the census app


def test_the_organization_picture_adds_up_its_compounds(cast):
    passage(cast.post_a)
    passage(cast.post_b)
    areas = Place.objects.areas().filter(organization__path__startswith=cast.federation.path)
    assert picture.daily_picture(areas=areas, day=timezone.localdate())["passages"] == 2


def test_the_hourly_chart_puts_passages_in_local_hours(cast):
    when = timezone.localtime(ago(minutes=1))
    passage(cast.post_a, occurred_at=when.isoformat())
    options = picture.hourly(areas=Place.objects.filter(pk=cast.compound_a.pk), day=when.date())
    assert options["series"][0]["data"][when.hour] == 1


def test_the_api_serves_the_picture(cast, api_for):
    passage(cast.post_a)
    body = api_for(cast.admin_a).get(f"/api/v1/community/areas/{cast.compound_a.pk}/picture").json()
    assert body["passages"] == 1
