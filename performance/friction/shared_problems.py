"""Shared problems: the same kind of friction with the same team, felt in several services
across directorates, seen as one problem rather than as pockets.

A friction point sits with a team: its owner, else the team owning the stage it affects. Open
and mitigating points of one category sitting with one team make a shared problem when they
are in two or more services and those services are run from two or more directorates. A
service is run from the directorates of its journey's teams other than the team's own (the
one place every such service shares); a journey wholly within the team's directorate is run
from it. The team's type says whether the problem is a platform's, a supplier's or a team's.
Each problem names every service and leader affected, its combined cost a year (priced as the
friction register prices it, per currency), and what worked where the same problem, with the
same team, was resolved before.

Only the services the reader may see take part: a problem is never shown through a service
they cannot see.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from performance.friction.cost import Priced, rates_of, staff_costs
from performance.models import FrictionPoint
from services.models import Directorate, Service, ServiceLeader, Stage, Team

MIN_SERVICES = 2
MIN_DIRECTORATES = 2
SUBJECTS = {Team.TeamType.PLATFORM: "platform", Team.TeamType.SUPPLIER: "supplier"}
Status = FrictionPoint.Status


@dataclass
class SharedProblem:
    category: str
    team: Team
    points: list[Priced] = field(default_factory=list)
    directorates: list[Directorate] = field(default_factory=list)
    leaders: dict[int, list[str]] = field(default_factory=dict)  # by service id
    worked: list[FrictionPoint] = field(default_factory=list)  # resolved, with what worked

    @property
    def key(self) -> str:
        return f"{self.category}-{self.team.pk}"

    @property
    def subject(self) -> str:
        """ "platform", "supplier" or "team"."""
        return SUBJECTS.get(self.team.team_type, "team")

    @property
    def category_label(self) -> str:
        return FrictionPoint.Category(self.category).label

    @property
    def title(self) -> str:
        return f"{self.category_label} friction with {self.team.name}"

    @property
    def rows(self) -> list[tuple[Priced, list[str]]]:
        """Each point, priced, with its service's leaders."""
        return [(priced, self.leaders[priced.point.service_id]) for priced in self.points]

    @property
    def services(self) -> list[Service]:
        seen: dict[int, Service] = {}
        for priced in self.points:
            seen.setdefault(priced.point.service_id, priced.point.service)
        return sorted(seen.values(), key=lambda s: (s.name.casefold(), s.pk))

    @property
    def cost_a_year(self) -> dict[str, Decimal]:
        """What its points cost a year together, per currency (never added across them)."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for priced in self.points:
            totals[priced.rates.currency] += priced.a_year
        return dict(sorted(totals.items()))

    @property
    def high(self) -> int:
        return sum(1 for p in self.points if p.point.severity == FrictionPoint.Severity.HIGH)


def _team_of(point: FrictionPoint) -> Team | None:
    if point.owner_team_id:
        return point.owner_team
    if point.stage_id and point.stage.team_id:
        return point.stage.team
    return None


def _run_from(service_id: int, team: Team, journeys: dict[int, set[int]]) -> set[int]:
    """The directorates a service is run from, seen from the team its friction sits with."""
    return journeys[service_id] - {team.directorate_id} or {team.directorate_id}


def shared_problems(services: QuerySet[Service]) -> list[SharedProblem]:
    """The shared problems among ``services`` (the reader's visible ones), the most services
    first (seven queries, whatever their number)."""
    points = list(
        FrictionPoint.objects.filter(service__in=services)
        .exclude(status=Status.RESOLVED)
        .filter(Q(owner_team__isnull=False) | Q(stage__team__isnull=False))
        .select_related(
            "service__organisation",
            "owner_team__directorate__organisation",
            "stage__team__directorate__organisation",
        )
        .order_by("service__name", "-raised_on", "pk")
    )
    groups: dict[tuple[str, int], list[FrictionPoint]] = defaultdict(list)
    for point in points:
        team = _team_of(point)
        groups[point.category, team.pk].append(point)
    groups = {
        key: group
        for key, group in groups.items()
        if len({p.service_id for p in group}) >= MIN_SERVICES
    }
    if not groups:
        return []
    service_ids = {p.service_id for group in groups.values() for p in group}
    journeys: dict[int, set[int]] = defaultdict(set)
    for service_id, directorate_id in Stage.objects.filter(
        service_id__in=service_ids, team__isnull=False
    ).values_list("service_id", "team__directorate_id"):
        journeys[service_id].add(directorate_id)
    felt = {
        key: set().union(*(_run_from(p.service_id, _team_of(p), journeys) for p in group))
        for key, group in groups.items()
    }
    groups = {key: group for key, group in groups.items() if len(felt[key]) >= MIN_DIRECTORATES}
    if not groups:
        return []
    directorates = Directorate.objects.in_bulk(set().union(*(felt[key] for key in groups)))
    leaders: dict[int, list[str]] = defaultdict(list)
    for service_id, name in (
        ServiceLeader.objects.filter(service_id__in=service_ids)
        .order_by("person__name")
        .values_list("service_id", "person__name")
    ):
        leaders[service_id].append(name)
    staff = staff_costs()
    problems = []
    for (category, _), group in groups.items():
        team = _team_of(group[0])
        problems.append(
            SharedProblem(
                category=category,
                team=team,
                points=[Priced(p, rates_of(p.service.organisation, staff)) for p in group],
                directorates=sorted(
                    (directorates[pk] for pk in felt[category, team.pk]),
                    key=lambda d: (d.name.casefold(), d.pk),
                ),
                leaders={p.service_id: leaders[p.service_id] for p in group},
            )
        )
    _what_worked(problems, services)
    return sorted(problems, key=lambda p: (-len(p.services), -len(p.points), p.title, p.team.pk))


def _what_worked(problems: list[SharedProblem], services: QuerySet[Service]) -> None:
    """Each problem's resolved points of the same category with the same team, where somebody
    said what worked (one query)."""
    by_key = {problem.key: problem for problem in problems}
    teams = {problem.team.pk for problem in problems}
    resolved = (
        FrictionPoint.objects.filter(service__in=services, status=Status.RESOLVED)
        .exclude(what_worked="")
        .filter(Q(owner_team_id__in=teams) | Q(owner_team__isnull=True, stage__team_id__in=teams))
        .select_related("service", "owner_team", "stage__team")
        .order_by("-resolved_on", "pk")
    )
    for point in resolved:
        problem = by_key.get(f"{point.category}-{_team_of(point).pk}")
        if problem is not None:
            problem.worked.append(point)


def touching(problems: list[SharedProblem], service: Service) -> list[SharedProblem]:
    """The problems ``service`` is one of the services of."""
    return [p for p in problems if any(s.pk == service.pk for s in p.services)]
