"""Open data through its public pages and /open/v1 downloads: what it publishes, what it never
does (personal data, small counts of people, an organization that did not opt in), and how it
answers caches and busy clients."""

import csv
import datetime as dt
import gzip
import io
import json
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gongke.community import services as community
from gongke.donations import services as donations
from gongke.donations.models import DonorKind, Nature
from gongke.opendata.models import Publication
from gongke.opendata.services import set_publication
from gongke.registry import services as registry
from gongke.registry.models import PlaceKind
from gongke.resumption import services as resumption
from gongke.supplies import services as supplies
from gongke.supplies.models import Movement
from gongke.volunteers.models import Division, DivisionLevel

ID_NUMBER = "11010519491231002X"
DONOR_PHONE = "13912345678"
DATASETS = ["donations", "supplies", "resumption", "duty"]


def _yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def _yesterday_noon() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(_yesterday(), dt.time(12)))


@pytest.fixture
def county(cast):
    """The federation publishes (county 360803, whose 东城街道 has a code in the division table);
    yesterday: six donors gave to chamber A and two to chamber B, A1 reported 3 people on site and
    B1 40, masks came into and went out of chamber A's warehouse, and post A registered seven
    passages (one of them an outsider turned back) while post B registered two."""
    for code, name, level, parent in [
        ("36", "江西省", DivisionLevel.PROVINCE, None),
        ("3608", "吉安市", DivisionLevel.CITY, "36"),
        ("360803", "青原区", DivisionLevel.COUNTY, "3608"),
        ("360803001", "东城街道", DivisionLevel.TOWNSHIP, "360803"),
    ]:
        Division.objects.create(code=code, name=name, level=level, parent_id=parent)
    set_publication(
        user=cast.fed_admin, organization=cast.federation, is_open=True, county_code="360803"
    )
    campaign = donations.create_campaign(
        user=cast.fed_admin, organization=cast.federation, name="抗击疫情爱心捐赠"
    )
    gifts = [(cast.chamber_a, f"捐赠人{i}号张") for i in range(6)] + [
        (cast.chamber_b, "乙会捐赠人王"),
        (cast.chamber_b, "乙会捐赠人李"),
    ]
    for org, name in gifts:
        donor = donations.find_or_create_donor(
            user=cast.admin,
            organization=org,
            kind=DonorKind.INDIVIDUAL,
            name=name,
            contact_phone=DONOR_PHONE,
            township=cast.township_east if org == cast.chamber_a else cast.township_south,
        )
        donations.record_gift(
            user=cast.admin,
            organization=org,
            donor=donor,
            nature=Nature.MONEY,
            value="1000",
            given_on=_yesterday(),
            campaign=campaign,
            note=f"备注哨 {DONOR_PHONE}",
        )
    resumption.submit_report(
        enterprise=cast.a1,
        user=cast.admin,
        data={"staff_on_site": 3, "vehicles": 2, "note": "备注哨"},
        day=_yesterday(),
    )
    resumption.submit_report(
        enterprise=cast.b1, user=cast.admin, data={"staff_on_site": 40}, day=_yesterday()
    )
    warehouse = registry.save_place(
        kind=PlaceKind.WAREHOUSE,
        name="钣金商会一号仓",
        organization=cast.chamber_a,
        township=cast.township_east,
    )
    n95 = supplies.save_item(
        user=cast.fed_admin,
        organization=cast.federation,
        name="N95口罩",
        category="n95",
        base_unit="只",
    )
    supplies.receive(user=cast.staff_a, warehouse=warehouse, item=n95, quantity=2400)
    supplies.issue(
        user=cast.staff_a, warehouse=warehouse, item=n95, quantity=400, reason="发放给卡口"
    )
    # The stock service books movements now: dated yesterday, as if done then.
    Movement.objects.update(occurred_at=_yesterday_noon())
    for i in range(7):
        community.record_passage(
            post=cast.post_a,
            user=cast.staff_a,
            client_id=str(uuid.uuid4()),
            direction="in",
            subject="outsider",
            name="甲院过客哨",
            phone="13712345678",
            id_number=ID_NUMBER,
            temperature="36.5",
            decision="turned_back" if i == 0 else "pass",
            reason="非本小区居民",
            occurred_at=_yesterday_noon().isoformat(),
        )
    for _i in range(2):
        community.record_passage(
            post=cast.post_b,
            user=cast.outsider_b,
            client_id=str(uuid.uuid4()),
            direction="in",
            subject="outsider",
            name="乙院过客哨",
            temperature="36.5",
            occurred_at=_yesterday_noon().isoformat(),
        )
    cast.campaign = campaign
    return cast


