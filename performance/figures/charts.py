"""A trend drawn as an SVG line chart, laid out here so the template only places it.

Time runs along the x axis over the whole span (24 months), each period drawn at its middle;
the y axis has round-numbered ticks that take in the values and the target. The window shown
and the one before it are shaded and named, the target is a dashed line with its value, and
a gap in the data is a gap in the line. The figures themselves are given as a table beside
the chart, so nothing is told by the drawing alone.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import dateformat

from performance.figures.trends import Trend
from performance.windows import Window
from servicelead.calendar import add_months
from servicelead.numbers import number

WIDTH, HEIGHT = 480, 260
LEFT, RIGHT, TOP, BOTTOM = 76, 12, 28, 40  # room for the axes' labels
MAX_X_LABELS = 6
BAND_LABEL_WIDTH = 120  # "Previous window" at 14 px, with room to spare
STEPS = (1, 2, 2.5, 5, 10)


@dataclass
class Tick:
    at: float  # the x or y coordinate
    label: str


@dataclass
class Band:
    x: float
    width: float
    label: str
    kind: str  # "this" or "previous"


@dataclass
class Chart:
    trend: Trend
    width: int = WIDTH
    height: int = HEIGHT
    lines: list[str] = field(default_factory=list)  # polyline points, one per unbroken run
    dots: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, "label: value"
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    target_y: float | None = None
    target_label: str = ""

    @property
    def plot(self) -> dict[str, float]:
        return {
            "left": LEFT,
            "right": self.width - RIGHT,
            "top": TOP,
            "bottom": self.height - BOTTOM,
            "width": self.width - LEFT - RIGHT,
            "height": self.height - TOP - BOTTOM,
        }


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round-numbered ticks from at or below ``low`` to at or above ``high``: steps of 1, 2,
    2.5 or 5 times a power of ten, at most ``count`` + 1 of them."""
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in STEPS if s * power >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    n = round((last - first) / step)
    return [round(first + i * step, 12) for i in range(n + 1)]  # no 0.30000000000000004


def axis_label(value: float, kind: str, step: float) -> str:
    """A tick's label, to as many places as the step needs (a step of 2.5 % shows 72.5 %);
    millions and thousands in short ("150M", "25k"), so they fit beside the axis."""
    if kind != "percent" and step >= 25_000:  # a top tick of about 100,000 or more
        if value == 0:
            return "0"
        size, suffix = (1_000_000, "M") if step >= 250_000 else (1_000, "k")
        return f"{value / size:,.{_places(step / size)}f}{suffix}"
    scale = 100 if kind == "percent" else 1
    text = f"{value * scale:,.{_places(step * scale)}f}"
    return f"{text}%" if kind == "percent" else text


def _places(step: float) -> int:
    """The decimal places a step needs: none for 5, one for 2.5, two for 0.25."""
    return next((n for n in range(3) if abs(round(step, n) - step) < 1e-9), 2)


def target_label(trend: Trend) -> str:
    """ "Target 85%", "Target 80", "Target 28 days": short enough to sit on the chart."""
    value = trend.target * 100 if trend.kind == "percent" else trend.target
    text = number(value, 2, trim=True)
    return f"Target {text}{'%' if trend.kind == 'percent' else trend.unit}"


# The windows shaded, and their names: the one before the window shown, and the window.
BANDS = (("previous", "Previous window"), ("this", "This window"))


def _middle(start: date, end: date) -> date:
    return start + (end - start) / 2


def _value_range(trend: Trend) -> tuple[float, float] | None:
    """The lowest and highest value the axis must show (the target among them); none
    without any."""
    values = [float(p.value) for p in trend.measured]
    if trend.target is not None:
        values.append(float(trend.target))
    if not values:
        return None
    low, high = min(values), max(values)
    if trend.kind in {"count", "hours"} or (trend.kind == "number" and low >= 0):
        low = min(low, 0.0)  # amounts and durations from zero, so their size is not overstated
        if high == low:
            high = low + 1  # all zero: an axis from 0, not around it
    if trend.kind == "count" and high - low < 4:
        high = low + 4  # whole numbers on the axis of a count
    if trend.kind == "percent" and high == low:
        # A flat share: 20 points either side, within 0 % to 100 % where it lies there.
        flat = low
        low = max(flat - 0.2, 0.0) if flat >= 0 else flat - 0.2
        high = min(flat + 0.2, 1.0) if flat <= 1 else flat + 0.2
    return low, high


def _draw_bands(drawn: Chart, span: Window, window: Window, bands, x_of) -> None:
    for kind, label in bands:
        part = window.previous() if kind == "previous" else window
        start, end = max(part.start, span.start), min(part.end, span.end)
        if start <= end:
            x0, x1 = x_of(start), x_of(end + timedelta(days=1))
            drawn.bands.append(
                Band(x0, x1 - x0, label if x1 - x0 >= BAND_LABEL_WIDTH else "", kind)
            )


def _draw_points(drawn: Chart, trend: Trend, x_of, y_of) -> None:
    """A dot per period with a value, joined by lines; a gap where a period has none."""
    run: list[str] = []
    for point in trend.points:
        if point.value is None:
            if run:
                drawn.lines.append(" ".join(run))
            run = []
            continue
        x, y = round(x_of(_middle(point.start, point.end)), 1), round(y_of(float(point.value)), 1)
        run.append(f"{x},{y}")
        drawn.dots.append((x, y, f"{point.label}: {point.shown}"))
    if run:
        drawn.lines.append(" ".join(run))
    drawn.lines = [line for line in drawn.lines if " " in line]  # a lone point is its dot


def _month_ticks(drawn: Chart, span: Window, x_of) -> None:
    """The axis names every fourth month of the 24 (at its middle, where a month's point is)."""
    first_month = span.start.replace(day=1)
    months = (span.end.year - first_month.year) * 12 + span.end.month - first_month.month + 1
    every = max(1, math.ceil(months / MAX_X_LABELS))
    for n in range(0, months, every):
        start = add_months(first_month, n)
        end = add_months(start, 1) - timedelta(days=1)
        at = max(span.start, _middle(start, end))
        if at <= span.end:  # a month the span ends early in is not named past its end
            drawn.x_ticks.append(Tick(round(x_of(at), 1), dateformat.format(start, "M y")))


def chart(trend: Trend, span: Window, window: Window, bands=BANDS) -> Chart:
    drawn = Chart(trend)
    plot = drawn.plot

    def x_of(day: date) -> float:
        return plot["left"] + (day - span.start).days / span.days * plot["width"]

    _draw_bands(drawn, span, window, bands, x_of)
    found = _value_range(trend)
    if found is None:
        return drawn
    ticks = nice_ticks(*found)
    bottom, top = ticks[0], ticks[-1]
    step = ticks[1] - ticks[0]

    def y_of(value: float) -> float:
        return plot["bottom"] - (value - bottom) / (top - bottom) * plot["height"]

    drawn.y_ticks = [Tick(round(y_of(t), 1), axis_label(t, trend.kind, step)) for t in ticks]
    if trend.target is not None:
        drawn.target_y = round(y_of(float(trend.target)), 1)
        drawn.target_label = target_label(trend)
    _draw_points(drawn, trend, x_of, y_of)
    _month_ticks(drawn, span, x_of)
    return drawn
