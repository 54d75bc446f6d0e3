"""Reads of the flow logs: a service's flow in a window, by month, the hand-over matrix, and
the rows a team logs in a week."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Sum,
)
from django.db.models.functions import TruncMonth

from performance.flow.figures import FlowFigures, HandoffFigures, StageFigures, flow_figures
from performance.models import (
    Handoff,
    HandoffLog,
    StageLog,
)
from performance.windows import Window, in_window
from servicelead.calendar import week_of
from services.journey import Boundary, boundary_between
from services.models import Service, Stage, Team
from services.queries import TEAM_PATH, User, visible_services

ZERO = Decimal(0)


def _weighted(value: str, weight: str) -> ExpressionWrapper:
    return ExpressionWrapper(
        F(value) * F(weight), output_field=DecimalField(max_digits=24, decimal_places=4)
    )


def journey_handoffs(stages_by_service: dict[int, list[Stage]]) -> dict[tuple[int, int], Handoff]:
    """The hand-off of each pair of consecutive stages, keyed by (from stage id, to stage id):
    its row where one has been saved, else an unsaved one (nothing logged against it yet; the
    first log saves it). One query, however many services; it writes nothing."""
    pairs = {
        (a.pk, b.pk): service_id
        for service_id, stages in stages_by_service.items()
        for a, b in zip(stages, stages[1:], strict=False)
    }
    if not pairs:
        return {}
    existing = {
        (h.from_stage_id, h.to_stage_id): h
        for h in Handoff.objects.filter(from_stage_id__in={a for a, _ in pairs})
    }
    return {
        (a, b): existing.get((a, b))
        or Handoff(service_id=service_id, from_stage_id=a, to_stage_id=b)
        for (a, b), service_id in pairs.items()
    }


def service_flow(service: Service, window: Window) -> FlowFigures:
    """The journey's flow figures over the window (a fixed number of queries)."""
    return flows_for([service], window)[service.pk]


def flows_for(services: list[Service], window: Window) -> dict[int, FlowFigures]:
    """Flow figures of many journeys at once: four queries, however many services."""
    stages_by_service, handoff_rows = _journeys(services)
    handoff_sums = {row["handoff_id"]: row for row in _handoff_sums(handoff_rows, window)}
    stage_sums = {row["stage_id"]: row for row in _stage_sums(stages_by_service, window)}
    return {
        service_id: _flow(stages, handoff_rows, handoff_sums, stage_sums)
        for service_id, stages in stages_by_service.items()
    }


def flow_by_month(service: Service, span: Window) -> dict[date, FlowFigures]:
    """The journey's flow figures for each month of ``span`` with a log, oldest first (keyed
    by the month's first day). A week's log counts in the month it ends in, so no week is
    left out of every month."""
    stages_by_service, handoff_rows = _journeys([service])
    month = TruncMonth("period_end")
    handoff_sums: dict[date, dict] = defaultdict(dict)
    for row in _handoff_sums(handoff_rows, span, month=month):
        handoff_sums[row["month"]][row["handoff_id"]] = row
    stage_sums: dict[date, dict] = defaultdict(dict)
    for row in _stage_sums(stages_by_service, span, month=month):
        stage_sums[row["month"]][row["stage_id"]] = row
    stages = stages_by_service[service.pk]
    return {
        first_day: _flow(stages, handoff_rows, handoff_sums[first_day], stage_sums[first_day])
        for first_day in sorted(set(handoff_sums) | set(stage_sums))
    }


@dataclass
class WeeklySums:
    """A journey's stages and hand-offs, and each week's sums of their logs, keyed by id (as
    ``flow_by_month`` groups them by month)."""

    stages: list[Stage]
    handoffs: dict
    weeks: dict[date, tuple[dict, dict]]  # week's Monday → (hand-offs' sums, stages' sums)

    def flow(self, handoff_sums: dict, stage_sums: dict) -> FlowFigures:
        """The journey's flow figures from sums given as ``weeks`` holds them."""
        return _flow(self.stages, self.handoffs, handoff_sums, stage_sums)


