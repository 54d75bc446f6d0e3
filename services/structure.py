"""The organisation's structure as org admins change it: new organisations' addresses, and
what moving a team to another directorate does to the journeys its stages are on."""

import copy
from collections import defaultdict
from dataclasses import dataclass

from django.utils.text import slugify

from services.journey import Boundary, boundary_between
from services.models import Directorate, Service, Stage, Team


def unique_slug(name: str, taken: set[str]) -> str:
    """An address for ``name`` that no other organisation has (taken is updated)."""
    base = slugify(name)[:90] or "organisation"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


# Where a hand-off lies, as a move's impact says it.
WHERE = {
    Boundary.WITHIN_TEAM: "within one team",
    Boundary.WITHIN_DIRECTORATE: "between teams of one directorate",
    Boundary.CROSS_DIRECTORATE: "across a directorate boundary",
    Boundary.CROSS_ORGANISATION: "across an organisation boundary",
    Boundary.UNKNOWN: "with a stage no team owns",
}


@dataclass
class Moved:
    """One hand-off whose boundary a move changes."""

    service: Service
    from_stage: Stage
    to_stage: Stage
    before: Boundary
    after: Boundary


@dataclass
class Impact:
    """What a move does to the journeys: each hand-off whose boundary changes."""

    moved: list[Moved]

    @property
    def lines(self) -> list[str]:
        """The changes in words, one line for each change of boundary, with how many
        hand-offs in how many services: "moves 7 hand-offs in 3 services across an
        organisation boundary"."""
        groups: dict[tuple[Boundary, Boundary], list[Moved]] = defaultdict(list)
        for change in self.moved:
            groups[(change.before, change.after)].append(change)
        lines = []
        for (before, after), changes in sorted(groups.items(), key=_biggest_first):
            count = _counted(len(changes), "hand-off")
            services = _counted(len({c.service.pk for c in changes}), "service")
            lines.append(f"Moves {count} in {services} {WHERE[after]} (until now {WHERE[before]}).")
        return lines


def _biggest_first(item) -> tuple:
    (before, after), changes = item
    return (-len(changes), before, after)


def _counted(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def team_move_impact(team: Team, directorate: Directorate) -> Impact:
    """The hand-offs whose boundary changes if ``team`` moves to ``directorate``: on every
    journey with a stage the team owns, each hand-off to or from one of its stages,
    classified before and after (one query)."""
    if directorate.pk == team.directorate_id:
        return Impact([])
    moved_team = copy.copy(team)
    moved_team.directorate = directorate
    stages = (
        Stage.objects.filter(service__in=Stage.objects.filter(team=team).values("service_id"))
        .select_related("service", "team__directorate")
        .order_by("service_id", "position")
    )
    journeys: dict[int, list[Stage]] = defaultdict(list)
    for stage in stages:
        journeys[stage.service_id].append(stage)

    def after(owner: Team | None) -> Team | None:
        return moved_team if owner is not None and owner.pk == team.pk else owner

    moved = []
    for journey in journeys.values():
        for a, b in zip(journey, journey[1:], strict=False):
            if team.pk not in (a.team_id, b.team_id):
                continue
            was, becomes = (
                boundary_between(a.team, b.team),
                boundary_between(after(a.team), after(b.team)),
            )
            if was != becomes:
                moved.append(Moved(a.service, a, b, was, becomes))
    return Impact(moved)
