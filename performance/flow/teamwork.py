"""Teams as they work together on a service: the interaction modes between the teams on its
journey, the flags they raise, and how each team splits its week between running services,
changing them, failure demand and improving how it works.

Flags:
- a collaboration still recorded after its expected end (its start and expected weeks);
- a platform team on the journey (owning a stage or taking part) with no X-as-a-service
  arrangement recorded on the service;
- a stream-aligned team whose stages hand work to or from other teams more than
  ``STREAM_ALIGNED_MAX_BOUNDARIES`` times on the journey: the flow is not its own;
- a team whose share of capacity spent on change stayed under ``CHANGE_FLOOR`` % in each of
  the last ``CHANGE_WEEKS`` complete weeks (every one of them logged).

A team's balance is the mean of its shares over the weeks it logged among the last
``CHANGE_WEEKS`` complete weeks; a service's is the mean of its teams' balances, each team
weighing the same.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from performance.models import CapacityLog, TeamInteraction
from servicelead.calendar import last_week_before
from services.journey import crossings
from services.models import Service, ServiceTeam, Stage, Team

CHANGE_FLOOR = 10  # per cent
CHANGE_WEEKS = 12
Mode = TeamInteraction.Mode


@dataclass
class Balance:
    """A team's capacity over the last ``CHANGE_WEEKS`` complete weeks, in per cent."""

    team: Team
    weeks: int  # logged among them
    run: Decimal
    change: Decimal
    failure_demand: Decimal
    improvement: Decimal
    low_change_weeks: int  # the latest weeks in a row, each logged with change under the floor

    @property
    def flagged(self) -> bool:
        return self.low_change_weeks >= CHANGE_WEEKS

    @property
    def parts(self) -> list[tuple[str, Decimal]]:
        return [
            ("Running services", self.run),
            ("Changing them", self.change),
            ("Failure demand", self.failure_demand),
            ("Improving how it works", self.improvement),
        ]


def _mean(values: list[Decimal]) -> Decimal:
    """Exact: the pages round it as they show it."""
    return sum(values, Decimal(0)) / len(values)


def balances(teams: list[Team], today: date) -> dict[int, Balance]:
    """Each team's balance, for the teams that logged any of the last weeks (one query)."""
    latest = last_week_before(today)
    first = latest - timedelta(weeks=CHANGE_WEEKS - 1)
    logs: dict[int, dict[date, CapacityLog]] = defaultdict(dict)
    for log in CapacityLog.objects.filter(
        team__in=teams, period_start__gte=first, period_start__lte=latest
    ):
        logs[log.team_id][log.period_start] = log
    found = {}
    for team in teams:
        weeks = logs.get(team.pk)
        if not weeks:
            continue
        low = 0
        while low < CHANGE_WEEKS:
            log = weeks.get(latest - timedelta(weeks=low))
            if log is None or log.change >= CHANGE_FLOOR:
                break
            low += 1
        found[team.pk] = Balance(
            team,
            len(weeks),
            *(
                _mean([Decimal(getattr(log, part)) for log in weeks.values()])
                for part in CapacityLog.PARTS
            ),
            low_change_weeks=low,
        )
    return found


def service_balance(found: list[Balance]) -> dict[str, Decimal] | None:
    """The mean of the teams' balances, each team weighing the same; None when none logged."""
    if not found:
        return None
    return {label: _mean([dict(b.parts)[label] for b in found]) for label, _ in found[0].parts}


@dataclass
class Teamwork:
    interactions: list[TeamInteraction]
    flags: list[str]
    teams: list[Team]  # on the journey: owning a stage, answering for an agent, taking part
    balances: list[Balance]
    balance: dict[str, Decimal] | None
    not_logging: list[Team]


def _journey_teams(service: Service) -> tuple[list[Stage], list[Team]]:
    stages = list(
        Stage.objects.filter(service=service)
        .select_related("team__directorate", "agent_team__directorate")
        .order_by("position")
    )
    participants = [
        p.team for p in ServiceTeam.objects.filter(service=service).select_related("team")
    ]
    teams: dict[int, Team] = {}
    for team in [s.team for s in stages] + [s.agent_team for s in stages] + participants:
        if team is not None:
            teams.setdefault(team.pk, team)
    return stages, sorted(teams.values(), key=lambda t: (t.name.casefold(), t.pk))


# Each team-topology flag is a short independent check over the same journey: a list of
# them reads better than a function each.
def flags(  # noqa: C901
    interactions: list[TeamInteraction], stages: list[Stage], teams: list[Team], today: date
) -> list[str]:
    found = []
    for i in interactions:
        if i.mode == Mode.COLLABORATION and i.expected_end and i.expected_end < today:
            found.append(
                f"The collaboration between {i.team.name} and {i.with_team.name} was expected "
                f"to end on {i.expected_end:%-d %B %Y} ({i.expected_weeks} weeks from "
                f"{i.started_on:%-d %B %Y}) and is still recorded: settle it into "
                "X-as-a-service or facilitating, or agree a new end."
            )
    served = {
        pk
        for i in interactions
        if i.mode == Mode.X_AS_A_SERVICE
        for pk in (i.team_id, i.with_team_id)
    }
    for team in teams:
        if team.team_type == Team.TeamType.PLATFORM and team.pk not in served:
            found.append(
                f"{team.name} is a platform team on this journey, but no X-as-a-service "
                "arrangement with it is recorded."
            )
    limit = settings.STREAM_ALIGNED_MAX_BOUNDARIES
    crossed: dict[int, int] = defaultdict(int)
    for c in crossings(stages):
        giving, receiving = c.from_stage.team_id, c.to_stage.team_id
        if giving != receiving:
            for pk in (giving, receiving):
                if pk is not None:
                    crossed[pk] += 1
    for team in teams:
        if team.team_type == Team.TeamType.STREAM_ALIGNED and crossed[team.pk] > limit:
            found.append(
                f"{team.name} is stream-aligned, but its stages hand work to or from other "
                f"teams {crossed[team.pk]} times on this journey (more than {limit}): the "
                "flow is not its own end to end."
            )
    return found


def teamwork(service: Service, today: date) -> Teamwork:
    """Everything the service page's panel on its teams shows (five queries)."""
    stages, teams = _journey_teams(service)
    interactions = list(
        TeamInteraction.objects.filter(service=service).select_related("team", "with_team")
    )
    found = balances(teams, today)
    notes = flags(interactions, stages, teams, today)
    notes += [
        f"{b.team.name} spent under {CHANGE_FLOOR} % of its capacity on change in each of the "
        f"last {CHANGE_WEEKS} weeks."
        for b in found.values()
        if b.flagged
    ]
    logged = [found[t.pk] for t in teams if t.pk in found]
    return Teamwork(
        interactions=interactions,
        flags=notes,
        teams=teams,
        balances=logged,
        balance=service_balance(logged),
        not_logging=[t for t in teams if t.pk not in found],
    )
