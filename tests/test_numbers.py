"""How numbers are written (``servicelead.numbers``): each rule stated once, by hand."""

from decimal import Decimal

import pytest

from servicelead.numbers import half_up, money, number, percent, trimmed


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("98.65"), 1, "98.7"),  # Python's formatting gives 98.6
        (Decimal("2.5"), 0, "3"),  # and 2
        (Decimal("-2.5"), 0, "-3"),  # away from zero
        (2.675, 2, "2.68"),  # a float as written, not 2.67499999…
        (Decimal("0.125"), 2, "0.13"),
    ],
)
def test_a_half_is_rounded_up(value, places, expected):
    assert str(half_up(value, places)) == expected


def test_numbers_are_written_with_thousands_separated():
    assert number(Decimal("1234567.5")) == "1,234,568"
    assert number(Decimal("1234.5"), 2) == "1,234.50"
    assert number(Decimal("1234.5"), 2, trim=True) == "1,234.5"
    assert number(Decimal("3"), 2, trim=True) == "3"
    assert number(Decimal("2.5"), sign=True) == "+3"
    assert number(Decimal("-0.0407"), 4, sign=True) == "-0.0407"
    assert trimmed("12.50") == "12.5" and trimmed("300") == "300"


def test_shares_are_written_as_percentages():
    assert percent(Decimal(2) / 3) == "67%"
    assert percent(Decimal(2) / 3, 1) == "66.7%"
    assert percent(Decimal("0.125")) == "13%"  # 12.5 % rounded up, not to even (12 %)
    assert percent(Decimal("0.0125"), 1, sign=True) == "+1.3%"


def test_money_is_written_to_the_penny_in_its_currency():
    assert money(Decimal("1234.5"), "GBP") == "1,234.50 GBP"
    assert money(Decimal("0.125")) == "0.13"
    assert money(Decimal("99999.5"), "CAD", 0) == "100,000 CAD"
