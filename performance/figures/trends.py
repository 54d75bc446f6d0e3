"""A service's figures period by period over the 24 months to a window's end: the trends the
dashboard draws, each point computed by the same rules as a window's figures
(``performance.figures.metrics`` and ``performance.flow.figures``).

A point is one period as recorded: a month of the demo's measurements, a financial year of
the GC inventory's. The flow figures come from weekly logs, so they are drawn by month, a
week counting in the month it ends in. Cost per transaction is drawn per cost period, over
the transactions recorded within it.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import dateformat

from performance.figures.dashboard import fmt, own_unit
from performance.figures.metrics import (
    Summary,
    cost_per_transaction,
    costs_by_period,
    metric_series,
    outcomes_by_period,
)
from performance.flow.queries import flow_by_month
from performance.models import Metric
from performance.windows import Window, span_to
from servicelead.calendar import add_months
from servicelead.numbers import number

AXES = {
    "percent": "Per cent",
    "score": "Score out of 100",
    "count": "Number",
    "hours": "Hours",
}


@dataclass
class Point:
    start: date
    end: date
    value: Decimal | None
    shown: str
    window: str = ""  # "this" (inside the window shown), "previous" (the one before) or ""

    @property
    def label(self) -> str:
        """The period in words: "Mar 2026", or "Apr 2024 to Mar 2025" for a longer one."""
        first, last = dateformat.format(self.start, "M Y"), dateformat.format(self.end, "M Y")
        if first == last:
            return first
        return f"{dateformat.format(self.start, 'j M Y')} to {dateformat.format(self.end, 'j M Y')}"


@dataclass
class Trend:
    key: str
    name: str
    kind: str  # how its values are written: see dashboard.FORMATS, and "hours"
    points: list[Point]
    target: Decimal | None = None
    higher_is_better: bool = True
    unit: str = ""  # written after each value (a service's own metric's unit)
    note: str = ""

    @property
    def target_shown(self) -> str:
        return show(self.target, self.kind, self.unit) if self.target is not None else ""

    @property
    def measured(self) -> list[Point]:
        return [p for p in self.points if p.value is not None]

    @property
    def periods_text(self) -> str:
        measured = self.measured
        if not measured:
            return "no periods measured"
        count = f"{len(measured)} period{'s' if len(measured) > 1 else ''}"
        return f"{count} measured, from {measured[0].label} to {measured[-1].label}"

    @property
    def axis(self) -> str:
        """What the values are, for the axis and the table."""
        return self.unit.strip() or AXES.get(self.kind, "Value")


def show(value: Decimal | None, kind: str, unit: str = "") -> str:
    if value is None:
        return "No data"
    if kind == "hours":
        return f"{number(value, 1)} hours"
    return fmt(value, kind) + unit


def _points(values: dict[tuple[date, date], Decimal | None], kind: str, now: Window, unit=""):
    before = now.previous()

    def part(start: date, end: date) -> str:
        if now.start <= start and end <= now.end:
            return "this"
        if before.start <= start and end <= before.end:
            return "previous"
        return ""

    return [
        Point(start, end, value, show(value, kind, unit), part(start, end))
        for (start, end), value in values.items()
    ]


def _month_end(first_day: date) -> date:
    return add_months(first_day, 1) - timedelta(days=1)


def service_trends(now: Summary) -> list[Trend]:
    """The four GOV.UK KPIs, cost per transaction, the flow figures and the service's own
    metrics over the 24 months to the window's end (five queries and one per journey read)."""
    service, window = now.service, now.window
    span = span_to(window.end)
    metrics = {m.key: m for m in Metric.objects.filter(service=service)}
    outcomes = outcomes_by_period(service.pk, span)
    costs = costs_by_period(service.pk, now.costs.currency, span)
    flows = flow_by_month(service, span)
    own = sorted((m for m in metrics.values() if not m.is_standard), key=lambda m: m.name)
    own_series = metric_series([m.pk for m in own], span)

    def standard(key: str, name: str, kind: str, value) -> Trend:
        metric = metrics.get(key)
        values = {period: value(o) for period, o in outcomes.items()}
        return Trend(
            key,
            name,
            kind,
            _points(values, kind, window),
            target=metric.target if metric else None,
            higher_is_better=metric.higher_is_better if metric else True,
        )

    def transactions_within(start: date, end: date) -> Decimal | None:
        inside = [
            o.transactions
            for (s, e), o in outcomes.items()
            if start <= s and e <= end and o.transactions is not None
        ]
        return sum(inside) if inside else None

    def flow(key: str, name: str, kind: str, value) -> Trend:
        values = {
            (m, _month_end(m)): value(figures)
            for m, figures in flows.items()
            if span.start <= m and _month_end(m) <= span.end  # whole months only
        }
        return Trend(
            key,
            name,
            kind,
            _points(values, kind, window),
            higher_is_better=key != "lead_time",
            note="From the teams' weekly logs; a week counts in the month it ends in, and only "
            "whole months are drawn.",
        )

    trends = [
        standard("transactions", "Completed transactions", "count", lambda o: o.transactions),
        standard("digital_take_up", "Digital take-up", "percent", lambda o: o.digital_take_up),
        standard("completion_rate", "Completion rate", "percent", lambda o: o.completion_rate),
        standard("user_satisfaction", "User satisfaction", "score", lambda o: o.user_satisfaction),
        Trend(
            "cost_per_transaction",
            "Cost to serve a transaction",
            "number",
            _points(
                {
                    (s, e): cost_per_transaction(c, transactions_within(s, e))
                    for (s, e), c in costs.items()
                },
                "number",
                window,
                f" {now.costs.currency}",
            ),
            higher_is_better=False,
            unit=f" {now.costs.currency}",
            note="Each cost period's cost to serve over the transactions recorded within it.",
        ),
        flow("lead_time", "Lead time", "hours", lambda f: f.lead_time_hours),
        flow("flow_efficiency", "Flow efficiency", "percent", lambda f: f.flow_efficiency),
        flow(
            "complete_accurate",
            "Rolled complete and accurate",
            "percent",
            lambda f: f.rolled_complete_accurate,
        ),
    ]
    for metric in own:
        if not own_series.get(metric.pk):
            continue  # a metric with nothing measured in the 24 months draws no chart
        kind, unit = own_unit(metric.unit)
        trends.append(
            Trend(
                f"metric-{metric.key}",
                metric.name,
                kind,
                _points(own_series.get(metric.pk, {}), kind, window, unit),
                target=metric.target,
                higher_is_better=metric.higher_is_better,
                unit=unit,
            )
        )
    return trends
