"""What makes a service an exception in a window, in words, and the exceptions among a set of
services: the portfolio's overview, for the org admin's home and the organisation and
directorate pages. Read from the stored roll-ups, so a fixed number of queries for any
number of services."""

from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.db.models.functions import Lower

from performance.figures.extents import window_for
from performance.figures.portfolio import (
    EXCEPTIONS,
    NEEDS_ATTENTION,
    PortfolioFilters,
    exception_counts,
    portfolio,
)
from performance.models import Rollup
from performance.windows import Window
from services.queries import User, filter_services, visible_services

SHOWN = 10  # services needing attention listed; the rest are in the portfolio


@dataclass
class Glance:
    """One service's status for the window, and why."""

    row: Rollup
    problems: list[str]

    @property
    def status(self) -> str:
        if self.problems:
            return "Needs attention"
        return "On track" if self.row.reporting else "No data"


def with_exceptions(rows: QuerySet[Rollup]) -> QuerySet[Rollup]:
    """Each roll-up with ``is_<kind>`` for each kind of exception, as the portfolio counts them."""
    return rows.annotate(
        **{
            f"is_{name}": ExpressionWrapper(q, output_field=BooleanField())
            for name, q in EXCEPTIONS.items()
        }
    )


def glance(row: Rollup) -> Glance:
    """``row`` (annotated by ``with_exceptions``) with its exceptions in words."""
    problems = []
    if row.is_off_target:
        kpis = "KPI" if row.kpis_with_target == 1 else "KPIs"
        problems.append(f"{row.kpis_off_target} of {row.kpis_with_target} {kpis} off target")
    if row.is_stale:  # old or missing, as the portfolio's filter has it
        problems.append(
            f"data is stale: the last ends {row.last_period_end:%-d %b %Y}"
            if row.last_period_end
            else "nothing measured yet"
        )
    if row.is_friction_high:
        n = row.friction_open_high
        problems.append(f"{n} high-severity friction point{'s' if n != 1 else ''} open")
    if row.is_outside_rights:
        n = row.decisions_outside_rights
        problems.append(f"{n} decision{'s' if n != 1 else ''} outside agreed rights")
    if row.is_hands_on_gap:
        problems.append("hands-on leadership recommended but not in place")
    return Glance(row, problems)


@dataclass
class Exceptions:
    """The exceptions among the services in view, for their default window."""

    window: Window
    missing: int  # services whose figures for the window are still being worked out
    services: int
    attention: int
    off_target: int
    hands_on_gap: int
    stale: int
    friction_high: int
    outside_rights: int
    needing_attention: list[Glance] = field(default_factory=list)  # the first SHOWN, by name


def exceptions_in(user: User, filters: PortfolioFilters, shown: int = SHOWN) -> Exceptions:
    """The exceptions among the services the user may see that ``filters`` selects."""
    window = window_for({}, filter_services(visible_services(user), filters))["window"]
    found = portfolio(user, window, filters, "service")
    rows = found.rows
    counts = exception_counts(rows)
    needing = with_exceptions(rows.filter(NEEDS_ATTENTION).defer("figures")).order_by(
        Lower("service__name"), "pk"
    )
    return Exceptions(
        window=window,
        missing=found.freshness.missing,
        **counts,
        needing_attention=[glance(row) for row in needing[:shown]],
    )
