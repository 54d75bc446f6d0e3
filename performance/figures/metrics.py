"""Whole-service figures for a window, exactly as DESIGN.md "Metrics" defines them.

One computation for many services at once (the portfolio) or one (the dashboard and the API's
summary): a fixed number of grouped queries, whatever the number of services, periods and
rows; the arithmetic is then done on the sums in Python, where it can be checked by hand.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    Max,
    Q,
    Sum,
)
from django.utils import timezone

from decisions.agents import agent_gaps
from decisions.models import Decision
from decisions.queries import rights_gap_text, rights_matrix_rows_missing
from performance.flow.figures import FlowFigures
from performance.flow.queries import flows_for
from performance.models import (
    CostLine,
    FrictionPoint,
    Measurement,
    Metric,
)
from performance.windows import Window, in_window, share_over_common_periods
from servicelead.numbers import half_up
from services.gaps import accountability_gaps
from services.models import ProportionalityAssessment, Service, ServiceLeader

ZERO = Decimal(0)


STANDARD = list(Metric.STANDARD)


WITHIN = Decimal("0.05")


def ratio(part, whole) -> Decimal | None:
    if part is None or not whole:
        return None
    return Decimal(part) / Decimal(whole)


# Data is stale when nothing has been measured for more than two (monthly) periods.
STALE_AFTER_DAYS = 62


def is_stale(last: date | None, on: date) -> bool:
    """Whether a service whose data ends ``last`` is stale on the day ``on``."""
    return last is None or (on - last).days > STALE_AFTER_DAYS


def kpi_status(value: Decimal | None, target: Decimal | None, higher_is_better: bool) -> str:
    """On target, within 5 % of it, off target, or no data, honouring the direction."""
    if value is None:
        return "no_data"
    if target is None:
        return "no_target"
    if higher_is_better:
        if value >= target:
            return "on_target"
        return "within_5" if value >= target * (1 - WITHIN) else "off_target"
    if value <= target:
        return "on_target"
    return "within_5" if value <= target * (1 + WITHIN) else "off_target"


STATUS_LABELS = {
    "on_target": "On target",
    "within_5": "Within 5% of target",
    "off_target": "Off target",
    "no_data": "No data",
    "no_target": "No target set",
}


@dataclass
class Outcomes:
    """The standard outcome figures of one service over a window."""

    transactions: Decimal | None = None
    digital: Decimal | None = None  # transactions on the digital channel
    channelled: Decimal | None = None  # all channels' transactions, in periods with digital
    started_periods_transactions: Decimal = ZERO
    started: Decimal = ZERO
    completion_rate_supplied: Decimal | None = None
    user_satisfaction: Decimal | None = None
    contacts: Decimal | None = None
    failure_demand_contacts: Decimal | None = None
    failure_demand_share: Decimal | None = None  # over the periods that give both
    last_period_end: date | None = None

    @property
    def digital_take_up(self) -> Decimal | None:
        return ratio(self.digital or ZERO, self.channelled) if self.channelled else None

    @property
    def completion_rate(self) -> Decimal | None:
        """Σ transactions ÷ Σ started over periods with both; else the supplied rates'
        transaction-weighted mean."""
        if self.started:
            return self.started_periods_transactions / self.started
        return self.completion_rate_supplied


def sum_of(values: Iterable[Decimal]) -> Decimal:
    """Σ values; 0 when there are none."""
    return sum(values, ZERO)  # pragma: no mutate  (an empty sum is 0 with or without ZERO)


def _weighted_mean(values: dict | None, weights: dict) -> Decimal | None:
    """Each period's value weighted by the same period's transactions (equal weights where
    none are recorded)."""
    if not values:
        return None
    if all(weights.get(period) for period in values):
        total = sum(weights[period] for period in values)
        return sum(values[p] * weights[p] for p in values) / total
    return sum(values.values()) / len(values)


def _standard_rows(service_ids: list[int], window: Window):
    """Σ of each standard metric per service, period and channel in the window."""
    return (
        Measurement.objects.filter(
            in_window(window),
            # For speed: other services' rows and other metrics' are read past, never used.
            metric__service_id__in=service_ids,  # pragma: no mutate
            metric__key__in=STANDARD,  # pragma: no mutate
        )
        .values("metric__service_id", "metric__key", "period_start", "period_end", "channel")
        .annotate(total=Sum("value"))
        .order_by()
    )


@dataclass
class _Sums:
    """One group's standard measurements: {key: {period: Σ}}, and per period the
    transactions by the channels given."""

    keys: dict[str, dict] = field(default_factory=lambda: defaultdict(dict))
    channels: dict[tuple, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, row: dict) -> None:
        key, total = row["metric__key"], row["total"]
        period = (row["period_start"], row["period_end"])
        self.keys[key][period] = self.keys[key].get(period, ZERO) + total
        if key == "transactions" and row["channel"]:
            self.channels[period][row["channel"]] = total

    def outcomes(self, last_period_end: date | None) -> Outcomes:
        keys = self.keys
        transactions = keys.get("transactions", {})
        started = keys.get("started", {})
        both = [p for p in started if p in transactions]
        outcomes = Outcomes(last_period_end=last_period_end)
        if transactions:
            outcomes.transactions = sum_of(transactions.values())
        # Take-up only over periods whose digital figure is given: a period without one
        # tells nothing about take-up.
        with_digital = [c for c in self.channels.values() if "digital" in c]
        channelled = sum_of(sum_of(c.values()) for c in with_digital)
        if channelled:
            outcomes.channelled = channelled
            outcomes.digital = sum_of(c["digital"] for c in with_digital)
        outcomes.started_periods_transactions = sum_of(transactions[p] for p in both)
        outcomes.started = sum_of(started[p] for p in both)
        outcomes.completion_rate_supplied = _weighted_mean(
            keys.get("completion_rate"), transactions
        )
        outcomes.user_satisfaction = _weighted_mean(keys.get("user_satisfaction"), transactions)
        if "contacts" in keys:
            outcomes.contacts = sum_of(keys["contacts"].values())
        if "failure_demand_contacts" in keys:
            outcomes.failure_demand_contacts = sum_of(keys["failure_demand_contacts"].values())
        outcomes.failure_demand_share = share_over_common_periods(
            keys.get("failure_demand_contacts", {}), keys.get("contacts", {})
        )
        return outcomes


def outcomes_for(service_ids: list[int], window: Window) -> dict[int, Outcomes]:
    """Standard outcome figures for each service: one grouped query over measurements."""
    sums: dict[int, _Sums] = defaultdict(_Sums)
    for row in _standard_rows(service_ids, window):
        sums[row["metric__service_id"]].add(row)
    last = dict(
        Measurement.objects.filter(metric__service_id__in=service_ids)
        .values_list("metric__service_id")
        .annotate(last=Max("period_end"))
        .order_by()
    )
    return {
        service_id: sums[service_id].outcomes(last.get(service_id)) for service_id in service_ids
    }


def outcomes_by_period(service_id: int, span: Window) -> dict[tuple[date, date], Outcomes]:
    """The standard outcome figures of each period the service recorded in ``span``, oldest
    first: each period is a window of its own, so its figures follow the window's rules."""
    sums: dict[tuple[date, date], _Sums] = defaultdict(_Sums)
    for row in _standard_rows([service_id], span):
        sums[(row["period_start"], row["period_end"])].add(row)
    return {period: sums[period].outcomes(period[1]) for period in sorted(sums)}


