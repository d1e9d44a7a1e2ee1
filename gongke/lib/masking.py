"""Masking of ID card and phone numbers wherever they are shown, logged or audited.

Free text (notes, reasons, comments) is masked when it is written: its model fields are
FreeTextField / FreeCharField, which mask on every assignment and every write (save, bulk
create and update, QuerySet.update), so forms, the API, importers, pages, exports and the audit
trail only ever see the masked text.
"""

import logging
import re
import unicodedata
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

# Digits as typed, half- or full-width (a Chinese input method often gives １３８…).
D = "[0-9\uff10-\uff19]"
SEP = "[ \\-\u3000]?"  # one space, dash or ideographic space between groups
EDGE_BEFORE = "(?<![0-9A-Za-z\uff10-\uff19])"
EDGE_AFTER = "(?![0-9A-Za-z\uff10-\uff19])"
# 18 digits (6 region, 8 birth date, 3 sequence, 1 check digit or X), optionally grouped 6-8-4.
ID18_RE = re.compile(
    f"{EDGE_BEFORE}({D}{{6}}){SEP}({D}{{8}}){SEP}({D}{{3}})({D}|[Xx\uff38\uff58]){EDGE_AFTER}"
)
# The first-generation 15-digit number (6 region, 6 birth date, 3 sequence), grouped 6-6-3.
ID15_RE = re.compile(f"{EDGE_BEFORE}({D}{{6}}){SEP}({D}{{6}}){SEP}({D}{{3}}){EDGE_AFTER}")
# Mainland mobile numbers, grouped 3-4-4 or not, with or without +86.
PHONE_RE = re.compile(
    f"(?<![0-9\uff10-\uff19])((?:[+\uff0b]?86{SEP})?)([1\uff11][3-9\uff13-\uff19]{D})"
    f"{SEP}({D}{{4}}){SEP}({D}{{4}})(?![0-9\uff10-\uff19])"
)
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def mask_id_number(value: str | None) -> str:
    """110101199003071234 -> 110***************: the first three digits (province and city)
    and nothing else.

    The rest is guessable from little: the county from the address, the birth date from the
    birth year (shown) in 366 tries, the sequence digits' parity from the gender (shown), the
    check digit computed. Showing the last four digits as well left tens of candidates to try
    against a match; with only three digits shown ~10^8 remain (1,000 county codes x 366 days
    x 500 sequence numbers), and matches are limited per user (census.reveals)."""
    if not value:
        return ""
    value = str(value).strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 3)


def remask_id_number(masked: str) -> str:
    """An older mask (first 3 and last 4 shown) as today's: the hash cannot be read back, but
    today's mask is a prefix of the old one."""
    if len(masked) > 8 and "*" in masked:
        return masked[:3] + "*" * (len(masked) - 3)
    return masked


def mask_phone(value: str | None) -> str:
    """13812345678 -> 138****5678."""
    if not value:
        return ""
    digits = str(value).strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _digits(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)


