import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongke.registry import services as registry
from gongke.registry.models import OrgKind
from gongke.resumption import services
from gongke.resumption.models import LOCAL, DailyReport

DAY = dt.date(2020, 2, 10)
FIGURES = {
    "staff_on_site": 60,
    "staff_returned": 12,
    "staff_isolated": 3,
    "vehicles": 8,
    "fevers": 0,
    "masks": 2000,
    "disinfectant_litres": "20.5",
}


def at(hour, minute=0, day=DAY):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL)


def test_a_report_before_the_deadline_is_on_time_and_after_it_is_late(cast):
    on_time, created = services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, now=at(9, 59)
    )
    assert created and not on_time.late
    late, _ = services.submit_report(
        enterprise=cast.b1, user=cast.outsider_b, data=FIGURES, now=at(10, 1)
    )
    assert late.late


def test_the_association_sets_its_own_deadline(cast):
    services.save_reporting_settings(association=cast.chamber_a, data={"deadline": dt.time(9, 0)})
    report, _ = services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, now=at(9, 30)
    )
    assert report.late


def test_a_second_submission_the_same_day_corrects_the_one_report_and_keeps_its_time(cast):
    first, _ = services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, now=at(9)
    )
    again, created = services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data={**FIGURES, "staff_on_site": 61}, now=at(11)
    )
    assert not created and again.pk == first.pk
    assert DailyReport.objects.count() == 1
    again.refresh_from_db()
    assert again.staff_on_site == 61 and not again.late and again.submitted_at == at(9)


def test_it_refuses_negative_figures_and_a_day_to_come(cast):
    with pytest.raises(ValidationError) as exc:
        services.submit_report(
            enterprise=cast.a1, user=cast.reporter_a1, data={**FIGURES, "masks": -1}, now=at(9)
        )
    assert "masks" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.submit_report(
            enterprise=cast.a1,
            user=cast.reporter_a1,
            data=FIGURES,
            now=at(9),
            day=DAY + dt.timedelta(days=1),
        )


def test_a_report_computes_days_of_mask_cover(cast):
    report, _ = services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, now=at(9)
    )
    assert str(report.mask_cover_days) == "16.7"
    assert not report.short_of_masks


def test_yesterday_is_carried_forward_in_one_action(cast):
    services.submit_report(
        enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, now=at(9, day=DAY)
    )
    report = services.carry_forward(
        enterprise=cast.a1, user=cast.reporter_a1, now=at(8, day=DAY + dt.timedelta(1))
    )
    assert report.day == DAY + dt.timedelta(1) and report.carried_forward
    assert report.staff_on_site == 60 and str(report.disinfectant_litres) == "20.50"


def test_carrying_forward_without_yesterday_says_so(cast):
    with pytest.raises(ValidationError):
        services.carry_forward(enterprise=cast.a1, user=cast.reporter_a1, now=at(8))


def test_an_association_reports_for_many_members_at_once_and_skips_blank_rows(cast):
    a2 = registry.create_organization(
        parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name="青原钣金二厂"
    )
    a3 = registry.create_organization(
        parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name="青原钣金三厂"
    )
    reports = services.submit_batch(
        association=cast.chamber_a,
        user=cast.staff_a,
        now=at(9),
        rows={cast.a1.pk: FIGURES, a2.pk: {**FIGURES, "staff_on_site": 5}, a3.pk: {}},
    )
    assert len(reports) == 2
    assert set(DailyReport.objects.values_list("enterprise__name", flat=True)) == {
        "京博集团",
        "青原钣金二厂",
    }


def test_a_batch_with_one_bad_row_saves_nothing(cast):
    a2 = registry.create_organization(
        parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name="青原钣金二厂"
    )
    with pytest.raises(ValidationError) as exc:
        services.submit_batch(
            association=cast.chamber_a,
            user=cast.staff_a,
            now=at(9),
            rows={cast.a1.pk: FIGURES, a2.pk: {**FIGURES, "vehicles": "many"}},
        )
    assert str(a2.pk) in exc.value.message_dict
    assert not DailyReport.objects.exists()


def test_a_batch_refuses_an_enterprise_of_another_association(cast):
    with pytest.raises(PermissionDenied):
        services.submit_batch(
            association=cast.chamber_a, user=cast.staff_a, now=at(9), rows={cast.b1.pk: FIGURES}
        )


def test_the_missing_list_is_who_has_not_reported_that_day(cast):
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data=FIGURES, now=at(9))
    assert list(services.missing_enterprises(cast.federation, DAY)) == [cast.b1]
    assert list(services.missing_enterprises(cast.chamber_a, DAY)) == []


def test_a_report_keeps_its_note(cast):
    report, _ = services.submit_report(
        enterprise=cast.a1,
        user=cast.reporter_a1,
        now=at(9),
        data={**FIGURES, "note": "两辆车在外地未返回"},
    )
    assert report.note == "两辆车在外地未返回"