@dataclass
class Costs:
    """Cost over a window; amounts in different currencies are kept apart."""

    currency: str  # the accountable organisation's
    total: Decimal | None = None
    run: Decimal = ZERO
    change: Decimal = ZERO
    allocated: Decimal = ZERO
    # Programme spending: part of the total, not of the cost to serve.
    programme: Decimal | None = None
    by_organisation: dict[str, Decimal] = field(default_factory=dict)
    by_directorate: dict[str, Decimal] = field(default_factory=dict)
    other_currencies: dict[str, Decimal] = field(default_factory=dict)

    @property
    def no_directorate(self) -> Decimal | None:
        """What cost lines naming no directorate add up to (paid by an organisation as a
        whole), so that who pays by directorate adds up to the total; None when nothing is."""
        if self.total is None:
            return None
        rest = self.total - sum_of(self.by_directorate.values())
        return rest or None

    @property
    def to_serve(self) -> Decimal | None:
        """Total cost less programme spending: what running the service costs."""
        if self.total is None:
            return None
        return self.total - (self.programme or ZERO)


COST_FIELDS = (
    "currency",
    "category",
    "spend",
    "allocated",
    "organisation__name",
    "directorate__name",
)


def costs_for(currencies: dict[int, str], window: Window) -> dict[int, Costs]:
    """Costs of each service (id → its currency) in its own currency; other currencies apart."""
    rows = (
        CostLine.objects.filter(in_window(window), service_id__in=list(currencies))
        .values("service_id", *COST_FIELDS)
        .annotate(total=Sum("amount"))
        .order_by()
    )
    result = {service_id: Costs(currency) for service_id, currency in currencies.items()}
    for row in rows:
        _add_cost(result[row["service_id"]], row)
    return result


