"""/api/v1/census: the door-to-door census for the phone app — households, residents (merged,
never duplicated), returns, home isolations with daily checks, visits, the daily figures.

Every creating endpoint takes Idempotency-Key; besides, registering the same room, person,
return or day's check twice lands on the record already there (200 instead of 201).
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gongke.census import access, services
from gongke.census.access import AREA, HOUSEHOLD, RESIDENT, fetch, visible
from gongke.census.models import DailyCheck, Household, Isolation, Resident, ReturnRecord, Visit
from gongke.census.stats import daily_counts
from gongke.census.views import running_isolations
from gongke.registry.models import Place

from .idempotency import once
from .pagination import Pages
from .schemas import In

router = Router()


def _key(request: HttpRequest) -> str | None:
    return request.headers.get("Idempotency-Key")


class HouseholdOut(Schema):
    id: int
    place_id: int
    building: str
    unit: str
    room: str
    note: str


class HouseholdIn(In):
    model = Household

    place_id: int
    room: str
    building: str = ""
    unit: str = ""
    note: str = ""


class HouseholdPatch(In):
    model = Household
    patch = True

    building: str | None = None
    unit: str | None = None
    room: str | None = None
    note: str | None = None


class InUseOut(Schema):
    detail: str
    attached: dict[str, int]


class ResidentOut(Schema):
    id: int
    household_id: int
    name: str
    phone: str = Field(..., alias="masked_phone")
    id_number: str = Field(..., alias="id_number_masked")
    gender: str
    birth_year: int | None
    relation: str
    moved_out_on: date | None
    note: str


class ResidentIn(In):
    model = Resident

    household_id: int
    name: str
    phone: str = ""
    id_number: str = ""
    gender: str = ""
    birth_year: int | None = None
    relation: str = ""
    note: str = ""


class ResidentPatch(In):
    model = Resident
    patch = True

    name: str | None = None
    phone: str | None = None
    id_number: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    relation: str | None = None
    moved_out_on: date | None = None
    note: str | None = None


class ResidentRevealIn(In):
    reason: str


class ResidentRevealOut(Schema):
    id_number: str
    stored: bool = False


class MergeIn(In):
    duplicate_id: int


class ReturnOut(Schema):
    id: int
    resident_id: int
    from_place: str
    returned_on: date
    transport: str
    note: str


class ReturnIn(In):
    model = ReturnRecord

    from_place: str
    returned_on: date
    transport: str = ""
    note: str = ""
    start_isolation: bool = False


class IsolationOut(Schema):
    id: int
    resident_id: int
    start: date
    days: int
    end_day: date
    reason: str
    note: str
    ended_at: datetime | None
    end_note: str


class IsolationIn(In):
    model = Isolation

    start: date | None = None
    days: int = 14
    reason: str = "returned"
    note: str = ""


class TodayOut(IsolationOut):
    resident_name: str = Field(..., alias="resident.name")
    place: str = Field(..., alias="resident.household.place.name")
    household: str
    checked_today: bool = Field(..., alias="checked")

    @staticmethod
    def resolve_household(obj: Isolation) -> str:
        return str(obj.resident.household)


class DailyCheckOut(Schema):
    id: int
    isolation_id: int
    day: date
    temperature: Decimal
    symptoms: str
    is_fever: bool


class DailyCheckIn(In):
    model = DailyCheck

    temperature: str
    day: date | None = None
    symptoms: str = ""


class EndIn(In):
    note: str = ""
    on: date | None = None


class VisitOut(Schema):
    id: int
    household_id: int
    visited_at: datetime
    outcome: str
    note: str


class VisitIn(In):
    model = Visit

    outcome: str = "met"
    note: str = ""
    visited_at: datetime | None = None


class CountsOut(Schema):
    day: date
    households: int
    residents: int
    households_visited: int
    returned: int
    in_isolation: int
    isolations_ending: int


@router.get("/households", response=list[HouseholdOut])
@paginate(Pages, page_size=100)
def list_households(
    request: HttpRequest,
    place_id: int | None = None,
    building: str | None = None,
    unit: str | None = None,
    room: str | None = None,
):
    qs = visible(request.user, Household.objects.all(), field=HOUSEHOLD)
    if place_id:
        qs = qs.filter(place_id=place_id)
    for name, value in (("building", building), ("unit", unit), ("room", room)):
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs.order_by("place_id", "building", "unit", "room", "pk")


@router.get("/households/{household_id}", response=HouseholdOut)
def get_household(request: HttpRequest, household_id: int):
    return access.get_household(request.user, household_id)


@router.post("/households", response={200: HouseholdOut, 201: HouseholdOut})
def create_household(request: HttpRequest, payload: HouseholdIn):
    place = access.get_area(request.user, payload.place_id, write=True)

    def create():
        household, created = services.save_household(
            place=place, **payload.dict(exclude={"place_id"})
        )
        return (201 if created else 200), HouseholdOut.from_orm(household)

    return once(request, _key(request), "census.household.create", create)


@router.patch("/households/{household_id}", response=HouseholdOut)
def update_household(request: HttpRequest, household_id: int, payload: HouseholdPatch):
    """Corrects the building, unit, room or note (only the fields sent). A room already
    registered in the compound answers 422 with the error on `room`."""
    household = access.get_household(request.user, household_id, write=True)
    return services.update_household(household=household, **payload.dict(exclude_unset=True))


@router.delete("/households/{household_id}", response={204: None, 409: InUseOut})
def delete_household(request: HttpRequest, household_id: int):
    """Deletes a household registered by mistake. While residents (with their returns and
    isolations) or visits are attached, it is kept: 409 with what is attached, by kind."""
    household = access.get_household(request.user, household_id, write=True)
    try:
        services.delete_household(household=household)
    except services.HouseholdInUse as exc:
        return JsonResponse({"detail": exc.message, "attached": exc.attached}, status=409)
    return HttpResponse(status=204)


@router.get("/residents", response=list[ResidentOut])
@paginate(Pages, page_size=100)
def list_residents(
    request: HttpRequest,
    q: str | None = None,
    household_id: int | None = None,
    place_id: int | None = None,
    room: str | None = None,
):
    qs = visible(request.user, Resident.objects.all(), field=RESIDENT).search(q)
    if household_id:
        qs = qs.filter(household_id=household_id)
    if place_id:
        qs = qs.filter(household__place_id=place_id)
    if room:
        qs = qs.filter(household__room=room)
    return qs.order_by("household_id", "name", "pk")


@router.get("/residents/{resident_id}", response=ResidentOut)
def get_resident(request: HttpRequest, resident_id: int):
    return access.get_resident(request.user, resident_id)


@router.post("/residents", response={200: ResidentOut, 201: ResidentOut})
def create_resident(request: HttpRequest, payload: ResidentIn):
    """Registers a resident; one already registered (same ID number, or same name and phone in
    the household) is updated and returned with 200 instead of being duplicated."""
    household = access.get_household(request.user, payload.household_id, write=True)

    def create():
        resident, created = services.register_resident(
            user=request.user, household=household, **payload.dict(exclude={"household_id"})
        )
        return (201 if created else 200), ResidentOut.from_orm(resident)

    return once(request, _key(request), "census.resident.create", create)


@router.patch("/residents/{resident_id}", response=ResidentOut)
def update_resident(request: HttpRequest, resident_id: int, payload: ResidentPatch):
    resident = access.get_resident(request.user, resident_id, write=True)
    return services.update_resident(resident=resident, **payload.dict(exclude_unset=True))


@router.post("/residents/{resident_id}/reveal", response=ResidentRevealOut)
def reveal_id_number(request: HttpRequest, resident_id: int, payload: ResidentRevealIn):
    """Asks for a resident's ID number, with a reason, into the audit trail. The number is never
    stored, so the answer is the masked form (`stored` false): read the full one off the card."""
    resident = access.get_resident(request.user, resident_id, write=True)
    return {
        "id_number": services.reveal_id_number(
            user=request.user, resident=resident, reason=payload.reason
        )
    }


@router.post("/residents/{resident_id}/merge", response=ResidentOut)
def merge_resident(request: HttpRequest, resident_id: int, payload: MergeIn):
    survivor = access.get_resident(request.user, resident_id, write=True)
    duplicate = access.get_resident(request.user, payload.duplicate_id, write=True)
    return services.merge_residents(user=request.user, survivor=survivor, duplicate=duplicate)


@router.get("/residents/{resident_id}/returns", response=list[ReturnOut])
def list_returns(request: HttpRequest, resident_id: int):
    return ReturnRecord.objects.filter(resident=access.get_resident(request.user, resident_id))


@router.post("/residents/{resident_id}/returns", response={200: ReturnOut, 201: ReturnOut})
def create_return(request: HttpRequest, resident_id: int, payload: ReturnIn):
    resident = access.get_resident(request.user, resident_id, write=True)

    def create():
        record, created = services.record_return(
            user=request.user, resident=resident, **payload.dict(exclude={"start_isolation"})
        )
        if payload.start_isolation:
            services.start_isolation(user=request.user, resident=resident, start=record.returned_on)
        return (201 if created else 200), ReturnOut.from_orm(record)

    return once(request, _key(request), "census.return.create", create)


@router.get("/isolations", response=list[TodayOut])
@paginate(Pages, page_size=100)
def list_isolations(
    request: HttpRequest,
    day: date | None = None,
    place_id: int | None = None,
    missing: bool | None = None,
):
    """Isolations running on `day` (today by default), with whether that day's check is in."""
    qs = running_isolations(request.user, day or timezone.localdate())
    if place_id:
        qs = qs.filter(resident__household__place_id=place_id)
    if missing is not None:
        qs = qs.filter(checked=not missing)
    return qs


