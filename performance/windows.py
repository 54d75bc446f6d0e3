"""Windows of whole days that figures are computed over, and how a URL names them.

A window is ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` in the URL, so any view can be shared and
bookmarked; presets (last month, last quarter, this financial year, last 12 months) are links
that fill those in. A record counts in a window when its period lies inside it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.http import QueryDict
from django.utils import dateformat

FINANCIAL_YEAR_STARTS = 4  # April


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    preset: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        start = dateformat.format(self.start, "j M Y")
        end = dateformat.format(self.end, "j M Y")
        return f"{start} to {end}"

    @property
    def query(self) -> str:
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"

    def previous(self) -> "Window":
        """The window of equal length just before this one."""
        end = self.start - timedelta(days=1)
        return Window(end - timedelta(days=self.days - 1), end)


def presets(today: date) -> dict[str, tuple[str, Window]]:
    this_month = _month_start(today)
    last_month = _add_months(this_month, -1)
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last_quarter = _add_months(quarter_start, -3)
    fy_year = today.year if today.month >= FINANCIAL_YEAR_STARTS else today.year - 1
    fy_start = date(fy_year, FINANCIAL_YEAR_STARTS, 1)
    return {
        "month": ("Last month", Window(last_month, this_month - timedelta(days=1), "month")),
        "quarter": (
            "Last quarter",
            Window(last_quarter, quarter_start - timedelta(days=1), "quarter"),
        ),
        "fy": (
            f"Financial year {fy_year}–{str(fy_year + 1)[2:]}",
            Window(fy_start, _add_months(fy_start, 12) - timedelta(days=1), "fy"),
        ),
        "12m": (
            "Last 12 months",
            Window(_add_months(this_month, -12), this_month - timedelta(days=1), "12m"),
        ),
    }


DEFAULT_PRESET = "12m"
MAX_DAYS = 366 * 10


def window_from(params: QueryDict, today: date) -> tuple[Window, list[str]]:
    """The window a request asks for, and any problems with what it asked (then the default)."""
    options = presets(today)
    preset = params.get("window", "")
    if preset in options:
        return options[preset][1], []
    raw_from, raw_to = params.get("from", ""), params.get("to", "")
    if not raw_from and not raw_to:
        return options[DEFAULT_PRESET][1], []
    problems = []
    try:
        start = date.fromisoformat(raw_from)
    except ValueError:
        problems.append(f"“{raw_from}” is not a date: write the start as YYYY-MM-DD.")
    try:
        end = date.fromisoformat(raw_to)
    except ValueError:
        problems.append(f"“{raw_to}” is not a date: write the end as YYYY-MM-DD.")
    if not problems and end < start:
        problems.append("The window cannot end before it starts.")
    if not problems and (end - start).days > MAX_DAYS:
        problems.append("Choose a window of at most ten years.")
    if problems:
        return options[DEFAULT_PRESET][1], problems
    match = next((key for key, (_, w) in options.items() if (w.start, w.end) == (start, end)), "")
    return Window(start, end, match or "custom"), []
