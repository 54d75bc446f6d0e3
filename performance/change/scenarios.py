"""What if we changed the journey? A scenario is a list of changes to a service's journey; its
prediction is the flow figures the journey would have had over a window with those changes
made, worked out with the same definitions as the flow view (``performance.flow.figures``).

The changes, applied in this order whatever order they are given in:
- move a stage to another team: the boundaries of the hand-offs into and out of it follow the
  team (the waits are kept as they were: the model does not guess what a boundary does to a
  wait);
- raise a hand-off's complete-and-accurate rate to X % (a rate already higher is kept);
- cut a hand-off's wait by Y %;
- merge a stage with the next one: the hand-off between them goes (its wait, and its returns
  from the rolled complete-and-accurate rate), the merged stage takes both process times and
  the first stage's team.

The range is drawn from the service's own weekly variation: the window's weeks are resampled
with replacement ``RESAMPLES`` times, each resample's figures worked out with the changes
made, and the 10th and 90th percentiles taken (widened, where a skewed sample leaves it
outside, to include the estimate from all the weeks). The resampling is seeded by the service
and window, so a scenario shows the same range each time it is worked out.
"""

import random
from collections import defaultdict
from copy import copy
from dataclasses import dataclass, field, replace
from decimal import Decimal

from performance.flow.figures import ZERO, FlowFigures, flow_figures
from performance.flow.queries import weekly_sums
from performance.windows import Window
from servicelead.numbers import percent
from services.journey import boundary_between
from services.models import Service, Stage, Team

RESAMPLES = 200
LOW, HIGH = 10, 90  # percentiles of the range


class Kind:
    MOVE = "move"
    COMPLETE_ACCURATE = "complete_accurate"
    CUT_WAIT = "cut_wait"
    MERGE = "merge"


ORDER = [Kind.MOVE, Kind.COMPLETE_ACCURATE, Kind.CUT_WAIT, Kind.MERGE]

# key: (label, how it is shown)
METRICS = {
    "lead_time_hours": ("Lead time", "hours"),
    "process_time_hours": ("Process time", "hours"),
    "flow_efficiency": ("Flow efficiency", "percent"),
    "rolled_complete_accurate": ("Complete and accurate, end to end", "percent"),
}
COUNTS = {
    "total": "Hand-offs",
    "cross_directorate": "Hand-offs across directorates",
    "cross_organisation": "Hand-offs across organisations",
}


class NoLongerApplies(ValueError):
    """A change names a stage or team the journey no longer has."""


@dataclass(frozen=True)
class Change:
    kind: str
    stage: int  # moved; merged with the next; or whose hand-off out it changes
    team: int | None = None  # where a stage moves to
    value: Decimal | None = None  # the rate to raise to, or the share of the wait cut (0–1)

    def to_json(self) -> dict:
        data = {"kind": self.kind, "stage": self.stage}
        if self.team is not None:
            data["team"] = self.team
        if self.value is not None:
            data["value"] = str(self.value)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Change":
        value = data.get("value")
        return cls(
            kind=data["kind"],
            stage=int(data["stage"]),
            team=int(data["team"]) if data.get("team") is not None else None,
            value=Decimal(value) if value is not None else None,
        )

    def describe(self, stages: dict[int, Stage], teams: dict[int, Team]) -> str:
        stage = stages.get(self.stage)
        if stage is None:
            return "A change to a stage the journey no longer has"
        following = next((s for s in stages.values() if s.position == stage.position + 1), None)
        handoff = f"the hand-off {stage.name} → {following.name if following else '?'}"
        if self.kind == Kind.MOVE:
            team = teams.get(self.team)
            return f"Move “{stage.name}” to {team.name if team else 'a team since removed'}"
        if self.kind == Kind.COMPLETE_ACCURATE:
            return f"Raise {handoff} to {percent(self.value)} complete and accurate"
        if self.kind == Kind.CUT_WAIT:
            return f"Cut the wait at {handoff} by {percent(self.value)}"
        return f"Merge “{stage.name}” with “{following.name if following else '?'}”"