def costs_by_period(service_id: int, currency: str, span: Window) -> dict[tuple, Costs]:
    """The costs of each period the service's cost lines record in ``span``, oldest first."""
    rows = (
        CostLine.objects.filter(in_window(span), service_id=service_id)
        .values("period_start", "period_end", *COST_FIELDS)
        .annotate(total=Sum("amount"))
        .order_by()
    )
    result: dict[tuple, Costs] = {}
    for row in rows:
        period = (row["period_start"], row["period_end"])
        _add_cost(result.setdefault(period, Costs(currency)), row)
    return dict(sorted(result.items()))


def _add_cost(costs: Costs, row: dict) -> None:
    """Add one group of cost lines (Σ amount as ``total``) to ``costs``."""
    amount = row["total"]
    if row["currency"] != costs.currency:
        costs.other_currencies[row["currency"]] = (
            costs.other_currencies.get(row["currency"], ZERO) + amount
        )
        return
    costs.total = (costs.total or ZERO) + amount
    if row["spend"] == CostLine.Spend.RUN:
        costs.run += amount
    else:
        costs.change += amount
    if row["allocated"]:
        costs.allocated += amount
    if row["category"] == CostLine.Category.PROGRAMME:
        costs.programme = (costs.programme or ZERO) + amount
    organisation = row["organisation__name"]
    costs.by_organisation[organisation] = costs.by_organisation.get(organisation, ZERO) + amount
    if row["directorate__name"]:
        name = f"{organisation} / {row['directorate__name']}"
        costs.by_directorate[name] = costs.by_directorate.get(name, ZERO) + amount


def cost_per_transaction(costs: Costs, transactions: Decimal | None) -> Decimal | None:
    """Cost to serve (programme spending left out) ÷ transactions; none when either is zero
    or absent."""
    if not costs.to_serve or not transactions:
        return None
    return costs.to_serve / transactions


@dataclass
class Summary:
    """Everything CONTRACTS.md section 3's summary holds, for one service and window."""

    service: Service
    window: Window
    outcomes: Outcomes
    costs: Costs
    flow: FlowFigures
    friction_open: int = 0
    friction_open_high: int = 0
    decisions_logged: int = 0
    decisions_outside_rights: int = 0
    rights_gaps: int = 0
    autonomous_stages: int = 0  # stages an autonomous AI agent performs
    agent_gaps: int = 0  # the gaps those agents open
    leaders: list[str] = field(default_factory=list)
    hands_on_recommended: bool | None = None
    assessment: ProportionalityAssessment | None = None
    gaps: list[str] = field(default_factory=list)
    kpis: list["Kpi"] = field(default_factory=list)

    @property
    def kpis_with_target(self) -> int:
        return sum(1 for k in self.kpis if k.target is not None)

    @property
    def kpis_within_5(self) -> int:
        return sum(1 for k in self.kpis if k.status == "within_5")

    @property
    def kpis_off_target(self) -> int:
        """Off target: not on it, nor within 5 % of it."""
        return sum(1 for k in self.kpis if k.status == "off_target")

    @property
    def kpis_on_target(self) -> int:
        return sum(1 for k in self.kpis if k.status == "on_target")

    @property
    def cost_per_transaction(self) -> Decimal | None:
        return cost_per_transaction(self.costs, self.outcomes.transactions)

    @property
    def reporting(self) -> bool:
        return self.outcomes.transactions is not None or self.costs.total is not None

    @property
    def stale(self) -> bool:
        """No data for more than two (monthly) periods before the window's end."""
        return is_stale(self.outcomes.last_period_end, min(self.window.end, timezone.localdate()))


