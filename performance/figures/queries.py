"""Reads for the figures' pages beyond the summary: the dashboard's other panels and the share
of a service that a part of the organisation pays for and hands on."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    QuerySet,
    Sum,
)

from performance.figures.metrics import Summary
from performance.figures.summary_cache import cached_summaries
from performance.flow.figures import HandoffFigures
from performance.models import (
    ChangeInitiative,
    CostLine,
    DataQualityFinding,
    ReviewNarrative,
)
from performance.windows import Window, in_window
from services.models import Service, Team


def dashboard_panels(service: Service, window: Window) -> dict:
    """What the dashboard shows beside the figures: how shared costs were allocated, the change
    under way, the leader's narrative for the window and the count of data-quality findings."""
    return {
        "allocated_lines": CostLine.objects.filter(
            in_window(window), service=service, allocated=True
        )
        .values_list("allocation_driver", flat=True)
        .distinct(),
        "changes": ChangeInitiative.objects.filter(
            service=service, status=ChangeInitiative.Status.ACTIVE
        ).order_by("title"),
        "narrative": ReviewNarrative.objects.filter(
            service=service, window_start=window.start, window_end=window.end
        ).first(),
        "findings": service.findings.count(),
    }


@dataclass(frozen=True)
class Part:
    """A part of the organisation: the cost lines it pays and the teams that belong to it."""

    pays: dict  # CostLine lookups
    teams: dict  # Team lookups

    def services(self, services: QuerySet[Service]) -> QuerySet[Service]:
        """Of ``services``, those with a stage owned by one of its teams."""
        return services.filter(**{f"stages__team__{k}": v for k, v in self.teams.items()})

    def holds(self, team: Team) -> bool:
        if "directorate_id__in" in self.teams:
            return team.directorate_id in self.teams["directorate_id__in"]
        return team.directorate.organisation_id == self.teams["directorate__organisation"].pk


@dataclass
class Share:
    summary: Summary
    paid: Decimal | None  # what the part pays, in the service's currency
    share: Decimal | None  # of the service's whole cost
    crossing: list[HandoffFigures]  # hand-offs across the part's boundary


def shares(services: list[Service], window: Window, part: Part) -> list[Share]:
    """For each service, the part's share of its cost and the hand-offs crossing the part's
    boundary (other currencies than the service's own are never added in)."""
    figures = cached_summaries(services, window)
    paid = {
        (row["service_id"], row["currency"]): row["total"]
        for row in CostLine.objects.filter(in_window(window), service__in=services, **part.pays)
        .values("service_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    rows = []
    for service in services:
        summary = figures[service.pk]
        share = paid.get((service.pk, summary.costs.currency))
        rows.append(
            Share(
                summary=summary,
                paid=share,
                share=share / summary.costs.total
                if share is not None and summary.costs.total
                else None,
                crossing=[
                    h
                    for h in summary.flow.handoffs
                    if h.from_stage.team
                    and h.to_stage.team
                    and part.holds(h.from_stage.team) != part.holds(h.to_stage.team)
                ],
            )
        )
    return rows


def findings_list(services, *, kind: str = "", organisation=None, service: str = ""):
    """Data-quality findings about ``services`` (already what the user may see), filtered."""
    found = DataQualityFinding.objects.filter(service__in=services).select_related(
        "service__organisation"
    )
    if organisation is not None:
        found = found.filter(service__organisation=organisation)
    if service:
        found = found.filter(service__slug=service)
    by_kind = dict(found.values_list("kind").annotate(n=Count("pk")).order_by())
    if kind:
        found = found.filter(kind=kind)
    counts = [
        (key, label, by_kind[key])
        for key, label in DataQualityFinding.Kind.choices
        if key in by_kind
    ]
    return found.order_by("service__name", "kind", "subject"), counts
