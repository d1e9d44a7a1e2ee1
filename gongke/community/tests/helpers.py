"""Small builders shared by the community tests (census records are made directly)."""

import uuid
from datetime import timedelta

from django.utils import timezone

from gongke.census.models import Household, Resident
from gongke.community import services
from gongke.lib.chinese import search_key

VALID_ID = "11010519491231002X"
OTHER_ID = "110101199003071233"


def resident(place, name="张三", room="301", building="3", phone="13912345678", id_number_hash=""):
    household, _ = Household.objects.get_or_create(
        place=place, building=building, unit="1", room=room
    )
    return Resident.objects.create(
        household=household,
        name=name,
        phone=phone,
        id_number_hash=id_number_hash,
        search_text=search_key(name),
    )


def item(**fields):
    data = {
        "client_id": str(uuid.uuid4()),
        "direction": "in",
        "subject": "outsider",
        "name": "李四",
        "temperature": "36.5",
    }
    data.update(fields)
    if (
        data.get("direction") == "in"
        and data.get("decision", "pass") == "pass"
        and float(data.get("temperature") or 0) >= 37.3
    ):
        # A fever passes only with a reason (build_passage); tests of that rule pass reason="".
        data.setdefault("reason", "复测正常，放行")
    return data


def passage(post, user=None, **fields):
    return services.record_passage(post=post, user=user, **item(**fields))


def ago(**kw):
    return timezone.now() - timedelta(**kw)