# One branch per kind of change, applied in their order to the same stages and hand-offs:
# apart, each would need the journey's whole state passed to it and back.
def apply(flow: FlowFigures, changes: list[Change], teams: dict[int, Team]) -> FlowFigures:  # noqa: C901
    """The flow figures ``flow`` would have had with ``changes`` made (raises
    ``NoLongerApplies`` for a change the journey cannot take)."""
    stages = [replace(s) for s in flow.stages]
    handoffs = [replace(h) for h in flow.handoffs]
    index = {s.stage.pk: i for i, s in enumerate(stages)}

    def at(change: Change) -> int:
        if change.stage not in index:
            raise NoLongerApplies("The journey no longer has that stage.")
        return index[change.stage]

    def out_of(change: Change) -> int:
        i = at(change)
        if i >= len(handoffs):
            raise NoLongerApplies("The last stage hands nothing on.")
        return i

    for change in sorted(changes, key=lambda c: ORDER.index(c.kind)):
        if change.kind == Kind.MOVE:
            if change.team not in teams:
                raise NoLongerApplies("That team no longer exists.")
            i = at(change)
            moved = copy(stages[i].stage)
            moved.team = teams[change.team]
            stages[i] = replace(stages[i], stage=moved)
        elif change.kind == Kind.COMPLETE_ACCURATE:
            h = handoffs[out_of(change)]
            if h.has_data and h.complete_accurate < change.value:
                h.returned = h.handed_over * (1 - change.value)
        elif change.kind == Kind.CUT_WAIT:
            h = handoffs[out_of(change)]
            h.wait_weighted = h.wait_weighted * (1 - change.value)
        elif change.kind == Kind.MERGE:
            i = out_of(change)
            first, second = stages[i], stages[i + 1]
            measured = [s for s in (first, second) if s.has_data]
            stages[i] = replace(
                first,
                logs=max(first.logs, second.logs),
                completed=first.completed or second.completed,
                process_weighted=sum((s.median_process_hours for s in measured), ZERO)
                * (first.completed or second.completed),
            )
            del stages[i + 1], handoffs[i]
            index = {s.stage.pk: n for n, s in enumerate(stages)}
    for i, h in enumerate(handoffs):
        a, b = stages[i].stage, stages[i + 1].stage
        handoffs[i] = replace(
            h, from_stage=a, to_stage=b, boundary=boundary_between(a.team, b.team)
        )
    return flow_figures(stages, handoffs)


@dataclass
class Figure:
    today: Decimal | None
    point: Decimal | None
    low: Decimal | None = None
    high: Decimal | None = None

    def to_json(self) -> dict:
        return {k: None if v is None else str(v) for k, v in vars(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> "Figure":
        return cls(**{k: None if v is None else Decimal(v) for k, v in data.items()})


@dataclass
class Prediction:
    window: Window
    weeks: int  # with any log, resampled from
    figures: dict[str, Figure] = field(default_factory=dict)
    counts_today: dict[str, int] = field(default_factory=dict)
    counts_then: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> list[tuple[str, str, Figure, None]]:
        """(label, how it is shown, the figure, what happened: nothing yet)."""
        return [(label, shown, self.figures[key], None) for key, (label, shown) in METRICS.items()]

    @property
    def count_rows(self) -> list[tuple[str, int, int]]:
        return [(label, self.counts_today[k], self.counts_then[k]) for k, label in COUNTS.items()]

    def to_json(self) -> dict:
        return {
            "window": [self.window.start.isoformat(), self.window.end.isoformat()],
            "weeks": self.weeks,
            "figures": {key: f.to_json() for key, f in self.figures.items()},
            "counts_today": self.counts_today,
            "counts_then": self.counts_then,
        }


def metrics(flow: FlowFigures) -> dict[str, Decimal | None]:
    return {key: getattr(flow, key) for key in METRICS}


def _percentile(values: list[Decimal], p: int) -> Decimal:
    """The nearest-rank percentile of sorted ``values``."""
    rank = max(1, -(-p * len(values) // 100))  # ceil(p × n / 100), at least the first
    return values[rank - 1]


def _summed(weeks: dict, drawn: list) -> tuple[dict, dict]:
    """The hand-offs' and stages' sums over the ``drawn`` weeks (a week drawn twice counts
    twice), as ``WeeklySums.flow`` takes them."""
    handoffs: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: ZERO))
    stages: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for week in drawn:
        h_rows, s_rows = weeks[week]
        for pk, row in h_rows.items():
            for key in ("logs", "handed", "returned_sum", "wait_weighted"):
                handoffs[pk][key] += row[key] or 0
        for pk, row in s_rows.items():
            for key in ("logs", "done", "process_weighted"):
                stages[pk][key] += row[key] or 0
    return handoffs, stages


def predict(
    service: Service, window: Window, changes: list[Change], *, resamples: int = RESAMPLES
) -> Prediction:
    """Today's figures over ``window`` and those the changes would give, with their range
    (four queries, then arithmetic)."""
    sums = weekly_sums(service, window)
    team_ids = {c.team for c in changes if c.kind == Kind.MOVE}
    teams = Team.objects.select_related("directorate__organisation").in_bulk(team_ids)
    weeks = sorted(sums.weeks)

    def figures_over(drawn: list) -> tuple[FlowFigures, FlowFigures]:
        today = sums.flow(*_summed(sums.weeks, drawn))
        return today, apply(today, changes, teams)

    today, then = figures_over(weeks)
    prediction = Prediction(
        window=window,
        weeks=len(weeks),
        counts_today=today.handoff_counts,
        counts_then=then.handoff_counts,
    )
    samples: dict[str, list[Decimal]] = defaultdict(list)
    rng = random.Random(f"{service.pk}:{window.start}:{window.end}")  # noqa: S311 - not a secret
    for _ in range(resamples if weeks else 0):
        _, drawn = figures_over([rng.choice(weeks) for _ in weeks])
        for key, value in metrics(drawn).items():
            if value is not None:
                samples[key].append(value)
    for key, point in metrics(then).items():
        figure = Figure(today=metrics(today)[key], point=point)
        found = sorted(samples[key])
        if found and point is not None:
            figure.low = min(_percentile(found, LOW), point)
            figure.high = max(_percentile(found, HIGH), point)
        prediction.figures[key] = figure
    return prediction
