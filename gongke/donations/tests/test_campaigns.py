"""Campaigns: a period, an organizer, an optional initiative letter, and their own totals, honor
list and charts, on the page and in the API (issue 10, point 7)."""

import datetime

from django.urls import reverse

from gongke.donations import services
from gongke.donations.models import Campaign


def test_a_campaign_is_created_with_its_organizer_period_and_initiative_letter(
    cast, client_for, api_for
):
    client = client_for(cast.admin_a)
    body = {
        "organization": cast.chamber_a.pk,
        "name": "春节慰问",
        "starts_on": "2020-01-25",
        "ends_on": "2020-01-20",
        "initiative_url": "https://example.org/notices/12/",
        "is_public": "on",
    }
    page = client.post(reverse("donations:campaigns"), body).content.decode()
    assert "活动的结束日期不能早于开始日期。" in page and not Campaign.objects.exists()
    client.post(reverse("donations:campaigns"), {**body, "ends_on": "2020-03-31"})
    campaign = Campaign.objects.get()
    assert (campaign.organization, campaign.ends_on) == (cast.chamber_a, datetime.date(2020, 3, 31))
    answer = api_for(cast.admin_a).post(
        "/api/v1/donations/campaigns",
        {
            "organization_id": cast.chamber_a.pk,
            "name": "复工复产",
            "starts_on": "2020-03-01",
            "ends_on": "2020-02-01",
        },
        content_type="application/json",
    )
    assert answer.status_code == 422 and "ends_on" in answer.json()["errors"]


def test_a_campaign_has_its_own_totals_honor_list_and_charts(cast, client_for, api_for, gift_for):
    campaign = services.create_campaign(
        user=cast.admin_a,
        organization=cast.chamber_a,
        name="抗疫捐赠",
        starts_on=datetime.date(2020, 1, 25),
        initiative_url="https://example.org/notices/7/",
    )
    gift_for(value="100000", campaign=campaign)
    gift_for(value="5000", donor_name="无名氏", anonymous=True, campaign=campaign)
    gift_for(value="777", donor_name="别的活动")  # not the campaign's
    page = client_for(cast.admin_a).get(reverse("donations:campaign", args=[campaign.pk]))
    html = page.content.decode()
    assert "10.50万" in html and "别的活动" not in html
    assert "京博集团" in html and "匿名" in html  # the anonymous donor unnamed
    assert 'data-chart="chart-trend"' in html and "https://example.org/notices/7/" in html
    report = api_for(cast.admin_a).get(f"/api/v1/donations/campaigns/{campaign.pk}").json()
    assert report["total"]["received"] == "105000.00" and report["donors"] == 2
    assert report["organizer"] == cast.chamber_a.name
    assert report["campaign"]["initiative_url"] == "https://example.org/notices/7/"
    assert sorted(h["donor"] for h in report["honor"]) == sorted(["京博集团", "匿名"])
    assert report["by_day"] == [{"key": "2020-02-01", "total": "105000.00"}]