@router.post("/residents/{resident_id}/isolations", response={200: IsolationOut, 201: IsolationOut})
def create_isolation(request: HttpRequest, resident_id: int, payload: IsolationIn):
    resident = access.get_resident(request.user, resident_id, write=True)

    def create():
        data = payload.dict()
        data["start"] = data["start"] or timezone.localdate()
        iso, created = services.start_isolation(user=request.user, resident=resident, **data)
        return (201 if created else 200), IsolationOut.from_orm(iso)

    return once(request, _key(request), "census.isolation.create", create)


@router.get("/isolations/{isolation_id}/checks", response=list[DailyCheckOut])
def list_checks(request: HttpRequest, isolation_id: int):
    return access.get_isolation(request.user, isolation_id).checks.all()


@router.post("/isolations/{isolation_id}/checks", response={200: DailyCheckOut, 201: DailyCheckOut})
def create_check(request: HttpRequest, isolation_id: int, payload: DailyCheckIn):
    """The day's check; a second one for the same day corrects the first (200)."""
    iso = access.get_isolation(request.user, isolation_id, write=True)

    def create():
        check, created = services.record_check(user=request.user, isolation=iso, **payload.dict())
        return (201 if created else 200), DailyCheckOut.from_orm(check)

    return once(request, _key(request), "census.check.create", create)


