"""Writing, editing, signing off and publishing briefings: the pages and the API call these."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.accounts.access import require_write
from gongke.registry.models import Organization

from . import facts, render
from .access import WRITERS
from .models import Briefing, Status


def clean_period(start: Any, end: Any) -> tuple[dt.date, dt.date]:
    """The period asked for, or a ValidationError in the user's language (before any work)."""
    try:
        start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        end = end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end))
    except ValueError:
        raise ValidationError({"start": _("Enter the period as two dates.")})
    if end < start:
        raise ValidationError({"end": _("The period ends before it starts.")})
    if (end - start).days + 1 > facts.MAX_DAYS:
        raise ValidationError({"end": _("A briefing covers at most a year.")})
    if end > timezone.localdate():
        raise ValidationError({"end": _("A briefing cannot cover days still to come.")})
    return start, end


def default_title(org: Organization, end: dt.date) -> str:
    return f"{org.short_name or org.name}疫情防控工作简报（截至{render.date_zh(end, year=False)}）"


@transaction.atomic
def generate_briefing(
    *, user: Any, organization: Organization, start: Any, end: Any, title: str = ""
) -> Briefing:
    """A new draft written from the data of `organization`'s subtree over the period, numbered
    next in the organization's year."""
    require_write(user, organization, roles=WRITERS)
    start, end = clean_period(start, end)
    snapshot = facts.collect(organization, start, end)
    year = timezone.localdate().year
    # Lock the organization's row so two drafts made at once do not take the same number.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    last = Briefing.objects.filter(organization=organization, year=year).aggregate(n=Max("number"))[
        "n"
    ]
    return Briefing.objects.create(
        organization=organization,
        start=start,
        end=end,
        year=year,
        number=(last or 0) + 1,
        title=(title or "").strip()[:200] or default_title(organization, end),
        body=render.text(snapshot, render.ZH),
        facts=snapshot,
        author=user,
    )


@transaction.atomic
def edit_briefing(
    *, user: Any, briefing: Briefing, title: str, body: str, body_en: str | None = None
) -> Briefing:
    """A draft changes in place; a signed one goes back to draft (its sign-off was for the old
    text); a published one stays as it is and the edit becomes its next version, a draft."""
    b = Briefing.objects.select_for_update().get(pk=briefing.pk)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationError({"body": _("A briefing needs a title and a text.")})
    if b.status == Status.PUBLISHED:
        if hasattr(b, "next_version"):
            raise ValidationError(_("A newer version of this briefing exists: edit that one."))
        b = Briefing.objects.create(
            organization=b.organization,
            start=b.start,
            end=b.end,
            year=b.year,
            number=b.number,
            version=b.version + 1,
            previous=b,
            title=title,
            body=body,
            body_en=b.body_en if body_en is None else body_en.strip(),
            facts=b.facts,
            author=user,
        )
        return b
    b.title, b.body, b.author = title, body, user
    if body_en is not None:
        b.body_en = body_en.strip()
    b.status, b.signed_by, b.signed_at = Status.DRAFT, None, None
    b.save()
    return b


@transaction.atomic
def sign_briefing(*, user: Any, briefing: Briefing) -> Briefing:
    """An admin of the organization signs off a draft someone else wrote."""
    b = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if b.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be signed off."))
    if b.author_id == user.pk:
        raise PermissionDenied(_("A second person must sign off what you wrote."))
    b.status, b.signed_by, b.signed_at = Status.SIGNED, user, timezone.now()
    b.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
    return b


@transaction.atomic
def publish_briefing(*, user: Any, briefing: Briefing) -> Briefing:
    """A signed-off briefing goes out; from now on it never changes."""
    b = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if b.status != Status.SIGNED:
        raise ValidationError(_("Only a briefing signed off can be published."))
    b.status, b.published_at = Status.PUBLISHED, timezone.now()
    b.save(update_fields=["status", "published_at", "updated_at"])
    return b
