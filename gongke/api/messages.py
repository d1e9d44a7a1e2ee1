"""pydantic's validation errors in the caller's language, chosen by the error's `type` (never by
its English text, which changes between pydantic versions). Where Django already says the same
thing, its message is used word for word, so Django's own catalogs translate it."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _max_length(ctx: dict[str, Any], value: Any) -> str:
    limit = int(ctx.get("max_length", 0))
    shown = len(value) if isinstance(value, str | list | dict) else 0
    return ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        limit,
    ) % {"limit_value": limit, "show_value": shown}


def _min_length(ctx: dict[str, Any], value: Any) -> str:
    limit = int(ctx.get("min_length", 0))
    shown = len(value) if isinstance(value, str | list | dict) else 0
    return ngettext(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        limit,
    ) % {"limit_value": limit, "show_value": shown}


def _number() -> str:
    return _("Enter a number.")


def _whole() -> str:
    return _("Enter a whole number.")


def _date() -> str:
    return _("Enter a valid date.")


def _datetime() -> str:
    return _("Enter a valid date/time.")


MESSAGES: dict[str, Any] = {
    "missing": lambda ctx, v: _("This field is required."),
    "string_too_long": _max_length,
    "too_long": _max_length,
    "string_too_short": _min_length,
    "too_short": _min_length,
    "none_forbidden": lambda ctx, v: _("This field cannot be null."),
    "string_type": lambda ctx, v: _("Enter text."),
    "string_nul": lambda ctx, v: _("Null characters are not allowed."),
    "int_type": lambda ctx, v: _whole(),
    "int_parsing": lambda ctx, v: _whole(),
    "int_parsing_size": lambda ctx, v: _whole(),
    "int_from_float": lambda ctx, v: _whole(),
    "float_type": lambda ctx, v: _number(),
    "float_parsing": lambda ctx, v: _number(),
    "decimal_type": lambda ctx, v: _number(),
    "decimal_parsing": lambda ctx, v: _number(),
    "finite_number": lambda ctx, v: _number(),
    "decimal_max_digits": lambda ctx, v: (
        ngettext(
            "Ensure that there are no more than %(max)s digit in total.",
            "Ensure that there are no more than %(max)s digits in total.",
            int(ctx.get("max_digits", 0)),
        )
        % {"max": ctx.get("max_digits")}
    ),
    "decimal_max_places": lambda ctx, v: (
        ngettext(
            "Ensure that there are no more than %(max)s decimal place.",
            "Ensure that there are no more than %(max)s decimal places.",
            int(ctx.get("decimal_places", 0)),
        )
        % {"max": ctx.get("decimal_places")}
    ),
    "greater_than_equal": lambda ctx, v: (
        _("Ensure this value is greater than or equal to %(limit_value)s.")
        % {"limit_value": ctx.get("ge")}
    ),
    "less_than_equal": lambda ctx, v: (
        _("Ensure this value is less than or equal to %(limit_value)s.")
        % {"limit_value": ctx.get("le")}
    ),
    "greater_than": lambda ctx, v: (
        _("Ensure this value is greater than %(limit_value)s.") % {"limit_value": ctx.get("gt")}
    ),
    "less_than": lambda ctx, v: (
        _("Ensure this value is less than %(limit_value)s.") % {"limit_value": ctx.get("lt")}
    ),
    "bool_type": lambda ctx, v: _("Enter true or false."),
    "bool_parsing": lambda ctx, v: _("Enter true or false."),
    "date_type": lambda ctx, v: _date(),
    "date_parsing": lambda ctx, v: _date(),
    "date_from_datetime_parsing": lambda ctx, v: _date(),
    "date_from_datetime_inexact": lambda ctx, v: _date(),
    "datetime_type": lambda ctx, v: _datetime(),
    "datetime_parsing": lambda ctx, v: _datetime(),
    "datetime_from_date_parsing": lambda ctx, v: _datetime(),
    "datetime_object_invalid": lambda ctx, v: _datetime(),
    "time_type": lambda ctx, v: _("Enter a valid time."),
    "time_parsing": lambda ctx, v: _("Enter a valid time."),
    "time_aware": lambda ctx, v: _("Enter a time of day without a time zone."),
    "list_type": lambda ctx, v: _("Enter a list of values."),
    "dict_type": lambda ctx, v: _("Enter an object."),
    "model_type": lambda ctx, v: _("Enter an object."),
    "model_attributes_type": lambda ctx, v: _("Enter an object."),
    "literal_error": lambda ctx, v: (
        _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")}
    ),
    "enum": lambda ctx, v: (
        _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")}
    ),
    "json_invalid": lambda ctx, v: _("The body is not valid JSON."),
    "json_type": lambda ctx, v: _("The body is not valid JSON."),
    "extra_forbidden": lambda ctx, v: _("This field is not allowed."),
    "url_parsing": lambda ctx, v: _("Enter a valid URL."),
    "url_type": lambda ctx, v: _("Enter a valid URL."),
    "uuid_parsing": lambda ctx, v: _("Enter a valid UUID."),
    "uuid_type": lambda ctx, v: _("Enter a valid UUID."),
}


def pydantic_message(error: dict[str, Any]) -> str:
    """One pydantic error (an item of ValidationError.errors()) as a sentence for the caller."""
    if error.get("type") == "value_error" and (error.get("ctx") or {}).get("error"):
        return str(error["ctx"]["error"])  # raised by our own validator, already translated
    make = MESSAGES.get(str(error.get("type", "")))
    if make is None:
        # A message of our own raised in a validator (already translated) or a rare type.
        return str(error.get("msg", "")) or _("Enter a valid value.")
    return make(error.get("ctx") or {}, error.get("input"))
