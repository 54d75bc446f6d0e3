"""The calendar's rules: the week a team logs (Monday to Sunday), and the last week that is
over."""

from calendar import monthrange
from datetime import date, timedelta

from django.utils import timezone


def last_complete_week() -> date:
    """The Monday of the last week that is over: the week a team logs."""
    return last_week_before(timezone.localdate())


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week containing ``day``."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def last_week_before(day: date) -> date:
    """The Monday of the last week over by ``day``."""
    return week_of(day)[0] - timedelta(days=7)


FINANCIAL_YEAR_STARTS = 4  # April


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` months after ``day``'s (before, when negative)."""
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def months_after(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier, when negative); the month's
    last day where that month is shorter: 30 November plus three months is 28 or 29 February."""
    first = add_months(day, months)
    return first.replace(day=min(day.day, monthrange(first.year, first.month)[1]))


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier: ``months_before(today, 12)`` starts
    "the last 12 months", ``months_before(today, 3)`` the last quarter."""
    return months_after(day, -months)


def financial_year_of(day: date) -> int:
    """The year the financial year holding ``day`` starts in (2026 for 1 April 2026 to 31
    March 2027)."""
    return day.year if day.month >= FINANCIAL_YEAR_STARTS else day.year - 1