def _id_check_valid(first17: str, check: str) -> bool:
    total = sum(int(d) * w for d, w in zip(_digits(first17), ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == _digits(check).upper().replace("Ｘ", "X").replace("ｘ", "X")


def _mask_id18(m: re.Match) -> str:
    first17 = m.group(1) + m.group(2) + m.group(3)
    if m.group(4) in "XxＸｘ" or _id_check_valid(first17, m.group(4)):
        return mask_id_number(_digits(first17) + "X")
    return m.group(0)  # 18 digits that are not an ID number (an account, an order number)


def mask_text(text: str) -> str:
    """Masks every resident ID number (18 digits with a valid check digit or an X, or the old
    15 digits) and mainland mobile number (11 digits from 13-19, also written with spaces,
    dashes or +86) inside free text. Landlines and other numbers are left as they are.
    Masking twice changes nothing."""
    if not text:
        return text
    text = ID18_RE.sub(_mask_id18, text)
    text = ID15_RE.sub(
        lambda m: mask_id_number(_digits(m.group(1) + m.group(2) + m.group(3))), text
    )
    return PHONE_RE.sub(
        lambda m: m.group(1) + _digits(m.group(2)) + "****" + _digits(m.group(4)), text
    )


class _MaskedAttribute(DeferredAttribute):
    """Masks a free-text field's value the moment it is assigned (Model(note=...), obj.note =
    ..., loading from the database): the instance never holds the unmasked text, so the audit
    trail's diff, the API's answer and the page all show the masked one."""

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = (
            mask_text(value) if isinstance(value, str) else value
        )


class _MaskedFreeText:
    descriptor_class = _MaskedAttribute
    plain_path = ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        return mask_text(value) if isinstance(value, str) else value

    def deconstruct(self) -> Any:
        # Masking changes what is stored, not the column: migrations see the plain field.
        name, _path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        return name, self.plain_path, args, kwargs


class FreeTextField(_MaskedFreeText, models.TextField):
    """A TextField for what people type freely (notes, comments): ID and mobile numbers in it
    are masked on input."""

    plain_path = "django.db.models.TextField"


class FreeCharField(_MaskedFreeText, models.CharField):
    """A CharField for what people type freely (reasons, short notes): ID and mobile numbers in
    it are masked on input. The mask is never longer than what it replaces."""

    plain_path = "django.db.models.CharField"


def mask_value(value: str) -> str:
    """The audit trail's mask for fields it is told to mask."""
    value = str(value or "")
    if value in {"", "None"}:
        return value
    if len(value) >= 15:
        return mask_id_number(value)
    return mask_phone(value)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


# --- Data migrations: what was stored before masking on input ------------------------------

OLD_ID_MASK_RE = re.compile(
    r"(?<![0-9A-Za-z*])([0-9]{3})\*{8,11}([0-9]{3}[0-9Xx]|[0-9Xx]{4})(?![0-9A-Za-z*])"
)


def mask_stored_text(text: str) -> str:
    """mask_text, and ID masks of the older form (first 3 and last 4 shown) as today's."""
    text = mask_text(text)
    return OLD_ID_MASK_RE.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 3), text)


def mask_stored(
    model: Any, *, free_text: tuple[str, ...] = (), id_masks: tuple[str, ...] = ()
) -> None:
    """For a data migration (historical models have plain fields): mask ID and mobile numbers
    in free text written before it was masked on input, and re-mask stored ID masks."""
    nonempty = models.Q()
    for name in (*free_text, *id_masks):
        nonempty |= ~models.Q(**{name: ""})
    rows = model.objects.filter(nonempty).only("pk", *free_text, *id_masks)
    for obj in rows.iterator(chunk_size=1000):
        changed = {}
        for name in free_text:
            value = getattr(obj, name)
            if value and mask_stored_text(value) != value:
                changed[name] = mask_stored_text(value)
        for name in id_masks:
            value = getattr(obj, name)
            if value and remask_id_number(value) != value:
                changed[name] = remask_id_number(value)
        if changed:
            model.objects.filter(pk=obj.pk).update(**changed)


def _mask_json(value: Any) -> Any:
    if isinstance(value, str):
        return mask_stored_text(value)
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_json(v) for k, v in value.items()}
    return value


def mask_stored_audit(log_entry_model: Any) -> None:
    """For a data migration: the audit trail's copies of the same numbers (changes, their text,
    and the reason kept beside a reveal). Only entries holding a long run of digits or an older
    ID mask are read."""
    from django.db.models.functions import Cast

    suspicious = r"[0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}|[*]{8}"
    rows = (
        log_entry_model.objects.annotate(
            c=Cast("changes", models.TextField()), a=Cast("additional_data", models.TextField())
        )
        .filter(
            models.Q(c__regex=suspicious)
            | models.Q(a__regex=suspicious)
            | models.Q(changes_text__regex=suspicious)
        )
        .only("pk", "changes", "changes_text", "additional_data")
    )
    for entry in rows.iterator(chunk_size=1000):
        changes = _mask_json(entry.changes)
        text = mask_stored_text(entry.changes_text or "")
        extra = _mask_json(entry.additional_data)
        if (changes, text, extra) != (entry.changes, entry.changes_text, entry.additional_data):
            log_entry_model.objects.filter(pk=entry.pk).update(
                changes=changes, changes_text=text, additional_data=extra
            )
