"""The calendar's rules (``servicelead.calendar``), each stated once, by hand."""

from datetime import date

from servicelead.calendar import (
    add_months,
    financial_year_of,
    last_week_before,
    months_after,
    months_before,
    week_of,
)


def test_a_week_is_monday_to_sunday():
    assert week_of(date(2026, 12, 9)) == (date(2026, 12, 7), date(2026, 12, 13))
    assert week_of(date(2026, 12, 13)) == (date(2026, 12, 7), date(2026, 12, 13))
    # The week a team logs on a Monday is the one that ended the day before.
    assert last_week_before(date(2026, 12, 7)) == date(2026, 11, 30)


def test_months_are_calendar_months_not_counts_of_days():
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 31), -1) == date(2025, 12, 1)
    # The last 12 months to 7 December 2026 start on 7 December 2025, in a leap year or not.
    assert months_before(date(2026, 12, 7), 12) == date(2025, 12, 7)
    assert months_before(date(2028, 3, 1), 12) == date(2027, 3, 1)  # 366 days
    # A quarter is three months, 90 days or 92: not a fixed count.
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)  # the month is shorter
    assert months_after(date(2026, 3, 3), 3) == date(2026, 6, 3)
    assert months_after(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_a_financial_year_starts_in_april():
    assert financial_year_of(date(2026, 4, 1)) == 2026
    assert financial_year_of(date(2027, 3, 31)) == 2026
