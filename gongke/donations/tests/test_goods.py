"""Goods as people give them: pieces held are checked when forwarding and allocating, and the
public trace shows pieces, not only yuan (issue 10, point 5)."""

from django.urls import reverse

from gongke.donations import services
from gongke.donations.models import Entry, EntryKind, Nature


def _sheets(cast, gift_for):
    """500 sheets (口罩, 5,000 yuan) received by chamber A."""
    return gift_for(nature=Nature.GOODS, value="5000", item="口罩", quantity=500, unit="片")


def test_600_of_500_sheets_are_refused_when_forwarding_through_the_page(cast, client_for, gift_for):
    gift = _sheets(cast, gift_for)
    client = client_for(cast.admin_a)
    url = reverse("donations:gift-forward", args=[gift.pk])
    body = {
        "from_organization": cast.chamber_a.pk,
        "to_organization": cast.federation.pk,
        "amount": "100",  # the yuan would pass: only the pieces are over
        "quantity": "600",
        "occurred_on": "2020-02-02",
    }
    page = client.post(url, body, follow=True).content.decode()
    assert f"{cast.chamber_a.name}只持有 500 片口罩。" in page
    assert not Entry.objects.filter(kind=EntryKind.TRANSFER).exists()
    client.post(url, {**body, "quantity": "300"})
    assert services.quantity_held_by(gift, cast.chamber_a) == 200
    assert services.quantity_held_by(gift, cast.federation) == 300


def test_600_of_500_sheets_are_refused_when_allocating_through_the_api(
    cast, api_for, client, gift_for
):
    gift = _sheets(cast, gift_for)
    api = api_for(cast.admin_a)
    body = {
        "organization_id": cast.chamber_a.pk,
        "recipient_id": cast.hospital.pk,
        "amount": "100",
        "quantity": "600",
    }
    url = f"/api/v1/donations/gifts/{gift.pk}/allocations"
    refused = api.post(
        url, body, content_type="application/json", headers={"Accept-Language": "zh-hans"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"]["quantity"] == [f"{cast.chamber_a.name}只持有 500 片口罩。"]
    done = api.post(url, {**body, "quantity": "500"}, content_type="application/json")
    assert done.status_code == 201
    # Anyone checking the gift sees the pieces on its path.
    trace = client.get(f"/api/v1/donations/verify/{gift.code}").json()
    step = next(s for s in trace["path"] if s["kind"] == "allocation")
    assert (step["quantity"], step["unit"]) == ("500.00", "片")
    page = client.get(reverse("donations:verify", args=[gift.code])).content.decode()
    assert "500片" in page
