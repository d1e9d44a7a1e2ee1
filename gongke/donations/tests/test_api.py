import datetime

from gongke.donations import services
from gongke.donations.models import Entry, EntryKind, Gift
from gongke.lib.excel import build_xlsx

GIFTS = "/api/v1/donations/gifts"


def _gift(cast, **extra):
    return {
        "organization_id": cast.chamber_a.pk,
        "donor_kind": "enterprise",
        "enterprise_id": cast.a1.pk,
        "amount": "64.8万",
        "given_on": "2020-02-01",
        **extra,
    }


def test_creating_a_gift_is_idempotent(cast, api_for):
    api = api_for(cast.admin_a)
    first = api.post(
        GIFTS,
        _gift(cast, issue_receipt=True),
        content_type="application/json",
        headers={"Idempotency-Key": "abc"},
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["value"] == "648000.00" and body["donor_name"] == "京博集团"
    assert any(e["receipt_number"] for e in body["entries"])
    again = api.post(
        GIFTS,
        _gift(cast, issue_receipt=True),
        content_type="application/json",
        headers={"Idempotency-Key": "abc"},
    )
    assert again.json()["id"] == body["id"] and Gift.objects.count() == 1
    by_client_key = api.post(
        GIFTS, _gift(cast, client_key="row-7"), content_type="application/json"
    )
    assert (
        api.post(GIFTS, _gift(cast, client_key="row-7"), content_type="application/json").json()[
            "id"
        ]
        == by_client_key.json()["id"]
    )
    assert Gift.objects.count() == 2


def test_bad_amounts_and_writes_outside_answer_in_json(cast, api_for):
    api = api_for(cast.admin_a)
    bad = api.post(GIFTS, _gift(cast, amount="很多"), content_type="application/json")
    assert bad.status_code == 422 and "amount" in bad.json()["errors"]
    outside = api.post(
        GIFTS, _gift(cast, organization_id=cast.chamber_b.pk), content_type="application/json"
    )
    assert outside.status_code == 404
    viewer = api_for(cast.viewer_a).post(GIFTS, _gift(cast), content_type="application/json")
    assert viewer.status_code == 403


def test_an_outsider_gets_404_and_sees_nothing(cast, api_for, gift_for):
    gift = gift_for()
    entry = gift.entries.get(kind=EntryKind.RECEIPT)
    api = api_for(cast.outsider_b)
    assert api.get(f"{GIFTS}/{gift.pk}").status_code == 404
    assert api.get(GIFTS).json()["count"] == 0
    assert api.get("/api/v1/donations/entries").json()["count"] == 0
    assert (
        api.post(
            f"{GIFTS}/{gift.pk}/receipts", {"amount": "1"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/api/v1/donations/entries/{entry.pk}/reversal",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert api.get(f"/api/v1/donations/figures?org={cast.chamber_a.pk}").status_code == 404
    assert api.get(f"/api/v1/donations/donors/{gift.donor_id}").status_code == 404


def test_the_ledger_through_the_api(cast, api_for, gift_for):
    gift = gift_for(value="1000", received=False)
    api = api_for(cast.admin_a)
    r = api.post(
        f"{GIFTS}/{gift.pk}/receipts",
        {"amount": "1,000", "issue_receipt": True},
        content_type="application/json",
        headers={"Idempotency-Key": "r1"},
    )
    assert r.status_code == 201 and r.json()["receipt_number"].endswith("000001")
    api.post(
        f"{GIFTS}/{gift.pk}/receipts",
        {"amount": "1,000"},
        content_type="application/json",
        headers={"Idempotency-Key": "r1"},
    )
    assert gift.entries.filter(kind=EntryKind.RECEIPT).count() == 1
    t = api.post(
        f"{GIFTS}/{gift.pk}/transfers",
        {
            "from_organization_id": cast.chamber_a.pk,
            "to_organization_id": cast.federation.pk,
            "amount": "600",
        },
        content_type="application/json",
    )
    assert t.status_code == 201, t.content
    fed = api_for(cast.fed_admin)
    a = fed.post(
        f"{GIFTS}/{gift.pk}/allocations",
        {"organization_id": cast.federation.pk, "recipient_id": cast.hospital.pk, "amount": "600"},
        content_type="application/json",
    )
    assert a.status_code == 201
    too_much = api.post(
        f"{GIFTS}/{gift.pk}/transfers",
        {
            "from_organization_id": cast.chamber_a.pk,
            "to_organization_id": cast.federation.pk,
            "amount": "401",
        },
        content_type="application/json",
    )
    assert too_much.status_code == 422
    rev = fed.post(
        f"/api/v1/donations/entries/{a.json()['id']}/reversal",
        {"reason": "拨错单位"},
        content_type="application/json",
    )
    assert rev.status_code == 201 and rev.json()["amount"] == "-600.00"
    figures = fed.get(f"/api/v1/donations/figures?org={cast.federation.pk}").json()
    assert figures["total"]["received"] == "1000.00" and figures["total"]["allocated"] == "0.00"
    children = {c["organization_id"]: c for c in figures["children"]}
    assert children[cast.chamber_a.pk]["held"] == "400.00"


def test_lists_take_a_fixed_number_of_queries(
    cast, api_for, gift_for, django_assert_max_num_queries
):
    for i in range(15):
        gift_for(value=str(100 + i), donor_name=f"捐赠人{i}", issue_receipt=True)
    api = api_for(cast.admin_a)
    for url in [
        GIFTS,
        "/api/v1/donations/entries",
        "/api/v1/donations/donors",
        "/api/v1/donations/figures",
    ]:
        with django_assert_max_num_queries(25):
            assert api.get(url).status_code == 200, url


def test_imports_through_the_api(cast, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = api_for(cast.admin_a)
    data = build_xlsx(["捐赠方", "金额", "日期"], [["张三", "近10万", "2020-02-01"]])
    r = api.post(
        "/api/v1/donations/imports",
        {"organization_id": cast.chamber_a.pk, "file": SimpleUploadedFile("g.xlsx", data)},
    )
    assert r.status_code == 201 and r.json()["created"] == 1
    r = api.post(
        "/api/v1/donations/imports",
        {"organization_id": cast.chamber_a.pk, "file": SimpleUploadedFile("g.xlsx", data)},
    )
    assert r.status_code == 200 and r.json()["skipped"] == 1
    bad = build_xlsx(["捐赠方", "金额", "日期"], [["张三", "x", "2020-02-01"]])
    r = api.post(
        "/api/v1/donations/imports",
        {"organization_id": cast.chamber_a.pk, "file": SimpleUploadedFile("b.xlsx", bad)},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 2


def test_public_verify_and_honor_list_need_no_token(client, cast, gift_for):
    campaign = services.create_campaign(
        user=cast.admin,
        organization=cast.federation,
        name="抗疫",
        starts_on=datetime.date(2020, 1, 25),
    )
    hidden = gift_for(
        value="50000", anonymous=True, donor_name="", campaign=campaign, issue_receipt=True
    )
    gift_for(value="100000", campaign=campaign)
    code = Entry.objects.get(gift=hidden, kind=EntryKind.RECEIPT).receipt.code
    r = client.get(f"/api/v1/donations/verify/{code}")
    assert r.status_code == 200 and r.json()["received_in_words"] == "伍万元整"
    assert "contact" not in r.content.decode()
    honor = client.get(f"/api/v1/donations/honor/{cast.federation.pk}/{campaign.pk}").json()
    assert honor["count"] == 2 and "京博集团" in {i["donor"] for i in honor["items"]}
    assert client.get("/api/v1/donations/verify/NOPE").status_code == 404
