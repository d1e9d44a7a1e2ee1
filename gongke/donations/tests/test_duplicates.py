"""Every gift once however often it is reported: one key space for form, API and import, a
duplicate review before an import commits, and the export imported back adding nothing."""

import datetime

from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongke.donations import importer, services
from gongke.donations.models import (
    DonorKind,
    DuplicateDecision,
    Entry,
    EntryKind,
    Gift,
    ImportReview,
    Nature,
)
from gongke.donations.rollups import rollup
from gongke.lib.excel import build_xlsx, read_sheet

HEADERS = ["捐赠方", "金额", "日期", "收集单位", "编号"]
FEB1 = datetime.date(2020, 2, 1)


def _by_hand(cast, org, name="张三", value="5000", **extra):
    donor = services.find_or_create_donor(
        user=cast.admin, organization=org, kind=DonorKind.INDIVIDUAL, name=name
    )
    return services.record_gift(
        user=cast.admin,
        organization=org,
        donor=donor,
        nature=Nature.MONEY,
        value=value,
        given_on=FEB1,
        **extra,
    )


def _county_received(cast):
    return rollup(cast.federation)[cast.federation.pk].received


def test_a_line_like_a_gift_entered_by_hand_elsewhere_in_the_county_waits_for_review(cast):
    known = _by_hand(cast, cast.chamber_b)  # entered by chamber B
    data = build_xlsx(HEADERS, [["张三", "5000", "2020-02-01", "", ""]])
    held = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    )
    assert held.ok and held.review is not None and held.created == 0
    assert held.duplicates == [
        {"row": 2, "donor": "张三", "amount": "5000.00", "date": "2020-02-01", "gift": known.pk}
    ]
    assert Gift.objects.count() == 1  # nothing written but the review

    done = importer.commit_review(user=cast.admin_a, review=held.review, decisions={2: True})
    assert done.ok and done.created == 0 and done.linked == 1
    assert Gift.objects.count() == 1 and _county_received(cast) == 5000  # counted once
    report = DuplicateDecision.objects.get()
    assert (report.gift, report.organization, report.same) == (known, cast.chamber_a, True)
    assert LogEntry.objects.get_for_model(DuplicateDecision).get().actor == cast.admin_a
    # The same list sent again is recognised line by line: no review, nothing added.
    again = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    )
    assert again.ok and again.review is None and again.skipped == 1 and Gift.objects.count() == 1


def test_a_line_judged_different_becomes_its_own_gift(cast):
    _by_hand(cast, cast.chamber_a)
    data = build_xlsx(HEADERS, [["张三", "5000", "2020-02-01", "", ""]])
    held = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    )
    assert held.review is not None
    # Without a word on every line, the review is shown again and nothing is written.
    still = importer.commit_review(user=cast.admin_a, review=held.review, decisions={})
    assert still.review is not None and Gift.objects.count() == 1
    done = importer.commit_review(user=cast.admin_a, review=held.review, decisions={2: False})
    assert done.created == 1 and Gift.objects.count() == 2 and _county_received(cast) == 10000
    assert DuplicateDecision.objects.get().same is False


def test_a_line_pasted_twice_is_asked_about_and_counted_once(cast):
    row = ["李四", "2000", "2020-02-01", "", ""]
    held = importer.import_gifts(
        user=cast.admin_a,
        organization=cast.chamber_a,
        data=build_xlsx(HEADERS, [row, row]),
        filename="a.xlsx",
    )
    assert [(c["row"], c.get("other_row")) for c in held.duplicates] == [(3, 2)]
    done = importer.commit_review(user=cast.admin_a, review=held.review, decisions={3: True})
    gift = Gift.objects.get()
    assert done.created == 1 and done.linked == 1
    assert DuplicateDecision.objects.get().gift == gift and _county_received(cast) == 2000


def test_a_number_under_another_collecting_chamber_is_the_same_gift(cast):
    _by_hand(cast, cast.chamber_b, name="王五", value="800", client_key="NH-7")
    data = build_xlsx(HEADERS, [["王五", "800", "2020-02-01", "青原县钣金商会", "NH-7"]])
    result = importer.import_gifts(
        user=cast.fed_admin, organization=cast.federation, data=data, filename="county.xlsx"
    )
    assert result.ok and result.skipped == 1 and result.created == 0
    assert Gift.objects.count() == 1


