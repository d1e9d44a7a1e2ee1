"""Looking behind a masked ID number — a census reveal request or a candidate matched at a post
— needs a reason, is audited, and is limited per user: with the mask showing only the first
three digits, guessing a number by matching would take ~10^8 tries, and the allowance stops it
after a handful (then the organization's admins are alerted)."""

import logging

import pytest
from auditlog.models import LogEntry
from django.core import mail
from stdnum.cn import ric

from gongke.census import services as census
from gongke.census.models import Resident
from gongke.census.reveals import TooManyReveals
from gongke.community import services as community
from gongke.community.models import IdReveal
from gongke.lib.masking import mask_stored, mask_stored_audit

pytestmark = pytest.mark.django_db
BODY = "11010519491231002"
ID_NUMBER = BODY + ric.calc_check_digit(BODY + "0")


@pytest.fixture
def resident(cast):
    household, _ = census.save_household(place=cast.compound_a, building="1", unit="1", room="101")
    resident, _ = census.register_resident(
        user=cast.admin_a, household=household, name="王伟", id_number=ID_NUMBER
    )
    return resident


@pytest.fixture
def passage(cast):
    return community.record_passage(
        post=cast.post_a,
        user=cast.admin_a,
        client_id="7d0c2a4e-3b7e-4a52-9a3e-2f1d1c5b6a01",
        direction="in",
        subject="outsider",
        name="李四",
        id_number=ID_NUMBER,
    )


def test_the_mask_shows_only_the_first_three_digits(cast, resident, client_for, api_for):
    assert resident.id_number_masked == "110" + "*" * 15
    page = client_for(cast.admin_a).get(f"/census/resident/{resident.pk}/").content.decode()
    api = api_for(cast.admin_a).get(f"/api/v1/census/residents/{resident.pk}").json()
    for shown in (page, str(api)):
        assert ID_NUMBER[-4:] not in shown and ID_NUMBER[6:14] not in shown
        assert "110" + "*" * 15 in shown


def test_matching_a_candidate_needs_a_reason_and_is_audited(cast, passage, api_for):
    api = api_for(cast.admin_a)
    url = f"/api/v1/community/passages/{passage.pk}/reveal"
    refused = api.post(url, {"reason": "", "candidate": ID_NUMBER}, content_type="application/json")
    assert refused.status_code == 422 and "matched" not in refused.json()
    assert not IdReveal.objects.exists()
    answer = api.post(
        url, {"reason": "疾控流调核对身份", "candidate": ID_NUMBER}, content_type="application/json"
    )
    assert answer.status_code == 201 and answer.json()["matched"] is True
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(passage.pk))
    assert entry.actor == cast.admin_a
    assert entry.additional_data["reason"] == "疾控流调核对身份"
    assert entry.changes["matched"] == ["", "True"]


def test_a_users_looks_are_limited_and_the_admins_alerted(
    cast, resident, passage, api_for, settings, caplog
):
    settings.ID_REVEALS_PER_HOUR = 3
    cast.admin_a.email = "admin_a@example.com"
    cast.admin_a.save()
    cast.fed_admin.email = "fed@example.com"
    cast.fed_admin.save()
    staff = api_for(cast.staff_a)
    census_url = f"/api/v1/census/residents/{resident.pk}/reveal"
    match_url = f"/api/v1/community/passages/{passage.pk}/reveal"
    why = {"reason": "社区排查核对身份"}
    # The allowance is one per user across census reveals and matches at the posts.
    assert staff.post(census_url, why, content_type="application/json").status_code == 200
    guesses = [BODY[:-1] + str(n) + "0" for n in range(5)]
    for guess in guesses[:2]:
        guess = guess[:-1] + ric.calc_check_digit(guess)
        answer = staff.post(match_url, {**why, "candidate": guess}, content_type="application/json")
        assert answer.status_code == 201
    with caplog.at_level(logging.WARNING, logger="gongke.census.reveals"):
        over = staff.post(
            match_url, {**why, "candidate": ID_NUMBER}, content_type="application/json"
        )
        again = staff.post(census_url, why, content_type="application/json")
    assert over.status_code == 429 and "matched" not in over.json() and over.json()["detail"]
    assert again.status_code == 429
    assert IdReveal.objects.count() == 2  # the refused look was not answered
    alarms = LogEntry.objects.filter(additional_data__alarm="id_number_reveals")
    assert alarms.count() == 1  # one alarm per window, not one per refusal
    assert alarms.get().actor == cast.staff_a
    assert alarms.get().additional_data["org_path"] == cast.chamber_a.path
    assert sorted(m.to[0] for m in mail.outbox) == ["admin_a@example.com", "fed@example.com"]
    assert "staff_a" in mail.outbox[0].body
    assert "staff_a" in caplog.text
    # Another user's allowance is their own.
    assert (
        api_for(cast.admin_a).post(census_url, why, content_type="application/json").status_code
        == 200
    )


def test_the_census_service_refuses_past_the_allowance(cast, resident, settings):
    settings.ID_REVEALS_PER_HOUR = 1
    census.reveal_id_number(user=cast.admin_a, resident=resident, reason="核对身份信息")
    with pytest.raises(TooManyReveals):
        census.reveal_id_number(user=cast.admin_a, resident=resident, reason="核对身份信息")


def test_masks_of_the_older_form_are_cut_to_the_first_three_digits(cast, resident):
    """What the data migration does: the hash can't be read back, the old mask is cut."""
    Resident.objects.filter(pk=resident.pk).update(
        id_number_masked="110***********" + ID_NUMBER[-4:], note="电话13812345678"
    )
    LogEntry.objects.filter(object_pk=str(resident.pk)).update(
        changes={"id_number_masked": ["", "110***********" + ID_NUMBER[-4:]]},
        changes_text="13812345678",
    )
    mask_stored(Resident, free_text=("note",), id_masks=("id_number_masked",))
    mask_stored_audit(LogEntry)
    row = Resident.objects.values("id_number_masked", "note").get(pk=resident.pk)
    assert row == {"id_number_masked": "110" + "*" * 15, "note": "电话138****5678"}
    entry = LogEntry.objects.filter(object_pk=str(resident.pk)).first()
    assert entry.changes == {"id_number_masked": ["", "110" + "*" * 15]}
    assert entry.changes_text == "138****5678"
