"""Work resumption tells the truth: reporting periods, zero days, the trend's period, today's
partial day, staff back over the same enterprises' plan, reminders that go once the report is in,
relief by each lease's dates, a staff list that shows missing readings, temperatures by API."""

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongke.lib.excel import build_xlsx
from gongke.resumption import services, stats
from gongke.resumption.models import (
    Application,
    Category,
    Notification,
    ReportingSettings,
    StaffTemperature,
    Status,
    local_today,
)

FIGURES = {"staff_on_site": 8, "vehicles": 1, "masks": 400}
TODAY = local_today()


def _approved(enterprise, planned):
    return Application.objects.create(
        enterprise=enterprise,
        category=Category.INDUSTRY,
        planned_date=TODAY,
        staff_total=planned,
        staff_planned=planned,
        responsible_person="王",
        status=Status.APPROVED,
    )


def test_no_one_is_missing_before_the_association_starts_its_reporting_period(cast):
    services.save_reporting_settings(
        association=cast.chamber_a, data={"period_start": TODAY + dt.timedelta(days=1)}
    )
    missing = list(services.missing_enterprises(cast.federation, TODAY))
    assert missing == [cast.b1]
    o = stats.overview(cast.federation, TODAY)
    assert (o["members"], o["missing"]) == (1, 1)
    assert stats.panel(cast.federation, TODAY)["members"] == 1


def test_completeness_counts_only_the_days_of_the_association_s_period(cast):
    start = TODAY - dt.timedelta(days=1)
    services.save_reporting_settings(association=cast.chamber_a, data={"period_start": start})
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, day=start)
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES)
    week = stats.Period(TODAY - dt.timedelta(days=6), TODAY, 7)
    rows = {r["name"]: r for r in stats.per_association(cast.federation, week)}
    # Two days of chamber A's period in the week, both reported: complete. Chamber B has no
    # period: seven days expected, none reported.
    assert (rows["青原县钣金商会"]["expected"], rows["青原县钣金商会"]["completeness"]) == (
        2,
        100.0,
    )
    assert (rows["南湖镇商会"]["expected"], rows["南湖镇商会"]["completeness"]) == (7, 0.0)


def test_a_day_nobody_reported_is_a_zero_point_and_today_is_marked_partial(cast):
    services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, day=TODAY - dt.timedelta(days=2)
    )
    period = stats.Period(TODAY - dt.timedelta(days=2), TODAY, 3)
    rows = stats.trend(cast.federation, period)
    assert [r["reported"] for r in rows] == [1, 0, 0]
    assert [r["partial"] for r in rows] == [False, False, True]
    chart = stats.trend_chart(rows)
    reported = chart["series"][4]  # reported (%)
    assert reported["data"] == [50.0, 0.0, 0.0]
    labels = chart["xAxis"]["data"]
    assert labels[-1] != TODAY.isoformat() and labels[0] == period.start.isoformat()


def test_the_trend_period_is_chosen_and_its_label_says_its_days(cast):
    assert stats.period_asked({"days": "7"}, TODAY).length == 7
    assert stats.period_asked({"days": "13"}, TODAY).length == 30  # not offered: the default
    custom = stats.period_asked({"start": "2020-02-01", "end": "2020-02-10"}, TODAY)
    assert custom.length == 10 and "2020-02-01" in custom.label and "10" in custom.label
    assert stats.period_asked({"start": "2020-02-10", "end": "2020-02-01"}, TODAY).days == 30


def test_the_dashboard_page_offers_the_period_and_labels_the_trend(cast, client_for):
    r = client_for(cast.admin_a).get(reverse("briefings:resumption") + "?days=7")
    html = r.content.decode()
    assert r.status_code == 200 and "Last 7 days" in html or "最近 7 天" in html
    r = client_for(cast.admin_a).get(
        reverse("briefings:resumption") + "?start=2020-02-01&end=2020-02-10"
    )
    assert "2020-02-01 – 2020-02-10" in r.content.decode()