@router.post("/isolations/{isolation_id}/end", response=IsolationOut)
def end_isolation(request: HttpRequest, isolation_id: int, payload: EndIn):
    iso = access.get_isolation(request.user, isolation_id, write=True)
    return services.end_isolation(user=request.user, isolation=iso, **payload.dict())


@router.post("/households/{household_id}/visits", response={201: VisitOut})
def create_visit(request: HttpRequest, household_id: int, payload: VisitIn):
    household = access.get_household(request.user, household_id, write=True)

    def create():
        data = payload.dict()
        if data["visited_at"] is not None and timezone.is_naive(data["visited_at"]):
            data["visited_at"] = timezone.make_aware(
                data["visited_at"]
            )  # the phone's local (Shanghai) time
        visit = services.record_visit(user=request.user, household=household, **data)
        return 201, VisitOut.from_orm(visit)

    return once(request, _key(request), "census.visit.create", create)


@router.get("/households/{household_id}/visits", response=list[VisitOut])
def list_visits(request: HttpRequest, household_id: int):
    return Visit.objects.filter(household=access.get_household(request.user, household_id))[:100]


@router.get("/daily-counts", response=CountsOut)
def get_daily_counts(request: HttpRequest, day: date | None = None, place_id: int | None = None):
    """The day's figures for one compound/village or all those the user sees."""
    day = day or timezone.localdate()
    places = visible(request.user, Place.objects.areas(), field=AREA)
    if place_id:
        places = places.filter(
            pk=fetch(request.user, Place.objects.areas(), field=AREA, pk=place_id).pk
        )
    return {"day": day, **daily_counts(places=places, day=day)}
