"""The portfolio: every visible service's roll-up for a window, filtered, sorted and totalled in
SQL, so a page costs the same whatever the number of services."""

from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Lower

from performance.figures.metrics import ZERO
from performance.figures.rollups import Freshness, bring_up_to_date
from performance.models import Rollup
from performance.windows import Window
from servicelead.sql import Ratio
from services.gaps import NOT_HANDS_ON
from services.models import Service
from services.queries import CatalogueFilters, User, filter_services, visible_services


# pragma: no mutate start
# Called once, as the module loads (COLUMNS), where no mutant can reach it; its rule is stated
# by tests/performance/figures/test_metrics.py (phases in lifecycle order, leadership by its label).
def _rank(field: str, choices) -> Case:
    """Orders a choice field by the position of its values in ``choices``."""
    return Case(
        *[When(**{field: value}, then=Value(i)) for i, value in enumerate(choices)],
        default=Value(len(choices)),
    )


# pragma: no mutate end


_LEADERSHIP_BY_LABEL = [v for v, _ in sorted(Service.LeadershipModel.choices, key=lambda c: c[1])]

# key: (heading, what it sorts by) — every column can be sorted; no data sorts last.
COLUMNS = {
    "service": ("Service", [Lower("service__name")]),
    "organisation": ("Organisation", [Lower("service__organisation__name")]),
    "phase": ("Phase", [_rank("service__phase", Service.Phase.values)]),
    "leadership": ("Leadership", [_rank("service__leadership_model", _LEADERSHIP_BY_LABEL)]),
    "hands_on": ("Hands-on recommended", [F("hands_on_recommended")]),
    "transactions": ("Transactions", [F("transactions")]),
    "total_cost": ("Total cost", [F("total_cost")]),
    "cost_per_transaction": ("Cost per transaction", [F("cost_per_transaction")]),
    "digital_take_up": ("Digital take-up", [F("digital_take_up")]),
    # The share on target (none without targets), then how many have targets.
    "kpis": (
        "KPIs on target",
        [
            Ratio("kpis_on_target", "kpis_with_target"),
            F("kpis_with_target"),
        ],
    ),
    "cross_directorate": ("Hand-offs across directorates", [F("cross_directorate")]),
    "cross_organisation": ("Hand-offs across organisations", [F("cross_organisation")]),
    "bottleneck_wait": ("Median wait at the bottleneck (hours)", [F("bottleneck_wait_hours")]),
    "friction_high": ("Open high-severity friction", [F("friction_open_high")]),
    "outside_rights": ("Decisions outside rights", [F("decisions_outside_rights")]),
    "last_data": ("Last data", [F("last_period_end")]),
}


def ordering(sort: str) -> list:
    """ORDER BY for ``sort`` (a column key, "-" first for descending): rows without the
    figure last either way, then by service name, then id, so pages never overlap."""
    key = sort.lstrip("-")  # pragma: no mutate  (no key starts with anything else stripped)
    if key not in COLUMNS:
        key = "service"
    descending = sort.startswith("-")
    # SQLite sorts NULL last in a descending order by itself, so only PostgreSQL (CI) tells
    # a missing nulls_last there (test_no_data_sorts_last_both_ways_and_pages_do_not_overlap).
    by = [
        e.desc(nulls_last=True) if descending else e.asc(nulls_last=True)  # pragma: no mutate
        for e in COLUMNS[key][1]
    ]
    return [*by, Lower("service__name").asc(), "service_id"]


@dataclass
class Totals:
    services: int
    services_reporting: int
    transactions: Decimal | None
    total_cost: dict[str, Decimal]  # per currency, never added across currencies
    cost_per_transaction: dict[str, Decimal]  # per currency
    digital_take_up: Decimal | None


def totals(rows: QuerySet[Rollup]) -> Totals:
    """ "N of M reporting"; volumes summed, and money per currency; rates recomputed from the
    summed parts (volume-weighted), never the mean of the services' rates. Three queries, the
    third reading only the rows that hold money in another currency than their own."""
    rows = rows.order_by()
    overall = rows.aggregate(
        services=Count("pk"),
        reporting=Count("pk", filter=Q(reporting=True)),
        transactions=Sum("transactions"),
        digital=Sum("digital"),
        channelled=Sum("channelled"),
    )
    served = Q(cost_per_transaction__isnull=False)
    total_cost: dict[str, Decimal] = {}
    per_transaction: dict[str, Decimal] = {}
    for row in rows.values("currency").annotate(
        total=Sum("total_cost"),
        to_serve=Sum("cost_to_serve", filter=served),
        transactions=Sum("transactions", filter=served),
    ):
        if row["total"] is not None:
            total_cost[row["currency"]] = row["total"]
        if row["transactions"]:
            per_transaction[row["currency"]] = row["to_serve"] / row["transactions"]
    others = rows.exclude(other_currencies={})  # pragma: no mutate  (for speed: {} adds nothing)
    for amounts in others.values_list("other_currencies", flat=True):
        for currency, amount in amounts.items():
            total_cost[currency] = total_cost.get(currency, ZERO) + Decimal(amount)
    return Totals(
        services=overall["services"],
        services_reporting=overall["reporting"],
        transactions=overall["transactions"],
        total_cost=dict(sorted(total_cost.items())),
        cost_per_transaction=dict(sorted(per_transaction.items())),
        digital_take_up=(
            (overall["digital"] or ZERO) / overall["channelled"] if overall["channelled"] else None
        ),
    )


