from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongke.community import services
from gongke.community.models import Alert, Passage
from gongke.community.tasks import notify_fever
from gongke.lib.idnumbers import hash_id_number

from .helpers import OTHER_ID, VALID_ID, item, passage, resident


def test_it_records_a_resident_linked_to_the_census(cast):
    r = resident(cast.compound_a)
    p = passage(cast.post_a, cast.guard_a, subject="resident", resident_id=r.pk, name="")
    assert p.resident == r and p.name == "张三" and p.subject_key == f"r{r.pk}"
    assert p.recorded_by == cast.guard_a


def test_it_refuses_a_resident_of_another_compound(cast):
    r = resident(cast.compound_b)
    with pytest.raises(ValidationError) as e:
        passage(cast.post_a, subject="resident", resident_id=r.pk)
    assert "resident_id" in e.value.message_dict


def test_a_fever_alerts_the_posts_organization_at_once(cast, django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            p = passage(cast.post_a, cast.guard_a, temperature="37.3")
    finally:
        HUEY.immediate = False
    alert = Alert.objects.get()
    assert (
        alert.organization == cast.chamber_a
        and alert.passage == p
        and alert.temperature == Decimal("37.3")
    )
    assert alert.notified_at is not None


def test_a_normal_temperature_raises_no_alert(cast):
    passage(cast.post_a, temperature="37.2")
    assert not Alert.objects.exists()


def test_notifying_twice_is_harmless(cast):
    passage(cast.post_a, temperature="38.0")
    alert = Alert.objects.get()
    notify_fever.call_local(alert.pk)
    first = Alert.objects.get().notified_at
    notify_fever.call_local(alert.pk)
    assert Alert.objects.get().notified_at == first


@pytest.mark.parametrize("value", ["33.9", "43.1", "3.65", "365"])
def test_it_refuses_an_implausible_temperature_with_a_clear_message(cast, value):
    with pytest.raises(ValidationError) as e:
        passage(cast.post_a, temperature=value)
    assert "34.0–43.0" in e.value.message_dict["temperature"][0]
    assert not Passage.objects.exists()


def test_the_database_refuses_an_implausible_temperature_too(cast):
    from django.db import IntegrityError

    p = passage(cast.post_a)
    with pytest.raises(IntegrityError):
        Passage.objects.filter(pk=p.pk).update(temperature=Decimal("45.0"))


def test_it_refuses_a_bad_id_number(cast):
    with pytest.raises(ValidationError) as e:
        passage(cast.post_a, id_number="110105194912310021")
    assert "id_number" in e.value.message_dict


def test_it_keeps_an_id_number_only_as_hash_and_mask(cast):
    p = passage(cast.post_a, id_number=VALID_ID)
    assert p.id_number_hash == hash_id_number(VALID_ID)
    assert p.id_number_masked == "110***************"
    stored = Passage.objects.filter(pk=p.pk).values()[0]
    assert VALID_ID not in str(stored)


def test_refusing_needs_a_reason(cast):
    with pytest.raises(ValidationError) as e:
        passage(cast.post_a, decision="refused")
    assert "reason" in e.value.message_dict
    assert (
        passage(cast.post_a, decision="turned_back", reason="外地返乡，劝返").decision
        == "turned_back"
    )


def test_a_vehicle_needs_a_plate(cast):
    with pytest.raises(ValidationError):
        passage(cast.post_a, subject="vehicle", name="")
    p = passage(cast.post_a, subject="vehicle", plate="赣 A 12345", driver="王五", passengers=2)
    assert p.plate == "赣A12345" and p.label == "赣A12345"


def test_it_refuses_a_time_in_the_future(cast):
    from django.utils import timezone

    with pytest.raises(ValidationError):
        passage(cast.post_a, occurred_at=(timezone.now() + timezone.timedelta(hours=2)).isoformat())


def test_a_revealed_id_number_is_checked_and_audited(cast):
    p = passage(cast.post_a, id_number=VALID_ID)
    with pytest.raises(ValidationError):
        services.reveal_id_number(passage=p, user=cast.admin_a, reason="")
    good = services.reveal_id_number(
        passage=p, user=cast.admin_a, reason="疾控流调需要", candidate=VALID_ID
    )
    bad = services.reveal_id_number(
        passage=p, user=cast.admin_a, reason="疾控流调需要", candidate=OTHER_ID
    )
    assert good.matched is True and bad.matched is False
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(content_type__model="idreveal").count() == 2


def test_a_viewer_may_not_reveal(cast):
    from django.core.exceptions import PermissionDenied

    p = passage(cast.post_a, id_number=VALID_ID)
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(passage=p, user=cast.viewer_a, reason="看看")


def test_self_registration_links_a_resident_by_name_and_room(cast):
    r = resident(cast.compound_a, name="赵六", room="502")
    [res] = services.record_passages(
        post=cast.post_a,
        items=[item(subject="resident", name="赵六", room="3-1-502")],
        source="self",
    )
    assert Passage.objects.get(pk=res.id).resident == r


def test_a_fever_coming_in_is_decided_through_the_api_as_on_the_console(cast, api_for):
    """The console asks for a decision on a fever; the API may not let one through silently."""
    api = api_for(cast.guard_a)
    body = {"post_id": cast.post_a.pk, "subject": "outsider", "name": "王五", "temperature": "38.2"}
    refused = api.post("/api/v1/community/passages", body, content_type="application/json")
    assert refused.status_code == 422 and "原因" in refused.json()["errors"]["reason"][0]
    assert not Passage.objects.exists() and not Alert.objects.exists()
    for decided in ({"decision": "fever_clinic", "reason": "送医"}, {"reason": "复测 36.9"}):
        r = api.post(
            "/api/v1/community/passages", {**body, **decided}, content_type="application/json"
        )
        assert r.status_code == 201, r.content
    assert Alert.objects.count() == 2
    # Going out, or a resident's own registration (the guard decides on its alert), needs none.
    passage(cast.post_a, direction="out", temperature="38.2", reason="")
    services.record_passage(post=cast.post_a, source="self", **item(temperature="38.2", reason=""))
    assert Passage.objects.count() == 4
