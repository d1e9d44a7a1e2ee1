import datetime as dt

from gongke.resumption.models import Application, DailyReport, ReliefProgramme
from gongke.resumption.services import add_lease

from .test_applications import GOOD

REPORT = {
    "staff_on_site": 60,
    "staff_returned": 10,
    "vehicles": 4,
    "masks": 3000,
    "disinfectant_litres": "12.5",
}


def post(client, url, data, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, data, content_type="application/json", headers=headers)


def test_a_reporter_reports_through_the_api_and_a_retry_makes_no_second_report(cast, api_for):
    api = api_for(cast.reporter_a1)
    first = post(
        api, "/api/v1/resumption/reports", {"enterprise_id": cast.a1.pk, **REPORT}, key="k1"
    )
    assert first.status_code == 201, first.content
    retry = post(
        api, "/api/v1/resumption/reports", {"enterprise_id": cast.a1.pk, **REPORT}, key="k1"
    )
    assert retry.status_code == 201 and retry.json() == first.json()
    again = post(
        api,
        "/api/v1/resumption/reports",
        {"enterprise_id": cast.a1.pk, **REPORT, "vehicles": 5},
        key="k2",
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert DailyReport.objects.count() == 1
    assert first.json()["mask_cover_days"] == "25.0"


def test_bad_figures_answer_422_with_the_field(cast, api_for):
    r = post(
        api_for(cast.reporter_a1),
        "/api/v1/resumption/reports",
        {"enterprise_id": cast.a1.pk, **REPORT, "staff_on_site": -1},
    )
    assert r.status_code == 422
    assert "staff_on_site" in r.json()["errors"]


def test_an_outsider_gets_404_and_a_viewer_403(cast, api_for):
    body = {"enterprise_id": cast.a1.pk, **REPORT}
    assert post(api_for(cast.outsider_b), "/api/v1/resumption/reports", body).status_code == 404
    assert post(api_for(cast.viewer_a), "/api/v1/resumption/reports", body).status_code == 403
    # A duty officer's membership reaches their posts, not the chamber's enterprises.
    assert post(api_for(cast.guard_a), "/api/v1/resumption/reports", body).status_code == 404
    assert not DailyReport.objects.exists()


def test_the_association_reports_a_batch_and_sees_who_is_missing(cast, api_for):
    api = api_for(cast.staff_a)
    r = post(
        api,
        "/api/v1/resumption/reports/batch",
        {"association_id": cast.chamber_a.pk, "rows": [{"enterprise_id": cast.a1.pk, **REPORT}]},
        key="b1",
    )
    assert r.status_code == 201, r.content
    missing = api_for(cast.fed_admin).get("/api/v1/resumption/missing").json()
    assert [m["name"] for m in missing] == ["南湖食品有限公司"]
    assert (
        post(
            api_for(cast.reporter_a1),
            "/api/v1/resumption/reports/batch",
            {"association_id": cast.chamber_a.pk, "rows": []},
        ).status_code
        == 404
    )


def test_carry_forward_through_the_api(cast, api_for):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    api = api_for(cast.reporter_a1)
    post(
        api,
        "/api/v1/resumption/reports",
        {"enterprise_id": cast.a1.pk, "day": yesterday.isoformat(), **REPORT},
    )
    r = post(
        api,
        "/api/v1/resumption/reports/carry-forward",
        {"enterprise_id": cast.a1.pk, "day": (yesterday + dt.timedelta(days=1)).isoformat()},
        key="c",
    )
    assert r.status_code == 201 and r.json()["carried_forward"]
    assert (
        post(
            api,
            "/api/v1/resumption/reports/carry-forward",
            {"enterprise_id": cast.a1.pk, "day": yesterday.isoformat()},
        ).status_code
        == 422
    )


def test_an_application_is_submitted_and_reviewed_through_the_api(cast, api_for):
    body = {
        **GOOD,
        "enterprise_id": cast.a1.pk,
        "planned_date": "2020-02-17",
        "disinfectant_litres": "30",
        "disinfectant_per_person_day": "0.02",
        "submit": True,
    }
    r = post(api_for(cast.reporter_a1), "/api/v1/resumption/applications", body, key="a1")
    assert r.status_code == 201, r.content
    assert (
        post(api_for(cast.reporter_a1), "/api/v1/resumption/applications", body, key="a1").json()[
            "id"
        ]
        == r.json()["id"]
    )
    assert Application.objects.count() == 1
    url = f"/api/v1/resumption/applications/{r.json()['id']}/review"
    assert post(api_for(cast.reporter_a1), url, {"approve": True}).status_code == 403
    assert post(api_for(cast.viewer_a), url, {"approve": True}).status_code == 403
    assert post(api_for(cast.outsider_b), url, {"approve": True}).status_code == 404
    done = post(api_for(cast.staff_a), url, {"approve": False, "comment": "补充车辆台账"})
    assert done.status_code == 200 and done.json()["status"] == "returned"
    assert [e["action"] for e in done.json()["events"]] == ["submitted", "returned"]


def test_an_application_short_of_supplies_answers_422_with_the_figures(cast, api_for):
    body = {
        **GOOD,
        "enterprise_id": cast.a1.pk,
        "planned_date": "2020-02-17",
        "disinfectant_litres": "30",
        "disinfectant_per_person_day": "0.02",
        "masks_in_stock": 100,
        "submit": True,
    }
    r = post(api_for(cast.reporter_a1), "/api/v1/resumption/applications", body)
    assert r.status_code == 422 and "masks_in_stock" in r.json()["errors"]
    assert not Application.objects.exists()


def test_temperatures_fevers_relief_and_dashboard_through_the_api(cast, api_for):
    api = api_for(cast.reporter_a1)
    r = post(
        api,
        "/api/v1/resumption/temperatures",
        {"enterprise_id": cast.a1.pk, "person_name": "张三", "slot": "am", "temperature": "38.1"},
        key="t",
    )
    assert r.status_code == 201 and r.json()["is_fever"]
    assert api.get("/api/v1/resumption/fevers?open=true").json()["count"] == 1
    assert api_for(cast.outsider_b).get("/api/v1/resumption/fevers").json()["count"] == 0
    programme = ReliefProgramme.objects.create(
        landlord=cast.a1, name="减免", rent_percentages=[100, 50], starts_on=dt.date(2020, 2, 1)
    )
    add_lease(
        programme=programme, tenant_name="甲", monthly_rent=1000, starts_on=dt.date(2020, 1, 1)
    )
    relief = api_for(cast.admin_a).get("/api/v1/resumption/relief").json()
    assert relief[0]["total_waived"] == "1500.00"
    assert api_for(cast.outsider_b).get("/api/v1/resumption/relief").json() == []
    board = api_for(cast.admin_a).get("/api/v1/resumption/dashboard").json()
    assert board["overview"]["members"] == 1
    assert (
        api_for(cast.outsider_b)
        .get(f"/api/v1/resumption/dashboard?organization_id={cast.chamber_a.pk}")
        .status_code
        == 404
    )


def test_the_chamber_sets_its_deadline_through_the_api(cast, api_for):
    url = f"/api/v1/resumption/settings/{cast.chamber_a.pk}"
    assert api_for(cast.admin_a).get(url).json()["deadline"] == "10:00:00"
    r = api_for(cast.admin_a).put(
        url,
        {"deadline": "09:30", "webhook_url": "https://qyapi.weixin.qq.com/x"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["deadline"] == "09:30:00"
    assert (
        api_for(cast.viewer_a)
        .put(url, {"deadline": "08:00"}, content_type="application/json")
        .status_code
        == 403
    )
    assert api_for(cast.outsider_b).get(url).status_code == 404


def test_attachments_fever_notes_and_relief_are_written_through_the_api(
    cast, api_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongke.resumption import services

    settings.MEDIA_ROOT = tmp_path
    api = api_for(cast.reporter_a1)
    application = services.save_application(enterprise=cast.a1, user=cast.reporter_a1, data=GOOD)
    r = api.post(
        f"/api/v1/resumption/applications/{application.pk}/attachments",
        {"file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4")},
        headers={"Idempotency-Key": "f"},
    )
    assert r.status_code == 201 and r.json()["size"] == 8
    bad = api.post(
        f"/api/v1/resumption/applications/{application.pk}/attachments",
        {"file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert bad.status_code == 422
    assert (
        api_for(cast.outsider_b)
        .post(
            f"/api/v1/resumption/applications/{application.pk}/attachments",
            {"file": SimpleUploadedFile("a.pdf", b"%PDF")},
        )
        .status_code
        == 404
    )

    reading = services.record_temperature(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        person_name="张三",
        day=dt.date(2020, 2, 10),
        slot="am",
        temperature="38.2",
    )
    url = f"/api/v1/resumption/fevers/{reading.fever_case.pk}/notes"
    assert post(api_for(cast.viewer_a), url, {"text": "x"}).status_code == 403
    closed = post(api, url, {"text": "复测正常", "close": True}, key="n")
    assert closed.status_code == 201 and not closed.json()["is_open"]

    created = post(
        api,
        "/api/v1/resumption/relief",
        {
            "landlord_id": cast.a1.pk,
            "name": "减免",
            "rent_percentages": [100, 50],
            "starts_on": "2020-02-01",
        },
    )
    assert created.status_code == 201
    lease = post(
        api,
        f"/api/v1/resumption/relief/{created.json()['id']}/leases",
        {
            "tenant_name": "甲",
            "monthly_rent": "3000",
            "monthly_fee": "200",
            "starts_on": "2020-01-01",
        },
        key="l",
    )
    assert lease.status_code == 201 and lease.json()["total_waived"] == "4500.00"
    assert (
        post(
            api_for(cast.outsider_b),
            "/api/v1/resumption/relief",
            {
                "landlord_id": cast.a1.pk,
                "name": "x",
                "rent_percentages": [100],
                "starts_on": "2020-02-01",
            },
        ).status_code
        == 404
    )
    assert (
        post(
            api,
            "/api/v1/resumption/relief",
            {
                "landlord_id": cast.a1.pk,
                "name": "x",
                "rent_percentages": [300],
                "starts_on": "2020-02-01",
            },
        ).status_code
        == 422
    )