def _url(org, dataset: str, fmt: str) -> str:
    return f"/open/v1/{org.pk}/{dataset}.{fmt}"


def _json(client, org, dataset):
    response = client.get(_url(org, dataset, "json"))
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def _csv(client, org, dataset) -> list[list[str]]:
    response = client.get(_url(org, dataset, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _rows(document) -> dict[tuple[str, str], dict]:
    return {(r["organization"], r["township"]): r for r in document["rows"]}


def test_it_publishes_each_dataset_per_organization_township_and_day(county, client):
    d = _rows(_json(client, county.federation, "donations"))
    a = d[("青原县钣金商会", "东城街道")]
    assert (a["money_yuan"], a["gifts"], a["donors"]) == ("6000.00", 6, 6)
    assert a["campaign"] == "抗击疫情爱心捐赠"
    assert a["date"] == _yesterday().isoformat()
    s = _rows(_json(client, county.federation, "supplies"))[("青原县钣金商会", "东城街道")]
    assert (s["category"], s["unit"], s["received"], s["handed_out"]) == ("n95", "只", 2400, 400)
    r = _rows(_json(client, county.federation, "resumption"))
    assert r[("南湖镇商会", "南湖镇")]["people_on_site"] == 40
    assert r[("南湖镇商会", "南湖镇")]["enterprises_back"] == 1
    duty = _rows(_json(client, county.federation, "duty"))[("青原县钣金商会", "东城街道")]
    assert (duty["passages"], duty["posts_staffed"]) == (7, 1)


def test_it_suppresses_counts_of_people_under_five(county, client):
    donors_b = _rows(_json(client, county.federation, "donations"))[("南湖镇商会", "南湖镇")]
    assert donors_b["donors"] is None and "donors" in donors_b["suppressed"]
    assert donors_b["money_yuan"] == "2000.00"  # money is not a count of people
    a1 = _rows(_json(client, county.federation, "resumption"))[("青原县钣金商会", "东城街道")]
    assert a1["people_on_site"] is None and a1["suppressed"] == ["people_on_site"]
    assert a1["vehicles"] == 2
    duty = _rows(_json(client, county.federation, "duty"))
    assert duty[("青原县钣金商会", "东城街道")]["turned_away"] is None
    assert duty[("南湖镇商会", "南湖镇")]["passages"] is None
    table = _csv(client, county.federation, "resumption")
    header = table[0]
    cell = {tuple(row[:1] + row[8:9]): row for row in table[2:]}
    assert cell[("青原县钣金商会", "东城街道")][header.index("people_on_site")] == "<5"
    assert cell[("南湖镇商会", "南湖镇")][header.index("people_on_site")] == "40"


def test_the_csv_has_the_hxl_row_under_the_header_with_division_codes(county, client):
    for dataset in DATASETS:
        table = _csv(client, county.federation, dataset)
        header, tags = table[0], table[1]
        assert len(header) == len(tags)
        assert all(t.startswith("#") for t in tags)
        for tag in ["#org", "#sector", "#adm1+code", "#adm2+code", "#adm3+name", "#date"]:
            assert tag in tags, (dataset, tag)
    table = _csv(client, county.federation, "donations")
    tags = table[1]
    east = next(r for r in table[2:] if r[tags.index("#adm4+name")] == "东城街道")
    assert east[tags.index("#adm1+code")] == "360000"
    assert east[tags.index("#adm2+code")] == "360800"
    assert east[tags.index("#adm3+code")] == "360803"
    assert east[tags.index("#adm3+name")] == "青原区"
    assert east[tags.index("#adm4+code")] == "360803001"
    assert east[tags.index("#sector")] == "donations"


def test_no_personal_data_leaks(county, client):
    bodies = [client.get("/open/").content, client.get(f"/open/{county.federation.pk}/").content]
    bodies += [
        client.get("/open/v1/").content,
        client.get(f"/open/v1/{county.federation.pk}/").content,
    ]
    for dataset in DATASETS:
        for fmt in ["json", "csv"]:
            bodies.append(client.get(_url(county.federation, dataset, fmt)).content)
    text = b"\n".join(bodies).decode("utf-8", "replace")
    assert "青原县钣金商会" in text  # the figures are there
    for secret in [
        "王伟",  # A1's legal representative
        "李娜",
        "13812345678",
        DONOR_PHONE,
        "13712345678",
        ID_NUMBER,
        "19491231",
        "捐赠人0号张",
        "乙会捐赠人王",
        "甲院过客哨",
        "乙院过客哨",
        "备注哨",
        "非本小区居民",
        "发放给卡口",
    ]:
        assert secret not in text, secret


def test_an_organization_that_did_not_opt_in_answers_404(county, client):
    for org in [county.chamber_a, county.chamber_b, county.a1, county.office]:
        assert client.get(f"/open/{org.pk}/").status_code == 404
        assert client.get(f"/open/v1/{org.pk}/").status_code == 404
        assert client.get(_url(org, "donations", "csv")).status_code == 404
    ids = [o["id"] for o in json.loads(client.get("/open/v1/").content)["organizations"]]
    assert ids == [county.federation.pk]
    assert client.get(_url(county.federation, "donations", "json")).status_code == 200
    set_publication(user=county.fed_admin, organization=county.federation, is_open=False)
    assert client.get(_url(county.federation, "donations", "json")).status_code == 404
    assert client.get(f"/open/{county.federation.pk}/").status_code == 404
    assert client.get(_url(county.federation, "nothing", "json")).status_code == 404


def test_only_an_admin_of_a_federation_or_chamber_switches_it_on(cast, client_for):
    url = f"/open/{cast.chamber_a.pk}/settings/"
    assert client_for(cast.staff_a).post(url, {"is_open": "on"}).status_code == 403
    assert client_for(cast.outsider_b).post(url, {"is_open": "on"}).status_code == 404
    assert not Publication.objects.exists()
    assert client_for(cast.admin_a).get(url).status_code == 200
    response = client_for(cast.admin_a).post(url, {"is_open": "on", "county_code": "3608"})
    assert response.status_code == 200 and not Publication.objects.exists()  # shown again
    response = client_for(cast.admin_a).post(url, {"is_open": "on", "county_code": "360803"})
    assert response.status_code == 302
    assert Publication.objects.get(organization=cast.chamber_a).is_open
    # An enterprise publishes nothing of its own.
    response = client_for(cast.admin).post(f"/open/{cast.a1.pk}/settings/", {"is_open": "on"})
    assert response.status_code == 200
    assert not Publication.objects.filter(organization=cast.a1).exists()


def test_a_conditional_get_answers_304(county, client):
    for url in [
        _url(county.federation, "duty", "csv"),
        "/open/v1/",
        f"/open/v1/{county.federation.pk}/",
    ]:
        first = client.get(url)
        assert first.status_code == 200
        assert "public" in first["Cache-Control"] and "max-age" in first["Cache-Control"]
        assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
        since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
        assert since.status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_client_that_takes_gzip_gets_the_same_body_gzipped(county, client):
    url = _url(county.federation, "donations", "csv")
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed["ETag"]})
    assert again.status_code == 304


