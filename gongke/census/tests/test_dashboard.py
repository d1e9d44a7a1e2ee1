from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from gongke.census import services


def test_the_home_panel_shows_isolations_ending_and_missing_checks(
    census, client_for, django_assert_max_num_queries
):
    today = timezone.localdate()
    iso, _ = services.start_isolation(
        user=census.admin_a, resident=census.resident, start=today - timedelta(days=13)
    )
    other, _ = services.register_resident(
        user=census.admin_a, household=census.household, name="李雷"
    )
    iso2, _ = services.start_isolation(user=census.admin_a, resident=other, start=today)
    services.record_check(user=census.admin_a, isolation=iso2, temperature="37.8")
    c = client_for(census.admin_a)
    c.get(reverse("home"))
    with django_assert_max_num_queries(30):
        page = c.get(reverse("home")).content.decode()
    assert reverse("census:resident", args=[census.resident.pk]) in page
    from django.test import RequestFactory

    from gongke.briefings.panels import census as home_panels

    request = RequestFactory().get("/")
    request.user = census.admin_a
    with django_assert_max_num_queries(3):
        home_panels(request)


def test_the_home_panel_is_silent_for_another_organization(census, client_for):
    services.start_isolation(
        user=census.admin_a, resident=census.resident, start=timezone.localdate()
    )
    page = client_for(census.outsider_b).get(reverse("home")).content.decode()
    assert reverse("census:resident", args=[census.resident.pk]) not in page