def summaries(services: list[Service], window: Window) -> dict[int, Summary]:
    """Whole-service summaries for many services, in a fixed number of queries."""
    ids = [s.pk for s in services]
    outcomes = outcomes_for(ids, window)
    costs = costs_for({s.pk: s.organisation.currency for s in services}, window)
    flows = flows_for(services, window)
    friction = {
        row["service_id"]: row
        for row in FrictionPoint.objects.filter(service_id__in=ids)
        .exclude(status=FrictionPoint.Status.RESOLVED)
        .values("service_id")
        .annotate(open=Count("pk"), high=Count("pk", filter=Q(severity="high")))
        .order_by()
    }
    decisions = {
        row["service_id"]: row
        for row in Decision.objects.filter(
            service_id__in=ids,  # pragma: no mutate  (for speed: other services' go unread)
            decided_on__gte=window.start,
            decided_on__lte=window.end,
        )
        .values("service_id")
        .annotate(logged=Count("pk"), outside=Count("pk", filter=Q(within_rights=False)))
        .order_by()
    }
    missing_rights = rights_matrix_rows_missing(ids)
    by_agents = agent_gaps(ids, [f.stage for s in services for f in flows[s.pk].stages])
    leaders: dict[int, list[ServiceLeader]] = defaultdict(list)
    for leader in ServiceLeader.objects.filter(service_id__in=ids).select_related("person"):
        leaders[leader.service_id].append(leader)
    assessments = {
        a.service_id: a for a in ProportionalityAssessment.objects.filter(service_id__in=ids)
    }
    kpis = kpis_for(ids, window, outcomes)
    result = {}
    for service in services:
        stages = [f.stage for f in flows[service.pk].stages]
        assessment = assessments.get(service.pk)
        gaps = accountability_gaps(
            service, stages=stages, leaders=leaders[service.pk], assessment=assessment
        )
        missing = missing_rights.get(service.pk, [])
        if missing:
            gaps.append(rights_gap_text(missing))
        gaps.extend(by_agents[service.pk])
        summary = Summary(
            service=service,
            window=window,
            outcomes=outcomes[service.pk],
            costs=costs[service.pk],
            flow=flows[service.pk],
            friction_open=friction.get(service.pk, {}).get("open", 0),
            friction_open_high=friction.get(service.pk, {}).get("high", 0),
            decisions_logged=decisions.get(service.pk, {}).get("logged", 0),
            decisions_outside_rights=decisions.get(service.pk, {}).get("outside", 0),
            rights_gaps=len(missing),
            autonomous_stages=sum(1 for stage in stages if stage.autonomous),
            agent_gaps=len(by_agents[service.pk]),
            leaders=[leader.person.name for leader in leaders[service.pk]],
            hands_on_recommended=assessment.hands_on_recommended if assessment else None,
            assessment=assessment,
            gaps=gaps,
            kpis=kpis[service.pk],  # every id has its list
        )
        if summary.stale:
            summary.gaps.append("Data is stale: nothing measured in the last two months.")
        result[service.pk] = summary
    return result


def summary(service: Service, window: Window) -> Summary:
    return summaries([service], window)[service.pk]


@dataclass(frozen=True)
class Kpi:
    """One measure of a service in a window, against its target (CONTRACTS.md's ``kpis``)."""

    metric: str
    name: str
    value: Decimal | None
    target: Decimal | None
    higher_is_better: bool
    unit: str = ""

    @property
    def status(self) -> str:
        return kpi_status(self.value, self.target, self.higher_is_better)


# The standard measures every service has, in the order the dashboard shows them.
STANDARD_KPIS = {
    "transactions": "Completed transactions",
    "digital_take_up": "Digital take-up",
    "completion_rate": "Completion rate",
    "user_satisfaction": "User satisfaction",
}


def kpis_for(ids: list[int], window: Window, outcomes: dict[int, Outcomes]):
    """Every KPI of each service with data or a target in the window: the standard ones from
    the window's figures (and any other standard metric given a target), a service's own
    metrics from their latest value in the window. Two queries."""
    metrics: dict[int, dict[str, Metric]] = defaultdict(dict)
    for metric in Metric.objects.filter(service_id__in=ids):
        metrics[metric.service_id][metric.key] = metric
    own = [m.pk for found in metrics.values() for m in found.values() if not m.is_standard]
    latest = latest_values(own, window)
    result: dict[int, list[Kpi]] = {}
    for service_id in ids:
        figures, found = outcomes[service_id], metrics.get(service_id, {})
        standard = {
            "transactions": figures.transactions,
            "digital_take_up": figures.digital_take_up,
            "completion_rate": figures.completion_rate,
            "user_satisfaction": figures.user_satisfaction,
            "started": figures.started or None,
            "contacts": figures.contacts,
            "failure_demand_contacts": figures.failure_demand_contacts,
        }
        kpis = []
        for key, value in standard.items():
            metric = found.get(key)
            target = metric.target if metric else None
            if key not in STANDARD_KPIS and target is None:
                continue  # the other standard metrics count as KPIs once given a target
            if value is None and target is None:
                continue
            kpis.append(
                Kpi(
                    key,
                    metric.name if metric else STANDARD_KPIS[key],
                    value,
                    target,
                    metric.higher_is_better if metric else True,
                    metric.unit if metric else "",
                )
            )
        for metric in sorted(
            (m for m in found.values() if not m.is_standard), key=lambda m: m.name
        ):
            value = latest.get(metric.pk, (None, None))[0]
            if value is None and metric.target is None:
                continue
            kpis.append(
                Kpi(
                    metric.key,
                    metric.name,
                    value,
                    metric.target,
                    metric.higher_is_better,
                    metric.unit,
                )
            )
        result[service_id] = kpis
    return result


