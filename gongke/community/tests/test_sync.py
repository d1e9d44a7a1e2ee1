import json
import uuid

from gongke.community.models import Outing, Passage

from .helpers import item, resident

BATCH = "/api/v1/community/passages/batch"


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_the_same_batch_twice_stores_each_passage_once(cast, api_for):
    api = api_for(cast.guard_a)
    items = [item(), item(direction="out"), item(subject="vehicle", plate="赣A00001", name="")]
    first = post_json(api, BATCH, {"post_id": cast.post_a.pk, "items": items})
    assert first.status_code == 200, first.content
    assert first.json()["created"] == 3
    second = post_json(api, BATCH, {"post_id": cast.post_a.pk, "items": items})
    assert second.json()["duplicate"] == 3 and second.json()["created"] == 0
    assert [r["id"] for r in second.json()["results"]] == [r["id"] for r in first.json()["results"]]
    assert Passage.objects.count() == 3


def test_a_batch_answers_per_item_and_keeps_the_good_ones(cast, api_for):
    api = api_for(cast.guard_a)
    bad = item(temperature="50")
    twice = item()
    body = post_json(
        api, BATCH, {"post_id": cast.post_a.pk, "items": [item(), bad, twice, twice]}
    ).json()
    assert [r["status"] for r in body["results"]] == ["created", "error", "created", "duplicate"]
    assert "temperature" in body["results"][1]["errors"]
    assert Passage.objects.count() == 2


def test_a_batch_pairs_outs_and_ins_in_time_order(cast, api_for):
    r = resident(cast.compound_a)
    api = api_for(cast.guard_a)
    out = item(
        subject="resident",
        resident_id=r.pk,
        direction="out",
        occurred_at="2026-01-01T08:00:00+08:00",
    )
    back = item(
        subject="resident",
        resident_id=r.pk,
        direction="in",
        occurred_at="2026-01-01T09:00:00+08:00",
    )
    post_json(api, BATCH, {"post_id": cast.post_a.pk, "items": [back, out]})
    assert not Outing.objects.open().exists()
    assert Outing.objects.get().returned_at is not None
    again = item(subject="resident", resident_id=r.pk, direction="out")
    post_json(api, BATCH, {"post_id": cast.post_a.pk, "items": [again]})
    assert Outing.objects.open().get().resident == r


def test_a_batch_for_a_post_of_another_organization_is_404(cast, api_for):
    resp = post_json(
        api_for(cast.outsider_b), BATCH, {"post_id": cast.post_a.pk, "items": [item()]}
    )
    assert resp.status_code == 404
    assert not Passage.objects.exists()


def test_a_viewer_may_not_sync(cast, api_for):
    resp = post_json(api_for(cast.viewer_a), BATCH, {"post_id": cast.post_a.pk, "items": [item()]})
    assert resp.status_code == 403


def test_a_single_passage_with_a_known_client_id_is_not_doubled(cast, api_for):
    api = api_for(cast.guard_a)
    data = item(post_id=cast.post_a.pk)
    first = post_json(api, "/api/v1/community/passages", data)
    assert first.status_code == 201, first.content
    assert first.json()["phone"] == ""
    second = post_json(api, "/api/v1/community/passages", data)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert Passage.objects.count() == 1


def test_an_invalid_single_passage_is_422_with_field_errors(cast, api_for):
    resp = post_json(
        api_for(cast.guard_a),
        "/api/v1/community/passages",
        item(post_id=cast.post_a.pk, id_number="123"),
    )
    assert resp.status_code == 422 and "id_number" in resp.json()["errors"]


def test_self_registration_syncs_once_without_an_account(cast, client):
    from gongke.community.models import PostKey

    token = PostKey.for_post(cast.post_a).token
    data = {"items": [item(decision="refused", reason="x"), item()]}
    first = post_json(client, f"/community/p/{token}/sync", data).json()
    again = post_json(client, f"/community/p/{token}/sync", data).json()
    assert [r["status"] for r in first["results"]] == ["created", "created"]
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert set(Passage.objects.values_list("decision", "source")) == {("pass", "self")}


def test_a_wrong_token_is_404(cast, client):
    assert client.get("/community/p/nope/").status_code == 404
    assert post_json(client, "/community/p/nope/sync", {"items": [item()]}).status_code == 404


def test_the_api_lists_who_is_out(cast, api_for):
    api = api_for(cast.guard_a)
    post_json(
        api, BATCH, {"post_id": cast.post_a.pk, "items": [item(direction="out", name="钱七")]}
    )
    body = api.get(f"/api/v1/community/posts/{cast.post_a.pk}/out").json()
    assert [o["label"] for o in body["items"]] == ["钱七"]
    assert (
        api_for(cast.outsider_b).get(f"/api/v1/community/posts/{cast.post_a.pk}/out").status_code
        == 404
    )


def test_client_ids_must_be_uuids(cast, api_for):
    body = post_json(
        api_for(cast.guard_a), BATCH, {"post_id": cast.post_a.pk, "items": [item(client_id="x")]}
    ).json()
    assert body["results"][0]["status"] == "error"
    assert uuid  # imported for readers: client ids are uuid4 strings


def test_the_api_refuses_a_resident_of_another_compound(cast, api_for):
    other = resident(cast.compound_b)
    resp = post_json(
        api_for(cast.guard_a),
        "/api/v1/community/passages",
        item(post_id=cast.post_a.pk, subject="resident", resident_id=other.pk),
    )
    assert resp.status_code == 422 and "resident_id" in resp.json()["errors"]
    mine = resident(cast.compound_a, name="周九")
    resp = post_json(
        api_for(cast.guard_a),
        "/api/v1/community/passages",
        item(post_id=cast.post_a.pk, subject="resident", resident_id=mine.pk, name=""),
    )
    assert (
        resp.status_code == 201
        and resp.json()["name"] == "周九"
        and resp.json()["resident_id"] == mine.pk
    )


def test_a_single_passage_answers_exactly_what_passage_out_says(cast, api_for):
    """create_passage writes its answer straight off the row: pinned to the documented schema."""
    from gongke.api.community import PassageOut

    r = resident(cast.compound_a)
    api = api_for(cast.guard_a)
    sent = [
        item(post_id=cast.post_a.pk, subject="resident", resident_id=r.pk, direction="out"),
        item(post_id=cast.post_a.pk, phone="13912345678", temperature="38.1"),
        item(
            post_id=cast.post_a.pk,
            subject="vehicle",
            plate="赣a 12345",
            passengers=2,
            temperature=None,
            occurred_at="2026-01-01T08:00:00+08:00",
        ),
    ]
    for data in sent:
        for expected_status in (201, 200):  # stored, then answered again as a duplicate
            resp = post_json(api, "/api/v1/community/passages", data)
            assert resp.status_code == expected_status, resp.content
            stored = Passage.objects.get(client_id=data["client_id"])
            body = resp.json()
            alert = body.pop("alert")
            assert body == PassageOut.from_orm(stored).model_dump(mode="json", exclude={"alert"})
            # Only the answer that stored a fever tells about its alert.
            assert (alert is not None) == (data["temperature"] == "38.1" and expected_status == 201)
    body = resp.json()
    assert body["plate"] == "赣A12345" and body["temperature"] is None
    fever = Passage.objects.get(client_id=sent[1]["client_id"])
    assert fever.alerts.count() == 1  # the fever raised one alert, the repeat none
    assert (
        body["phone"] == ""
        and post_json(api, "/api/v1/community/passages", sent[1]).json()["phone"] == "139****5678"
    )
