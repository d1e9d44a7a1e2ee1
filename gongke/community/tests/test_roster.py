"""The roster as the people planning and staffing the posts use it: gaps of the next day, a gap
filled in one action, sign-in not hours ahead, the handover note read by the next shift; and a
village's checkpoint served by the same console in a village's words."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongke.community import services
from gongke.community.models import Shift
from gongke.registry import services as registry
from gongke.registry.models import PlaceKind

pytestmark = pytest.mark.django_db


def _row(response, post):
    return next(r for r in response.context["rows"] if r["post"].pk == post.pk)


def test_gaps_are_counted_for_the_next_24_hours_and_filled_in_one_action(cast, client_for):
    person = registry.save_person(organization=cast.chamber_a, name="值班员")
    client = client_for(cast.staff_a)
    r = client.get(reverse("community:roster"))
    row = _row(r, cast.post_a)
    assert row["gap_hours"] == 24.0  # not the 72 hours the page shows
    assert "24.0" in r.content.decode()
    [(starts, ends)] = row["gaps"]

    local = timezone.localtime
    r = client.post(
        reverse("community:shift-new", args=[cast.post_a.pk]),
        {
            "starts_at": local(starts).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local(ends).strftime("%Y-%m-%dT%H:%M"),
            "people": [person.pk],
        },
    )
    assert r.status_code == 302
    shift = Shift.objects.get()
    assert (shift.starts_at, shift.ends_at) == (starts, ends)
    assert list(shift.assignments.values_list("person", flat=True)) == [person.pk]
    r = client.get(reverse("community:roster"))
    assert _row(r, cast.post_a)["gap_hours"] == 0


def test_a_guard_sees_the_gap_but_no_form_to_fill_it(cast, client_for):
    r = client_for(cast.guard_a).get(reverse("community:roster"))
    row = _row(r, cast.post_a)
    assert row["gaps"] and row["people"] is None
    assert "shifts/new" not in r.content.decode()


def test_signing_in_opens_a_set_time_before_the_shift(cast, settings):
    settings.SHIFT_SIGN_IN_EARLY_MINUTES = 60
    now = timezone.now()
    later = services.create_shift(
        post=cast.post_a,
        starts_at=now + timedelta(hours=6),
        ends_at=now + timedelta(hours=14),
        users=[cast.guard_a],
    )
    with pytest.raises(ValidationError, match="60"):
        services.sign_in(assignment=later.assignments.get())
    soon = services.create_shift(
        post=cast.post_a,
        starts_at=now + timedelta(minutes=40),
        ends_at=now + timedelta(hours=8),
        users=[cast.guard_a],
    )
    assert services.sign_in(assignment=soon.assignments.get()).signed_in_at is not None


def test_the_next_shift_reads_the_handover_note_on_the_console(cast, client_for):
    now = timezone.now()
    shift = services.create_shift(
        post=cast.post_a,
        starts_at=now - timedelta(hours=8),
        ends_at=now - timedelta(minutes=5),
        users=[cast.guard_a],
    )
    a = shift.assignments.get()
    services.sign_in(assignment=a, at=now - timedelta(hours=8))
    services.sign_out(assignment=a, handover_note="3号楼有一户居家隔离，第5天")
    r = client_for(cast.guard_a).get(reverse("community:console", args=[cast.post_a.pk]))
    assert "3号楼有一户居家隔离" in r.content.decode()


def test_a_village_checkpoint_uses_the_console_in_a_villages_words(cast, client_for):
    village = registry.save_place(
        kind=PlaceKind.VILLAGE,
        name="柳树村",
        organization=cast.chamber_a,
        township=cast.township_east,
    )
    checkpoint = registry.save_place(
        kind=PlaceKind.POST, name="柳树村村口", organization=cast.chamber_a, parent=village
    )
    r = client_for(cast.staff_a).get(reverse("community:console", args=[checkpoint.pk]))
    text = r.content.decode()
    assert r.status_code == 200 and "村民" in text and "户号" in text
    assert "本小区居民" not in text
    # People and vehicles, recorded and paired as at a compound's gate.
    [result] = services.record_passages(
        post=checkpoint,
        items=[{"direction": "out", "subject": "vehicle", "plate": "京A12345"}],
        user=cast.staff_a,
    )
    assert result.status == "created"
