"""Switching an organization's open data on or off (the settings page calls it)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongke.accounts.access import require_admin
from gongke.registry.models import Organization

from .models import PUBLISHERS, Publication


def set_publication(
    *, user: Any, organization: Organization, is_open: bool, county_code: str = ""
) -> Publication:
    """Only an organization admin over a federation, association or chamber (or a platform admin)
    may; 404 for an organization the user does not reach, 403 for another role."""
    require_admin(user, organization)
    if organization.kind not in PUBLISHERS:
        raise ValidationError(
            _("Only a federation, an association or a chamber publishes open data.")
        )
    county_code = county_code.strip()
    if county_code and not (county_code.isdigit() and len(county_code) == 6):
        raise ValidationError({"county_code": [_("Six digits, e.g. 360803.")]})
    with transaction.atomic():
        pub, _created = Publication.objects.select_for_update().get_or_create(
            organization=organization
        )
        pub.is_open = is_open
        pub.county_code = county_code
        pub.changed_by = user
        pub.save()
    return pub
