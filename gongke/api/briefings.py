"""/api/v1/briefings: write a briefing from the data, edit, sign off, publish and download it —
the same services and access path as the pages (gongke.briefings)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.pagination import paginate

from gongke.briefings import formats, render, services
from gongke.briefings.access import briefings_for, get_briefing
from gongke.briefings.models import Briefing, Status
from gongke.registry.access import get_organization

from .idempotency import once
from .pagination import Pages
from .schemas import In

router = Router()


class BriefingIn(In):
    model = Briefing

    organization_id: int
    start: dt.date
    end: dt.date
    title: str = ""


class EditIn(In):
    model = Briefing

    title: str
    body: str
    body_en: str | None = None


class BriefingOut(Schema):
    id: int
    organization_id: int
    doc_number: str
    year: int
    number: int
    version: int
    previous_id: int | None
    start: dt.date
    end: dt.date
    title: str
    body: str
    body_hant: str
    body_en: str
    status: str
    author_id: int | None
    signed_by_id: int | None
    signed_at: dt.datetime | None
    published_at: dt.datetime | None
    facts: dict[str, Any]

    @staticmethod
    def resolve_body_hant(b: Briefing) -> str:
        return b.version_in(render.HANT)[1]

    @staticmethod
    def resolve_body_en(b: Briefing) -> str:
        return b.version_in(render.EN)[1]


@router.get("", response=list[BriefingOut])
@paginate(Pages, page_size=50)
def list_briefings(request: HttpRequest, status: str | None = None):
    qs = briefings_for(request.user)
    if status in Status.values:
        qs = qs.filter(status=status)
    return qs


@router.post("", response={201: BriefingOut})
def create_briefing(request: HttpRequest, payload: BriefingIn):
    """Write a draft from the data of the organization's subtree over the period."""
    org = get_organization(request.user, payload.organization_id)

    def create():
        b = services.generate_briefing(
            user=request.user, organization=org, start=payload.start, end=payload.end,
            title=payload.title,
        )  # fmt: skip
        return 201, BriefingOut.from_orm(b)

    return once(request, request.headers.get("Idempotency-Key"), "briefings.create", create)


@router.get("/{briefing_id}", response=BriefingOut)
def get_one(request: HttpRequest, briefing_id: int):
    return get_briefing(request.user, briefing_id)


@router.put("/{briefing_id}", response=BriefingOut)
def edit(request: HttpRequest, briefing_id: int, payload: EditIn):
    """A draft changes in place, a signed one goes back to draft, a published one gets a new
    version (answered here; the published one stays as it was)."""
    b = get_briefing(request.user, briefing_id, write=True)
    return services.edit_briefing(user=request.user, briefing=b, **payload.dict())


@router.post("/{briefing_id}/sign", response=BriefingOut)
def sign(request: HttpRequest, briefing_id: int):
    b = get_briefing(request.user, briefing_id, sign=True)
    return services.sign_briefing(user=request.user, briefing=b)


@router.post("/{briefing_id}/publish", response=BriefingOut)
def publish(request: HttpRequest, briefing_id: int):
    b = get_briefing(request.user, briefing_id, write=True)
    return services.publish_briefing(user=request.user, briefing=b)


@router.get("/{briefing_id}/{fmt}", response={200: None})
def download(
    request: HttpRequest, briefing_id: int, fmt: str, lang: str = render.ZH
) -> HttpResponse:
    """The briefing as pdf, docx or html (for a WeChat article), in zh-hans, zh-hant or en."""
    return formats.response(get_briefing(request.user, briefing_id), fmt, lang)