# The columns a reader sees unless they choose others: what fits a 1,280-pixel screen and
# says most about a service's state. The service's name is always shown.
DEFAULT_COLUMNS = [
    "organisation",
    "transactions",
    "cost_per_transaction",
    "digital_take_up",
    "kpis",
    "friction_high",
    "outside_rights",
    "last_data",
]

# A roll-up whose service is recommended hands-on leadership and has a model that gives none.
HANDS_ON_GAP = Q(hands_on_recommended=True, service__leadership_model__in=NOT_HANDS_ON)

# What makes a service an exception in a window, each as a filter on its roll-up.
EXCEPTIONS = {
    "off_target": Q(kpis_off_target__gt=0),  # not within 5 % of the target either
    "hands_on_gap": HANDS_ON_GAP,
    "stale": Q(stale=True),  # old or missing
    "friction_high": Q(friction_open_high__gt=0),
    "outside_rights": Q(decisions_outside_rights__gt=0),
}
NEEDS_ATTENTION = reduce(or_, EXCEPTIONS.values())
# The portfolio's filter on them: any, or one kind.
EXCEPTION_CHOICES = [
    ("any", "Any exception"),
    ("off_target", "KPIs off target"),
    ("hands_on_gap", "Hands-on leadership recommended, not in place"),
    ("stale", "Stale or missing data"),
    ("friction_high", "Open high-severity friction"),
    ("outside_rights", "Decisions outside agreed rights"),
]


# Automation and AI agents in the journeys, each as a filter on the roll-up.
AGENTS = {
    "autonomous": Q(autonomous_stages__gt=0),
    "agent_gaps": Q(agent_gaps__gt=0),
    "automated_decisions": Q(service__automated_decision_system=True),
}
AGENT_CHOICES = [
    ("autonomous", "Stages an autonomous AI agent performs"),
    ("agent_gaps", "Autonomous AI agents with accountability gaps"),
    ("automated_decisions", "Uses an automated decision system (as published)"),
]


@dataclass
class Overview:
    """How many of the portfolio's services (as filtered) are exceptions, and of which kind."""

    services: int
    attention: int
    off_target: int
    hands_on_gap: int
    stale: int
    friction_high: int
    outside_rights: int
    by_organisation: list[dict]  # name, services, attention
    autonomous: int = 0
    agent_gaps: int = 0
    automated_decisions: int = 0


def exception_counts(rows: QuerySet[Rollup], also: dict[str, Q] | None = None) -> dict[str, int]:
    """How many of the roll-ups there are, need attention, and are each kind of exception
    (and each of ``also``), in one query."""
    return rows.order_by().aggregate(
        services=Count("pk"),
        attention=Count("pk", filter=NEEDS_ATTENTION),
        **{name: Count("pk", filter=q) for name, q in (EXCEPTIONS | (also or {})).items()},
    )


def overview(rows: QuerySet[Rollup]) -> Overview:
    """Two grouped queries over the filtered roll-ups."""
    counts = exception_counts(rows, AGENTS)
    by_organisation = list(
        rows.order_by()
        .values(name=F("service__organisation__name"), slug=F("service__organisation__slug"))
        .annotate(services=Count("pk"), attention=Count("pk", filter=NEEDS_ATTENTION))
        .order_by("-attention", Lower("service__organisation__name"))
    )
    return Overview(**counts, by_organisation=by_organisation)


@dataclass
class PortfolioFilters(CatalogueFilters):
    hands_on_gap: bool = False
    stale: bool = False
    evidence_disagrees: bool = False
    maturity: int | None = None  # the level (0 not yet Bronze … 3 Gold)
    agents: str = ""  # a key of AGENTS
    exception: str = ""  # "any", or a key of EXCEPTIONS


@dataclass
class Portfolio:
    rows: QuerySet[Rollup]  # filtered and sorted, not yet read: page it
    freshness: Freshness


def portfolio(
    user: User,
    window: Window,
    filters: PortfolioFilters,
    sort: str,
    *,
    within: QuerySet[Service] | None = None,
) -> Portfolio:
    """The filtered, sorted roll-ups. ``within`` replaces the user's own visibility (tokens)."""
    services = filter_services(visible_services(user) if within is None else within, filters)
    freshness = bring_up_to_date(services, window)
    rows = Rollup.objects.filter(
        window_start=window.start, window_end=window.end, service__in=services.values("pk")
    )
    if filters.hands_on_gap:
        rows = rows.filter(HANDS_ON_GAP)
    if filters.stale:
        rows = rows.filter(stale=True)
    if filters.evidence_disagrees:
        rows = rows.filter(evidence_disagrees=True)
    if filters.maturity is not None:
        rows = rows.filter(maturity=filters.maturity)
    if filters.agents:
        rows = rows.filter(AGENTS[filters.agents])
    if filters.exception:
        rows = rows.filter(
            NEEDS_ATTENTION if filters.exception == "any" else EXCEPTIONS[filters.exception]
        )
    rows = rows.select_related("service__organisation").order_by(*ordering(sort))
    return Portfolio(rows=rows, freshness=freshness)
