"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100)."""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from .masking import mask_id_number


def clean_id_number(value: str) -> str:
    """Validated, compact resident ID number, or ValidationError in the user's language."""
    try:
        return ric.validate(value)
    except StdnumError:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid resident ID number (check the 18 digits and the last check digit)."
            ),
            code="invalid_id_number",
            params={"value": mask_id_number(str(value))},
        )


def hash_id_number(value: str) -> str:
    """A keyed hash: lets two records be matched on the number without storing it."""
    compact = ric.compact(value).upper()
    return hmac.new(settings.ID_HASH_KEY.encode(), compact.encode(), hashlib.sha256).hexdigest()


def clean_credit_code(value: str) -> str:
    try:
        return uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid unified social credit code (18 characters with a check character)."
            ),
            code="invalid_credit_code",
            params={"value": value},
        )


def validate_credit_code(value: str) -> None:
    """Model field validator: an empty value passes, anything else must check out."""
    if value:
        clean_credit_code(value)
