"""Flow figures of a journey, exactly as DESIGN.md "Metrics" defines them.

Pure functions over sums the database has already added up, so they are easy to check by
hand: per hand-off, Σ handed over, Σ returned, Σ(median wait × handed over); per stage,
Σ completed and Σ(median process time × completed).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from services.journey import Boundary, boundary_counts
from services.models import Stage

ZERO = Decimal(0)


@dataclass
class HandoffFigures:
    """One hand-off's sums over a window, and the figures they give."""

    from_stage: Stage
    to_stage: Stage
    boundary: Boundary
    handoff_id: int | None = None
    logs: int = 0
    handed_over: int = 0
    returned: int = 0
    wait_weighted: Decimal = ZERO  # Σ (median wait hours × handed over)

    @property
    def has_data(self) -> bool:
        return self.logs > 0 and self.handed_over > 0

    @property
    def complete_accurate(self) -> Decimal | None:
        """%C&A = 1 − Σ returned ÷ Σ handed over."""
        if not self.has_data:
            return None
        return 1 - Decimal(self.returned) / Decimal(self.handed_over)

    @property
    def median_wait_hours(self) -> Decimal | None:
        """The logged median waits, weighted by items handed over."""
        if not self.has_data:
            return None
        return self.wait_weighted / Decimal(self.handed_over)


@dataclass
class StageFigures:
    stage: Stage
    logs: int = 0
    completed: int = 0
    process_weighted: Decimal = ZERO  # Σ (median process hours × completed)

    @property
    def has_data(self) -> bool:
        return self.logs > 0 and self.completed > 0

    @property
    def median_process_hours(self) -> Decimal | None:
        """The logged median process times, weighted by items completed."""
        if not self.has_data:
            return None
        return self.process_weighted / Decimal(self.completed)


@dataclass
class FlowFigures:
    stages: list[StageFigures]
    handoffs: list[HandoffFigures]
    process_time_hours: Decimal | None = None
    lead_time_hours: Decimal | None = None
    flow_efficiency: Decimal | None = None
    rolled_complete_accurate: Decimal | None = None
    bottleneck: HandoffFigures | None = None
    missing_handoffs: list[HandoffFigures] = field(default_factory=list)
    missing_stages: list[StageFigures] = field(default_factory=list)

    @property
    def handoff_counts(self) -> dict[str, int]:
        """Counts of the journey's hand-offs, not of the items passed."""
        return boundary_counts([h.boundary for h in self.handoffs])

    @property
    def has_data(self) -> bool:
        return any(s.has_data for s in self.stages) or any(h.has_data for h in self.handoffs)

    @property
    def steps(self) -> list[tuple[StageFigures, HandoffFigures | None]]:
        """Each stage with the hand-off out of it (none after the last); none without stages."""
        return list(zip(self.stages, [*self.handoffs, None][: len(self.stages)], strict=True))


def flow_figures(stages: list[StageFigures], handoffs: list[HandoffFigures]) -> FlowFigures:
    figures = FlowFigures(stages=stages, handoffs=handoffs)
    figures.missing_stages = [s for s in stages if not s.has_data]
    figures.missing_handoffs = [h for h in handoffs if not h.has_data]

    measured_stages = [s for s in stages if s.has_data]
    measured_handoffs = [h for h in handoffs if h.has_data]
    # The sums' ZERO starts are for the type checker's sake: without them a sum of Decimals is
    # still a Decimal, and no waits added to a Decimal is that Decimal (equivalent mutants).
    if measured_stages:
        process = (s.median_process_hours for s in measured_stages)
        figures.process_time_hours = sum(process, ZERO)  # pragma: no mutate
    if measured_stages or measured_handoffs:
        waits = sum((h.median_wait_hours for h in measured_handoffs), ZERO)  # pragma: no mutate
        figures.lead_time_hours = (figures.process_time_hours or ZERO) + waits
    if figures.process_time_hours is not None and figures.lead_time_hours:
        figures.flow_efficiency = figures.process_time_hours / figures.lead_time_hours
    if measured_handoffs:
        rolled = Decimal(1)
        for handoff in measured_handoffs:
            rolled *= handoff.complete_accurate
        figures.rolled_complete_accurate = rolled
        figures.bottleneck = max(
            measured_handoffs, key=lambda h: (h.median_wait_hours, h.handed_over)
        )
    return figures
