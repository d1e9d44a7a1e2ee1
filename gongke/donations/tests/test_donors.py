"""One donor register per county: one record however many chambers a donor gives through,
records found later to be one donor merged (audited, reversible), collective lines as groups."""

import datetime

from auditlog.models import LogEntry
from django.urls import reverse

from gongke.donations import figures, importer, services
from gongke.donations.models import Donor, DonorKind, DonorMerge, Gift, Nature
from gongke.lib.excel import build_xlsx


def _give(cast, org, donor, value="60000"):
    return services.record_gift(
        user=cast.admin,
        organization=org,
        donor=donor,
        nature=Nature.MONEY,
        value=value,
        given_on=datetime.date(2020, 2, 1),
    )


def _donor(cast, org, name="张三", kind=DonorKind.INDIVIDUAL):
    return services.find_or_create_donor(user=cast.admin, organization=org, kind=kind, name=name)


def test_a_donor_giving_through_three_chambers_is_one_donor(cast):
    through_a = _donor(cast, cast.chamber_a)
    through_b = _donor(cast, cast.chamber_b)
    at_county = _donor(cast, cast.federation)
    assert through_a == through_b == at_county and through_a.organization == cast.federation
    data = build_xlsx(["捐赠方", "金额", "日期"], [["张三", "700", "2020-02-03"]])
    result = importer.import_gifts(
        user=cast.outsider_b,
        organization=cast.chamber_b,
        data=data,
        filename="b.xlsx",
    )
    assert result.ok and Gift.objects.get().donor == through_a
    assert Donor.objects.filter(name="张三").count() == 1


def _two_records(cast):
    # A record from before the register (kept by chamber A) and the county's own.
    old = Donor.objects.create(
        organization=cast.chamber_a, kind=DonorKind.INDIVIDUAL, name="张三丰", search_text="张三丰"
    )
    new = _donor(cast, cast.chamber_b, "张三丰先生")
    assert old != new
    _give(cast, cast.chamber_a, old)
    _give(cast, cast.chamber_b, new)
    return old, new


def test_two_records_of_one_donor_are_merged_and_the_merge_undone_through_the_pages(
    cast, client_for
):
    old, new = _two_records(cast)
    scope = figures.Scope(root=cast.federation)
    assert figures.donors_above(scope, 100000) == 0  # two records of 60,000
    client = client_for(cast.fed_admin)
    page = client.get(
        reverse("donations:donor", args=[new.pk]), {"merge_q": "张三丰"}
    ).content.decode()
    assert reverse("donations:donor", args=[old.pk]) in page  # offered as another record
    response = client.post(reverse("donations:donor-merge", args=[new.pk]), {"other": old.pk})
    assert response.status_code == 302
    assert Gift.objects.filter(donor=new).count() == 2
    assert figures.donors_above(scope, 100000) == 1  # one donor of 120,000
    merge = DonorMerge.objects.get()
    assert LogEntry.objects.get_for_object(merge).exists()
    listed = client.get(reverse("donations:donors")).context["page"].object_list
    assert [d.pk for d in listed if d.name.startswith("张三丰")] == [new.pk]
    # A chamber's staff may not merge the county's register; the other chamber never sees it.
    assert client_for(cast.staff_a).post(
        reverse("donations:donor-unmerge", args=[merge.pk])
    ).status_code in (403, 404)
    response = client.post(reverse("donations:donor-unmerge", args=[merge.pk]))
    assert response.status_code == 302
    assert (
        Gift.objects.filter(donor=old).count() == 1 and Gift.objects.filter(donor=new).count() == 1
    )
    old.refresh_from_db()
    assert old.merged_into is None and DonorMerge.objects.get().undone_at is not None


def test_merging_through_the_api(cast, api_for):
    old, new = _two_records(cast)
    api = api_for(cast.fed_admin)
    merged = api.post(
        f"/api/v1/donations/donors/{new.pk}/merges",
        {"merged_id": old.pk},
        content_type="application/json",
    )
    assert merged.status_code == 201, merged.content
    body = merged.json()
    assert body["kept_id"] == new.pk and len(body["gifts"]) == 1
    again = api.post(
        f"/api/v1/donations/donors/{new.pk}/merges",
        {"merged_id": old.pk},
        content_type="application/json",
    )
    assert again.status_code == 422  # already merged
    undone = api.post(f"/api/v1/donations/donors/merges/{body['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert (
        api_for(cast.outsider_b)
        .post(f"/api/v1/donations/donors/merges/{body['id']}/undo")
        .status_code
        == 404
    )


def test_a_member_enterprises_own_record_is_never_merged_away(cast):
    enterprise = services.find_or_create_donor(
        user=cast.admin, organization=cast.chamber_a, kind=DonorKind.ENTERPRISE, enterprise=cast.a1
    )
    typo = _donor(cast, cast.chamber_a, "京博集团有限公司", DonorKind.ORGANIZATION)
    services.merge_donors(user=cast.admin, kept=enterprise, merged=typo)
    try:
        services.merge_donors(user=cast.admin, kept=typo, merged=enterprise)
    except services.ValidationError:
        pass
    else:
        raise AssertionError("an enterprise's own record was merged away")


def test_collective_lines_are_groups_not_individuals(cast):
    data = build_xlsx(
        ["捐赠方", "金额", "日期"],
        [
            ["钣金商会其他会员", "170多万", "2020-02-03"],
            ["县新的社会阶层人士统一战线联盟", "5万", "2020-02-03"],
        ],
    )
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    )
    assert result.ok, result.errors
    assert set(Donor.objects.values_list("kind", flat=True)) == {DonorKind.GROUP}
    assert _donor(cast, cast.chamber_a, "全体职工").kind == DonorKind.GROUP


def test_the_gift_form_suggests_donors_from_the_register_by_pinyin_initials(cast, client_for):
    # The register is the county's; a chamber's clerk is offered those who gave within reach.
    _give(cast, cast.chamber_a, _donor(cast, cast.chamber_a, name="王建国"))
    _give(cast, cast.chamber_b, _donor(cast, cast.chamber_b, name="王大力"))
    c = client_for(cast.staff_a)
    form = c.get(reverse("donations:gift-new")).content.decode()
    assert 'list="donor-suggestions"' in form and '<datalist id="donor-suggestions">' in form
    url = reverse("donations:donor-suggestions")
    enterprise = c.get(url, {"donor_name": "jbjt"}).content.decode()
    assert '<option value="京博集团">' in enterprise and "南湖" not in enterprise
    person = c.get(url, {"donor_name": "wjg"}).content.decode()
    assert '<option value="王建国">' in person
    assert "王大力" not in c.get(url, {"donor_name": "王"}).content.decode()
    assert c.get(url).content.decode().strip() == ""
    # A role that books no gift gets no names.
    assert client_for(cast.viewer_a).get(url, {"donor_name": "jbjt"}).status_code == 403
