import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongke.resumption import services
from gongke.resumption.models import Application, Status

GOOD = {
    "category": "industry",
    "batch": 1,
    "planned_date": dt.date(2020, 2, 17),
    "staff_total": 120,
    "staff_planned": 80,
    "responsible_person": "王伟",
    "masks_in_stock": 2400,
    "masks_per_person_day": 2,
    "disinfectant_litres": Decimal("30"),
    "disinfectant_per_person_day": Decimal("0.020"),
    "temperature_twice_daily": True,
    "distancing": True,
    "disinfection": True,
    "vehicle_rules": True,
}


def draft(cast, **changes):
    return services.save_application(
        enterprise=cast.a1, user=cast.reporter_a1, data={**GOOD, **changes}
    )


def test_it_goes_from_draft_through_return_to_approval_keeping_the_history(cast):
    application = draft(cast)
    assert application.status == Status.DRAFT
    services.submit_application(application=application, user=cast.reporter_a1)
    services.review_application(
        application=application, user=cast.staff_a, approve=False, comment="请补充车辆消毒记录"
    )
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    services.save_application(
        enterprise=cast.a1, user=cast.reporter_a1, application=application, data={"note": "已补充"}
    )
    services.submit_application(application=application, user=cast.reporter_a1)
    services.review_application(application=application, user=cast.admin_a, approve=True)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert [e.action for e in application.events.all()] == [
        "submitted",
        "returned",
        "resubmitted",
        "approved",
    ]
    assert application.events.get(action="returned").comment == "请补充车辆消毒记录"


def test_it_refuses_to_submit_with_less_than_fifteen_days_of_masks_and_shows_the_figures(cast):
    application = draft(cast, masks_in_stock=1000)
    with pytest.raises(ValidationError) as exc:
        services.submit_application(application=application, user=cast.reporter_a1)
    message = exc.value.message_dict["masks_in_stock"][0]
    assert "6.3" in message and "1000" in message and "80" in message and "2400" in message
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_it_refuses_to_submit_an_incomplete_checklist(cast):
    application = draft(cast, vehicle_rules=False)
    with pytest.raises(ValidationError) as exc:
        services.submit_application(application=application, user=cast.reporter_a1)
    assert "vehicle_rules" in exc.value.message_dict


def test_returning_needs_comments(cast):
    application = services.submit_application(application=draft(cast), user=cast.reporter_a1)
    with pytest.raises(ValidationError):
        services.review_application(
            application=application, user=cast.staff_a, approve=False, comment=" "
        )


def test_an_approved_application_can_no_longer_be_changed(cast):
    application = services.submit_application(application=draft(cast), user=cast.reporter_a1)
    services.review_application(application=application, user=cast.staff_a, approve=True)
    application.refresh_from_db()
    with pytest.raises(ValidationError):
        services.save_application(
            enterprise=cast.a1, user=cast.reporter_a1, application=application, data={"batch": 2}
        )


def test_it_refuses_more_staff_planned_than_the_enterprise_has(cast):
    with pytest.raises(ValidationError):
        draft(cast, staff_planned=500)


def test_it_keeps_attachments_and_refuses_other_file_types(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = draft(cast)
    pdf = SimpleUploadedFile("防控方案.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = services.add_attachment(application=application, user=cast.reporter_a1, file=pdf)
    assert attachment.size == len(b"%PDF-1.4 test")
    with pytest.raises(ValidationError):
        services.add_attachment(
            application=application,
            user=cast.reporter_a1,
            file=SimpleUploadedFile("run.exe", b"MZ"),
        )
