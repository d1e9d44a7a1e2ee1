"""Text lengths checked before a write: SQLite stores any length, PostgreSQL refuses what is
over a column's max_length. Bulk writes (bulk_create skips full_clean) check with this first, so
both databases take and refuse the same rows."""

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


@cache
def _limits(model: type[models.Model]) -> tuple[tuple[str, int], ...]:
    return tuple(
        (f.attname, f.max_length)
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and f.max_length
    )


def too_long(limit: int) -> str:
    return _("At most %(limit)d characters.") % {"limit": limit}


def check_lengths(model: type[models.Model], values: Mapping[str, Any]) -> None:
    """ValidationError {field: [message]} for every text value longer than its field's max_length."""
    over = [(name, limit) for name, limit in _limits(model) if len(values.get(name) or "") > limit]
    if over:
        raise ValidationError({name: [too_long(limit)] for name, limit in over})
