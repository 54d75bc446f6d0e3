"""Formatting figures for people: hours, percentages, money, with "no data" spelled out."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from performance.figures.dashboard import half_up

register = template.Library()

NO_DATA = "No data"


@register.filter
def hours(value: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    value = Decimal(value)
    if value >= 48:
        return f"{half_up(value, 0):,} h ({half_up(value / 24, 1):,} days)"
    return f"{half_up(value, 1):,} h"


@register.filter
def percent(value: Decimal | None, places: int = 1) -> str:
    if value is None:
        return NO_DATA
    return f"{half_up(Decimal(value) * 100, places):,}%"


@register.filter
def number(value, places: int = 0) -> str:
    if value is None:
        return NO_DATA
    return intcomma(str(half_up(value, places)))


@register.filter
def share_of(part: Decimal | None, whole: Decimal | None) -> str:
    """``part`` as a percentage of ``whole``; none of a whole that is not positive (a
    negative total, from recoveries, has no meaningful shares)."""
    if part is None or whole is None or whole <= 0:
        return NO_DATA
    return f"{Decimal(part) / Decimal(whole) * 100:.0f}%"
