"""Briefings written from the data: facts, text, sign-off and publishing, formats, the API."""

import datetime as dt
import io
import uuid
import zipfile
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from gongke.briefings import facts, render, services
from gongke.briefings.models import Briefing, Status

pytestmark = pytest.mark.django_db


def _days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def data(cast):
    """Gifts in chamber A this week and last; a passage turned back at post_a; a field operation."""
    from gongke.community import services as community
    from gongke.donations import services as donations
    from gongke.donations.models import DonorKind, Nature
    from gongke.volunteers import services as volunteers
    from gongke.volunteers.models import Division

    def donor(name, kind=DonorKind.INDIVIDUAL, **extra):
        return donations.find_or_create_donor(
            user=cast.admin_a, organization=cast.chamber_a, kind=kind, name=name, **extra
        )

    # 京博集团 is member enterprise A1, of the executive committee.
    big = donor("", DonorKind.ENTERPRISE, enterprise=cast.a1)
    small, hidden = donor("张三"), donor("不愿具名者")
    for d, value, ago, anonymous in [
        (big, "1200000", 1, False),
        (small, "534000", 2, False),
        (hidden, "900000", 2, True),
        (big, "1000000", 9, False),
    ]:
        donations.record_gift(
            user=cast.admin_a, organization=cast.chamber_a, donor=d, nature=Nature.MONEY,
            value=value, given_on=_days_ago(ago), is_anonymous=anonymous,
        )  # fmt: skip
    donations.record_gift(
        user=cast.outsider_b, organization=cast.chamber_b,
        donor=donations.find_or_create_donor(
            user=cast.outsider_b, organization=cast.chamber_b, kind=DonorKind.INDIVIDUAL,
            name="乙会捐赠人",
        ),
        nature=Nature.MONEY, value="7777", given_on=_days_ago(1),
    )  # fmt: skip
    community.record_passage(
        post=cast.post_a, user=cast.guard_a, client_id=str(uuid.uuid4()), direction="in",
        subject="outsider", name="过客", temperature="36.5", decision="turned_back", reason="外地人员",
    )  # fmt: skip
    Division.objects.create(code="37", name="山东省", level=1)
    Division.objects.create(code="3716", name="滨州市", level=2, parent_id="37")
    county = Division.objects.create(code="371625", name="博兴县", level=3, parent_id="3716")
    volunteers.record_operation(
        organization=cast.chamber_a, division=county, kind="spraying", day=_days_ago(1),
        area_mu="9620", drones=[], pilots=[],
    )  # fmt: skip
    return cast


def test_the_facts_count_the_subtree_and_the_period_and_compare_with_the_one_before(data):
    f = facts.collect(data.chamber_a, _days_ago(6), _days_ago(0))
    d = facts.section(f, "donations")
    assert Decimal(d["now"]["received"]) == Decimal("2634000")  # chamber B's gift is not in it
    assert Decimal(d["before"]["received"]) == Decimal("1000000")
    assert d["now"]["donors_over"] == 3 and d["now"]["executive_over"] == 1
    # The anonymous giver is never named, however much they gave.
    assert [t["name"] for t in d["now"]["top"]] == ["京博集团", "张三"]
    assert facts.section(f, "community")["now"]["refused"] == 1
    assert Decimal(facts.section(f, "field")["now"]["area_mu"]) == Decimal("9620")
    # Sections without data are left out.
    assert [s["key"] for s in f["sections"]] == ["donations", "community", "field"]


def test_the_text_writes_amounts_as_people_write_them(data):
    f = facts.collect(data.chamber_a, _days_ago(6), _days_ago(0))
    zh = render.text(f)
    assert zh.startswith("据不完全统计")
    assert "260多万元" in zh and "比上期增长163.4%" in zh
    assert "京博集团（120万元）、张三（53万余元）" in zh
    assert "近万亩" in zh and "不愿具名者" not in zh
    assert "一、捐款捐物" in zh
    assert "據不完全統計" in render.text(f, render.HANT)
    en = render.text(f, render.EN)
    assert "Over 2.6 million yuan" in en and "up 163.4% on the previous period" in en
    # Each figure says what it counts and as of when.
    notes = dict(render.notes(f))
    assert "每一元只在首次入账处计一次" in notes["260多万元"]
    assert f"截至{render.date_zh(_days_ago(0))}" in notes["260多万元"]
    assert 'title="' in render.as_html(f)


@pytest.mark.parametrize(
    "value,unit,written",
    [
        (1734000, "元", "170多万元"),
        (20300000, "元", "2000余万元"),
        (9620000, "元", "近千万元"),
        (9600, "亩", "近万亩"),
        (56300, "元", "5.6万余元"),
        (100000, "元", "10万元"),
        (850, "元", "850元"),
        (123456789, "元", "1.2亿余元"),
    ],
)
def test_approximate_amounts(value, unit, written):
    assert render.approx_zh(value, unit) == written


