from datetime import timedelta

from django.utils import timezone

from gongke.census import services
from gongke.census.stats import daily_counts
from gongke.registry.models import Place


def test_daily_counts_gives_the_picture_of_a_day(census, django_assert_max_num_queries):
    today = timezone.localdate()
    other, _ = services.save_household(place=census.compound_a, room="102")
    services.register_resident(user=census.admin_a, household=other, name="周杰")
    services.record_visit(user=census.admin_a, household=census.household)
    services.record_visit(user=census.admin_a, household=census.household)
    services.record_visit(
        user=census.admin_a, household=other, visited_at=timezone.now() - timedelta(days=2)
    )
    services.record_return(
        user=census.admin_a,
        resident=census.resident,
        from_place="武汉",
        returned_on=today - timedelta(days=13),
    )
    services.start_isolation(
        user=census.admin_a, resident=census.resident, start=today - timedelta(days=13)
    )
    services.start_isolation(user=census.outsider_b, resident=census.resident_b, start=today)
    places = Place.objects.filter(pk=census.compound_a.pk)
    with django_assert_max_num_queries(5):
        counts = daily_counts(places=places, day=today)
    assert counts == {
        "households": 2,
        "residents": 2,
        "households_visited": 1,
        "returned": 1,
        "in_isolation": 1,
        "isolations_ending": 1,
    }
    tomorrow = daily_counts(places=places, day=today + timedelta(days=1))
    assert tomorrow["in_isolation"] == 0 and tomorrow["households_visited"] == 0
    both = daily_counts(places=Place.objects.areas(), day=today)
    assert both["households"] == 3 and both["in_isolation"] == 2
