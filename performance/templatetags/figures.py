"""Formatting figures for people: hours, percentages, money, with "no data" spelled out."""

from decimal import Decimal

from django import template

from servicelead import numbers

register = template.Library()

NO_DATA = "No data"


@register.filter
def hours(value: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    value = Decimal(value)
    if value >= 48:
        return f"{numbers.number(value)} h ({numbers.number(value / 24, 1)} days)"
    return f"{numbers.number(value, 1)} h"


@register.filter
def percent(value: Decimal | None, places: int = 1) -> str:
    if value is None:
        return NO_DATA
    return numbers.percent(value, places)


@register.filter
def number(value, places: int = 0) -> str:
    if value is None:
        return NO_DATA
    return numbers.number(value, places)


@register.filter
def share_of(part: Decimal | None, whole: Decimal | None) -> str:
    """``part`` as a percentage of ``whole``; none of a whole that is not positive (a
    negative total, from recoveries, has no meaningful shares)."""
    if part is None or whole is None or whole <= 0:
        return NO_DATA
    return numbers.percent(numbers.exact(part) / numbers.exact(whole))