def test_a_key_typed_in_the_api_matches_the_same_number_in_an_import(cast, api_for):
    api = api_for(cast.admin_a)
    body = {
        "organization_id": cast.chamber_a.pk,
        "donor_kind": "individual",
        "donor_name": "赵六",
        "amount": "1000",
        "given_on": "2020-02-01",
        "client_key": "ZL-1",
    }
    assert (
        api.post("/api/v1/donations/gifts", body, content_type="application/json").status_code
        == 201
    )
    data = build_xlsx(HEADERS, [["赵六", "1000", "2020-02-01", "", "ZL-1"]])
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    )
    assert result.skipped == 1 and Gift.objects.count() == 1
    # And the other way round: an imported number typed again in the API is that gift.
    data = build_xlsx(HEADERS, [["钱七", "300", "2020-02-01", "", "QQ-1"]])
    importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="b.xlsx"
    )
    again = api.post(
        "/api/v1/donations/gifts",
        {**body, "donor_name": "钱七", "amount": "300", "client_key": "QQ-1"},
        content_type="application/json",
    )
    assert again.json()["id"] == Gift.objects.get(client_key="QQ-1").pk
    assert Gift.objects.count() == 2


def test_a_number_of_another_chambers_gift_is_refused_not_reused(cast):
    _by_hand(cast, cast.chamber_b, name="王五", value="800", client_key="NH-8")
    donor = services.find_or_create_donor(
        user=cast.admin_a, organization=cast.chamber_a, kind=DonorKind.INDIVIDUAL, name="王五"
    )
    try:
        services.record_gift(
            user=cast.admin_a,
            organization=cast.chamber_a,
            donor=donor,
            nature=Nature.MONEY,
            value="800",
            client_key="NH-8",
        )
    except services.ValidationError as exc:
        assert "client_key" in exc.message_dict
    else:
        raise AssertionError("a key of chamber B's gift was reused")


def test_the_export_edited_and_imported_back_adds_only_the_new_line(cast, client_for):
    pledged = _by_hand(cast, cast.chamber_a, name="孙八", value="3000", received=False)
    received = _by_hand(cast, cast.chamber_a, name="周九", value="6000", client_key="ZJ-1")
    services.forward_gift(
        user=cast.admin,
        gift=received,
        from_organization=cast.chamber_a,
        to_organization=cast.federation,
        amount="1000",
    )
    receipt = received.entries.get(kind=EntryKind.RECEIPT)
    services.reverse_entry(
        user=cast.admin, entry=received.entries.get(kind=EntryKind.TRANSFER), reason="退回"
    )
    entries = Entry.objects.count()
    client = client_for(cast.admin_a)
    export = client.get(reverse("donations:gifts"), {"export": "xlsx"})
    headers, lines = read_sheet(export.content, "gifts.xlsx")
    rows = [list(values) for _n, values in lines]
    assert {r[headers.index("编号")] for r in rows} == {pledged.code, "ZJ-1"}
    status = {r[0]: r[headers.index("状态")] for r in rows}
    assert status == {"孙八": "认捐", "周九": "已到账"}
    new = list(rows[0])
    new[0], new[headers.index("编号")] = "吴十", ""
    upload = SimpleUploadedFile("gifts.xlsx", build_xlsx(headers, [*rows, new]))
    response = client.post(
        reverse("donations:import"), {"organization": cast.chamber_a.pk, "file": upload}
    )
    assert response.status_code == 302, response.context["result"].errors
    assert Gift.objects.count() == 3 and Gift.objects.filter(donor__name="吴十").exists()
    # Status, reversal and path of the gifts already there are as they were.
    assert services.gift_position(pledged)[EntryKind.RECEIPT] == 0
    assert received.entries.filter(reverses__isnull=False).count() == 1
    assert Entry.objects.count() == entries + len(
        Gift.objects.get(donor__name="吴十").entries.all()
    )
    assert receipt.pk in received.entries.values_list("pk", flat=True)


def test_the_review_through_the_pages(cast, client_for):
    known = _by_hand(cast, cast.chamber_a)
    client = client_for(cast.admin_a)
    upload = SimpleUploadedFile("a.csv", "捐赠方,金额,日期\n张三,5000,2020-02-01\n".encode())
    response = client.post(
        reverse("donations:import"), {"organization": cast.chamber_a.pk, "file": upload}
    )
    review = ImportReview.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "donations:import-review", args=[review.pk]
    )
    page = client.get(response.url).content.decode()
    assert "张三" in page and reverse("donations:gift", args=[known.pk]) in page
    # The outsider's chamber does not reach it; a reader may look but not decide.
    assert client_for(cast.outsider_b).get(response.url).status_code == 404
    assert client_for(cast.viewer_a).post(response.url, {"row-2": "same"}).status_code == 403
    response = client.post(response.url, {"row-2": "same"})
    assert response.status_code == 302 and response.url == reverse("donations:gifts")
    assert Gift.objects.count() == 1
    gift_page = client.get(reverse("donations:gift", args=[known.pk])).content.decode()
    assert "a.csv" in gift_page
    committed = client.get(reverse("donations:import-review", args=[review.pk]))
    assert committed.status_code == 200 and list(committed.context["decisions"])