def test_a_version_is_computed_once_and_holds_complete_days(
    county, client, django_assert_max_num_queries
):
    url = _url(county.federation, "donations", "json")
    first = client.get(url).content
    # Given today: not in this version, which holds the days before today.
    donor = donations.find_or_create_donor(
        user=county.admin, organization=county.chamber_a, kind=DonorKind.ANONYMOUS
    )
    donations.record_gift(
        user=county.admin,
        organization=county.chamber_a,
        donor=donor,
        nature=Nature.MONEY,
        value="5",
    )
    with django_assert_max_num_queries(1):  # whether the federation still publishes
        again = client.get(url).content
    assert again == first
    assert json.loads(first)["version"] == _yesterday().isoformat()


def test_it_answers_429_past_the_limit_with_a_clear_message(county, client):
    settings.OPENDATA_PER_MINUTE = 3
    try:
        for _i in range(3):
            assert client.get("/open/v1/").status_code == 200
        busy = client.get(_url(county.federation, "donations", "json"))
        assert busy.status_code == 429
        assert int(busy["Retry-After"]) >= 1
        assert "每分钟" in json.loads(busy.content)["detail"]  # in the reader's language
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get(f"/open/{county.federation.pk}/")
        assert page.status_code == 429
        assert "Too many requests" in page.content.decode()
    finally:
        settings.OPENDATA_PER_MINUTE = 60


