"""What the whole-service dashboard shows: KPI tiles with their change and target, and the
headline written from them.

Built on ``performance.figures.metrics`` (the figures), so the page, the review pack and the
API agree.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import dateformat

from performance.figures.metrics import STATUS_LABELS, Summary, kpi_status, latest_values
from performance.models import DataQualityFinding, Metric
from servicelead.numbers import money, number, percent


@dataclass
class Tile:
    name: str
    value: Decimal | None
    shown: str
    period: str
    change: str  # signed, against the previous equal window
    target: str
    status: str
    status_label: str
    questioned: str = ""  # a data-quality finding about this figure in the window
    previous: Decimal | None = None  # the previous equal window's value
    previous_shown: str = ""
    higher_is_better: bool = True
    key: str = ""  # the metric's, naming its trend

    @property
    def direction(self) -> str:
        """ "better", "worse" or "same" on the previous window, honouring the measure's
        direction; "" without both figures."""
        return direction(self.value, self.previous, self.higher_is_better)


def direction(now: Decimal | None, before: Decimal | None, higher_is_better: bool) -> str:
    if now is None or before is None:
        return ""
    if now == before:
        return "same"
    return "better" if (now > before) == higher_is_better else "worse"


def relative_change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """How far ``now`` moved from ``before``, as a share of it; None without both or from 0."""
    if now is None or not before:
        return None
    return (now - before) / abs(before)


# How each kind of figure is written: its value, and its change on another window. Any other
# number is as precise as it is given: to 2 places, and a change to 4, so 0.9865 → 0.9458
# shows −0.0407, never −0.0.
FORMATS = {
    "percent": (lambda v: percent(v, 1), lambda d: f"{number(d * 100, 1, sign=True)} points"),
    "score": (lambda v: f"{number(v, 1)} out of 100", lambda d: number(d, 1, sign=True)),
    "count": (lambda v: number(v), lambda d: number(d, sign=True)),
    "number": (lambda v: number(v, 2, trim=True), lambda d: number(d, 4, trim=True, sign=True)),
}


def fmt(value: Decimal | None, kind: str) -> str:
    if value is None:
        return "No data"
    return FORMATS.get(kind, FORMATS["number"])[0](value)


def signed_change(now: Decimal | None, before: Decimal | None, kind: str) -> str:
    if now is None or before is None:
        return "No earlier figure"
    return FORMATS.get(kind, FORMATS["number"])[1](now - before)


def kpi_tiles(now: Summary, before: Summary) -> list[Tile]:
    """The four standard measures and each service-defined metric."""
    service = now.service
    metrics = {m.key: m for m in Metric.objects.filter(service=service)}
    window = now.window.label
    tiles = []
    standard = [
        (
            "transactions",
            "Completed transactions",
            now.outcomes.transactions,
            before.outcomes.transactions,
            "count",
        ),
        (
            "digital_take_up",
            "Digital take-up",
            now.outcomes.digital_take_up,
            before.outcomes.digital_take_up,
            "percent",
        ),
        (
            "completion_rate",
            "Completion rate",
            now.outcomes.completion_rate,
            before.outcomes.completion_rate,
            "percent",
        ),
        (
            "user_satisfaction",
            "User satisfaction",
            now.outcomes.user_satisfaction,
            before.outcomes.user_satisfaction,
            "score",
        ),
    ]
    for key, name, value, previous, kind in standard:
        metric = metrics.get(key)
        target = metric.target if metric else None
        higher = metric.higher_is_better if metric else True
        status = kpi_status(value, target, higher)
        tiles.append(
            Tile(
                name=name,
                value=value,
                shown=fmt(value, kind),
                period=window,
                change=signed_change(value, previous, kind),
                target=fmt(target, kind) if target is not None else "None set",
                status=status,
                status_label=STATUS_LABELS[status],
                previous=previous,
                previous_shown=fmt(previous, kind),
                higher_is_better=higher,
                key=key,
            )
        )
    own = [m for m in metrics.values() if not m.is_standard]
    latest_now = latest_values([m.pk for m in own], now.window)
    latest_before = latest_values([m.pk for m in own], before.window)
    questioned = dict(
        DataQualityFinding.objects.filter(
            metric__in=own,
            period_start__gte=now.window.start,
            period_end__lte=now.window.end,
        ).values_list("metric_id", "kind")
    )
    kinds = dict(DataQualityFinding.Kind.choices)
    for metric in sorted(own, key=lambda m: m.name):
        value, period_end = latest_now.get(metric.pk, (None, None))
        previous = latest_before.get(metric.pk, (None, None))[0]
        status = kpi_status(value, metric.target, metric.higher_is_better)
        kind, unit = own_unit(metric.unit)
        tiles.append(
            Tile(
                name=metric.name,
                value=value,
                shown=(fmt(value, kind) + unit) if value is not None else "No data",
                period=(
                    f"latest period, to {dateformat.format(period_end, 'j M Y')}"
                    if period_end
                    else window
                ),
                change=signed_change(value, previous, kind),
                target=(fmt(metric.target, kind) + unit)
                if metric.target is not None
                else "None set",
                status=status,
                status_label=STATUS_LABELS[status],
                questioned=kinds.get(questioned.get(metric.pk), ""),
                previous=previous,
                previous_shown=fmt(previous, kind) + unit,
                higher_is_better=metric.higher_is_better,
                key=f"metric-{metric.key}",
            )
        )
    return tiles


def own_unit(unit: str) -> tuple[str, str]:
    """How a service's own metric is shown: a share (a ratio from 0 to 1, such as a GC
    standard's "share meeting the standard") as a percentage followed by the rest of its
    unit, anything else as a number followed by its unit."""
    if unit.startswith("share"):
        rest = unit.removeprefix("share").strip()
        return "percent", f" {rest}" if rest else ""
    return "number", f" {unit}" if unit and unit != "%" else unit


@dataclass
class Line:
    """One sentence of the dashboard's headline: "bad" (needs attention), "good" or "neutral"."""

    status: str
    text: str