def test_the_review_through_the_api(cast, api_for):
    _by_hand(cast, cast.chamber_a)
    api = api_for(cast.admin_a)
    upload = SimpleUploadedFile(
        "a.csv", "捐赠方,金额,日期\n张三,5000,2020-02-01\n张三,5000,2020-02-01\n".encode()
    )
    held = api.post(
        "/api/v1/donations/imports", {"organization_id": cast.chamber_a.pk, "file": upload}
    )
    assert held.status_code == 202, held.content
    body = held.json()
    assert [d["row"] for d in body["duplicates"]] == [2, 3] and body["created"] == 0
    url = f"/api/v1/donations/imports/reviews/{body['review_id']}"
    assert api.get(url).json()["status"] == "open"
    assert api_for(cast.outsider_b).get(url).status_code == 404
    partial = api.post(
        url, {"decisions": [{"row": 2, "same": True}]}, content_type="application/json"
    )
    assert partial.status_code == 202 and Gift.objects.count() == 1
    done = api.post(
        url,
        {"decisions": [{"row": 2, "same": True}], "rest": False},
        content_type="application/json",
    )
    assert done.status_code == 201, done.content
    assert (done.json()["created"], done.json()["linked"]) == (1, 1)
    replay = api.post(url, {"decisions": []}, content_type="application/json")
    assert replay.status_code == 201 and replay.json()["created"] == 1
    assert Gift.objects.count() == 2


def test_committing_a_review_takes_the_rows_checked_at_upload(cast):
    """The decisions are saved from the rows checked when the file came in: the held file is not
    read and checked a second time (that doubled a big import's work)."""
    _by_hand(cast, cast.chamber_a)
    data = build_xlsx(
        HEADERS, [["张三", "5000", "2020-02-01", "", ""], ["李四", "300", "", "", ""]]
    )
    assert not importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    ).ok  # the second line has no date
    data = build_xlsx(
        HEADERS, [["张三", "5000", "2020-02-01", "", ""], ["李四", "300", "2020-02-02", "", ""]]
    )
    held = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    )
    assert held.review is not None and held.review.checked
    ImportReview.objects.filter(pk=held.review.pk).update(data=b"not a sheet")
    review = ImportReview.objects.get(pk=held.review.pk)
    done = importer.commit_review(user=cast.admin_a, review=review, decisions={2: False})
    assert done.ok and done.created == 2 and Gift.objects.count() == 3
    review.refresh_from_db()
    assert (bytes(review.checked), bytes(review.data)) == (b"", b"")


def test_checked_rows_no_longer_good_are_checked_again_from_the_file(cast):
    """Rows kept with a review are used only if this server signed them and the user still
    reaches what they name; otherwise the file is read again and its messages say what changed."""
    _by_hand(cast, cast.chamber_a)
    data = build_xlsx(HEADERS, [["张三", "5000", "2020-02-01", "", ""]])
    held = importer.import_gifts(
        user=cast.admin, organization=cast.federation, data=data, filename="a.xlsx"
    )
    assert held.review is not None
    tampered = bytearray(held.review.checked)
    tampered[-1] ^= 1
    ImportReview.objects.filter(pk=held.review.pk).update(checked=bytes(tampered))
    review = ImportReview.objects.get(pk=held.review.pk)
    done = importer.commit_review(user=cast.admin, review=review, decisions={2: False})
    assert done.ok and done.created == 1  # read again from the file
    # A chamber's clerk committing a county review reaches less than the rows name: refused.
    data = build_xlsx(HEADERS, [["张三", "5000", "2020-02-01", "", "b-1"]])
    held = importer.import_gifts(
        user=cast.admin, organization=cast.federation, data=data, filename="b.xlsx"
    )
    assert held.review is not None
    assert importer._unpack(held.review, user=cast.admin) is not None
    assert importer._unpack(held.review, user=cast.admin_a) is None