def latest_values(metric_ids: list[int], window: Window) -> dict[int, tuple[Decimal, date]]:
    """Each metric's latest period in the window: (Σ over channels, period end)."""
    rows = (
        Measurement.objects.filter(in_window(window), metric_id__in=metric_ids)
        .values("metric_id", "period_end")
        .annotate(total=Sum("value"))
        .order_by()
    )
    latest: dict[int, tuple[Decimal, date]] = {}
    for row in rows:
        metric_id, period_end = row["metric_id"], row["period_end"]
        if (
            metric_id not in latest
            or period_end > latest[metric_id][1]  # pragma: no mutate  (one row a period end)
        ):
            latest[metric_id] = (row["total"], period_end)
    return latest


def metric_series(metric_ids: list[int], span: Window) -> dict[int, dict[tuple, Decimal]]:
    """Each metric's value per period in ``span`` (Σ over channels), oldest first."""
    rows = (
        Measurement.objects.filter(in_window(span), metric_id__in=metric_ids)
        .values("metric_id", "period_start", "period_end")
        .annotate(total=Sum("value"))
        .order_by("period_start", "period_end")  # each metric's series in period order
    )
    series: dict[int, dict[tuple, Decimal]] = defaultdict(dict)
    for row in rows:
        series[row["metric_id"]][(row["period_start"], row["period_end"])] = row["total"]
    return series


def money(value) -> str | None:
    return None if value is None else str(half_up(value, 2))


def number(value) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def summary_json(s: Summary) -> dict:
    """CONTRACTS.md section 3's summary: numbers as numbers, money as decimal strings."""
    flow = s.flow
    bottleneck = flow.bottleneck
    return {
        "service": s.service.slug,
        "from": s.window.start.isoformat(),
        "to": s.window.end.isoformat(),
        "transactions": number(s.outcomes.transactions),
        "digital_take_up": number(s.outcomes.digital_take_up),
        "completion_rate": number(s.outcomes.completion_rate),
        "user_satisfaction": number(s.outcomes.user_satisfaction),
        "total_cost": money(s.costs.total),
        "run_cost": money(s.costs.run) if s.costs.total is not None else None,
        "change_cost": money(s.costs.change) if s.costs.total is not None else None,
        "cost_per_transaction": money(s.cost_per_transaction),
        "programme_spending": money(s.costs.programme),
        "currency": s.costs.currency,
        "costs_in_other_currencies": {k: money(v) for k, v in s.costs.other_currencies.items()},
        "cost_by_organisation": {k: money(v) for k, v in s.costs.by_organisation.items()},
        "cost_by_directorate": {k: money(v) for k, v in s.costs.by_directorate.items()},
        "flow": {
            "process_time_hours": number(flow.process_time_hours),
            "lead_time_hours": number(flow.lead_time_hours),
            "flow_efficiency": number(flow.flow_efficiency),
            "rolled_complete_accurate": number(flow.rolled_complete_accurate),
            "handoffs": flow.handoff_counts,
            "bottleneck": {
                "from_stage": bottleneck.from_stage.name,
                "to_stage": bottleneck.to_stage.name,
                "median_wait_hours": number(bottleneck.median_wait_hours),
            }
            if bottleneck
            else None,
        },
        "friction": {
            "open": s.friction_open,
            "open_high": s.friction_open_high,
            "failure_demand_share": number(s.outcomes.failure_demand_share),
        },
        "decisions": {
            "logged": s.decisions_logged,
            "outside_rights": s.decisions_outside_rights,
            "rights_gaps": s.rights_gaps,
        },
        "leadership": {
            "model": s.service.leadership_model,
            "leaders": s.leaders,
            "hands_on_recommended": s.hands_on_recommended,
        },
        "kpis": [
            {
                "metric": k.metric,
                "name": k.name,
                "value": number(k.value),
                "target": number(k.target),
                "higher_is_better": k.higher_is_better,
                "status": k.status,
            }
            for k in s.kpis
        ],
        "gaps": s.gaps,
    }
