import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gongke.lib.excel import build_xlsx
from gongke.resumption import services
from gongke.resumption.models import FeverCase, StaffTemperature

DAY = dt.date(2020, 2, 10)


def test_a_fever_opens_a_case_that_is_followed_up_until_closed(cast):
    services.record_temperature(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        person_name="张三",
        day=DAY,
        slot="am",
        temperature="36.6",
    )
    reading = services.record_temperature(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        person_name="李四",
        day=DAY,
        slot="am",
        temperature=Decimal("37.3"),
    )
    case = FeverCase.objects.get()
    assert case.reading == reading and case.is_open
    services.add_fever_note(case=case, user=cast.reporter_a1, text="已送县医院发热门诊")
    services.add_fever_note(case=case, user=cast.reporter_a1, text="核酸阴性，居家观察", close=True)
    case.refresh_from_db()
    assert not case.is_open and case.notes.count() == 2 and case.outcome == "核酸阴性，居家观察"
    with pytest.raises(ValidationError):
        services.add_fever_note(case=case, user=cast.reporter_a1, text="again")


def test_an_implausible_temperature_is_refused_with_a_clear_message(cast):
    with pytest.raises(ValidationError) as exc:
        services.record_temperature(
            enterprise=cast.a1,
            user=cast.reporter_a1,
            person_name="张三",
            day=DAY,
            slot="am",
            temperature="3.65",
        )
    assert "34.0" in exc.value.message_dict["temperature"][0]


def test_the_database_itself_refuses_an_implausible_temperature(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffTemperature.objects.create(
            enterprise=cast.a1, person_name="张三", day=DAY, slot="am", temperature=Decimal("45.0")
        )


def sheet(rows):
    return build_xlsx(["姓名", "日期", "时段", "体温"], rows)


def test_an_import_with_bad_rows_reports_each_and_saves_nothing(cast):
    count, errors = services.import_temperatures(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        filename="t.xlsx",
        data=sheet(
            [
                ["张三", "2020-02-10", "上午", 36.5],
                ["", "2020-02-10", "上午", 36.5],
                ["王五", "2020-02-10", "中午", 36.5],
                ["赵六", "2020-02-10", "下午", 47],
            ]
        ),
    )
    assert count == 0
    assert [(e.row, e.column) for e in errors] == [(3, "姓名"), (4, "时段"), (5, "体温")]
    assert not StaffTemperature.objects.exists()


def test_a_clean_import_saves_every_reading_and_opens_fever_cases(cast):
    count, errors = services.import_temperatures(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        filename="t.xlsx",
        data=sheet(
            [
                ["张三", "2020-02-10", "上午", 36.5],
                ["张三", "2020-02-10", "下午", 37.8],
                ["李四", "2020-02-10", "上午", "36.9"],
            ]
        ),
    )
    assert (count, errors) == (3, [])
    assert StaffTemperature.objects.count() == 3
    assert FeverCase.objects.get().temperature == Decimal("37.8")


def test_an_import_without_the_columns_says_which_is_missing(cast):
    data = build_xlsx(["姓名", "体温"], [["张三", 36.5]])
    count, errors = services.import_temperatures(
        enterprise=cast.a1, user=cast.reporter_a1, filename="t.xlsx", data=data
    )
    assert count == 0 and errors[0].column == "日期"


def test_the_import_template_reads_back_cleanly_and_imports_no_example(cast, client_for):
    from django.urls import reverse

    r = client_for(cast.reporter_a1).get(reverse("resumption:health_template", args=[cast.a1.pk]))
    assert r.status_code == 200
    count, errors = services.import_temperatures(
        enterprise=cast.a1, user=cast.reporter_a1, filename="t.xlsx", data=r.content
    )
    # The example lives on the notes sheet: the template as downloaded imports nothing.
    assert (count, errors) == (0, [])
    assert (
        client_for(cast.outsider_b)
        .get(reverse("resumption:health_template", args=[cast.a1.pk]))
        .status_code
        == 404
    )