@pytest.mark.parametrize(
    ("language", "title", "honor"),
    [
        ("zh-hans", "数据集", "捐赠活动与捐赠公示"),
        ("zh-hant", "資料集", "捐贈活動與捐贈公示"),
        ("en", "Datasets", "Donation campaigns and honor lists"),
    ],
)
def test_the_public_page_lists_campaigns_briefings_and_datasets(county, language, title, honor):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/open/{county.federation.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert title in text and honor in text
    assert f"/donations/honor/{county.federation.pk}/{county.campaign.pk}/" in text
    for dataset in DATASETS:
        assert f"/open/v1/{county.federation.pk}/{dataset}.csv" in text
    assert "public" not in response.get("Cache-Control", "")  # it holds the visitor's CSRF token
    assert (
        'data-testid="briefings"' not in text
    )  # the hook's list is empty until briefings wires it


def test_the_hourly_job_computes_the_version_before_anyone_asks(
    county, client, django_assert_max_num_queries
):
    from gongke.opendata.tasks import publish_open_data

    assert publish_open_data.call_local() == len(DATASETS)
    for dataset in DATASETS:
        with django_assert_max_num_queries(1):  # whether the federation still publishes
            assert client.get(_url(county.federation, dataset, "csv")).status_code == 200


def test_the_switch_is_linked_from_the_organization_page_for_its_admins_only(cast, client_for):
    link = f"/open/{cast.chamber_a.pk}/settings/"
    page = f"/registry/organizations/{cast.chamber_a.pk}/"
    assert link in client_for(cast.admin_a).get(page).content.decode()
    assert link not in client_for(cast.staff_a).get(page).content.decode()
    a1_page = client_for(cast.admin).get(f"/registry/organizations/{cast.a1.pk}/").content
    assert f"/open/{cast.a1.pk}/settings/" not in a1_page.decode()


def test_while_one_worker_computes_a_version_the_others_answer_with_the_previous_one(
    county, client
):
    from django.core.cache import cache

    from gongke.opendata import figures, publish

    pub = Publication.objects.get(organization=county.federation)
    dataset = figures.DATASETS["donations"]
    today = figures.as_of()
    publish.snapshot(pub, dataset, today - dt.timedelta(days=1), "json")  # yesterday's version
    cache.add(publish._key(pub, dataset, today, "computing"), 1, 60)  # another worker on today's
    document = _json(client, county.federation, "donations")
    assert document["version"] == (_yesterday() - dt.timedelta(days=1)).isoformat()
    cache.delete(publish._key(pub, dataset, today, "computing"))
    assert _json(client, county.federation, "donations")["version"] == _yesterday().isoformat()


def test_the_index_is_modified_when_an_organization_switches_on(county, client):
    from gongke.registry.models import Organization

    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Publication.objects.update(changed_at=an_hour_ago)  # switched on an hour ago
    Organization.objects.update(updated_at=an_hour_ago)
    first = client.get("/open/v1/")
    set_publication(user=county.outsider_b, organization=county.chamber_b, is_open=True)
    since = client.get("/open/v1/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 200
    assert county.chamber_b.pk in [o["id"] for o in json.loads(since.content)["organizations"]]
    assert client.get("/open/v1/", headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_a_published_briefing_is_on_the_public_page_and_a_draft_is_not(county, client):
    from gongke.briefings import services as briefings

    today = timezone.localdate()
    start = today - dt.timedelta(days=6)
    b = briefings.generate_briefing(
        user=county.admin, organization=county.federation, start=start, end=today
    )
    draft = f"/open/{county.federation.pk}/briefings/{b.pk}.pdf"
    assert client.get(draft).status_code == 404
    assert (
        'data-testid="briefing-pdf"'
        not in client.get(f"/open/{county.federation.pk}/").content.decode()
    )
    briefings.sign_briefing(user=county.fed_admin, briefing=b)
    briefings.publish_briefing(user=county.fed_admin, briefing=b)
    page = client.get(f"/open/{county.federation.pk}/").content.decode()
    assert draft in page and b.title in page
    pdf = client.get(draft)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    article = client.get(f"/open/{county.federation.pk}/briefings/{b.pk}.html?lang=en")
    assert article.status_code == 200 and "<script" not in article.content.decode()
    # Another organization's address, or one that does not publish, knows no such briefing.
    assert client.get(f"/open/{county.chamber_a.pk}/briefings/{b.pk}.pdf").status_code == 404
    set_publication(user=county.fed_admin, organization=county.federation, is_open=False)
    assert client.get(draft).status_code == 404
