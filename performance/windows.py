"""Windows of whole days that figures are computed over, and how a URL names them.

A window is ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` in the URL, so any view can be shared and
bookmarked; presets are links that fill those in: "latest data" (the default wherever the
services in view have data), last month, last quarter, this financial year, the last 12
months, and every past financial year that has data. A record counts in a window when its
period lies inside it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Q,
)
from django.http import QueryDict
from django.utils import dateformat

from servicelead.calendar import FINANCIAL_YEAR_STARTS, add_months, financial_year_of


def _month_start(day: date) -> date:
    return day.replace(day=1)


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

    @property
    def per_year(self) -> Decimal:
        """What a total over the window is multiplied by to give a year's: 1 for a year's
        window (365 or 366 days, so a financial year's total is shown as it is)."""
        if self.days in (365, 366):
            return Decimal(1)
        return Decimal(365) / self.days

    def previous(self) -> "Window":
        """The window of equal length just before this one."""
        end = self.start - timedelta(days=1)
        return Window(end - timedelta(days=self.days - 1), end)


def _financial_year(start_year: int) -> Window:
    start = date(start_year, FINANCIAL_YEAR_STARTS, 1)
    return Window(start, add_months(start, 12) - timedelta(days=1), f"fy{start_year}")


def _fy_label(start_year: int) -> str:
    return f"Financial year {start_year}–{str(start_year + 1)[2:]}"


@dataclass(frozen=True)
class DataSpan:
    """Where the data of the services in view lies (``queries.data_span`` reads it)."""

    latest: date | None = None  # the end of the latest period most of them have reached
    financial_years: list[int] = field(default_factory=list)  # start years with data


def latest_data(span: DataSpan) -> Window | None:
    """The twelve months ending with the month of the latest data (so an inventory
    published for a past financial year opens on that year)."""
    if span.latest is None or not EARLIEST <= span.latest <= LATEST:
        return None  # none, or recorded before the years were checked: no window so far off
    end_month = _month_start(span.latest)
    return Window(
        add_months(end_month, -11), add_months(end_month, 1) - timedelta(days=1), "latest"
    )


def presets(today: date, span: DataSpan | None = None) -> dict[str, tuple[str, Window]]:
    this_month = _month_start(today)
    last_month = add_months(this_month, -1)
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last_quarter = add_months(quarter_start, -3)
    fy_year = financial_year_of(today)
    options: dict[str, tuple[str, Window]] = {}
    latest = latest_data(span or DataSpan())
    if latest is not None:
        year = latest.start.year
        label = (
            _fy_label(year)
            if _span(latest) == _span(_financial_year(year))
            else f"12 months to {latest.end:%B %Y}"
        )
        options["latest"] = (f"Latest data: {label[0].lower()}{label[1:]}", latest)
    options |= {
        "month": ("Last month", Window(last_month, this_month - timedelta(days=1), "month")),
        "quarter": (
            "Last quarter",
            Window(last_quarter, quarter_start - timedelta(days=1), "quarter"),
        ),
        "fy": (_fy_label(fy_year), Window(*_span(_financial_year(fy_year)), "fy")),
        "12m": (
            "Last 12 months",
            Window(add_months(this_month, -12), this_month - timedelta(days=1), "12m"),
        ),
    }
    for year in sorted((span or DataSpan()).financial_years, reverse=True):
        # Data recorded before the years were checked: no window that far back (newest first,
        # so stopping here would do as well: an equivalent mutant).
        if year < EARLIEST.year:
            continue  # pragma: no mutate
        window = _financial_year(year)
        # Past years only (this one is "fy"), and not the year "latest data" already is.
        if year < fy_year and (latest is None or _span(latest) != _span(window)):
            options[f"fy{year}"] = (_fy_label(year), window)
    return options


def _span(window: Window) -> tuple[date, date]:
    return window.start, window.end


ZERO = Decimal(0)
MONTHS = 24  # the span of the trends: two years, month by month
FALLBACK_PRESET = "12m"  # the default where the services in view have no data
MAX_DAYS = 366 * 10
# The dates a window (and the one before it, for comparison) may cover: far wider than any
# service's data, and far enough inside the calendar's ends that no arithmetic falls off them.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def default_preset(options: dict) -> str:
    return "latest" if "latest" in options else FALLBACK_PRESET


def _day(raw: str, name: str, problems: list[str]) -> date | None:
    """One end of a window from the query string, or None with the problem added."""
    if not raw:
        problems.append(f"Give the {name} of the window as YYYY-MM-DD.")
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        problems.append(f"“{raw[:40]}” is not a date: write the {name} as YYYY-MM-DD.")
        return None
    if not EARLIEST <= day <= LATEST:
        problems.append(
            f"{day.isoformat()} is outside the dates a window can cover "
            f"({EARLIEST.year} to {LATEST.year}): write the {name} within them."
        )
        return None
    return day


def window_from(
    params: QueryDict, today: date, span: DataSpan | None = None
) -> tuple[Window, list[str]]:
    """The window a request asks for, and any problems with what it asked (then the default)."""
    options = presets(today, span)
    default = options[default_preset(options)][1]
    # Missing reads as empty; a missing value read as None is handled the same (no mutants).
    preset = params.get("window", "")  # pragma: no mutate
    if preset in options:
        return options[preset][1], []
    raw_from, raw_to = params.get("from", ""), params.get("to", "")  # pragma: no mutate
    if not raw_from and not raw_to:
        if preset:  # e.g. a financial year with no data among the services in view
            return default, [f"There is no window “{preset[:40]}” for these services."]
        return default, []
    problems = []
    start = _day(raw_from, "start", problems)
    end = _day(raw_to, "end", problems)
    if not problems and end < start:
        problems.append("The window cannot end before it starts.")
    if not problems and (end - start).days > MAX_DAYS:
        problems.append("Choose a window of at most ten years.")
    if problems:
        return default, problems
    # No match reads as "custom" below, whether it is "" or None (no mutants).
    found = (key for key, (_, w) in options.items() if (w.start, w.end) == (start, end))
    match = next(found, "")  # pragma: no mutate
    return Window(start, end, match or "custom"), []


def in_window(window: Window) -> Q:
    return Q(period_start__gte=window.start, period_end__lte=window.end)


def span_to(end: date, months: int = MONTHS) -> Window:
    """The ``months`` months that end on ``end``."""
    day_after = end + timedelta(days=1)
    start = add_months(day_after.replace(day=1), -months) + timedelta(days=day_after.day - 1)
    return Window(start, end)


def share_over_common_periods(part: dict, whole: dict) -> Decimal | None:
    """Σ part ÷ Σ whole over the periods that give both (each a {period: value}): a period
    without one of them tells nothing about the share, so it is left out, never read as 0."""
    common = [period for period in part if period in whole]
    total = sum((whole[p] for p in common), ZERO)
    if not total:
        return None
    return sum((part[p] for p in common), ZERO) / total
