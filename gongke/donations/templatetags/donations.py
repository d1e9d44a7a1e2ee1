from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """12345.6 -> 12,345.60: yuan as finance staff write them, whatever the locale's grouping."""
    if value in (None, ""):
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def qty(value) -> str:
    """2000.00 -> 2000; 2.50 -> 2.5."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def whole(value) -> str:
    """100000 -> 100,000."""
    if value in (None, ""):
        return ""
    return f"{Decimal(value):,.0f}"
