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


@register.filter
def wan(value) -> str:
    """Large sums as briefings speak them: 210032870.00 -> 21,003.29万; small ones in full."""
    if value in (None, ""):
        return ""
    from django.utils.translation import get_language

    amount = Decimal(value)
    if abs(amount) < 100000:
        return f"{amount:,.2f}"
    if (get_language() or "").startswith("en"):
        return f"{amount / 1000000:,.2f} M"
    return f"{amount / 10000:,.2f}万" if get_language() != "zh-hant" else f"{amount / 10000:,.2f}萬"
