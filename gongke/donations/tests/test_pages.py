import datetime

import pytest
from django.urls import reverse

from gongke.donations import services
from gongke.donations.models import Campaign, DonorKind, Entry, EntryKind, Gift, Nature, Receipt


@pytest.fixture
def campaign(cast):
    return services.create_campaign(
        user=cast.admin,
        organization=cast.federation,
        name="抗击疫情捐赠",
        starts_on=datetime.date(2020, 1, 25),
    )


@pytest.fixture
def booked(cast, gift_for, campaign):
    """A named gift with a receipt, forwarded and allocated; an anonymous one; a goods gift."""
    named = gift_for(value="100000", campaign=campaign, issue_receipt=True)
    services.forward_gift(
        user=cast.admin_a,
        gift=named,
        from_organization=cast.chamber_a,
        to_organization=cast.federation,
        amount="100000",
    )
    services.allocate_gift(
        user=cast.fed_admin,
        gift=named,
        organization=cast.federation,
        recipient=cast.hospital,
        amount="100000",
    )
    donor = services.find_or_create_donor(
        user=cast.admin_a,
        organization=cast.chamber_a,
        kind=DonorKind.INDIVIDUAL,
        name="隐名善人",
        contact_phone="13912345678",
        address="东城路8号",
    )
    hidden = services.record_gift(
        user=cast.admin_a,
        organization=cast.chamber_a,
        donor=donor,
        nature=Nature.MONEY,
        value="50000",
        is_anonymous=True,
        campaign=campaign,
        given_on=datetime.date(2020, 2, 2),
        issue_receipt=True,
    )
    goods = gift_for(
        value="12000",
        nature=Nature.GOODS,
        item="N95口罩",
        quantity=2000,
        unit="只",
        campaign=campaign,
        donor_name="瑞丰商贸",
    )
    return named, hidden, goods


URLS = [
    "donations:index",
    "donations:gifts",
    "donations:donors",
    "donations:ledger",
    "donations:campaigns",
    "donations:import",
    "donations:gift-new",
]


@pytest.mark.parametrize("name", URLS)
def test_every_page_opens_for_a_chamber_admin(cast, client_for, booked, name):
    response = client_for(cast.admin_a).get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name", ["donations:gifts", "donations:donors", "donations:ledger", "donations:index"]
)
def test_lists_take_a_fixed_number_of_queries(
    cast, client_for, booked, gift_for, name, django_assert_max_num_queries
):
    for i in range(10):
        gift_for(value=str(100 + i), donor_name=f"捐赠人{i}")
    client = client_for(cast.admin_a)
    with django_assert_max_num_queries(30):
        assert client.get(reverse(name)).status_code == 200


def test_the_home_dashboard_shows_the_donations_panel(
    cast, client_for, booked, django_assert_max_num_queries
):
    client = client_for(cast.fed_admin)
    with django_assert_max_num_queries(40):
        response = client.get("/")
    assert "16.20万" in response.content.decode()  # 162,000 yuan, as briefings say it


def test_an_outsider_gets_404_on_every_record(cast, client_for, booked):
    named, hidden, _goods = booked
    client = client_for(cast.outsider_b)
    receipt = Receipt.objects.filter(organization=cast.chamber_a).first()
    entry = named.entries.get(kind=EntryKind.PLEDGE)
    for url in [
        reverse("donations:gift", args=[named.pk]),
        reverse("donations:donor", args=[hidden.donor_id]),
        reverse("donations:receipt", args=[receipt.pk]),
        reverse("donations:receipt-pdf", args=[receipt.pk]),
        reverse("donations:index") + f"?org={cast.chamber_a.pk}",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("donations:gift-receive", args=[named.pk]),
        reverse("donations:entry-reverse", args=[entry.pk]),
        reverse("donations:entry-receipt", args=[entry.pk]),
    ]:
        assert client.post(url, {"reason": "x", "amount": "1"}).status_code == 404, url
    assert "京博集团" not in client.get(reverse("donations:gifts")).content.decode()


