from django.utils import timezone


def test_the_demo_county_has_a_census(db):
    from gongke.census.models import DailyCheck, Isolation, Resident
    from gongke.census.stats import daily_counts
    from gongke.ops.demo import load_demo
    from gongke.registry.models import Place

    county = load_demo()
    counts = daily_counts(
        places=Place.objects.filter(pk__in=[a.pk for a in county.areas[:20]]),
        day=timezone.localdate(),
    )
    assert counts["households"] > 300 and counts["residents"] > counts["households"]
    assert counts["in_isolation"] > 0 and counts["households_visited"] > 0
    assert Resident.objects.exclude(id_number_hash="").count() > 100
    assert DailyCheck.objects.filter(
        isolation__in=Isolation.objects.running_on(timezone.localdate())
    ).exists()
