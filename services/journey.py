"""A service's end-to-end journey: its stages in order and the hand-offs between them."""

from dataclasses import dataclass
from enum import StrEnum

from services.models import Stage, Team


class Boundary(StrEnum):
    """Which organisational boundary a hand-off crosses, from the two stages' owning teams."""

    WITHIN_TEAM = "within_team"
    WITHIN_DIRECTORATE = "within_directorate"
    CROSS_DIRECTORATE = "cross_directorate"
    CROSS_ORGANISATION = "cross_organisation"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            Boundary.WITHIN_TEAM: "Within a team",
            Boundary.WITHIN_DIRECTORATE: "Between teams in a directorate",
            Boundary.CROSS_DIRECTORATE: "Across directorates",
            Boundary.CROSS_ORGANISATION: "Across organisations",
            Boundary.UNKNOWN: "Unknown: a stage has no owning team",
        }[self]


def boundary_between(giving: Team | None, receiving: Team | None) -> Boundary:
    """Classify a hand-off from the team giving work to the team receiving it.

    Teams must come with ``directorate`` loaded (``select_related``) to avoid a query each.
    """
    if giving is None or receiving is None:
        return Boundary.UNKNOWN
    if giving.pk == receiving.pk:
        return Boundary.WITHIN_TEAM
    if giving.directorate_id == receiving.directorate_id:
        return Boundary.WITHIN_DIRECTORATE
    if giving.directorate.organisation_id == receiving.directorate.organisation_id:
        return Boundary.CROSS_DIRECTORATE
    return Boundary.CROSS_ORGANISATION


@dataclass(frozen=True)
class Crossing:
    """Where a journey's work passes from one stage to the next (a hand-off, as the journey
    describes it; ``performance.models.Handoff`` is where it is logged), and the boundary it
    crosses."""

    from_stage: Stage
    to_stage: Stage
    boundary: Boundary


def crossings(stages: list[Stage]) -> list[Crossing]:
    """The hand-offs between consecutive stages of a journey (stages in position order)."""
    return [
        Crossing(giving, receiving, boundary_between(giving.team, receiving.team))
        for giving, receiving in zip(stages, stages[1:], strict=False)
    ]


def boundary_counts(boundaries: list[Boundary]) -> dict[str, int]:
    """How many of a journey's hand-offs there are, and how many cross a directorate or an
    organisation (counts of hand-offs, not of the items passed)."""
    return {
        "total": len(boundaries),
        "cross_directorate": boundaries.count(Boundary.CROSS_DIRECTORATE),
        "cross_organisation": boundaries.count(Boundary.CROSS_ORGANISATION),
    }
