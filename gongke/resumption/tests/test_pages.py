import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongke.registry import services as registry
from gongke.registry.models import OrgKind
from gongke.resumption import services
from gongke.resumption.models import (
    LOCAL,
    Application,
    DailyReport,
    FeverCase,
    Lease,
    ReliefProgramme,
    ReportingSettings,
    Status,
    local_today,
)

from .test_applications import GOOD

FIGURES = {
    "staff_on_site": "60",
    "staff_returned": "12",
    "staff_isolated": "3",
    "vehicles": "8",
    "fevers": "0",
    "masks": "2000",
    "disinfectant_litres": "20.5",
    "note": "",
}


@pytest.fixture
def records(cast):
    application = services.save_application(enterprise=cast.a1, user=cast.reporter_a1, data=GOOD)
    services.submit_application(application=application, user=cast.reporter_a1)
    reading = services.record_temperature(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        person_name="张三",
        day=local_today(),
        slot="am",
        temperature="38.0",
    )
    programme = services.save_programme(
        landlord=cast.a1,
        name="孵化园减免",
        rent_percentages=[100, 50],
        fee_percentages=[],
        starts_on=dt.date(2020, 2, 1),
    )
    return {"application": application, "fever": reading.fever_case, "programme": programme}


def pages(cast, records):
    """Every page of the app that concerns chamber A's records."""
    return [
        reverse("resumption:enterprise", args=[cast.a1.pk]),
        reverse("resumption:health", args=[cast.a1.pk]),
        reverse("resumption:batch", args=[cast.chamber_a.pk]),
        reverse("resumption:settings", args=[cast.chamber_a.pk]),
        reverse("resumption:application_new", args=[cast.a1.pk]),
        reverse("resumption:application", args=[records["application"].pk]),
        reverse("resumption:application_edit", args=[records["application"].pk]),
        reverse("resumption:fever", args=[records["fever"].pk]),
        reverse("resumption:programme", args=[records["programme"].pk]),
        reverse("briefings:resumption") + f"?org={cast.chamber_a.pk}",
        reverse("resumption:missing") + f"?org={cast.chamber_a.pk}",
    ]


def test_every_page_opens_for_the_chamber_admin(cast, records, client_for):
    client = client_for(cast.admin_a)
    for url in pages(cast, records):
        assert client.get(url).status_code == 200, url
    for url in ["resumption:applications", "resumption:fevers", "resumption:relief"]:
        assert client.get(reverse(url)).status_code == 200


def test_every_page_answers_404_to_another_organization(cast, records, client_for):
    client = client_for(cast.outsider_b)
    for url in pages(cast, records):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code in (404, 405), url
    for name, pk in [
        ("resumption:carry_forward", cast.a1.pk),
        ("resumption:application_submit", records["application"].pk),
        ("resumption:application_review", records["application"].pk),
        ("resumption:application_attach", records["application"].pk),
    ]:
        assert client.post(reverse(name, args=[pk])).status_code == 404, name


def test_lists_show_an_outsider_nothing_of_chamber_a(cast, records, client_for):
    client = client_for(cast.outsider_b)
    assert "京博集团" not in client.get(reverse("resumption:applications")).content.decode()
    assert "张三" not in client.get(reverse("resumption:fevers")).content.decode()
    assert "孵化园减免" not in client.get(reverse("resumption:relief")).content.decode()


