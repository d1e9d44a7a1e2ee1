"""Threshold counts per donor, not per record, filterable by executive-committee membership and
kind: "how many executive-committee enterprises gave over 100,000 yuan?" on the page and in the API."""

import datetime

from django.urls import reverse

from gongke.donations import services
from gongke.donations.models import DonorKind, Nature


def _give(cast, org, donor, value):
    services.record_gift(
        user=cast.admin,
        organization=org,
        donor=donor,
        nature=Nature.MONEY,
        value=value,
        given_on=datetime.date(2020, 2, 1),
    )


def _county(cast):
    def donor(kind, name="", enterprise=None):
        return services.find_or_create_donor(
            user=cast.admin,
            organization=cast.chamber_a,
            kind=kind,
            name=name,
            enterprise=enterprise,
        )

    executive = donor(DonorKind.ENTERPRISE, enterprise=cast.a1)  # 京博集团, executive committee
    _give(cast, cast.chamber_a, executive, "150000")
    person = donor(DonorKind.INDIVIDUAL, "张三")
    _give(cast, cast.chamber_a, person, "60000")  # two gifts through two chambers: one donor
    _give(cast, cast.chamber_b, person, "60000")
    _give(cast, cast.chamber_a, donor(DonorKind.INDIVIDUAL, "李四"), "50000")
    _give(cast, cast.chamber_a, donor(DonorKind.GROUP, "钣金商会其他会员"), "1700000")


def test_the_figures_page_counts_donors_over_a_threshold(cast, client_for):
    _county(cast)
    client = client_for(cast.fed_admin)
    url = reverse("donations:index")
    assert client.get(url, {"threshold": "100000"}).context["donors_above"] == 2
    assert client.get(url, {"threshold": "100000", "executive": "1"}).context["donors_above"] == 1
    assert client.get(url, {"threshold": "100000", "executive": "0"}).context["donors_above"] == 1
    only = client.get(url, {"threshold": "100000", "donor_kind": "individual"})
    assert only.context["donors_above"] == 1


def test_the_api_answers_the_same_question(cast, api_for):
    _county(cast)
    api = api_for(cast.fed_admin)
    body = api.get("/api/v1/donations/figures", {"threshold": "100000", "executive": "true"}).json()
    assert body["donors_above_threshold"] == 1
    body = api.get("/api/v1/donations/figures", {"threshold": "100000"}).json()
    assert body["donors_above_threshold"] == 2
