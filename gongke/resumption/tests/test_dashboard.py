import datetime as dt

from gongke.resumption import services, stats
from gongke.resumption.models import local_today

FIGURES = {"staff_on_site": 10, "vehicles": 2, "masks": 400}


def test_the_trend_sums_each_day_and_a_late_report_for_a_past_day_shows_at_once(
    cast, django_capture_on_commit_callbacks
):
    today = local_today()
    yesterday = today - dt.timedelta(days=1)
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, day=yesterday)
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES)
    two_days = stats.Period(yesterday, today)
    rows = stats.trend(cast.federation, two_days)
    assert [(r["day"], r["staff"]) for r in rows] == [(yesterday, 10), (today, 10)]
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_report(
            enterprise=cast.b1, user=cast.outsider_b, data=FIGURES, day=yesterday
        )
    rows = stats.trend(cast.federation, two_days)
    assert [(r["day"], r["staff"], r["reported"]) for r in rows] == [
        (yesterday, 20, 2),
        (today, 10, 1),
    ]
    assert rows[0]["late"] == 2  # both sent today for yesterday


def test_the_overview_counts_members_missing_late_and_short_of_masks(cast):
    services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data={**FIGURES, "masks": 100}
    )
    o = stats.overview(cast.federation, local_today())
    assert (o["members"], o["reported"], o["missing"]) == (2, 1, 1)
    assert o["short_of_masks"] == 1 and str(o["mask_cover_days"]) == "5.0"


def test_breakdowns_group_by_industry_and_township(cast):
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES)
    industries = stats.breakdown(cast.federation, local_today(), "industry")
    assert [(r["key"], r["members"], r["reported"]) for r in industries] == [("C", 2, 1)]
    townships = {
        r["label"]: r["reported"]
        for r in stats.breakdown(cast.federation, local_today(), "township")
    }
    assert townships == {"东城街道": 1, "南湖镇": 0}


def test_timeliness_and_completeness_per_association(cast):
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES)
    rows = {
        r["name"]: r
        for r in stats.per_association(cast.federation, stats.Period(local_today(), local_today()))
    }
    assert rows["青原县钣金商会"]["completeness"] == 100.0
    assert rows["南湖镇商会"]["completeness"] == 0.0


def test_the_home_panel_counts_members_reported_missing_and_with_fevers(cast):
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES)
    services.record_temperature(
        enterprise=cast.b1,
        user=cast.outsider_b,
        person_name="李四",
        day=local_today(),
        slot="am",
        temperature="38.0",
    )
    assert stats.panel(cast.federation, local_today()) == {
        "members": 2,
        "reported": 1,
        "fevers": 1,
        "missing": 1,
    }


def test_the_home_panel_costs_one_query_for_a_chamber_admin(cast, rf, django_assert_num_queries):
    from gongke.briefings.panels import resumption as home_panels

    request = rf.get("/")
    request.user = cast.admin_a
    cast.admin_a.cached_memberships  # noqa: B018 (loaded once per request by the home page anyway)
    with django_assert_num_queries(1):
        assert "resumption-panel" in home_panels(request)[0]
