import datetime

import pytest
import segno
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongke.donations import services
from gongke.donations.models import Entry, EntryKind, Receipt
from gongke.lib.excel import read_sheet


def test_receipts_are_numbered_per_organization_and_year_without_gaps(cast, gift_for):
    for _ in range(3):
        gift_for(cast.chamber_a, issue_receipt=True)
    gift_for(cast.chamber_b, donor_name="南湖食品", issue_receipt=True)
    numbers = list(
        Receipt.objects.filter(organization=cast.chamber_a).values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3]
    assert Receipt.objects.get(organization=cast.chamber_b).number == 1


def test_a_failed_transaction_gives_its_number_back(cast, gift_for):
    gift_for(issue_receipt=True)
    pledged = gift_for(received=False)
    with pytest.raises(ValidationError):
        services.receive_gift(
            user=cast.admin_a, gift=pledged, amount="999999999", issue_receipt=True
        )
    gift_for(issue_receipt=True)
    assert list(Receipt.objects.values_list("number", flat=True)) == [1, 2]


def test_one_entry_gets_one_receipt_and_only_receipts_get_one(cast, gift_for):
    gift = gift_for()
    entry = gift.entries.get(kind=EntryKind.RECEIPT)
    first = services.issue_receipt_for(user=cast.admin_a, entry=entry)
    assert services.issue_receipt_for(user=cast.admin_a, entry=entry) == first
    with pytest.raises(ValidationError):
        services.issue_receipt_for(user=cast.admin_a, entry=gift.entries.get(kind=EntryKind.PLEDGE))