def weekly_sums(service: Service, window: Window) -> WeeklySums:
    """The journey's logs in ``window`` summed week by week (four queries)."""
    stages_by_service, handoff_rows = _journeys([service])
    weeks: dict[date, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    week = F("period_start")
    for row in _handoff_sums(handoff_rows, window, month=week):
        weeks[row["month"]][0][row["handoff_id"]] = row
    for row in _stage_sums(stages_by_service, window, month=week):
        weeks[row["month"]][1][row["stage_id"]] = row
    return WeeklySums(stages_by_service[service.pk], handoff_rows, dict(weeks))


def _journeys(services: list[Service]):
    """Each service's stages in journey order, and the hand-offs between consecutive stages."""
    stages_by_service: dict[int, list[Stage]] = {s.pk: [] for s in services}
    for stage in (
        Stage.objects.filter(service__in=services)
        .select_related(TEAM_PATH)
        .order_by("service_id", "position")
    ):
        stages_by_service[stage.service_id].append(stage)
    return stages_by_service, journey_handoffs(stages_by_service)


def _handoff_sums(handoff_rows: dict, window: Window, month=None):
    """Per hand-off (and per month, given ``month``): logs, Σ handed over, Σ returned and
    Σ (median wait × handed over)."""
    logs = HandoffLog.objects.filter(
        in_window(window), handoff_id__in=[h.pk for h in handoff_rows.values() if h.pk]
    )
    group = ["handoff_id"]
    if month is not None:
        logs, group = logs.annotate(month=month), [*group, "month"]
    return (
        logs.values(*group)
        .annotate(
            logs=Count("pk"),
            handed=Sum("handed_over"),
            returned_sum=Sum("returned"),
            wait_weighted=Sum(_weighted("median_wait_hours", "handed_over")),
        )
        .order_by()
    )


def _stage_sums(stages_by_service: dict[int, list[Stage]], window: Window, month=None):
    """Per stage (and per month, given ``month``): logs, Σ completed and Σ (median process
    time × completed)."""
    all_stages = [stage for stages in stages_by_service.values() for stage in stages]
    logs = StageLog.objects.filter(in_window(window), stage__in=all_stages)
    group = ["stage_id"]
    if month is not None:
        logs, group = logs.annotate(month=month), [*group, "month"]
    return (
        logs.values(*group)
        .annotate(
            logs=Count("pk"),
            done=Sum("completed"),
            process_weighted=Sum(_weighted("median_process_hours", "completed")),
        )
        .order_by()
    )


def _flow(stages: list[Stage], handoff_rows: dict, handoff_sums: dict, stage_sums: dict):
    """One journey's flow figures from its hand-offs' and stages' sums (keyed by id)."""
    handoffs = []
    for a, b in zip(stages, stages[1:], strict=False):
        handoff = handoff_rows[(a.pk, b.pk)]
        sums = handoff_sums.get(handoff.pk, {})
        handoffs.append(
            HandoffFigures(
                from_stage=a,
                to_stage=b,
                boundary=boundary_between(a.team, b.team),
                handoff_id=handoff.pk,
                logs=sums.get("logs", 0),
                handed_over=sums.get("handed") or 0,
                returned=sums.get("returned_sum") or 0,
                wait_weighted=sums.get("wait_weighted") or ZERO,
            )
        )
    stage_figures = [
        StageFigures(
            stage=stage,
            logs=stage_sums.get(stage.pk, {}).get("logs", 0),
            completed=stage_sums.get(stage.pk, {}).get("done") or 0,
            process_weighted=stage_sums.get(stage.pk, {}).get("process_weighted") or ZERO,
        )
        for stage in stages
    ]
    return flow_figures(stage_figures, handoffs)


@dataclass
class MatrixCell:
    handed_over: int = 0
    returned: int = 0
    boundary: Boundary | None = None


@dataclass
class HandoverMatrix:
    teams: list[Team]
    cells: dict[tuple[int, int], MatrixCell] = field(default_factory=dict)

    def rows(self) -> list[tuple[Team, list[MatrixCell | None]]]:
        return [
            (giver, [self.cells.get((giver.pk, taker.pk)) for taker in self.teams])
            for giver in self.teams
        ]


def handover_matrix(flow: FlowFigures) -> HandoverMatrix:
    """Teams × teams: the volume each team handed to the next over the window."""
    teams: dict[int, Team] = {}
    for stage in flow.stages:
        if stage.stage.team is not None:
            teams.setdefault(stage.stage.team.pk, stage.stage.team)
    matrix = HandoverMatrix(teams=list(teams.values()))
    for handoff in flow.handoffs:
        giver, taker = handoff.from_stage.team, handoff.to_stage.team
        if giver is None or taker is None:
            continue
        cell = matrix.cells.setdefault((giver.pk, taker.pk), MatrixCell(boundary=handoff.boundary))
        cell.handed_over += handoff.handed_over
        cell.returned += handoff.returned
    return matrix


@dataclass
class HandoffToLog:
    handoff: Handoff
    service: Service
    direction: str  # "in", "out" or "within"
    boundary: Boundary
    log: HandoffLog | None
    last: HandoffLog | None

    @property
    def key(self) -> str:
        """By its two stages: the same before and after its first log saves the hand-off."""
        return f"h{self.handoff.from_stage_id}-{self.handoff.to_stage_id}"


@dataclass
class StageToLog:
    stage: Stage
    log: StageLog | None
    last: StageLog | None

    @property
    def key(self) -> str:
        return f"s{self.stage.pk}"


def team_week(
    user: User, team: Team, week_start: date
) -> tuple[list[HandoffToLog], list[StageToLog]]:
    """Every hand-off into and out of the team's stages, and the team's stages, for one week,
    with this week's log and last week's (to prefill). A fixed number of queries."""
    services = visible_services(user)
    own = list(
        Stage.objects.filter(team=team, service__in=services).values_list("service_id", flat=True)
    )
    stages_by_service: dict[int, list[Stage]] = {}
    for stage in (
        Stage.objects.filter(service_id__in=own)
        .select_related(TEAM_PATH, "service")
        .order_by("service__name", "position")
    ):
        stages_by_service.setdefault(stage.service_id, []).append(stage)
    handoffs = journey_handoffs(stages_by_service)
    week_end = week_of(week_start)[1]
    last_start = week_start - timedelta(days=7)

    handoff_ids = [h.pk for h in handoffs.values() if h.pk]
    logs = {
        (log.handoff_id, log.period_start): log
        for log in HandoffLog.objects.filter(
            handoff_id__in=handoff_ids,
            period_start__in=[week_start, last_start],
            period_end__in=[week_end, week_end - timedelta(days=7)],
        ).select_related("logged_by")
    }
    stage_logs = {
        (log.stage_id, log.period_start): log
        for log in StageLog.objects.filter(
            stage__team=team,
            stage__service_id__in=own,
            period_start__in=[week_start, last_start],
        ).select_related("logged_by")
    }

    handoff_rows, stage_rows = [], []
    for stages in stages_by_service.values():
        for a, b in zip(stages, stages[1:], strict=False):
            giving, taking = a.team_id == team.pk, b.team_id == team.pk
            if not (giving or taking):
                continue
            handoff = handoffs[(a.pk, b.pk)]
            handoff.from_stage, handoff.to_stage = a, b
            handoff_rows.append(
                HandoffToLog(
                    handoff=handoff,
                    service=a.service,
                    direction="within" if giving and taking else ("out" if giving else "in"),
                    boundary=boundary_between(a.team, b.team),
                    log=logs.get((handoff.pk, week_start)),
                    last=logs.get((handoff.pk, last_start)),
                )
            )
        for stage in stages:
            if stage.team_id == team.pk:
                stage_rows.append(
                    StageToLog(
                        stage=stage,
                        log=stage_logs.get((stage.pk, week_start)),
                        last=stage_logs.get((stage.pk, last_start)),
                    )
                )
    return handoff_rows, stage_rows
