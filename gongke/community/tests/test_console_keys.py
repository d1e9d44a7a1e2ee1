"""A post's phone keeps sending passages for the shift with its console key: at that post only,
until it expires or is revoked, and only while its user may still record there."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongke.community import services
from gongke.community.models import ConsoleKey, Passage

from .helpers import item

pytestmark = pytest.mark.django_db


def _issue(client, post):
    r = client.post(reverse("community:console-key", args=[post.pk]))
    assert r.status_code == 201
    return r.json()["key"]


def _sync(post, key, **fields):
    return Client().post(
        reverse("community:console-sync", args=[post.pk]),
        json.dumps({"items": [item(**fields)]}),
        content_type="application/json",
        headers={"X-Console-Key": key},
    )


def test_it_keeps_a_guard_recording_after_the_session_ends(cast, client_for):
    client = client_for(cast.guard_a)
    key = _issue(client, cast.post_a)
    client.logout()
    r = _sync(cast.post_a, key, temperature="38.2")
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "created"
    p = Passage.objects.get()
    assert p.recorded_by == cast.guard_a and p.post == cast.post_a
    assert r.json()["results"][0]["alert"]["message"]
    assert ConsoleKey.objects.get().key_hash != key  # only the hash is kept


def test_it_refuses_a_key_at_another_post_expired_or_revoked(cast, client_for):
    key = _issue(client_for(cast.staff_a), cast.post_a)
    assert _sync(cast.post_b, key).status_code == 401
    assert _sync(cast.post_a, "gkc_guessed").status_code == 401
    ConsoleKey.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert _sync(cast.post_a, key).status_code == 401
    ConsoleKey.objects.update(expires_at=timezone.now() + timedelta(hours=1))
    assert _sync(cast.post_a, key).status_code == 200
    r = client_for(cast.staff_a).post(
        reverse("community:console-keys", args=[cast.post_a.pk]),
        {"key": ConsoleKey.objects.get().pk},
    )
    assert r.status_code == 302
    assert _sync(cast.post_a, key).status_code == 401
    assert Passage.objects.count() == 1


def test_it_stops_when_the_guard_is_no_longer_on_the_post(cast, client_for):
    key = _issue(client_for(cast.guard_a), cast.post_a)
    cast.guard_a.memberships.get().posts.clear()
    r = _sync(cast.post_a, key)
    assert r.status_code == 403 and "无权" in r.json()["detail"]
    assert not Passage.objects.exists()


def test_a_reader_gets_no_key_and_the_expiry_is_the_setting(cast, client_for, settings):
    r = client_for(cast.viewer_a).post(reverse("community:console-key", args=[cast.post_a.pk]))
    assert r.status_code == 403 and not ConsoleKey.objects.exists()
    settings.CONSOLE_KEY_HOURS = 3
    key, _raw = services.issue_console_key(post=cast.post_a, user=cast.guard_a)
    assert timedelta(hours=2, minutes=59) < key.expires_at - timezone.now() <= timedelta(hours=3)


def test_it_answers_bad_data_in_the_users_words(cast):
    _key, raw = services.issue_console_key(post=cast.post_a, user=cast.guard_a)
    r = Client().post(
        reverse("community:console-sync", args=[cast.post_a.pk]),
        "[not json",
        content_type="application/json",
        headers={"X-Console-Key": raw},
    )
    assert r.status_code == 422
    same = str(uuid.uuid4())
    assert _sync(cast.post_a, raw, client_id=same).json()["results"][0]["status"] == "created"
    assert _sync(cast.post_a, raw, client_id=same).json()["results"][0]["status"] == "duplicate"


def test_the_fever_notice_says_nobody_was_told_when_no_channel_reaches_anyone(cast):
    p = services.record_passages(
        post=cast.post_a, items=[item(temperature="38.5")], user=cast.guard_a
    )[0]
    assert p.alert is not None and "没有人收到通知" in p.alert.message()


def test_the_fever_notice_names_the_channels_that_reach_people(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast.staff_a.email = "staff@example.com"
    cast.staff_a.save()
    services.save_duty_settings(
        organization=cast.chamber_a,
        user=cast.admin_a,
        data={"fever_webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
    )
    [r] = services.record_passages(
        post=cast.post_a, items=[item(temperature="38.5")], user=cast.guard_a
    )
    assert r.alert is not None and r.alert.robot and r.alert.emails == 1
    assert "群机器人" in r.alert.message() and "1 人" in r.alert.message()
