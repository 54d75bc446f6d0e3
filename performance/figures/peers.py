"""Where a service stands among its peers: the other services of the same kind and phase that
the reader may see, over the same window, figure by figure ("cost per transaction lower than
72% of 38 live public-facing transactional services").

Read from the stored roll-ups in SQL (two queries once they are up to date), so it costs the
same among 10 services or 2,000. A figure is compared only when at least
``settings.PEERS_AT_LEAST`` others have it; money only with services accounting in the same
currency. A peer with the same value is not beaten, and is counted apart.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q

from performance.figures.portfolio import PortfolioFilters, portfolio
from performance.figures.trends import show
from performance.windows import Window
from servicelead.numbers import percent
from servicelead.sql import Ratio
from services.models import Service
from services.queries import User


@dataclass(frozen=True)
class Figure:
    key: str  # the roll-up's column, or "targets_met"
    name: str
    higher_is_better: bool
    kind: str  # how a value is written (dashboard.FORMATS, or "hours")
    money: bool = False


FIGURES = [
    Figure("cost_per_transaction", "Cost per transaction", False, "number", money=True),
    Figure("completion_rate", "Completion rate", True, "percent"),
    Figure("digital_take_up", "Digital take-up", True, "percent"),
    Figure("user_satisfaction", "User satisfaction", True, "score"),
    Figure("lead_time_hours", "Lead time", False, "hours"),
    Figure("complete_accurate", "Rolled complete and accurate", True, "percent"),
    Figure("targets_met", "Targets met (of KPIs and standards with one)", True, "percent"),
]

# KPIs on target ÷ KPIs with a target (a GC service's standards among them); none without.
TARGETS_MET = Ratio("kpis_on_target", "kpis_with_target")


@dataclass
class Standing:
    figure: Figure
    value: Decimal | None
    shown: str
    peers: int = 0  # others with the figure (in the same currency, for money)
    beaten: int = 0  # of them, those this service does better than
    same: int = 0  # of them, those with the same value
    group: str = ""
    at_least: int = 5

    @property
    def compared(self) -> bool:
        return self.value is not None and self.peers >= self.at_least

    @property
    def share(self) -> Decimal | None:
        """The share of the peers this service does better than."""
        return Decimal(self.beaten) / self.peers if self.compared else None

    @property
    def sentence(self) -> str:
        if self.value is None:
            return "No figure for this service in the window."
        others = f"other {self.group}" if self.peers != 1 else f"other {self.group[:-1]}"
        if not self.compared:
            have = "has" if self.peers == 1 else "have"
            count = self.peers or "No"
            return (
                f"{count} {others} {have} this figure: too few to compare "
                f"(at least {self.at_least})."
            )
        better = "Higher" if self.figure.higher_is_better else "Lower"
        ties = f" (the same as {self.same})" if self.same else ""
        return f"{better} than {percent(self.share)} of {self.peers} {self.group}{ties}."


@dataclass
class Peers:
    group: str  # "live public-facing transactional services"
    services: int  # in the group, this one included
    missing: int  # whose figures for the window are still being worked out
    standings: list[Standing]


def group_of(service: Service) -> str:
    return f"{service.get_phase_display().lower()} {service.get_kind_display().lower()} services"


def peer_standing(user: User, service: Service, window: Window) -> Peers:
    """Where ``service`` stands on each figure among the services of its kind and phase."""
    group = group_of(service)
    filters = PortfolioFilters(kind=service.kind, phase=service.phase)
    found = portfolio(user, window, filters, "service")
    rows = found.rows.order_by().annotate(targets_met=TARGETS_MET)
    keys = [figure.key for figure in FIGURES]
    mine = rows.filter(service=service).values("currency", *keys).first()
    if mine is None:  # its own figures are still being worked out
        return Peers(group, 0, found.freshness.missing, [])
    currency = mine["currency"]
    counts = {"services": Count("pk")}
    for figure in FIGURES:
        value = mine[figure.key]
        if value is None:
            continue
        having = Q(**{f"{figure.key}__isnull": False}) & ~Q(service=service)
        if figure.money:
            having &= Q(currency=currency)
        worse = "lt" if figure.higher_is_better else "gt"
        counts[f"{figure.key}_peers"] = Count("pk", filter=having)
        counts[f"{figure.key}_beaten"] = Count(
            "pk", filter=having & Q(**{f"{figure.key}__{worse}": value})
        )
        counts[f"{figure.key}_same"] = Count("pk", filter=having & Q(**{figure.key: value}))
    totals = rows.aggregate(**counts)
    at_least = settings.PEERS_AT_LEAST
    standings = [
        Standing(
            figure,
            mine[figure.key],
            show(mine[figure.key], figure.kind, f" {currency}" if figure.money else ""),
            peers=totals.get(f"{figure.key}_peers", 0),
            beaten=totals.get(f"{figure.key}_beaten", 0),
            same=totals.get(f"{figure.key}_same", 0),
            group=group,
            at_least=at_least,
        )
        for figure in FIGURES
    ]
    return Peers(group, totals["services"], found.freshness.missing, standings)
