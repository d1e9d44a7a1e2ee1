from datetime import timedelta

from django.utils import timezone

from gongke.community import services
from gongke.community.models import Alert, Outing, Passage, Spot

from .helpers import ago, passage


def test_the_purge_deletes_passages_older_than_the_retention_period(cast, settings):
    settings.PASSAGE_RETENTION_DAYS = 28
    old = passage(cast.post_a, occurred_at=ago(days=29).isoformat(), temperature="38.5")
    fresh = passage(cast.post_a, occurred_at=ago(days=27).isoformat())
    assert services.purge_passages() == 1
    assert list(Passage.objects.all()) == [fresh]
    assert Alert.objects.get().passage is None  # the alert stays, without the personal record
    assert old.pk is not None


def test_the_purge_is_a_periodic_job(cast):
    from gongke.community.tasks import purge_old_passages

    passage(cast.post_a, occurred_at=ago(days=40).isoformat())
    assert purge_old_passages.call_local() == 1


def test_the_retention_period_is_set_per_deployment(cast, settings):
    settings.PASSAGE_RETENTION_DAYS = 7
    passage(cast.post_a, occurred_at=ago(days=8).isoformat())
    assert services.purge_passages() == 1


def test_an_out_is_closed_by_the_next_in_at_any_post_of_the_compound(cast):
    from gongke.registry.services import save_place

    west = save_place(kind="post", name="西门", organization=cast.chamber_a, parent=cast.compound_a)
    passage(cast.post_a, direction="out", name="孙八", phone="13900001111")
    assert Outing.objects.open().get().label == "孙八"
    passage(west, direction="in", name="孙八", phone="13900001111")
    assert not Outing.objects.open().exists()


def test_a_refused_entry_does_not_close_an_outing(cast):
    passage(cast.post_a, direction="out", name="孙八")
    passage(cast.post_a, direction="in", name="孙八", decision="refused", reason="发热")
    assert Outing.objects.open().count() == 1


def test_going_out_twice_keeps_the_first_time(cast):
    first = ago(hours=3)
    passage(cast.post_a, direction="out", name="孙八", occurred_at=first.isoformat())
    passage(cast.post_a, direction="out", name="孙八")
    assert Outing.objects.open().get().left_at == first


def test_the_roster_shows_uncovered_hours(cast):
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=24)
    services.create_shift(
        post=cast.post_a, starts_at=start, ends_at=start + timedelta(hours=8), users=[cast.guard_a]
    )
    services.create_shift(
        post=cast.post_a, starts_at=start + timedelta(hours=8), ends_at=start + timedelta(hours=16)
    )
    services.create_shift(
        post=cast.post_a,
        starts_at=start + timedelta(hours=20),
        ends_at=end + timedelta(hours=4),
        users=[cast.guard_a],
    )
    gaps = services.uncovered(posts=[cast.post_a, cast.post_b], start=start, end=end)
    assert gaps[cast.post_a.pk] == [(start + timedelta(hours=8), start + timedelta(hours=20))]
    assert gaps[cast.post_b.pk] == [(start, end)]


def test_signing_out_keeps_the_handover_note(cast):
    import pytest
    from django.core.exceptions import ValidationError

    s = services.create_shift(
        post=cast.post_a, starts_at=ago(hours=2), ends_at=timezone.now(), users=[cast.guard_a]
    )
    a = s.assignments.get()
    with pytest.raises(ValidationError):
        services.sign_out(assignment=a)
    services.sign_in(assignment=a)
    services.sign_out(assignment=a, handover_note="3号楼有一户居家隔离，第5天")
    s.refresh_from_db()
    assert "居家隔离" in s.handover_note and a.signed_out_at


def test_a_shift_must_end_after_it_starts(cast):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_shift(post=cast.post_a, starts_at=timezone.now(), ends_at=ago(hours=1))


def test_spots_are_overdue_after_their_interval(cast):
    never = services.save_spot(
        place=cast.compound_a, name="1号楼楼道", interval=timedelta(hours=12)
    )
    done = services.save_spot(
        place=cast.compound_a, name="垃圾桶", kind="bin", interval=timedelta(hours=12)
    )
    late = services.save_spot(
        place=cast.post_a, name="卡口", kind="post", interval=timedelta(hours=4)
    )
    services.log_disinfection(spot=done, done_by="王伟", agent="84消毒液", done_at=ago(hours=2))
    services.log_disinfection(spot=late, done_by="王伟", agent="84消毒液", done_at=ago(hours=5))
    assert set(Spot.objects.overdue()) == {never, late}
    done.refresh_from_db()
    assert not done.is_overdue()
