"""One storage path: a sequence of passages recorded one at a time (the guard's console) and as
one batch (a phone's offline sync) leaves the same passages, outings and alerts, and answers
each item the same way; and every statement is one Django's query counting sees."""

import uuid
from datetime import timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongke.community import services
from gongke.community.models import Alert, Outing, Passage

from .helpers import item, resident

CLIENT_IDS = [str(uuid.UUID(int=n + 1)) for n in range(12)]


@st.composite
def passages(draw):
    """A few passages already recorded, then 1 to 8 more (to record one at a time or as a
    batch), in time order as a guard records them, of a few subjects; some with a client id
    used before, a fever, a refusal or a mistake."""
    base = timezone.now() - timedelta(days=2)
    minutes = 0
    sequence = []
    before = draw(st.integers(0, 5))
    for _ in range(before + draw(st.integers(1, 8))):
        minutes += draw(st.sampled_from([0, 1, 5, 30]))
        who = draw(st.sampled_from(["r0", "r0", "r1", "甲", "甲", "乙", "vehicle"]))
        fields = {
            "client_id": draw(st.sampled_from(CLIENT_IDS)),
            "direction": draw(st.sampled_from(["in", "out"])),
            "occurred_at": (base + timedelta(minutes=minutes)).isoformat(),
            "temperature": draw(st.sampled_from([None, "36.5", "36.5", "38.2", "99"])),
        }
        if draw(st.integers(0, 5)) == 0:
            fields |= {"decision": "refuse", "reason": draw(st.sampled_from(["", "无码"]))}
        if who == "vehicle":
            fields |= {"subject": "vehicle", "plate": "赣A12345", "name": ""}
        elif who.startswith("r"):
            fields |= {"subject": "resident", "resident_id": who, "name": ""}
        else:
            fields |= {"subject": "outsider", "name": who}
        sequence.append(fields)
    return sequence, before


def _state():
    passages = sorted(
        Passage.objects.values_list(
            "client_id", "post_id", "direction", "subject", "decision", "reason", "resident_id",
            "name", "plate", "subject_key", "temperature", "occurred_at", "source",
        )
    )  # fmt: skip
    outings = sorted(
        Outing.objects.values_list(
            "place_id", "subject_key", "subject", "label", "resident_id", "left_at", "returned_at"
        ),
        key=str,
    )
    alerts = sorted(
        Alert.objects.values_list(
            "passage__client_id", "post_id", "label", "temperature", "occurred_at", "notified_at"
        )
    )
    return passages, outings, alerts


class Rollback(Exception):
    pass


def _record(post, user, items, split, *, batch):
    """Records items[:split] one at a time, then the rest one at a time or as one batch;
    answers what each item was answered and what is stored, and leaves nothing behind."""
    answers = []
    try:
        with transaction.atomic():
            for data in items[:split]:
                answers += services.record_passages(post=post, items=[dict(data)], user=user)
            rest = [dict(data) for data in items[split:]]
            if batch:
                answers += (
                    services.record_passages(post=post, items=rest, user=user) if rest else []
                )
            else:
                for data in rest:
                    answers += services.record_passages(post=post, items=[data], user=user)
            state = _state()
            raise Rollback
    except Rollback:
        pass
    return [(a.client_id, a.status, a.errors) for a in answers], state


@settings(
    max_examples=120,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=passages())
def test_it_records_a_sequence_one_at_a_time_as_in_one_batch(cast, sequence):
    drawn, split = sequence
    residents = [resident(cast.compound_a, name=f"居民{n}", room=f"10{n}").pk for n in range(2)]
    items = [
        data | {"resident_id": residents[int(data["resident_id"][1])]}
        if "resident_id" in data
        else data
        for data in drawn
    ]
    one_by_one = _record(cast.post_a, cast.guard_a, items, split, batch=False)
    in_a_batch = _record(cast.post_a, cast.guard_a, items, split, batch=True)
    assert one_by_one == in_a_batch


def test_a_passage_is_stored_in_statements_the_query_counter_sees(cast):
    fresh = item(direction="out", temperature="38.5")
    with CaptureQueriesContext(connection) as queries:
        [result] = services.record_passages(post=cast.post_a, items=[fresh], user=cast.guard_a)
    assert result.status == "created"
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "community_passage" in sql and "community_outing" in sql and "community_alert" in sql


def test_a_batch_takes_the_same_few_statements_whatever_its_size(cast):
    def count(n):
        batch = [item(name=f"访客{i}", direction="out") for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            services.record_passages(post=cast.post_a, items=batch, user=cast.guard_a)
        return len(queries.captured_queries)

    # (Up to a size the ORM splits on SQLite, which binds at most 999 values per statement.)
    assert count(3) == count(100)
