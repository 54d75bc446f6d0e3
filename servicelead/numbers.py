"""How numbers are written, everywhere: a half rounded up (98.65 → 98.7, 2.5 → 3), as people
round. Python's own formatting rounds a half to even (98.65 → 98.6, 2.5 → 2), so no figure is
written with ``f"{value:.1f}"`` or ``round()``: every page, email, export and sentence writes
its numbers through these functions."""

from decimal import ROUND_HALF_UP, Decimal


def exact(value) -> Decimal:
    """``value`` as a decimal; a float as it is written (2.675, not 2.67499999…). An int or a
    decimal reads back from its text exactly, so one conversion serves all three."""
    return Decimal(str(value))


def half_up(value, places: int = 0) -> Decimal:
    """``value`` to ``places`` decimal places, a half rounded up (away from zero)."""
    return exact(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def trimmed(text: str) -> str:
    """``text`` without the zeros a decimal ends with (12.50 → 12.5, 3.00 → 3)."""
    # rstrip takes a set of characters: a mutant adding letters to it strips the same from a
    # number, which holds none.
    return text.rstrip("0").rstrip(".") if "." in text else text  # pragma: no mutate


def number(value, places: int = 0, *, trim: bool = False, sign: bool = False) -> str:
    """``1,234.5``: to ``places`` places with thousands separated; ``trim`` drops the zeros
    a decimal ends with, ``sign`` writes a plus before a rise."""
    text = f"{half_up(value, places):{'+' if sign else ''},}"
    return trimmed(text) if trim else text


def percent(share, places: int = 0, *, sign: bool = False) -> str:
    """A share (0.6667) as a percentage: ``67%``, or ``66.7%`` to one place."""
    return f"{number(exact(share) * 100, places, sign=sign)}%"


def money(amount, currency: str = "", places: int = 2) -> str:
    """``1,234.50 GBP``: an amount to ``places`` places, in its currency where given."""
    return f"{number(amount, places)} {currency}".rstrip()