@pytest.mark.django_db(transaction=True)
def test_two_clerks_issuing_at_once_get_consecutive_numbers(cast, gift_for):
    import threading

    from django.db import connection

    if "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip(
            "in-memory SQLite locks tables instead of waiting; a file database waits (busy timeout)"
        )
    entries = [gift_for(value=str(100 + i)).entries.get(kind=EntryKind.RECEIPT) for i in range(6)]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def clerk(mine):
        try:
            start.wait()
            for entry in mine:
                services.issue_receipt_for(user=cast.admin_a, entry=entry)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(entries[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]


# --- Receipts a finance office accepts (issue 10, point 4) ----------------------------------


def test_a_receipt_number_is_prefix_year_of_issue_and_sequence_never_shared(cast, gift_for):
    a = gift_for(cast.chamber_a, issue_receipt=True)  # given in 2020, receipted today
    b = gift_for(cast.chamber_b, donor_name="南湖食品", issue_receipt=True)
    ra = a.entries.get(kind=EntryKind.RECEIPT).receipt
    rb = b.entries.get(kind=EntryKind.RECEIPT).receipt
    year = timezone.localdate().year
    assert ra.label == f"GK{cast.chamber_a.pk:04d}-{year}-000001"
    assert rb.label == f"GK{cast.chamber_b.pk:04d}-{year}-000001"
    assert ra.label != rb.label and ra.year == year  # the year of issue, not the gift's 2020


def test_the_receipt_shows_handler_issuer_and_a_qr_code_of_its_verify_link(
    cast, client_for, gift_for
):
    gift = gift_for(issue_receipt=True)
    receipt = gift.entries.get(kind=EntryKind.RECEIPT).receipt
    page = client_for(cast.admin_a).get(reverse("donations:receipt", args=[receipt.pk]))
    html = page.content.decode()
    url = f"http://testserver/donations/verify/{receipt.code}/"
    assert str(receipt.issued_by) in html and cast.chamber_a.name in html
    assert segno.make(url, error="m").svg_inline(scale=3) in html
    # The PDF draws the same symbol: one filled square per dark module.
    pdf = client_for(cast.admin_a).get(reverse("donations:receipt-pdf", args=[receipt.pk]))
    assert pdf.content.startswith(b"%PDF")
    ctx = {"receipt": receipt, "gift": gift, "entry": receipt.entry, "capital": "壹拾万元整"}
    ctx["handler"] = receipt.handler
    plain = receipt_pdf_uncompressed(ctx, url)
    dark = sum(sum(1 for d in line if d) for line in segno.make(url, error="m").matrix)
    assert plain.count(b" re f") >= dark


def receipt_pdf_uncompressed(ctx, url):
    from reportlab import rl_config

    from gongke.donations.pdf import receipt_pdf

    was = rl_config.pageCompression
    rl_config.pageCompression = 0
    try:
        return receipt_pdf(ctx, verify_url=url)
    finally:
        rl_config.pageCompression = was


def test_the_receipt_register_lists_exports_and_marks_void(cast, client_for, api_for, gift_for):
    kept = gift_for(issue_receipt=True)
    voided = gift_for(donor_name="李四", issue_receipt=True)
    gift_for(cast.chamber_b, donor_name="南湖食品", issue_receipt=True)  # not A's
    labels = [g.entries.get(kind=EntryKind.RECEIPT).receipt.label for g in (kept, voided)]
    entry = voided.entries.get(kind=EntryKind.RECEIPT)
    services.reverse_entry(user=cast.admin_a, entry=entry, reason="录错")
    client = client_for(cast.admin_a)
    html = client.get(reverse("donations:receipts")).content.decode()
    assert all(label in html for label in labels) and "南湖食品" not in html
    void_only = client.get(reverse("donations:receipts"), {"state": "void"}).content.decode()
    assert labels[1] in void_only and labels[0] not in void_only
    export = client.get(reverse("donations:receipts"), {"state": "", "export": "xlsx"})
    _headers, rows = read_sheet(b"".join(export.streaming_content), "r.xlsx")
    cells = [values for _n, values in rows]
    assert sorted(c[0] for c in cells) == sorted(labels)
    # The API answers the same register.
    api = api_for(cast.admin_a).get("/api/v1/donations/receipts").json()
    by_label = {r["label"]: r for r in api["items"]}
    assert set(by_label) == set(labels)
    assert by_label[labels[1]]["void"] and not by_label[labels[0]]["void"]
    assert by_label[labels[0]]["handler"] == str(cast.admin)


def test_a_reversal_takes_the_date_the_correction_belongs_to(cast, api_for, client_for, gift_for):
    feb = {"since": "2020-02-01", "until": "2020-02-29"}
    gift = gift_for(value="300")  # received 2020-02-01
    entry = gift.entries.get(kind=EntryKind.RECEIPT)
    client = client_for(cast.admin_a)
    client.post(
        reverse("donations:entry-reverse", args=[entry.pk]),
        {"reason": "重复录入", "occurred_on": "2020-02-10"},
    )
    reversal = Entry.objects.get(reverses=entry)
    assert reversal.occurred_on == datetime.date(2020, 2, 10)
    api = api_for(cast.admin_a)
    figures = api.get("/api/v1/donations/figures", {"org": cast.chamber_a.pk, **feb}).json()
    assert figures["total"]["received"] == "0.00"  # February's figures follow the correction
    # Not before the entry, not in the future: refused in the caller's language.
    other = gift_for(value="500").entries.get(kind=EntryKind.RECEIPT)
    answer = api.post(
        f"/api/v1/donations/entries/{other.pk}/reversal",
        {"reason": "x", "occurred_on": "2020-01-15"},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"]["occurred_on"] == ["冲销日期不能早于被冲销的记录。"]
    answer = api.post(
        f"/api/v1/donations/entries/{other.pk}/reversal",
        {"reason": "x", "occurred_on": "2020-02-03"},
        content_type="application/json",
    )
    assert answer.status_code == 201 and answer.json()["occurred_on"] == "2020-02-03"


def test_a_receipt_for_an_approximate_amount_waits_for_the_exact_one(
    cast, client_for, api_for, gift_for
):
    message = "到账金额是约数（近10万）：请冲销该记录并登记实际到账金额，再开具收据。"
    gift = gift_for(value="100000", approximation="nearly", amount_text="近10万")
    opening = gift.entries.get(kind=EntryKind.RECEIPT)
    api = api_for(cast.admin_a)
    refused = api.post(
        f"/api/v1/donations/entries/{opening.pk}/receipt", headers={"Accept-Language": "zh-hans"}
    )
    assert refused.status_code == 422 and refused.json()["errors"]["entry"] == [message]
    page = client_for(cast.admin_a).post(
        reverse("donations:entry-receipt", args=[opening.pk]), follow=True
    )
    assert message in page.content.decode() and not Receipt.objects.exists()
    # Reversed, and the exact sum recorded: its receipt is issued.
    services.reverse_entry(user=cast.admin_a, entry=opening, reason="约数")
    exact = services.receive_gift(user=cast.admin_a, gift=gift, amount="99800")
    issued = api.post(f"/api/v1/donations/entries/{exact.pk}/receipt")
    assert issued.status_code == 201 and issued.json()["amount"] == "99800.00"
