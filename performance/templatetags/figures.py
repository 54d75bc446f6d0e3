"""Formatting figures for people: hours, percentages, money, with "no data" spelled out."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()

NO_DATA = "No data"


@register.filter
def hours(value: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    value = Decimal(value)
    if value >= 48:
        return f"{value:,.0f} h ({value / 24:,.1f} days)"
    return f"{value:,.1f} h"


@register.filter
def percent(value: Decimal | None, places: int = 1) -> str:
    if value is None:
        return NO_DATA
    return f"{Decimal(value) * 100:,.{places}f}%"


@register.filter
def number(value, places: int = 0) -> str:
    if value is None:
        return NO_DATA
    return intcomma(f"{Decimal(value):.{places}f}")


@register.filter
def share_of(part: Decimal | None, whole: Decimal | None) -> str:
    """``part`` as a percentage of ``whole``; none of a whole that is not positive (a
    negative total, from recoveries, has no meaningful shares)."""
    if part is None or whole is None or whole <= 0:
        return NO_DATA
    return f"{Decimal(part) / Decimal(whole) * 100:.0f}%"
