"""/api/v1/supplies: the same ledger through the API, idempotent and scoped."""

from gongke.supplies.models import Lot, Movement


def test_a_receipt_in_packs_is_idempotent(stores, api_for):
    c = api_for(stores.staff_a)
    body = {
        "warehouse_id": stores.main.pk,
        "item_id": stores.n95.pk,
        "quantity": 2,
        "unit": "箱",
        "batch": "B2020-02",
        "expires_on": "2022-02-01",
    }
    first = c.post(
        "/api/v1/supplies/receipts",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "r-1"},
    )
    again = c.post(
        "/api/v1/supplies/receipts",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "r-1"},
    )
    assert first.status_code == 201, first.content
    assert again.json() == first.json()
    assert first.json()["stock"] == [{"warehouse_id": stores.main.pk, "quantity": 2000}]
    assert Lot.objects.filter(batch="B2020-02").count() == 1


def test_an_issue_beyond_stock_answers_422_and_writes_nothing(stores, api_for):
    before = Movement.objects.count()
    r = api_for(stores.staff_a).post(
        "/api/v1/supplies/issues",
        {
            "warehouse_id": stores.main.pk,
            "item_id": stores.n95.pk,
            "quantity": 3,
            "unit": "箱",
            "recipient_id": stores.hospital.pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "2400" in r.json()["errors"]["quantity"][0]
    assert Movement.objects.count() == before


def test_it_issues_first_expiry_first_and_reports_the_balance(stores, api_for):
    c = api_for(stores.staff_a)
    picks = c.get(
        f"/api/v1/supplies/fefo?item_id={stores.n95.pk}&warehouse_id={stores.main.pk}&quantity=3000"
    ).json()
    assert picks["missing"] == 600 and picks["picks"][0]["quantity"] == 2400
    r = c.post(
        "/api/v1/supplies/issues",
        {
            "warehouse_id": stores.main.pk,
            "item_id": stores.n95.pk,
            "quantity": 400,
            "recipient_id": stores.hospital.pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()[0]["quantity"] == -400
    balance = c.get(
        f"/api/v1/supplies/balance?item_id={stores.n95.pk}&warehouse_id={stores.main.pk}"
    )
    assert balance.json()["quantity"] == 2000
    card = c.get(
        f"/api/v1/supplies/card?item_id={stores.n95.pk}&warehouse_id={stores.main.pk}"
    ).json()
    assert [line["balance"] for line in card["lines"]] == [2400, 2000]


def test_another_chamber_sees_none_of_the_stock(stores, api_for):
    c = api_for(stores.outsider_b)
    assert c.get(f"/api/v1/supplies/lots/{stores.lot.pk}").status_code == 404
    assert c.get("/api/v1/supplies/stock").json()["items"] == []
    assert c.get(f"/api/v1/supplies/balance?item_id={stores.n95.pk}").json()["quantity"] == 0