def test_a_viewer_reads_but_every_write_answers_403(cast, records, client_for):
    client = client_for(cast.viewer_a)
    assert client.get(reverse("resumption:enterprise", args=[cast.a1.pk])).status_code == 200
    app = records["application"]
    writes = [
        (reverse("resumption:enterprise", args=[cast.a1.pk]), FIGURES),
        (reverse("resumption:carry_forward", args=[cast.a1.pk]), {}),
        (
            reverse("resumption:health", args=[cast.a1.pk]),
            {"person_name": "李四", "day": "2020-02-10", "slot": "am", "temperature": "36.5"},
        ),
        (reverse("resumption:batch", args=[cast.chamber_a.pk]), {}),
        (reverse("resumption:settings", args=[cast.chamber_a.pk]), {"deadline": "09:00"}),
        (reverse("resumption:application_new", args=[cast.a1.pk]), {}),
        (reverse("resumption:application_edit", args=[app.pk]), {}),
        (reverse("resumption:application_submit", args=[app.pk]), {}),
        (reverse("resumption:application_review", args=[app.pk]), {"approve": "1"}),
        (reverse("resumption:application_attach", args=[app.pk]), {}),
        (reverse("resumption:fever", args=[records["fever"].pk]), {"text": "x"}),
        (reverse("resumption:programme", args=[records["programme"].pk]), {}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    assert not DailyReport.objects.exists()
    assert Application.objects.get().status == Status.SUBMITTED


def test_the_reporter_sends_todays_report_from_the_enterprise_page(cast, client_for):
    client = client_for(cast.reporter_a1)
    assert client.get(reverse("resumption:index")).url == reverse(
        "resumption:enterprise", args=[cast.a1.pk]
    )
    r = client.post(reverse("resumption:enterprise", args=[cast.a1.pk]), FIGURES)
    assert r.status_code == 302
    assert DailyReport.objects.get().staff_on_site == 60
    bad = client.post(
        reverse("resumption:enterprise", args=[cast.a1.pk]), {**FIGURES, "staff_isolated": "500"}
    )
    assert bad.status_code == 200 and "staff_isolated" in bad.context["form"].errors


def test_the_reporter_carries_yesterday_forward_with_one_button(cast, client_for):
    yesterday = local_today() - dt.timedelta(days=1)
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, day=yesterday)
    client = client_for(cast.reporter_a1)
    page = client.get(reverse("resumption:enterprise", args=[cast.a1.pk])).content.decode()
    assert 'data-testid="carry-forward"' in page
    client.post(reverse("resumption:carry_forward", args=[cast.a1.pk]))
    assert DailyReport.objects.get(day=local_today()).carried_forward


def test_the_chamber_reports_for_its_members_on_one_page(cast, client_for):
    a2 = registry.create_organization(
        parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name="青原钣金二厂"
    )
    client = client_for(cast.staff_a)
    data = {f"{cast.a1.pk}-{k}": v for k, v in FIGURES.items() if k != "note"}
    data.update({f"{a2.pk}-staff_on_site": "7"})
    r = client.post(
        reverse("resumption:batch", args=[cast.chamber_a.pk]), data, headers={"HX-Request": "true"}
    )
    assert r.status_code == 302
    assert DailyReport.objects.count() == 2
    bad = client.post(
        reverse("resumption:batch", args=[cast.chamber_a.pk]),
        {f"{a2.pk}-vehicles": "x", f"{a2.pk}-staff_on_site": "1"},
    )
    assert bad.status_code == 200 and "青原钣金二厂" in bad.content.decode()
    assert (
        client_for(cast.reporter_a1)
        .get(reverse("resumption:batch", args=[cast.chamber_a.pk]))
        .status_code
        == 404
    )


def test_an_application_is_made_submitted_and_approved_through_the_pages(
    cast, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    reporter = client_for(cast.reporter_a1)
    data = {k: ("on" if v is True else v) for k, v in GOOD.items() if v is not False}
    r = reporter.post(reverse("resumption:application_new", args=[cast.a1.pk]), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    app = Application.objects.get()
    reporter.post(
        reverse("resumption:application_attach", args=[app.pk]),
        {"file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4", content_type="application/pdf")},
    )
    reporter.post(reverse("resumption:application_submit", args=[app.pk]))
    assert (
        reporter.post(
            reverse("resumption:application_review", args=[app.pk]), {"approve": "1"}
        ).status_code
        == 403
    )
    client_for(cast.staff_a).post(
        reverse("resumption:application_review", args=[app.pk]), {"approve": "1"}
    )
    app.refresh_from_db()
    assert app.status == Status.APPROVED and app.attachments.count() == 1
    url = reverse("resumption:attachment", args=[app.pk, app.attachments.get().pk])
    download = client_for(cast.admin_a).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    assert client_for(cast.outsider_b).get(url).status_code == 404


def test_the_chamber_sets_its_deadline_and_robot(cast, client_for):
    client_for(cast.admin_a).post(
        reverse("resumption:settings", args=[cast.chamber_a.pk]),
        {
            "deadline": "09:30",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?x=1",
            "email_reminders": "on",
        },
    )
    config = ReportingSettings.objects.get(association=cast.chamber_a)
    assert config.deadline == dt.time(9, 30) and config.robot == "dingtalk"


def test_temperatures_are_recorded_and_imported_from_the_health_page(cast, client_for):
    from gongke.lib.excel import build_xlsx

    client = client_for(cast.reporter_a1)
    url = reverse("resumption:health", args=[cast.a1.pk])
    client.post(
        url, {"person_name": "李四", "day": "2020-02-10", "slot": "pm", "temperature": "37.5"}
    )
    assert FeverCase.objects.get().person_name == "李四"
    bad = build_xlsx(["姓名", "日期", "时段", "体温"], [["王五", "2020-02-10", "上午", 50]])
    r = client.post(url, {"file": SimpleUploadedFile("t.xlsx", bad)})
    assert r.status_code == 200 and r.context["import_errors"][0].row == 2


def test_a_fever_case_is_followed_up_and_closed(cast, records, client_for):
    client = client_for(cast.reporter_a1)
    url = reverse("resumption:fever", args=[records["fever"].pk])
    client.post(url, {"text": "已就医"})
    client.post(url, {"text": "排除", "close": "1"})
    case = FeverCase.objects.get()
    assert not case.is_open and case.notes.count() == 2


def test_relief_totals_by_programme(cast, records, client_for):
    client = client_for(cast.reporter_a1)
    client.post(
        reverse("resumption:programme", args=[records["programme"].pk]),
        {
            "tenant_name": "小微企业甲",
            "monthly_rent": "2000",
            "monthly_fee": "100",
            "starts_on": "2020-01-01",
        },
    )
    assert Lease.objects.get().total_waived == Decimal("3000.00")
    r = client.get(reverse("resumption:relief"))
    assert "3000.00" in r.content.decode()
    client.post(
        reverse("resumption:relief"),
        {
            "landlord": cast.a1.pk,
            "name": "第二期",
            "rent_percentages": "50，50",
            "starts_on": "2020-03-01",
        },
    )
    assert ReliefProgramme.objects.get(name="第二期").rent_percentages == [50, 50]


def _many_members(cast, n=6, days=5):
    today = local_today()
    members = [
        registry.create_organization(
            parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name=f"成员{i}"
        )
        for i in range(n)
    ]
    DailyReport.objects.bulk_create(
        [
            DailyReport(
                enterprise=m,
                day=today - dt.timedelta(days=d),
                staff_on_site=10,
                masks=100,
                submitted_at=dt.datetime.now(LOCAL),
            )
            for m in members
            for d in range(days)
        ]
    )
    return members


def test_the_dashboard_takes_a_fixed_number_of_queries(
    cast, records, client_for, django_assert_max_num_queries
):
    _many_members(cast)
    client = client_for(cast.admin_a)
    client.get(reverse("briefings:resumption"))
    with django_assert_max_num_queries(21):
        r = client.get(reverse("briefings:resumption"))
    assert r.status_code == 200 and "trend-chart" in r.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "resumption:missing",
        "resumption:applications",
        "resumption:fevers",
        "resumption:relief",
        "home",
    ],
)
def test_lists_take_a_fixed_number_of_queries(
    cast, records, client_for, django_assert_max_num_queries, name
):
    _many_members(cast)
    client = client_for(cast.admin_a)
    client.get(reverse(name))
    # The home page gathers a panel and the to-dos of every app: a fixed handful each.
    with django_assert_max_num_queries(30 if name == "home" else 20):
        assert client.get(reverse(name)).status_code == 200


