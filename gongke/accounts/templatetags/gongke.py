from django import template

from gongke.accounts import access
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
