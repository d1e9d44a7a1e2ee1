"""ID and mobile numbers typed into free text (notes, reasons, comments) are masked when they
are written, so pages, the API, the audit trail and exports only ever see the masked text."""

import re
import string

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import models
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from gongke.census.models import Resident
from gongke.lib.masking import FreeCharField, FreeTextField, mask_text

# --- The detector -------------------------------------------------------------------------

# Text around a number: anything but digits and ASCII letters (Chinese, punctuation, spaces).
AROUND = st.text(
    alphabet=st.characters(
        blacklist_categories=("Nd", "Cs"),
        blacklist_characters=string.ascii_letters + "*+＋",
    ),
    max_size=20,
)
SEPARATORS = st.sampled_from(["", " ", "-"])


@st.composite
def id_numbers(draw):
    region = draw(st.integers(110000, 659999))
    year = draw(st.integers(1900, 2024))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    sequence = draw(st.integers(0, 999))
    body = f"{region}{year}{month:02d}{day:02d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


@st.composite
def mobiles(draw):
    second = draw(st.sampled_from("3456789"))
    rest = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    return "1" + second + rest


def digits_only(text):
    return re.sub(r"[^0-9Xx]", "", text)


@given(AROUND, id_numbers(), SEPARATORS, AROUND)
def test_an_id_number_in_text_keeps_only_its_first_three_digits(before, number, sep, after):
    typed = number[:6] + sep + number[6:14] + sep + number[14:]
    masked = mask_text(before + typed + after)
    assert masked == before + number[:3] + "*" * 15 + after


@given(AROUND, id_numbers(), AROUND)
def test_an_old_15_digit_id_number_is_masked(before, number, after):
    old = number[:6] + number[8:17]  # two-digit year, no check digit
    masked = mask_text(before + old + after)
    assert masked == before + old[:3] + "*" * 12 + after


@given(AROUND, mobiles(), SEPARATORS, st.booleans(), AROUND)
def test_a_mobile_number_in_text_is_masked(before, number, sep, country, after):
    prefix = "+86 " if country else ""
    typed = prefix + number[:3] + sep + number[3:7] + sep + number[7:]
    masked = mask_text(before + typed + after)
    assert masked == before + prefix + number[:3] + "****" + number[7:] + after
    assert number not in digits_only(masked)


@given(st.text(max_size=60))
def test_masking_twice_changes_nothing(text):
    once = mask_text(text)
    assert mask_text(once) == once


@given(st.text(max_size=60))
def test_masking_never_lengthens_the_text(text):
    assert len(mask_text(text)) <= len(text)


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=60))
def test_text_without_digits_is_left_alone(text):
    assert mask_text(text) == text


@given(id_numbers())
def test_18_digits_with_a_wrong_check_digit_are_not_an_id_number(number):
    wrong = number[:17] + str(
        (int(ric.calc_check_digit(number)) + 1) % 10 if number[-1] != "X" else 0
    )
    if ric.is_valid(wrong) or wrong[-1] in "Xx":
        return
    assert mask_text(f"订单{wrong}号") == f"订单{wrong}号"


def test_landlines_and_short_numbers_are_left_alone():
    text = "座机0531-88886666，门牌12号，金额100000元"
    assert mask_text(text) == text


def test_full_width_digits_from_a_chinese_input_method_are_masked():
    assert mask_text("电话１３８１２３４５６７８") == "电话138****5678"


# --- Every free-text field masks on input ---------------------------------------------------

FREE_TEXT_NAMES = re.compile(r"note|reason|remark|description|comment|outcome|text$|from_place")
NOT_FREE_TEXT = {"search_text", "changes_text", "amount_text"}


def gongke_models():
    return [m for m in apps.get_models() if m.__module__.startswith("gongke.")]


def test_every_note_reason_and_comment_field_masks_on_input():
    plain = [
        f"{model.__name__}.{field.name}"
        for model in gongke_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField)
        and FREE_TEXT_NAMES.search(field.name)
        and field.name not in NOT_FREE_TEXT
        and not field.choices
        and not isinstance(field, FreeCharField | FreeTextField)
    ]
    assert plain == []


@pytest.mark.parametrize(
    "model,field",
    [
        (model, field.name)
        for model in gongke_models()
        for field in model._meta.get_fields()
        if isinstance(field, FreeCharField | FreeTextField)
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_assigning_masks_at_once(model, field):
    instance = model(**{field: "电话 138-1234-5678"})
    assert getattr(instance, field) == "电话 138****5678"


# --- What people see ------------------------------------------------------------------------

PHONE = "13812345678"
NOTE = f"联系电话{PHONE}，身份证11010519491231002X"


@pytest.mark.django_db
def test_a_note_comes_back_masked_on_the_page_the_api_and_the_audit(cast, client_for, api_for):
    from gongke.census import services

    household, _ = services.save_household(place=cast.compound_a, building="1", unit="1", room="1")
    api = api_for(cast.admin_a)
    created = api.post(
        "/api/v1/census/residents",
        {"household_id": household.pk, "name": "王伟", "note": NOTE},
        content_type="application/json",
    )
    assert created.status_code in (200, 201), created.content
    resident = Resident.objects.get(name="王伟")
    updated = api.patch(
        f"/api/v1/census/residents/{resident.pk}",
        {"note": f"改为{PHONE}"},
        content_type="application/json",
    )
    page = client_for(cast.admin_a).get(f"/census/resident/{resident.pk}/").content.decode()
    audit = client_for(cast.admin_a).get("/accounts/audit/").content.decode()
    entries = " ".join(str(e.changes) + str(e.additional_data) for e in LogEntry.objects.all())
    for shown in (created.content.decode(), updated.content.decode(), page, audit, entries):
        assert PHONE not in shown and "1949" not in shown
    assert (
        "138****5678" in created.json()["note"] and "110***************" in created.json()["note"]
    )
    assert "138****5678" in page and "138****5678" in entries


@pytest.mark.django_db
def test_a_note_written_by_queryset_update_is_masked_too(cast):
    from gongke.census import services

    household, _ = services.save_household(place=cast.compound_a, building="1", unit="1", room="1")
    type(household).objects.filter(pk=household.pk).update(note=f"房东{PHONE}")
    assert type(household).objects.values_list("note", flat=True).get(pk=household.pk) == (
        "房东138****5678"
    )


@pytest.mark.django_db
def test_a_passage_reason_through_the_api_is_masked(cast, api_for):
    response = api_for(cast.admin_a).post(
        "/api/v1/community/passages",
        {
            "post_id": cast.post_a.pk,
            "direction": "in",
            "subject": "outsider",
            "name": "李四",
            "decision": "refused",
            "reason": f"无通行证，电话{PHONE}",
        },
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    assert PHONE not in response.content.decode()
    from gongke.community.models import Passage

    assert Passage.objects.values_list("reason", flat=True).get() == "无通行证，电话138****5678"