def test_the_batch_page_takes_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    _many_members(cast, n=10)
    client = client_for(cast.staff_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("resumption:batch", args=[cast.chamber_a.pk])).status_code == 200


def test_the_home_panel_shows_a_reporter_their_reminder(cast, client_for):
    services.send_reminders(association=cast.chamber_a, day=local_today())
    page = client_for(cast.reporter_a1).get(reverse("home")).content.decode()
    assert 'data-testid="resumption-panel"' in page and "京博集团" in page


def test_pages_speak_simplified_chinese_first(cast, records, client_for):
    page = client_for(cast.admin_a).get(reverse("briefings:resumption")).content.decode()
    assert "复工复产" in page and "未报送" in page
    detail = client_for(cast.reporter_a1).get(
        reverse("resumption:application", args=[records["application"].pk])
    )
    assert "防控第一责任人" in detail.content.decode()


def test_a_reporter_dismisses_their_reminder_and_no_one_else_can(cast, client_for):
    from gongke.resumption.models import Notification

    services.send_reminders(association=cast.chamber_a, day=local_today())
    notice = Notification.objects.get()
    url = reverse("resumption:notice_read", args=[notice.pk])
    assert client_for(cast.admin_a).post(url).status_code == 404
    assert client_for(cast.reporter_a1).post(url).status_code == 200
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_the_home_panel_tells_a_reporter_whether_todays_report_is_in(cast, client_for):
    client = client_for(cast.reporter_a1)
    assert "今日尚未报送" in client.get(reverse("home")).content.decode()
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES)
    assert "今日已报送" in client.get(reverse("home")).content.decode()
