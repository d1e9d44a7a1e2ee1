import pytest
from django.core.exceptions import ValidationError

from gongke.donations import services
from gongke.donations.models import EntryKind, Receipt


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
