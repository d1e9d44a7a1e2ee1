import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from gongke.accounts import access
from gongke.accounts.lists import change_rows
from gongke.lib.chinese import in_reader_script
from gongke.lib.masking import mask_id_number, mask_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagers and sort links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def may(context, area, org=None):
    """{% may "registry" org as can_edit %}: whether to offer a write button (access.may)."""
    return access.may(context.get("user"), area, org)


@register.filter
def phone(value):
    return mask_phone(value)


@register.filter
def id_number(value):
    return mask_id_number(value)


@register.filter
def script(value):
    """{{ org.name|script }}: a name in the reader's script (中文 繁體 readers see 京博集團)."""
    return in_reader_script(value if value is None else str(value))


@register.filter
def celsius(value):
    """37.8 -> "37.8 ℃": the one way every page writes a temperature (one decimal, ℃)."""
    if value in (None, ""):
        return ""
    return f"{Decimal(str(value)):.1f} ℃"


@register.filter
def when(value):
    """A date or time, with its year only when it is not this year's: 03-01 14:05, 2025-12-30."""
    if not value:
        return ""
    today = timezone.localdate()
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%m-%d %H:%M" if value.year == today.year else "%Y-%m-%d %H:%M")
    return value.strftime("%m-%d" if value.year == today.year else "%Y-%m-%d")


@register.filter
def changes(entry):
    """{% for field, before, after in e|changes %}: the audit entry's changes (accounts.lists)."""
    return change_rows(entry)
