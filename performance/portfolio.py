"""The portfolio roll-up: every visible service's figures, filtered, sorted and totalled."""

from dataclasses import dataclass
from decimal import Decimal

from performance.rollups import cached_summaries
from performance.summary import ZERO, Summary
from performance.windows import Window
from services.models import Service
from services.queries import CatalogueFilters, User, catalogue, catalogue_filter

# key: (heading, how to read a summary) — every column can be sorted.
COLUMNS = {
    "service": ("Service", lambda s: s.service.name.lower()),
    "organisation": ("Organisation", lambda s: s.service.organisation.name.lower()),
    "phase": ("Phase", lambda s: list(Service.Phase.values).index(s.service.phase)),
    "leadership": ("Leadership", lambda s: s.service.get_leadership_model_display()),
    "hands_on": ("Hands-on recommended", lambda s: s.hands_on_recommended),
    "transactions": ("Transactions", lambda s: s.outcomes.transactions),
    "total_cost": ("Total cost", lambda s: s.costs.total),
    "cost_per_transaction": ("Cost per transaction", lambda s: s.cost_per_transaction),
    "digital_take_up": ("Digital take-up", lambda s: s.outcomes.digital_take_up),
    "kpis": (
        "KPIs on target",
        lambda s: (s.kpis_on_target, s.kpis_with_target) if s.kpis_with_target else None,
    ),
    "cross_directorate": (
        "Hand-offs across directorates",
        lambda s: s.flow.handoff_counts["cross_directorate"],
    ),
    "cross_organisation": (
        "Hand-offs across organisations",
        lambda s: s.flow.handoff_counts["cross_organisation"],
    ),
    "bottleneck_wait": (
        "Median wait at the bottleneck (hours)",
        lambda s: s.flow.bottleneck.median_wait_hours if s.flow.bottleneck else None,
    ),
    "friction_high": ("Open high-severity friction", lambda s: s.friction_open_high),
    "outside_rights": ("Decisions outside rights", lambda s: s.decisions_outside_rights),
    "last_data": ("Last data", lambda s: s.outcomes.last_period_end),
}


@dataclass
class Totals:
    services: int
    services_reporting: int
    transactions: Decimal | None
    total_cost: dict[str, Decimal]  # per currency, never added across currencies
    cost_per_transaction: dict[str, Decimal]  # per currency
    digital_take_up: Decimal | None


def totals(rows: list[Summary]) -> Totals:
    """ "N of M reporting"; volumes summed, and money per currency; rates recomputed from the
    summed parts (volume-weighted), never the mean of the services' rates."""
    transactions = [r.outcomes.transactions for r in rows if r.outcomes.transactions is not None]
    total_cost: dict[str, Decimal] = {}
    served: dict[str, list[Decimal]] = {}  # per currency: [cost to serve, transactions]
    for r in rows:
        amounts = dict(r.costs.other_currencies)
        if r.costs.total is not None:
            amounts[r.costs.currency] = amounts.get(r.costs.currency, ZERO) + r.costs.total
        for currency, amount in amounts.items():
            total_cost[currency] = total_cost.get(currency, ZERO) + amount
        if r.cost_per_transaction is not None:
            parts = served.setdefault(r.costs.currency, [ZERO, ZERO])
            parts[0] += r.costs.to_serve
            parts[1] += r.outcomes.transactions
    channelled = [r for r in rows if r.outcomes.channelled]
    channel_total = sum((r.outcomes.channelled for r in channelled), ZERO)
    return Totals(
        services=len(rows),
        services_reporting=sum(1 for r in rows if r.reporting),
        transactions=sum(transactions, ZERO) if transactions else None,
        total_cost=dict(sorted(total_cost.items())),
        cost_per_transaction={c: cost / n for c, (cost, n) in sorted(served.items())},
        digital_take_up=(
            sum((r.outcomes.digital for r in channelled), ZERO) / channel_total
            if channel_total
            else None
        ),
    )


@dataclass
class PortfolioFilters(CatalogueFilters):
    hands_on_gap: bool = False
    stale: bool = False


def portfolio(
    user: User,
    window: Window,
    filters: PortfolioFilters,
    sort: str,
    *,
    within: set[int] | None = None,
) -> list[Summary]:
    """The filtered, sorted rows. ``within`` replaces the user's own visibility (for tokens)."""
    if within is not None:
        services = Service.objects.filter(pk__in=within)
        services = catalogue_filter(services, filters)
    else:
        services = catalogue(user, filters)
    services = list(services.select_related("organisation"))
    rows = list(cached_summaries(services, window).values())
    if filters.hands_on_gap:
        rows = [
            r
            for r in rows
            if r.hands_on_recommended and r.service.leadership_model in {"none", "council"}
        ]
    if filters.stale:
        rows = [r for r in rows if r.stale]
    key = sort.lstrip("-")
    if key not in COLUMNS:
        key = "service"
    read = COLUMNS[key][1]
    present = [r for r in rows if read(r) is not None]
    absent = [r for r in rows if read(r) is None]
    present.sort(key=read, reverse=sort.startswith("-"))
    absent.sort(key=lambda r: r.service.name.lower())
    return present + absent  # no data sorts last, either way
