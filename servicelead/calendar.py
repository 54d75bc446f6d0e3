"""The calendar's rules: the week a team logs (Monday to Sunday), and the last week that is
over."""

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