def test_staff_back_is_divided_by_the_plans_of_the_same_enterprises(cast):
    _approved(cast.a1, 10)
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES)
    # B1 has no approved plan: its 100 on site are neither counted nor planned.
    services.submit_report(
        enterprise=cast.b1, user=cast.outsider_b, data={**FIGURES, "staff_on_site": 100}
    )
    o = stats.overview(cast.federation, TODAY)
    assert (o["staff_back"], o["planned_reporting"], o["staff_back_pct"]) == (8, 10, 80.0)


def test_the_reminder_goes_away_once_the_report_is_in(cast, client_for):
    Notification.objects.create(
        user=cast.reporter_a1, enterprise=cast.a1, day=TODAY, message="京博集团 今日未报送"
    )
    home = client_for(cast.reporter_a1)
    assert "今日未报送" in home.get("/").content.decode()
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES)
    assert Notification.objects.get().read_at is not None
    assert "今日未报送" not in home.get("/").content.decode()


def test_rent_relief_respects_each_lease_s_start_and_end(cast):
    programme = services.save_programme(
        landlord=cast.a1,
        name="孵化园减免",
        rent_percentages=[100, 50],
        fee_percentages=[],
        starts_on=dt.date(2020, 2, 1),
    )
    from_march = services.add_lease(
        programme=programme,
        tenant_name="三月入驻",
        monthly_rent=Decimal("3000"),
        starts_on=dt.date(2020, 3, 1),
    )
    assert from_march.rent_waived == Decimal("1500.00")  # March at half, no February
    ends_mid_feb = services.add_lease(
        programme=programme,
        tenant_name="二月中退租",
        monthly_rent=Decimal("2900"),
        starts_on=dt.date(2019, 1, 1),
        ends_on=dt.date(2020, 2, 15),
    )
    assert ends_mid_feb.rent_waived == Decimal("1500.00")  # 15 of February's 29 days