def test_a_second_person_signs_off_and_a_published_briefing_never_changes(data, client_for):
    staff = client_for(data.staff_a)
    r = staff.post(
        "/briefings/new/",
        {"organization": data.chamber_a.pk, "start": _days_ago(6), "end": _days_ago(0)},
    )
    assert r.status_code == 302, r.content.decode()
    b = Briefing.objects.get()
    assert b.number == 1 and b.status == Status.DRAFT and b.doc_number.endswith(f"〔{b.year}〕1号")
    page = staff.get(f"/briefings/{b.pk}/").content.decode()
    assert "260多万元" in page and 'class="fig" title=' in page
    # The author may not sign; a viewer may not edit; chamber B does not see it.
    assert staff.post(f"/briefings/{b.pk}/sign/").status_code == 403
    assert client_for(data.viewer_a).post(f"/briefings/{b.pk}/edit/", {}).status_code == 403
    assert client_for(data.outsider_b).get(f"/briefings/{b.pk}/").status_code == 404
    admin = client_for(data.admin_a)
    admin.post(f"/briefings/{b.pk}/sign/")
    b.refresh_from_db()
    assert b.status == Status.SIGNED and b.signed_by == data.admin_a
    staff.post(f"/briefings/{b.pk}/publish/")
    b.refresh_from_db()
    assert b.status == Status.PUBLISHED
    r = staff.post(f"/briefings/{b.pk}/edit/", {"title": "新标题", "body": "新的正文"})
    new = Briefing.objects.get(version=2)
    assert r.url == f"/briefings/{new.pk}/"
    b.refresh_from_db()
    assert b.title != "新标题" and b.status == Status.PUBLISHED
    assert new.previous == b and new.number == b.number and new.status == Status.DRAFT
    assert LogEntry.objects.get_for_model(Briefing).count() >= 4


def test_a_period_that_ends_before_it_starts_is_refused_in_the_users_language(data, client_for):
    r = client_for(data.staff_a).post(
        "/briefings/new/",
        {"organization": data.chamber_a.pk, "start": _days_ago(0), "end": _days_ago(6)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 422 and not Briefing.objects.exists()


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_it_downloads_pdf_docx_and_the_wechat_page(data, client_for, lang):
    b = services.generate_briefing(
        user=data.staff_a, organization=data.chamber_a, start=_days_ago(6), end=_days_ago(0)
    )
    c = client_for(data.viewer_a)
    pdf = c.get(f"/briefings/{b.pk}/briefing.pdf?lang={lang}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = c.get(f"/briefings/{b.pk}/briefing.docx?lang={lang}")
    with zipfile.ZipFile(io.BytesIO(docx.content)) as z:
        xml = z.read("word/document.xml").decode()
    assert b.doc_number in xml or f"No. {b.number}" in xml
    page = c.get(f"/briefings/{b.pk}/briefing.html?lang={lang}").content.decode()
    assert "<script" not in page and "class=" not in page and "<style" not in page
    assert 'style="' in page
    assert c.get(f"/briefings/{b.pk}/briefing.exe").status_code == 404


def test_the_api_writes_signs_and_publishes_through_the_same_services(data, api_for):
    staff = api_for(data.staff_a)
    r = staff.post(
        "/api/v1/briefings",
        {
            "organization_id": data.chamber_a.pk,
            "start": str(_days_ago(6)),
            "end": str(_days_ago(0)),
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert "260多万元" in r.json()["body"] and facts.section(r.json()["facts"], "donations")
    assert api_for(data.outsider_b).get(f"/api/v1/briefings/{pk}").status_code == 404
    assert staff.post(f"/api/v1/briefings/{pk}/sign").status_code == 403
    r = staff.put(
        f"/api/v1/briefings/{pk}",
        {"title": "改过的", "body": "正文"},
        content_type="application/json",
    )
    assert r.json()["title"] == "改过的"
    admin = api_for(data.admin_a)
    assert admin.post(f"/api/v1/briefings/{pk}/sign").json()["status"] == "signed"
    assert staff.post(f"/api/v1/briefings/{pk}/publish").json()["status"] == "published"
    assert admin.get(f"/api/v1/briefings/{pk}/pdf").content.startswith(b"%PDF")
    assert [x["id"] for x in api_for(data.viewer_a).get("/api/v1/briefings").json()["items"]] == [
        pk
    ]


def test_the_list_costs_the_same_queries_for_many_briefings(
    data, client_for, django_assert_max_num_queries
):
    for _ in range(3):
        services.generate_briefing(
            user=data.staff_a, organization=data.chamber_a, start=_days_ago(6), end=_days_ago(0)
        )
    c = client_for(data.viewer_a)
    with django_assert_max_num_queries(15):
        r = c.get("/briefings/")
    assert r.status_code == 200 and r.content.decode().count("/briefings/") >= 3


def test_an_edited_text_is_shown_as_written_with_the_notes_under_it(data, client_for):
    b = services.generate_briefing(
        user=data.staff_a, organization=data.chamber_a, start=_days_ago(6), end=_days_ago(0)
    )
    services.edit_briefing(
        user=data.admin_a, briefing=b, title=b.title, body="一、捐款捐物\n本期收到捐款。",
        body_en="Gifts came in.",
    )  # fmt: skip
    c = client_for(data.viewer_a)
    page = c.get(f"/briefings/{b.pk}/").content.decode()
    assert "本期收到捐款。" in page and 'class="fig"' not in page
    assert 'data-testid="notes"' in page and "260多万元" in page  # the notes keep the figures
    en = c.get(f"/briefings/{b.pk}/?lang=en").content.decode()
    assert "Gifts came in." in en
    hant = c.get(f"/briefings/{b.pk}/?lang=zh-hant").content.decode()
    assert "本期收到捐款。" in hant
    # The author of the text now is admin_a: another admin signs it off, not they.
    assert client_for(data.admin_a).post(f"/briefings/{b.pk}/sign/").status_code == 403
    assert client_for(data.fed_admin).post(f"/briefings/{b.pk}/sign/").status_code == 302