def test_a_viewer_may_read_but_not_reverse(cast, client_for, booked):
    named, _hidden, _goods = booked
    client = client_for(cast.viewer_a)
    assert client.get(reverse("donations:gift", args=[named.pk])).status_code == 200
    entry = named.entries.get(kind=EntryKind.PLEDGE)
    assert (
        client.post(
            reverse("donations:entry-reverse", args=[entry.pk]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_recording_a_gift_through_the_form(cast, client_for, campaign):
    client = client_for(cast.admin_a)
    data = {
        "organization": cast.chamber_a.pk,
        "campaign": campaign.pk,
        "donor_kind": DonorKind.ENTERPRISE,
        "donor_name": "京博集团",
        "nature": Nature.MONEY,
        "amount": "64.8万",
        "given_on": "2020-02-01",
        "received": "on",
        "issue_receipt": "on",
        "client_key": "form-1",
    }
    response = client.post(reverse("donations:gift-new"), data)
    assert response.status_code == 302, response.context["form"].errors
    client.post(reverse("donations:gift-new"), data)  # a double click books nothing more
    gift = Gift.objects.get(donor__enterprise=cast.a1)
    assert gift.value == 648000 and gift.entries.get(kind=EntryKind.RECEIPT).receipt.number == 1


def test_reversing_an_entry_through_the_page_asks_and_adds_a_reversal(cast, client_for, gift_for):
    gift = gift_for(value="300")
    client = client_for(cast.admin_a)
    page = client.get(reverse("donations:gift", args=[gift.pk])).content.decode()
    assert "data-confirm" in page
    entry = gift.entries.get(kind=EntryKind.RECEIPT)
    client.post(reverse("donations:entry-reverse", args=[entry.pk]), {"reason": "重复录入"})
    assert Entry.objects.get(reverses=entry).amount == -300


def test_the_receipt_prints_the_capital_amount_and_renders_as_pdf(cast, client_for, booked):
    receipt = Receipt.objects.filter(organization=cast.chamber_a).order_by("number").first()
    client = client_for(cast.admin_a)
    page = client.get(reverse("donations:receipt", args=[receipt.pk])).content.decode()
    assert "壹拾万元整" in page and receipt.code in page and "receipt.css" in page
    pdf = client.get(reverse("donations:receipt-pdf", args=[receipt.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_anyone_can_verify_a_receipt_and_sees_nothing_private(client, cast, booked):
    named, hidden, _goods = booked
    receipt = hidden.entries.get(kind=EntryKind.RECEIPT).receipt
    page = client.get(reverse("donations:verify", args=[receipt.code])).content.decode()
    assert (
        "隐名善人" not in page
        and "13912345678" not in page
        and "1391" not in page
        and "东城路" not in page
    )
    assert "伍万元整" in page
    named_receipt = named.entries.get(kind=EntryKind.RECEIPT).receipt
    page = client.get(
        reverse("donations:verify", args=[named_receipt.code.lower()])
    ).content.decode()
    assert "京博集团" in page and "青原县人民医院" in page and "青原县工商业联合会" in page
    assert client.get(reverse("donations:verify", args=["NOSUCHCODE"])).status_code == 404


def test_the_honor_list_respects_anonymity_and_search(client, cast, booked, campaign):
    url = reverse("donations:honor", args=[cast.federation.pk, campaign.pk])
    page = client.get(url).content.decode()
    assert (
        "京博集团" in page
        and "N95口罩" in page
        and "隐名善人" not in page
        and "13912345678" not in page
    )
    assert "京博集团" in client.get(url, {"q": "jbjt"}).content.decode()
    assert "<tbody>" not in client.get(url, {"q": "隐名善人"}).content.decode()
    Campaign.objects.filter(pk=campaign.pk).update(is_public=False)
    assert client.get(url).status_code == 404


def test_the_honor_list_is_paged_in_few_queries(
    client, cast, campaign, gift_for, django_assert_max_num_queries
):
    for i in range(60):
        gift_for(value=str(10 + i), campaign=campaign, donor_name=f"捐赠人{i}")
    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("donations:honor", args=[cast.federation.pk, campaign.pk]), {"page": 2}
        )
    assert response.status_code == 200


def test_exports_of_lists(cast, client_for, booked):
    client = client_for(cast.admin_a)
    for name in [
        "donations:gifts",
        "donations:donors",
        "donations:ledger",
        "donations:index",
        "donations:campaigns",
    ]:
        xlsx = client.get(reverse(name), {"export": "xlsx"})
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK", name
    csv = client.get(reverse("donations:gifts"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "京博集团" in csv


def test_importing_through_the_page(cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(cast.admin_a)
    template = client.get(reverse("donations:import-template"))
    assert template.status_code == 200
    upload = SimpleUploadedFile("gifts.xlsx", template.content)
    response = client.post(
        reverse("donations:import"), {"organization": cast.chamber_a.pk, "file": upload}
    )
    # The template's example rows are never gifts.
    assert response.status_code == 200 and response.context["result"].errors
    upload = SimpleUploadedFile("gifts.csv", "捐赠方,金额,日期\n张三,500,2020-02-01\n".encode())
    response = client.post(
        reverse("donations:import"), {"organization": cast.chamber_a.pk, "file": upload}
    )
    assert response.status_code == 302
    bad = SimpleUploadedFile("bad.csv", "捐赠方,金额,日期\n张三,很多,2020-02-01\n".encode())
    response = client.post(
        reverse("donations:import"), {"organization": cast.chamber_a.pk, "file": bad}
    )
    assert response.status_code == 200 and "很多" not in response.content.decode()[:0]
    assert response.context["result"].errors[0].row == 2


def test_a_platform_admin_sees_every_gift(cast, client_for, booked):
    page = client_for(cast.admin).get(reverse("donations:gifts")).content.decode()
    assert "京博集团" in page and "隐名善人" in page and "瑞丰商贸" in page


def test_a_gift_forwarded_into_another_chamber_is_seen_there(cast, client_for, gift_for):
    gift = gift_for(value="800")
    services.forward_gift(
        user=cast.admin,
        gift=gift,
        from_organization=cast.chamber_a,
        to_organization=cast.chamber_b,
        amount="800",
    )
    assert (
        client_for(cast.outsider_b).get(reverse("donations:gift", args=[gift.pk])).status_code
        == 200
    )


def test_pages_speak_simplified_chinese(cast, client_for, booked):
    page = client_for(cast.admin_a).get(reverse("donations:index")).content.decode()
    assert "认捐（元）" in page and "按单位" in page