def test_the_relief_list_exports_each_lease_with_typed_money(cast, client_for):
    programme = services.save_programme(
        landlord=cast.a1,
        name="减免",
        rent_percentages=[100],
        fee_percentages=[],
        starts_on=dt.date(2020, 2, 1),
    )
    services.add_lease(
        programme=programme,
        tenant_name="甲",
        monthly_rent=Decimal("1234.50"),
        starts_on=dt.date(2020, 1, 1),
    )
    r = client_for(cast.admin_a).get(reverse("resumption:relief") + "?export=xlsx")
    assert r.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    rows = sheet.get_sheet_by_index(0).to_python()
    assert "甲" in rows[1] and 1234.5 in rows[1]
    outsider = client_for(cast.outsider_b).get(reverse("resumption:relief") + "?export=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(outsider.streaming_content)))
    assert len(rows.get_sheet_by_index(0).to_python()) == 1  # the header alone


def test_the_staff_list_shows_who_misses_the_morning_or_evening_reading(cast, client_for):
    services.add_staff(enterprise=cast.a1, names=["张三", "李四", " ", "张三"])
    services.record_temperature(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        person_name="张三",
        day=TODAY,
        slot="am",
        temperature="36.5",
    )
    sheet = {r["name"]: r for r in services.temperature_sheet(cast.a1, TODAY)}
    assert sheet["张三"]["am"] is not None and sheet["张三"]["pm"] is None
    assert sheet["李四"]["am"] is None
    c = client_for(cast.reporter_a1)
    html = c.get(reverse("resumption:health", args=[cast.a1.pk])).content.decode()
    assert "1 morning" in html or "早" in html
    assert html.count("missing") + html.count("未测") >= 3
    # Through the page: a name added, a name removed.
    c.post(reverse("resumption:health", args=[cast.a1.pk]), {"names": "王五\n"})
    member = cast.a1.resumption_staff.get(name="李四")
    c.post(reverse("resumption:health", args=[cast.a1.pk]), {"remove": member.pk})
    names = {r["name"] for r in services.temperature_sheet(cast.a1, TODAY)}
    assert names == {"张三", "王五"}
    # A viewer reads the sheet but may not change the list.
    viewer = client_for(cast.viewer_a)
    assert viewer.get(reverse("resumption:health", args=[cast.a1.pk])).status_code == 200
    assert (
        viewer.post(reverse("resumption:health", args=[cast.a1.pk]), {"names": "x"}).status_code
        == 403
    )


def test_an_import_maps_headers_that_differ(cast):
    data = build_xlsx(["员工", "测温日期", "早晚", "温度(℃)"], [["张三", TODAY, "晚", 36.6]])
    count, errors = services.import_temperatures(
        enterprise=cast.a1, user=cast.reporter_a1, filename="t.xlsx", data=data
    )
    assert (count, errors) == (1, [])
    odd = build_xlsx(["Who", "When", "AM/PM", "T"], [["李四", TODAY, "早", 36.4]])
    count, errors = services.import_temperatures(
        enterprise=cast.a1, user=cast.reporter_a1, filename="t.xlsx", data=odd
    )
    assert count == 0 and {e.column for e in errors} == {"姓名", "日期", "时段", "体温"}
    count, errors = services.import_temperatures(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        filename="t.xlsx",
        data=odd,
        mapping={"name": "Who", "day": "When", "slot": "AM/PM", "temperature": "T"},
    )
    assert (count, errors) == (1, [])


def test_the_page_offers_to_map_columns_it_does_not_recognise(cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    odd = build_xlsx(["Who", "When", "AM/PM", "T"], [["李四", TODAY, "早", 36.4]])
    url = reverse("resumption:health", args=[cast.a1.pk])
    c = client_for(cast.reporter_a1)
    r = c.post(url, {"file": SimpleUploadedFile("t.xlsx", odd)})
    assert 'data-testid="column-mapping"' in r.content.decode()
    c.post(
        url,
        {
            "file": SimpleUploadedFile("t.xlsx", odd),
            "map_name": "Who",
            "map_day": "When",
            "map_slot": "AM/PM",
            "map_temperature": "T",
        },
    )
    assert StaffTemperature.objects.filter(enterprise=cast.a1, person_name="李四").exists()


def test_temperatures_import_through_the_api(cast, api_for):
    data = build_xlsx(["姓名", "日期", "时段", "体温"], [["张三", TODAY, "早", 38.1]])
    api = api_for(cast.reporter_a1)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = api.post(
        "/api/v1/resumption/temperatures/import",
        {"enterprise_id": cast.a1.pk, "file": SimpleUploadedFile("t.xlsx", data)},
    )
    assert r.status_code == 201 and r.json() == {"ok": True, "imported": 1, "errors": []}
    assert cast.a1.fever_cases.count() == 1
    bad = build_xlsx(["姓名", "日期", "时段", "体温"], [["张三", TODAY, "中午", 36.5]])
    r = api.post(
        "/api/v1/resumption/temperatures/import",
        {"enterprise_id": cast.a1.pk, "file": SimpleUploadedFile("t.xlsx", bad)},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "时段"
    r = api_for(cast.outsider_b).post(
        "/api/v1/resumption/temperatures/import",
        {"enterprise_id": cast.a1.pk, "file": SimpleUploadedFile("t.xlsx", data)},
    )
    assert r.status_code == 404


def test_the_reporting_period_is_set_on_the_settings_page(cast, client_for):
    url = reverse("resumption:settings", args=[cast.chamber_a.pk])
    r = client_for(cast.admin_a).post(
        url, {"deadline": "10:00", "period_start": "2020-02-10", "period_end": "2020-02-01"}
    )
    assert r.status_code == 200  # refused: ends before it starts
    client_for(cast.admin_a).post(
        url, {"deadline": "10:00", "period_start": "2020-02-10", "email_reminders": "on"}
    )
    saved = ReportingSettings.objects.get(association=cast.chamber_a)
    assert saved.period_start == dt.date(2020, 2, 10)