LINE_ORDER = {"bad": 0, "neutral": 1, "good": 2}


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def headline(now: Summary, before: Summary, tiles: list[Tile]) -> list[Line]:
    """The window in a few sentences, written from its figures, exceptions first: KPIs off
    target, what moved most and whether that is good, the bottleneck, open high-severity
    friction, decisions nobody may take or taken outside rights, stale data."""
    lines = []
    with_target = [t for t in tiles if t.status in {"on_target", "within_5", "off_target"}]
    off = [t for t in with_target if t.status == "off_target"]
    if off:
        lines.append(
            Line(
                "bad",
                f"{len(off)} of {_plural(len(with_target), 'KPI')} with a target "
                f"{'is' if len(off) == 1 else 'are'} off it: "
                + "; ".join(f"{t.name} {t.shown} against {t.target}" for t in off)
                + ".",
            )
        )
    elif with_target:
        lines.append(
            Line(
                "good",
                f"Every one of the {_plural(len(with_target), 'KPI')} with a target "
                "is on it or within 5 % of it.",
            )
        )
    moves = [
        (abs(change), name, now_shown, before_shown, change, way)
        for name, now_shown, before_shown, change, way in _moves(now, before, tiles)
    ]
    if moves:
        _, name, now_shown, before_shown, change, way = max(moves, key=lambda m: m[0])
        verb = "rose" if change > 0 else "fell"
        lines.append(
            Line(
                {"better": "good", "worse": "bad"}.get(way, "neutral"),
                f"{name} {verb} {percent(abs(change))} on the previous window "
                f"({before_shown} to {now_shown}): the biggest move, and "
                f"{'for the better' if way == 'better' else 'for the worse'}.",
            )
        )
    bottleneck = now.flow.bottleneck
    if bottleneck is not None and bottleneck.median_wait_hours is not None:
        lines.append(
            Line(
                "bad",
                f"The bottleneck is the hand-off {bottleneck.from_stage.name} → "
                f"{bottleneck.to_stage.name}: a median wait of "
                f"{number(bottleneck.median_wait_hours, 1)} hours.",
            )
        )
    if now.friction_open_high:
        n = now.friction_open_high
        lines.append(Line("bad", f"{_plural(n, 'high-severity friction point')} open."))
    if now.rights_gaps:
        lines.append(
            Line(
                "bad",
                f"Nobody holds the Decide right for {_plural(now.rights_gaps, 'kind')} "
                "of decision.",
            )
        )
    if now.decisions_outside_rights:
        n = now.decisions_outside_rights
        lines.append(
            Line("bad", f"{_plural(n, 'decision')} in the window taken outside agreed rights.")
        )
    if now.stale:
        last = now.outcomes.last_period_end
        lines.append(
            Line(
                "bad",
                f"The data is stale: nothing measured since {last:%-d %B %Y}."
                if last
                else "Nothing has been measured yet.",
            )
        )
    return sorted(lines, key=lambda line: LINE_ORDER[line.status])


def _moves(now: Summary, before: Summary, tiles: list[Tile]):
    """(name, now shown, before shown, relative change, direction) of every figure that has
    both windows' values: the KPIs and the cost to serve a transaction (lower is better)."""
    for tile in tiles:
        change = relative_change(tile.value, tile.previous)
        if change:
            yield tile.name, tile.shown, tile.previous_shown, change, tile.direction
    cost_now, cost_before = now.cost_per_transaction, before.cost_per_transaction
    change = relative_change(cost_now, cost_before)
    if change:
        yield (
            "Cost to serve a transaction",
            money(cost_now, now.costs.currency),
            money(cost_before, now.costs.currency),
            change,
            direction(cost_now, cost_before, higher_is_better=False),
        )


def cost_per_transaction_trend(summary_now: Summary, summary_before: Summary) -> str:
    now, before = summary_now.cost_per_transaction, summary_before.cost_per_transaction
    if now is None or before is None:
        return "No earlier figure"
    return f"{now - before:+,.2f}"
